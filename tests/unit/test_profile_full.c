/* The full profile's ciphers phase (smtp/profile_full.c), branch by branch, against a
 * simulated server (the answer a server with a given set of suites, preference, DH group
 * and ECDHE groups gives to each planned hello): every class enumerated or stopped at the
 * first accepted, chunks of a class longer than a hello, the bound of 16 hellos, the
 * server order either way, DHE bits, ECDHE groups by TLS 1.3 (share or HelloRetryRequest)
 * and by TLS 1.2's ServerKeyExchange, refusals by alert or close, answers that say
 * nothing, and a server with no usable version. */
#include "smtp/profile_plan.h"
#include "tls/hello_build.h"
#include "tls/suites.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

typedef struct fake {
  uint16_t suites[64];         /* accepted, in the server's preference order */
  size_t n;
  bool server_pref;
  unsigned dhe_bits;
  enum tls_class dhe_class;
  uint16_t groups[4];          /* ECDHE groups accepted */
  size_t ngroups;
  enum hello_answer refusal;   /* HELLO_ANS_ALERT or HELLO_ANS_CLOSED */
  int silent_at;               /* this hello (1-based) gets no answer; 0 none */
  bool wrong_suite;            /* every ServerHello chooses 0x0033, offered or not */
  unsigned hellos;
  unsigned ske_hellos;         /* hellos asking for the ServerKeyExchange */
  unsigned max_per_tag[8];     /* the classes stage: hellos per class */
  bool overfull;               /* a hello carried more suites than fit */
} fake_t;

static bool has(const uint16_t *l, size_t n, uint16_t x) {
  for (size_t i = 0; i < n; i++)
    if (l[i] == x) return true;
  return false;
}

static uint16_t pick_group(const fake_t *f, const pstep_t *s) {
  for (size_t i = 0; i < s->n_groups; i++)
    if (has(f->groups, f->ngroups, s->groups[i])) return s->groups[i];
  return 0;
}

static smtp_result_t answer(fake_t *f, const pstep_t *s, const char *sni) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.starttls = SMTP_STARTTLS_OFFERED;
  r.offer_sent = true;
  f->hellos++;
  f->ske_hellos += s->want_ske;
  if (s->n_suites > profile_step_fit(s, sni) || s->n_suites == 0) f->overfull = true;
  if ((int)f->hellos == f->silent_at) return r;          /* kind MORE: a timeout */
  uint16_t chosen = 0;
  for (size_t i = 0; i < (f->server_pref ? f->n : s->n_suites) && !chosen; i++) {
    uint16_t x = f->server_pref ? f->suites[i] : s->suites[i];
    if (has(f->suites, f->n, x) && has(s->suites, s->n_suites, x)) chosen = x;
  }
  uint16_t g = s->n_groups ? pick_group(f, s) : HELLO_GROUP_X25519;
  const char *name = chosen ? tls_suite_name(chosen) : NULL;
  bool ec = name && strncmp(name, "TLS_ECDHE_", 10) == 0;
  if (!chosen || ((ec || s->version == HELLO_TLS13) && !g)) {
    r.offer.kind = f->refusal;
    r.offer.alert_level = 2, r.offer.alert_desc = 40;
    return r;
  }
  r.offer.kind = HELLO_ANS_SERVER_HELLO;
  r.offer.version = s->version;
  r.offer.suite = f->wrong_suite ? 0x0033 : chosen;
  if (s->version == HELLO_TLS13) {
    r.offer.group = g;
    if (g != HELLO_GROUP_X25519) r.offer.kind = HELLO_ANS_RETRY, r.offer.retry = true;
  } else if (s->want_ske && ec) {
    r.offer.ske_group = g;
  } else if (s->want_ske && strncmp(name, "TLS_DHE_", 8) == 0) {
    r.offer.dhe_bits = f->dhe_bits;
    r.offer.dhe_class = f->dhe_class;
  }
  return r;
}

/* Runs the ciphers phase to its end for a server with these versions accepted. */
static void run_full(fake_t *f, profile_result_t *res, const bool v[PV_COUNT], const char *sni) {
  profile_run_t run;
  profile_result_init(res);
  profile_run_init(&run, res, PROFILE_FULL, sni);
  for (int i = 0; i < PV_COUNT; i++) res->versions[i] = v[i] ? PVS_ACCEPTED : PVS_REFUSED;
  run.phase = PP_CIPHERS;
  pstep_t s;
  for (int guard = 0; guard < 1000; guard++) {
    memset(&s, 0, sizeof s);
    s.phase = PP_CIPHERS;
    if (!profile_phase_ciphers.next(&run, &s)) return;
    if (s.handshake) { f->overfull = true; return; }
    if (run.full.stage == 0 && s.tag < 8) f->max_per_tag[s.tag]++;
    smtp_result_t r = answer(f, &s, sni);
    profile_phase_ciphers.consume(&run, &s, &r);
    smtp_result_free(&r);
  }
  CHECK(!"the phase never ended");
}

static const bool v12_13[PV_COUNT] = {false, false, false, true, true};
static const bool v10_12[PV_COUNT] = {false, true, true, true, false};
static const bool v13[PV_COUNT] = {false, false, false, false, true};
static const bool v10[PV_COUNT] = {false, true, false, false, false};

static fake_t mixed(bool pref) {
  fake_t f = {.n = 0, .server_pref = pref, .refusal = HELLO_ANS_ALERT,
              .groups = {HELLO_GROUP_X25519, HELLO_GROUP_P256}, .ngroups = 2};
  const uint16_t s[] = {0x1302, 0x1301, 0xc030, 0xc02f, 0x009c, 0x000a, 0x002f, 0x0005, 0x0001};
  memcpy(f.suites, s, sizeof s);
  f.n = sizeof s / sizeof *s;
  return f;
}

static void test_classes_order_kex(void) {
  fake_t f = mixed(true);
  profile_result_t res;
  run_full(&f, &res, v12_13, "mx.example");
  CHECK(!f.overfull);
  const profile_class_res_t *c = res.ciphers;
  /* good: TLS 1.3's AES-GCM, the first accepted only (the server prefers 0x1302) */
  CHECK(c[TLS_CLASS_GOOD].tested && c[TLS_CLASS_GOOD].accepted);
  CHECK_INT(c[TLS_CLASS_GOOD].nsuites, 1);
  CHECK_INT(c[TLS_CLASS_GOOD].suites[0], 0x1302);
  CHECK(!c[TLS_CLASS_GOOD].complete);
  CHECK_INT(c[TLS_CLASS_SUFFICIENT].nsuites, 1);
  CHECK(c[TLS_CLASS_SUFFICIENT].tested && c[TLS_CLASS_PHASE_OUT].tested);
  CHECK_INT(c[TLS_CLASS_SUFFICIENT].suites[0], 0xc030);
  /* phase-out, insufficient: every one, then a refusal */
  CHECK_INT(c[TLS_CLASS_PHASE_OUT].nsuites, 3);
  CHECK(has(c[TLS_CLASS_PHASE_OUT].suites, 3, 0x009c) && has(c[TLS_CLASS_PHASE_OUT].suites, 3, 0x000a) &&
        has(c[TLS_CLASS_PHASE_OUT].suites, 3, 0x002f));
  CHECK(c[TLS_CLASS_PHASE_OUT].complete);
  CHECK_INT(c[TLS_CLASS_INSUFFICIENT].nsuites, 2);
  CHECK(c[TLS_CLASS_INSUFFICIENT].complete && c[TLS_CLASS_INSUFFICIENT].accepted);
  CHECK_INT(f.max_per_tag[TLS_CLASS_PHASE_OUT], 4);       /* three found, one refusal */
  /* the server's own order: the same choice both ways */
  CHECK_INT(res.server_order, PT_YES);
  /* no DHE suite: tested, none */
  CHECK(res.dhe_tested && res.dhe_bits == 0);
  /* TLS 1.3: X25519 by its share, P-256 by a HelloRetryRequest, the others refused */
  CHECK_INT(res.ecdhe[PG_X25519], PVS_ACCEPTED);
  CHECK_INT(res.ecdhe[PG_P256], PVS_ACCEPTED);
  CHECK_INT(res.ecdhe[PG_P384], PVS_REFUSED);
  CHECK_INT(res.ecdhe[PG_P521], PVS_REFUSED);
  CHECK_INT(f.ske_hellos, 1);                               /* the DHE hello only */
  profile_result_free(&res);

  /* a server that follows the client's order: server_order no; a close is a refusal */
  f = mixed(false);
  f.refusal = HELLO_ANS_CLOSED;
  run_full(&f, &res, v12_13, NULL);
  CHECK_INT(res.server_order, PT_NO);
  CHECK_INT(res.ciphers[TLS_CLASS_PHASE_OUT].nsuites, 3);
  CHECK(res.ciphers[TLS_CLASS_INSUFFICIENT].complete);
  CHECK_INT(res.ecdhe[PG_P384], PVS_REFUSED);
  profile_result_free(&res);
}

static void test_tls12_kex(void) {
  /* TLS 1.0-1.2: the non-1.3 suites at TLS 1.2; DHE bits; ECDHE from the SKE */
  fake_t f = {.suites = {0x009e, 0xc02f, 0x0033}, .n = 3, .server_pref = true,
              .refusal = HELLO_ANS_ALERT, .dhe_bits = 1024, .dhe_class = TLS_CLASS_INSUFFICIENT,
              .groups = {HELLO_GROUP_P384}, .ngroups = 1};
  profile_result_t res;
  run_full(&f, &res, v10_12, "mx.example");
  CHECK(!f.overfull);
  CHECK(!res.ciphers[TLS_CLASS_GOOD].accepted && res.ciphers[TLS_CLASS_GOOD].complete);
  CHECK(res.ciphers[TLS_CLASS_SUFFICIENT].accepted);
  CHECK(res.dhe_tested);
  CHECK_INT(res.dhe_bits, 1024);
  CHECK_INT(res.dhe_class, TLS_CLASS_INSUFFICIENT);
  CHECK_INT(res.ecdhe[PG_X25519], PVS_REFUSED);
  CHECK_INT(res.ecdhe[PG_P256], PVS_REFUSED);
  CHECK_INT(res.ecdhe[PG_P384], PVS_ACCEPTED);
  CHECK_INT(f.ske_hellos, 1 + PG_COUNT);
  profile_result_free(&res);
  /* TLS 1.0 alone: no TLS 1.2 suite is offered (0x009e, 0xc02f are TLS 1.2's) */
  run_full(&f, &res, v10, NULL);
  CHECK_INT(res.ciphers[TLS_CLASS_SUFFICIENT].nsuites, 1);
  CHECK_INT(res.ciphers[TLS_CLASS_SUFFICIENT].suites[0], 0x0033);
  CHECK_INT(res.server_order, PT_UNKNOWN);                  /* one suite: no pair */
  CHECK(res.dhe_tested);
  profile_result_free(&res);
}

static void test_tls13_only(void) {
  fake_t f = {.suites = {0x1301, 0x1304}, .n = 2, .server_pref = false,
              .refusal = HELLO_ANS_ALERT, .groups = {HELLO_GROUP_P521}, .ngroups = 1};
  profile_result_t res;
  run_full(&f, &res, v13, NULL);
  CHECK_INT(f.ske_hellos, 0);
  CHECK(!res.dhe_tested);
  CHECK_INT(res.ciphers[TLS_CLASS_GOOD].nsuites, 1);
  CHECK_INT(res.ciphers[TLS_CLASS_INSUFFICIENT].suites[0], 0x1304);   /* CCM */
  /* no TLS 1.3 suite is phase-out: none can be accepted, and the record says so */
  CHECK(res.ciphers[TLS_CLASS_PHASE_OUT].tested && !res.ciphers[TLS_CLASS_PHASE_OUT].accepted &&
        res.ciphers[TLS_CLASS_PHASE_OUT].complete);
  CHECK_INT(res.server_order, PT_NO);                       /* two TLS 1.3 suites */
  CHECK_INT(res.ecdhe[PG_P521], PVS_ACCEPTED);               /* by HelloRetryRequest */
  CHECK_INT(res.ecdhe[PG_X25519], PVS_REFUSED);
  profile_result_free(&res);
  /* nothing accepted at all: no step */
  static const bool none[PV_COUNT] = {0};
  f.hellos = 0;
  run_full(&f, &res, none, NULL);
  CHECK_INT(f.hellos, 0);
  CHECK(!res.ciphers[TLS_CLASS_GOOD].tested);
  profile_result_free(&res);
}

/* The insufficient suites of TLS 1.2, in the order the phase offers them. */
static size_t insufficient12(uint16_t *out, size_t cap) {
  uint16_t all[PSTEP_SUITES_MAX];
  size_t n = profile_suites(PV_TLS12, all, PSTEP_SUITES_MAX), k = 0;
  for (size_t i = 0; i < n && k < cap; i++)
    if (tls_suite_class(all[i]) == TLS_CLASS_INSUFFICIENT) out[k++] = all[i];
  return k;
}

static void test_bound_and_chunks(void) {
  fake_t f = {.refusal = HELLO_ANS_ALERT, .server_pref = true};
  profile_result_t res;
  f.n = insufficient12(f.suites, 40);
  CHECK_INT(f.n, 40);
  run_full(&f, &res, v10_12, NULL);
  CHECK_INT(f.max_per_tag[TLS_CLASS_INSUFFICIENT], PROFILE_CLASS_HELLOS);
  CHECK_INT(res.ciphers[TLS_CLASS_INSUFFICIENT].nsuites, PROFILE_CLASS_HELLOS);
  CHECK(!res.ciphers[TLS_CLASS_INSUFFICIENT].complete);
  profile_result_free(&res);
  /* a 253-byte name: the class goes in chunks; the server accepts only its last suite */
  char sni[254];
  for (int i = 0; i < 253; i++) sni[i] = i % 64 == 63 ? '.' : 'a';
  sni[253] = '\0';
  uint16_t all[PSTEP_SUITES_MAX];
  size_t n = insufficient12(all, PSTEP_SUITES_MAX);
  fake_t g = {.suites = {all[n - 1]}, .n = 1, .refusal = HELLO_ANS_ALERT};
  run_full(&g, &res, v10_12, sni);
  CHECK(!g.overfull);
  CHECK(g.max_per_tag[TLS_CLASS_INSUFFICIENT] > 2);
  CHECK_INT(res.ciphers[TLS_CLASS_INSUFFICIENT].nsuites, 1);
  CHECK_INT(res.ciphers[TLS_CLASS_INSUFFICIENT].suites[0], all[n - 1]);
  CHECK(res.ciphers[TLS_CLASS_INSUFFICIENT].complete);
  profile_result_free(&res);
}

static void test_unlearnt(void) {
  /* the first hello (good, TLS 1.3) times out: good unlearnt, the rest goes on */
  fake_t f = mixed(true);
  f.silent_at = 1;
  profile_result_t res;
  run_full(&f, &res, v12_13, NULL);
  CHECK(res.ciphers[TLS_CLASS_GOOD].tested && !res.ciphers[TLS_CLASS_GOOD].accepted &&
        !res.ciphers[TLS_CLASS_GOOD].complete);
  CHECK(res.ciphers[TLS_CLASS_SUFFICIENT].accepted);
  profile_result_free(&res);
  /* count the hellos up to the order's second one, then silence it */
  f = mixed(true);
  run_full(&f, &res, v12_13, NULL);
  unsigned total = f.hellos;
  profile_result_free(&res);
  f = mixed(true);
  f.silent_at = (int)total - PG_COUNT;                      /* the DHE hello */
  run_full(&f, &res, v12_13, NULL);
  CHECK(!res.dhe_tested && res.server_order == PT_YES);
  profile_result_free(&res);
  f = mixed(true);
  f.silent_at = (int)total - PG_COUNT - 1;                  /* the order's second */
  run_full(&f, &res, v12_13, NULL);
  CHECK_INT(res.server_order, PT_UNKNOWN);
  profile_result_free(&res);
  f = mixed(true);
  f.silent_at = (int)total;                                 /* P-521's */
  run_full(&f, &res, v12_13, NULL);
  CHECK_INT(res.ecdhe[PG_P521], PVS_ERROR);
  CHECK_INT(res.ecdhe[PG_P384], PVS_REFUSED);
  profile_result_free(&res);
  /* a ServerHello choosing a suite never offered ends each class unlearnt */
  f = mixed(true);
  f.wrong_suite = true;
  run_full(&f, &res, v12_13, NULL);
  for (int c = 0; c < TLS_CLASS_COUNT; c++)
    CHECK(!res.ciphers[c].complete && res.ciphers[c].nsuites <= 1);
  CHECK(!res.ciphers[TLS_CLASS_GOOD].accepted);
  profile_result_free(&res);
}

int main(void) {
  test_classes_order_kex();
  test_tls12_kex();
  test_tls13_only();
  test_bound_and_chunks();
  test_unlearnt();
  TEST_MAIN_END();
}
