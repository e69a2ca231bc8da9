/* The pure half of the TLS profile (smtp/profile.h): what each version's ClientHello
 * offers, and what each offer's result means. No state, no I/O: unit-tested branch by
 * branch (tests/unit/test_profile.c). */
#include "smtp/profile_plan.h"
#include "tls/hello_build.h"
#include "tls/suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint16_t wire[PV_COUNT] = {HELLO_SSL3, HELLO_TLS10, HELLO_TLS11, HELLO_TLS12,
                                        HELLO_TLS13};

uint16_t profile_version_wire(enum profile_version v) {
  return (unsigned)v < PV_COUNT ? wire[v] : 0;
}

/* Broad on purpose: a server must find its own group and signature algorithm here, or it
 * would refuse the version for a reason that is not the version. */
static const uint16_t groups[] = {HELLO_GROUP_X25519, HELLO_GROUP_P256, HELLO_GROUP_P384,
                                  HELLO_GROUP_P521, HELLO_GROUP_X448, 0x0100, 0x0101,
                                  0x0102, 0x0103, 0x0104};
static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804,
                                   0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303,
                                   0x0301, 0x0203, 0x0201, 0x0402};
/* RFC 7748 §6.1, Alice's public key: a valid point, so the server can compute its side and
 * answer; no handshake ever completes, so nobody needs the private key. */
static const uint8_t x25519[32] = {
  0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e,
  0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e,
  0xaa, 0x9b, 0x4e, 0x6a};

/* Suites whose MAC or mode exists from TLS 1.2 on (RFC 5246, 5288, 5289, 6655, 7905). */
static bool tls12_only(const char *name) {
  size_t n = strlen(name);
  return strstr(name, "_GCM_") || strstr(name, "_CCM") || strstr(name, "CHACHA20") ||
         (n > 6 && (strcmp(name + n - 6, "SHA256") == 0 || strcmp(name + n - 6, "SHA384") == 0));
}

/* The order of the list, when the hello has room for only part of it: the suites real
 * servers serve first, the rare ciphers next, what no server should accept last. */
static int tier(uint32_t flaws) {
  const uint32_t rarest = TLS_FLAW_EXPORT | TLS_FLAW_NULL | TLS_FLAW_ANON |
                          TLS_FLAW_STATIC_DH | TLS_FLAW_RC2 | TLS_FLAW_DES;
  const uint32_t rare = TLS_FLAW_IDEA | TLS_FLAW_DSS | TLS_FLAW_CAMELLIA | TLS_FLAW_ARIA |
                        TLS_FLAW_SEED | TLS_FLAW_CCM | TLS_FLAW_CCM8;
  return flaws & rarest ? 2 : flaws & rare ? 1 : 0;
}

static bool valid_for(enum profile_version v, const tls_suite_t *s) {
  if (s->flaws & TLS_FLAW_SCSV) return false;
  bool is13 = (s->code >> 8) == 0x13;
  if (v == PV_TLS13) return is13;
  if (is13) return false;
  return v == PV_TLS12 || !tls12_only(s->name);
}

/* The list of one version, computed from the table. */
static size_t suites_of(enum profile_version v, uint16_t *out, size_t cap) {
  size_t n = 0;
  /* tier, then class (better first: a server that takes the client's order picks a
   * strong suite), then the table's order */
  for (int t = 0; t < 3; t++)
    for (int c = TLS_CLASS_GOOD; c < TLS_CLASS_COUNT; c++)
      for (size_t i = 0; i < tls_suites_count; i++) {
        const tls_suite_t *s = &tls_suites[i];
        if (!valid_for(v, s) || tier(s->flaws) != t || tls_flaws_class(s->flaws) != c)
          continue;
        if (n < cap) out[n] = s->code;
        n++;
      }
  return n;
}

/* Each version's list depends on the table alone, and computing it walks the table twelve
 * times with string tests (about 30 us a version): it is computed once, on first use, and
 * copied for every profile (issue 17 item 7). Only the loop thread makes profiles. */
#define SUITES_MEMO_MAX 512
static uint16_t memo[PV_COUNT][SUITES_MEMO_MAX];
static size_t memo_n[PV_COUNT];
static bool memo_done[PV_COUNT];

size_t profile_suites(enum profile_version v, uint16_t *out, size_t cap) {
  if ((unsigned)v >= PV_COUNT) return 0;
  if (!memo_done[v]) {
    memo_n[v] = suites_of(v, memo[v], SUITES_MEMO_MAX);
    memo_done[v] = true;
  }
  if (memo_n[v] > SUITES_MEMO_MAX) return suites_of(v, out, cap);   /* a larger table */
  memcpy(out, memo[v], (memo_n[v] < cap ? memo_n[v] : cap) * sizeof *out);
  return memo_n[v];
}

/* The hello of step s with its first n suites (n >= 1), unpadded or not. */
static enum hello_build_err build(const pstep_t *s, size_t n, const char *sni,
                                  const uint8_t random[32], bool no_padding, uint8_t *out,
                                  size_t cap, size_t *len) {
  if (sni && strnlen(sni, HELLO_MAX_SNI + 1) > HELLO_MAX_SNI) sni = NULL;
  const uint16_t *g = s->n_groups ? s->groups : groups;
  size_t ng = s->n_groups ? s->n_groups : sizeof groups / 2;
  bool share = false;
  for (size_t i = 0; i < ng; i++) share |= g[i] == HELLO_GROUP_X25519;
  hello_offer_t o = {.version = s->version, .random = random, .suites = s->suites,
                     .n_suites = n, .sni = sni, .groups = g, .n_groups = ng,
                     .sigalgs = sigalgs, .n_sigalgs = sizeof sigalgs / 2,
                     .x25519 = s->version == HELLO_TLS13 && share ? x25519 : NULL,
                     .reneg = s->version == HELLO_SSL3 ? HELLO_RENEG_SCSV
                              : s->version == HELLO_TLS13 ? HELLO_RENEG_NONE : HELLO_RENEG_EXT,
                     .no_padding = no_padding};
  return hello_build(&o, out, cap, len);
}

size_t profile_step_fit(const pstep_t *s, const char *sni) {
  if (s->handshake || s->n_suites == 0 || s->n_suites > PSTEP_SUITES_MAX ||
      s->n_groups > PSTEP_GROUPS_MAX)
    return 0;
  static const uint8_t zero[32];
  uint8_t one[HELLO_BUILD_MAX];
  size_t len1;
  /* Measured unpadded (the padding would hide how much room is left); the unpadded
   * message may take 508 bytes, so that padding ends it at 512 (PROFILE_HELLO_MAX). */
  if (build(s, 1, sni, zero, true, one, sizeof one, &len1) != HELLO_BUILD_OK) return 0;
  size_t room = PROFILE_HELLO_MAX - 4;
  if (len1 > room) return 0;
  size_t fit = 1 + (room - len1) / 2;     /* each further suite costs two bytes */
  return s->n_suites < fit ? s->n_suites : fit;
}

size_t profile_step_hello(const pstep_t *s, const char *sni, const uint8_t random[32],
                          uint8_t *out, size_t cap) {
  size_t n = profile_step_fit(s, sni);
  size_t len;
  if (n == 0 || build(s, n, sni, random, false, out, cap, &len) != HELLO_BUILD_OK) return 0;
  return len;
}

/* The versions phase's step for version v: every suite valid for v (as many as fit). */
static void version_step(enum profile_version v, pstep_t *s) {
  s->tag = (unsigned)v;
  s->version = wire[v];
  size_t n = profile_suites(v, s->suites, PSTEP_SUITES_MAX);
  s->n_suites = n < PSTEP_SUITES_MAX ? n : PSTEP_SUITES_MAX;
}

size_t profile_hello(enum profile_version v, const char *sni, const uint8_t random[32],
                     uint8_t *out, size_t cap) {
  if ((unsigned)v >= PV_COUNT) return 0;
  pstep_t s;
  memset(&s, 0, sizeof s);
  version_step(v, &s);
  return profile_step_hello(&s, sni, random, out, cap);
}

/* ---------- judging ---------- */

static const char *version_name(uint16_t w) {
  switch (w) {
  case 0x0002: return "SSLv2";
  case HELLO_SSL3: return "SSLv3";
  case HELLO_TLS10: return "TLS 1.0";
  case HELLO_TLS11: return "TLS 1.1";
  case HELLO_TLS12: return "TLS 1.2";
  case HELLO_TLS13: return "TLS 1.3";
  default: return NULL;
  }
}

static const char *alert_name(uint8_t d) {
  switch (d) {
  case 0: return "close notify";
  case 10: return "unexpected message";
  case 20: return "bad record mac";
  case 22: return "record overflow";
  case 40: return "handshake failure";
  case 42: return "bad certificate";
  case 47: return "illegal parameter";
  case 50: return "decode error";
  case 51: return "decrypt error";
  case 70: return "protocol version";
  case 71: return "insufficient security";
  case 80: return "internal error";
  case 86: return "inappropriate fallback";
  case 90: return "user canceled";
  case 109: return "missing extension";
  case 110: return "unsupported extension";
  case 112: return "unrecognized name";
  default: return "unknown";
  }
}

static void put(char *buf, size_t cap, const char *fmt, const char *a, unsigned x) {
  if (cap == 0) return;
  if (a) snprintf(buf, cap, fmt, a, x);
  else snprintf(buf, cap, fmt, x);
}

/* The first line of the probe's reason (a server's reply may hold more), or dflt. */
static void first_line(char *buf, size_t cap, const char *prefix, const smtp_result_t *r,
                       const char *dflt) {
  const char *s = r->err_reason ? r->err_reason : dflt;
  size_t n = r->err_reason ? r->err_reason_len : strlen(dflt);
  size_t k = 0;
  while (k < n && s[k] != '\r' && s[k] != '\n' && s[k] != '\0') k++;
  if (k > 200) k = 200;
  if (cap > 0) snprintf(buf, cap, "%s%.*s", prefix, (int)k, s);
}

static const char *outcome_text(enum smtp_outcome o) {
  switch (o) {
  case SMTP_OUTCOME_NOT_ATTEMPTED: return "not attempted: ";
  case SMTP_OUTCOME_UNREACHABLE: return "unreachable: ";
  case SMTP_OUTCOME_LOST: return "lost: ";
  case SMTP_OUTCOME_REFUSED: return "refused: ";
  default: return "";
  }
}

/* Why a dialogue that never reached the TLS stage ended: the server did not engage, did
 * not offer STARTTLS, or refused it. */
static bool disengaged(const smtp_result_t *r, char *buf, size_t cap) {
  if (r->outcome != SMTP_OUTCOME_ENGAGED)
    first_line(buf, cap, outcome_text(r->outcome), r, "no reason");
  else if (r->starttls == SMTP_STARTTLS_NOT_OFFERED)
    first_line(buf, cap, "", r, "STARTTLS not offered");
  else
    first_line(buf, cap, "STARTTLS: ", r, "not accepted");
  return true;
}

bool profile_offer_ends(const smtp_result_t *r, char *buf, size_t cap) {
  if (cap > 0) buf[0] = '\0';
  return !r->offer_sent && disengaged(r, buf, cap);
}

bool profile_step_ends(const smtp_result_t *r, char *buf, size_t cap) {
  if (cap > 0) buf[0] = '\0';
  return !(r->have_tls || r->err_stage == SMTP_STAGE_TLS) && disengaged(r, buf, cap);
}

static enum profile_vstate judge_hello(uint16_t want, const smtp_offer_answer_t *a,
                                       char *buf, size_t cap) {
  const char *got = version_name(a->version);
  if (a->kind == HELLO_ANS_RETRY && !(want == HELLO_TLS13 && a->version == HELLO_TLS13)) {
    put(buf, cap, "hello retry request choosing 0x%04x", NULL, a->version);
    return PVS_REFUSED;
  }
  if (a->version == want) {
    put(buf, cap, a->kind == HELLO_ANS_RETRY ? "hello retry request" : "", NULL, 0);
    return PVS_ACCEPTED;
  }
  if (got) put(buf, cap, "server chose %s", got, 0);
  else put(buf, cap, "server chose 0x%04x", NULL, a->version);
  return PVS_REFUSED;
}

enum profile_vstate profile_judge_offer(enum profile_version v, const smtp_result_t *r,
                                        char *buf, size_t cap) {
  const smtp_offer_answer_t *a = &r->offer;
  if (cap > 0) buf[0] = '\0';
  if ((unsigned)v >= PV_COUNT) return PVS_UNTESTED;
  if (!r->offer_sent) {
    profile_offer_ends(r, buf, cap);
    return PVS_ERROR;
  }
  switch (a->kind) {
  case HELLO_ANS_SERVER_HELLO:
  case HELLO_ANS_RETRY:
    return judge_hello(wire[v], a, buf, cap);
  case HELLO_ANS_ALERT:
    if (cap > 0)
      snprintf(buf, cap, "%salert %u (%s)", a->alert_level == 1 ? "warning " : "",
               a->alert_desc, alert_name(a->alert_desc));
    return PVS_REFUSED;
  case HELLO_ANS_SSL2: put(buf, cap, "SSLv2 answer", NULL, 0); return PVS_REFUSED;
  case HELLO_ANS_NOT_TLS: put(buf, cap, "non-TLS answer", NULL, 0); break;
  case HELLO_ANS_UNEXPECTED: put(buf, cap, "unexpected TLS message", NULL, 0); break;
  case HELLO_ANS_MALFORMED: put(buf, cap, "malformed answer", NULL, 0); break;
  case HELLO_ANS_TOO_LONG: put(buf, cap, "ServerHello too long", NULL, 0); break;
  case HELLO_ANS_TRUNCATED: put(buf, cap, "closed inside the answer", NULL, 0); break;
  case HELLO_ANS_CLOSED: put(buf, cap, "closed without an answer", NULL, 0); break;
  default: first_line(buf, cap, "", r, "no answer"); break;   /* timeout, read error */
  }
  return PVS_ERROR;
}

void profile_settle_closed(profile_result_t *r, const bool closed[PV_COUNT]) {
  bool accepted = false;
  for (int v = 0; v < PV_COUNT; v++) accepted |= r->versions[v] == PVS_ACCEPTED;
  if (!accepted) return;
  for (int v = 0; v < PV_COUNT; v++) {
    if (!closed[v] || r->versions[v] != PVS_ERROR) continue;
    char *why = strdup("closed without an answer (another version accepted)");
    if (!why) continue;          /* stays ERROR with its reason: still true */
    free(r->reasons[v]);
    r->reasons[v] = why;
    r->versions[v] = PVS_REFUSED;
  }
}

/* ---------- the versions phase ---------- */

static bool versions_next(profile_run_t *run, pstep_t *s) {
  if (run->cursor >= PV_COUNT) return false;
  version_step((enum profile_version)run->cursor++, s);
  return true;
}

static void versions_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r) {
  profile_result_t *res = run->res;
  enum profile_version v = (enum profile_version)s->tag;
  if ((unsigned)v >= PV_COUNT) return;
  char why[256];
  enum profile_vstate st = profile_judge_offer(v, r, why, sizeof why);
  free(res->reasons[v]);
  res->versions[v] = st;
  res->reasons[v] = st == PVS_ACCEPTED ? NULL : strdup(why);
  res->suites[v] = st == PVS_ACCEPTED ? r->offer.suite : 0;
  run->closed[v] = st == PVS_ERROR && r->offer_sent && r->offer.kind == HELLO_ANS_CLOSED;
  /* RFC 5746: what the highest accepted version below TLS 1.3 said (offered in order) */
  if (st == PVS_ACCEPTED && v >= PV_TLS10 && v <= PV_TLS12)
    res->secure_reneg = r->offer.reneg ? PT_YES : PT_NO;
}

static void versions_abandon(profile_run_t *run, const char *why) {
  profile_result_t *res = run->res;
  for (int v = 0; v < PV_COUNT; v++) {
    if (res->versions[v] != PVS_UNTESTED) continue;
    res->versions[v] = PVS_ERROR;
    res->reasons[v] = strdup(why);
    res->suites[v] = 0;
  }
}

const profile_phase_ops_t profile_phase_versions = {versions_next, versions_consume,
                                                    versions_abandon};

/* ---------- the run ---------- */

static const profile_phase_ops_t *const phases[PP_COUNT] = {
  [PP_VERSIONS] = &profile_phase_versions,
  [PP_CERTS] = &profile_phase_certs,
  [PP_CIPHERS] = &profile_phase_ciphers,
};
/* The lowest mode each phase runs in. */
static const enum profile_mode phase_mode[PP_COUNT] = {
  [PP_VERSIONS] = PROFILE_BASIC, [PP_CERTS] = PROFILE_BASIC, [PP_CIPHERS] = PROFILE_FULL,
};

void profile_run_init(profile_run_t *run, profile_result_t *res, enum profile_mode mode,
                      const char *sni) {
  memset(run, 0, sizeof *run);
  run->res = res;
  run->mode = mode;
  run->sni = sni;
  res->mode = mode;
}

bool profile_run_next(profile_run_t *run, pstep_t *s) {
  while (run->phase < PP_COUNT) {
    memset(s, 0, sizeof *s);
    s->phase = run->phase;
    if (run->mode >= phase_mode[run->phase] && phases[run->phase]->next(run, s)) return true;
    if (run->one_phase) run->phase = PP_COUNT;
    else run->phase++;
    run->cursor = 0;
  }
  return false;
}

void profile_run_abandon(profile_run_t *run, const char *why) {
  for (int p = run->phase; p < (run->one_phase ? (int)run->phase + 1 : PP_COUNT); p++)
    if (run->mode >= phase_mode[p] && phases[p]->abandon) phases[p]->abandon(run, why);
  run->phase = PP_COUNT;
  free(run->res->partial);
  run->res->partial = strdup(why);
}

bool profile_run_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r) {
  char why[256];
  bool ends = s->handshake ? profile_step_ends(r, why, sizeof why)
                           : profile_offer_ends(r, why, sizeof why);
  if (ends) {
    profile_run_abandon(run, why);
    return false;
  }
  if ((unsigned)s->phase < PP_COUNT) phases[s->phase]->consume(run, s, r);
  return true;
}

void profile_run_finish(profile_run_t *run) { profile_settle_closed(run->res, run->closed); }
