/* The ciphers phase of the TLS profile (smtp/profile_plan.h), full mode only: which NCSC-NL
 * classes of cipher suites the server accepts (tls/suites.h), whether it imposes its own
 * order, the size of its DHE group and which ECDHE groups it takes. Pure: next() plans
 * the hellos from what the versions phase learnt, consume() reads their answers; unit-
 * tested branch by branch (tests/unit/test_profile_full.c).
 *
 * Stages, one after another:
 *   classes  per class, best first: the class's suites at the highest accepted version
 *            of TLS 1.0-1.2, then (TLS 1.3 accepted) its TLS 1.3 suites; the accepted
 *            suite is taken out and the rest offered again until a refusal (testssl.sh's
 *            way of enumerating); a class longer than one hello goes in chunks
 *            (profile_step_fit). Good and sufficient stop at the first accepted suite
 *            (the question is whether the server accepts one); phase-out and insufficient
 *            are enumerated, at most PROFILE_CLASS_HELLOS hellos per class.
 *   order    two accepted suites of one version, in both orders: the same choice both
 *            times is the server's own preference.
 *   dhe      the DHE suites alone, read on to the ServerKeyExchange: the prime's size.
 *   ecdhe    X25519, P-256, P-384, P-521 each alone in supported_groups: TLS 1.3 (an
 *            X25519 share, or an empty key_share that a HelloRetryRequest answers with
 *            the group it wants), else the ECDHE suites of TLS <= 1.2 and the curve
 *            of the ServerKeyExchange.
 * An answer that is neither an acceptance nor a refusal (a timeout, a malformed answer, a
 * suite not offered) ends that class or question unlearnt rather than guessing. A close
 * without an answer is a refusal: the versions phase saw this server speak TLS (the
 * phase runs only when a version was accepted; profile_settle_closed's reasoning). */
#include "smtp/profile_plan.h"
#include "tls/suites.h"

#include <string.h>

enum { FS_CLASSES, FS_ORDER, FS_DHE, FS_ECDHE, FS_DONE };

static const uint16_t group_wire[PG_COUNT] = {HELLO_GROUP_X25519, HELLO_GROUP_P256,
                                              HELLO_GROUP_P384, HELLO_GROUP_P521};

/* The highest accepted version of TLS 1.0-1.2, or PV_COUNT. */
static enum profile_version legacy_version(const profile_result_t *res) {
  for (int v = PV_TLS12; v >= PV_TLS10; v--)
    if (res->versions[v] == PVS_ACCEPTED) return (enum profile_version)v;
  return PV_COUNT;
}

static bool has13(const profile_result_t *res) { return res->versions[PV_TLS13] == PVS_ACCEPTED; }

static bool is13(uint16_t suite) { return suite >> 8 == 0x13; }

static bool found(const profile_class_res_t *c, uint16_t suite) {
  for (size_t i = 0; i < c->nsuites; i++)
    if (c->suites[i] == suite) return true;
  return false;
}

static bool offered(const pstep_t *s, uint16_t suite) {
  for (size_t i = 0; i < s->n_suites; i++)
    if (s->suites[i] == suite) return true;
  return false;
}

/* The suites of v (profile_suites' order) that pass keep(code, arg), into s. */
static void fill(pstep_t *s, enum profile_version v, bool (*keep)(uint16_t, const void *),
                 const void *arg) {
  uint16_t all[PSTEP_SUITES_MAX];
  size_t n = profile_suites(v, all, PSTEP_SUITES_MAX);
  if (n > PSTEP_SUITES_MAX) n = PSTEP_SUITES_MAX;
  s->version = profile_version_wire(v);
  s->n_suites = 0;
  for (size_t i = 0; i < n; i++)
    if (keep(all[i], arg)) s->suites[s->n_suites++] = all[i];
}

/* Trims s to the suites its hello carries: false when none fits. */
static bool trim(pstep_t *s, const char *sni) {
  size_t fit = s->n_suites ? profile_step_fit(s, sni) : 0;
  s->n_suites = fit;
  return fit > 0;
}

/* The answer: a ServerHello (or HelloRetryRequest) choosing an offered suite. */
static bool took(const pstep_t *s, const smtp_offer_answer_t *a) {
  return (a->kind == HELLO_ANS_SERVER_HELLO || a->kind == HELLO_ANS_RETRY) &&
         offered(s, a->suite);
}

/* The answer refused: an alert, an SSLv2 answer, a close without a word (see above). */
static bool refused(const smtp_offer_answer_t *a) {
  return a->kind == HELLO_ANS_ALERT || a->kind == HELLO_ANS_SSL2 || a->kind == HELLO_ANS_CLOSED;
}

/* ---------- classes ---------- */

typedef struct { const profile_class_res_t *c; enum tls_class cls; } class_arg_t;

static bool keep_class(uint16_t code, const void *arg) {
  const class_arg_t *k = arg;
  return tls_suite_class(code) == (int)k->cls && !found(k->c, code);
}

static void class_advance(profile_full_state_t *st) {
  st->cls++;
  st->sub = 0;
  st->offset = 0;
  st->hellos = 0;
  st->class_over = false;
}

static bool classes_next(profile_run_t *run, pstep_t *s) {
  profile_full_state_t *st = &run->full;
  if (legacy_version(run->res) == PV_COUNT && !has13(run->res)) return false;
  while (st->cls < TLS_CLASS_COUNT) {
    profile_class_res_t *c = &run->res->ciphers[st->cls];
    if (st->class_over) { class_advance(st); continue; }
    enum profile_version v = st->sub == 0 ? legacy_version(run->res)
                             : has13(run->res) ? PV_TLS13 : PV_COUNT;
    if (st->sub > 1) {                       /* every candidate refused or found (or
                                                none exists at the accepted versions:
                                                then none is accepted either) */
      c->tested = c->complete = true;
      class_advance(st);
      continue;
    }
    class_arg_t k = {c, (enum tls_class)st->cls};
    if (v != PV_COUNT) fill(s, v, keep_class, &k);
    if (v == PV_COUNT || st->offset >= s->n_suites) {
      st->sub++;
      st->offset = 0;
      continue;
    }
    if (st->hellos >= PROFILE_CLASS_HELLOS || c->nsuites >= PROFILE_CLASS_SUITES_MAX) {
      class_advance(st);                     /* at the bound: complete stays false */
      continue;
    }
    memmove(s->suites, s->suites + st->offset, (s->n_suites - st->offset) * sizeof *s->suites);
    s->n_suites -= st->offset;
    if (!trim(s, run->sni)) { class_advance(st); continue; }
    s->tag = st->cls;
    st->hellos++;
    c->tested = true;
    return true;
  }
  return false;
}

static void classes_consume(profile_run_t *run, const pstep_t *s, const smtp_offer_answer_t *a) {
  profile_full_state_t *st = &run->full;
  profile_class_res_t *c = &run->res->ciphers[st->cls];
  if (took(s, a)) {
    c->accepted = true;
    if (!found(c, a->suite) && c->nsuites < PROFILE_CLASS_SUITES_MAX)
      c->suites[c->nsuites++] = a->suite;
    /* the next hello offers the same window without it (offset unchanged) */
    if (st->cls <= TLS_CLASS_SUFFICIENT) st->class_over = true;
  } else if (refused(a)) {
    st->offset += s->n_suites;               /* none of these: on to the next window */
  } else {
    st->class_over = true;                   /* no answer that says, or a ServerHello
                                                choosing a suite never offered: unlearnt */
  }
}

/* ---------- server order ---------- */

/* Two accepted suites of one version for the order test, best classes first: of TLS
 * 1.0-1.2 when it has two, else of TLS 1.3. */
static bool order_pair(profile_run_t *run) {
  profile_full_state_t *st = &run->full;
  for (int want13 = 0; want13 < 2; want13++) {
    size_t n = 0;
    for (int c = 0; c < TLS_CLASS_COUNT && n < 2; c++) {
      const profile_class_res_t *cr = &run->res->ciphers[c];
      for (size_t i = 0; i < cr->nsuites && n < 2; i++)
        if (is13(cr->suites[i]) == (bool)want13) st->order[n++] = cr->suites[i];
    }
    if (n == 2) {
      enum profile_version v = want13 ? PV_TLS13 : legacy_version(run->res);
      st->order_version = profile_version_wire(v);
      return v != PV_COUNT;
    }
  }
  return false;
}

static bool order_next(profile_run_t *run, pstep_t *s) {
  profile_full_state_t *st = &run->full;
  if (st->order_step == 0 && !order_pair(run)) st->order_step = 2;
  if (st->order_step >= 2) return false;
  s->version = st->order_version;
  s->suites[0] = st->order[st->order_step];
  s->suites[1] = st->order[1 - st->order_step];
  s->n_suites = 2;
  s->tag = st->order_step;
  return trim(s, run->sni) && s->n_suites == 2;
}

static void order_consume(profile_run_t *run, const pstep_t *s, const smtp_offer_answer_t *a) {
  profile_full_state_t *st = &run->full;
  if (!took(s, a)) {                         /* it accepted both before: unlearnt */
    st->order_step = 2;
    return;
  }
  if (st->order_step++ == 0) {
    st->order_first = a->suite;
    return;
  }
  run->res->server_order = a->suite == st->order_first ? PT_YES : PT_NO;
}

/* ---------- key exchange ---------- */

static bool name_has(uint16_t code, const char *prefix) {
  const char *n = tls_suite_name(code);
  return n && strncmp(n, prefix, strlen(prefix)) == 0;
}

static bool keep_dhe(uint16_t code, const void *arg) {
  (void)arg;
  return name_has(code, "TLS_DHE_");
}

static bool keep_ecdhe(uint16_t code, const void *arg) {
  (void)arg;
  return name_has(code, "TLS_ECDHE_");
}

static bool keep_any(uint16_t code, const void *arg) {
  (void)arg;
  (void)code;
  return true;
}

static bool dhe_next(profile_run_t *run, pstep_t *s) {
  enum profile_version v = legacy_version(run->res);
  if (v == PV_COUNT) return false;
  fill(s, v, keep_dhe, NULL);
  s->want_ske = true;
  return trim(s, run->sni);
}

static void dhe_consume(profile_run_t *run, const pstep_t *s, const smtp_offer_answer_t *a) {
  profile_result_t *res = run->res;
  if (took(s, a)) {                          /* unlearnt when the SKE was not read */
    res->dhe_tested = a->dhe_bits > 0;
    res->dhe_bits = a->dhe_bits;
    res->dhe_class = a->dhe_class;
  } else if (refused(a)) {
    res->dhe_tested = true;
    res->dhe_bits = 0;
  }
}

static bool ecdhe_next(profile_run_t *run, pstep_t *s) {
  profile_full_state_t *st = &run->full;
  if (st->group >= PG_COUNT) return false;
  if (has13(run->res))
    fill(s, PV_TLS13, keep_any, NULL);
  else if (legacy_version(run->res) != PV_COUNT) {
    fill(s, legacy_version(run->res), keep_ecdhe, NULL);
    s->want_ske = true;
  } else
    return false;
  s->groups[0] = group_wire[st->group];
  s->n_groups = 1;
  s->tag = st->group;
  return trim(s, run->sni);
}

static void ecdhe_consume(profile_run_t *run, const pstep_t *s, const smtp_offer_answer_t *a) {
  profile_full_state_t *st = &run->full;
  uint16_t want = group_wire[st->group];
  enum profile_vstate *g = &run->res->ecdhe[st->group];
  st->group++;
  if (took(s, a)) {
    uint16_t got = s->version == HELLO_TLS13 ? a->group : a->ske_group;
    *g = got == want ? PVS_ACCEPTED : got == 0 ? PVS_ERROR : PVS_REFUSED;
  } else {
    *g = refused(a) ? PVS_REFUSED : PVS_ERROR;
  }
}

/* ---------- the phase ---------- */

static bool ciphers_next(profile_run_t *run, pstep_t *s) {
  profile_full_state_t *st = &run->full;
  if (run->cursor == 0) {                    /* the phase begins */
    memset(st, 0, sizeof *st);
    run->cursor = 1;
  }
  for (; st->stage < FS_DONE; st->stage++) {
    bool more = false;
    switch (st->stage) {
    case FS_CLASSES: more = classes_next(run, s); break;
    case FS_ORDER: more = order_next(run, s); break;
    case FS_DHE: more = st->hellos++ == 0 && dhe_next(run, s); break;
    case FS_ECDHE:
      while (!more && st->group < PG_COUNT) {
        more = ecdhe_next(run, s);
        if (!more) st->group++;              /* no hello for it (nothing fits) */
      }
      break;
    }
    if (more) return true;
    st->hellos = 0;
  }
  return false;
}

static void ciphers_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r) {
  const smtp_offer_answer_t *a = &r->offer;
  switch (run->full.stage) {
  case FS_CLASSES: classes_consume(run, s, a); break;
  case FS_ORDER: order_consume(run, s, a); break;
  case FS_DHE: dhe_consume(run, s, a); break;
  case FS_ECDHE: ecdhe_consume(run, s, a); break;
  default: break;
  }
}

const profile_phase_ops_t profile_phase_ciphers = {ciphers_next, ciphers_consume, NULL};
