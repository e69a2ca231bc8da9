/* The TLS profile's pure functions (smtp/profile_offer.c, smtp/profile.c): each branch of
 * profile_judge_offer and profile_offer_ends; the suites each version offers and the size
 * bound of its ClientHello; the result's copy and free (ASan checks the ownership). */
#include "smtp/profile.h"
#include "tls/hello_build.h"
#include "tls/suites.h"
#include "tests/unit/profile_fixture.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

static smtp_result_t engaged_answer(enum hello_answer kind, uint16_t version, uint16_t suite) {
  return fixture_offer_answer(kind, version, suite);
}

static enum profile_vstate judge(enum profile_version v, const smtp_result_t *r, char *buf) {
  return profile_judge_offer(v, r, buf, 128);
}

static void test_judge_hello(void) {
  char b[128];
  smtp_result_t r = engaged_answer(HELLO_ANS_SERVER_HELLO, HELLO_TLS10, 0xc013);
  CHECK_INT(judge(PV_TLS10, &r, b), PVS_ACCEPTED);
  CHECK_STR(b, "");
  CHECK(!profile_offer_ends(&r, b, sizeof b));
  /* another version chosen: older (TLS 1.2 offered, 1.0 chosen), or 1.2 to a 1.3 offer */
  CHECK_INT(judge(PV_TLS12, &r, b), PVS_REFUSED);
  CHECK_STR(b, "server chose TLS 1.0");
  r.offer.version = HELLO_TLS12;
  CHECK_INT(judge(PV_TLS13, &r, b), PVS_REFUSED);
  CHECK_STR(b, "server chose TLS 1.2");
  r.offer.version = 0x7f1c;
  CHECK_INT(judge(PV_TLS12, &r, b), PVS_REFUSED);
  CHECK_STR(b, "server chose 0x7f1c");
  r.offer.version = HELLO_SSL3;
  CHECK_INT(judge(PV_SSL3, &r, b), PVS_ACCEPTED);
  /* a HelloRetryRequest: TLS 1.3 accepted; to anything else a refusal */
  r = engaged_answer(HELLO_ANS_RETRY, HELLO_TLS13, 0x1301);
  CHECK_INT(judge(PV_TLS13, &r, b), PVS_ACCEPTED);
  CHECK_STR(b, "hello retry request");
  CHECK_INT(judge(PV_TLS12, &r, b), PVS_REFUSED);
  CHECK_STR(b, "hello retry request choosing 0x0304");
  r.offer.version = HELLO_TLS12;
  CHECK_INT(judge(PV_TLS13, &r, b), PVS_REFUSED);
  CHECK_INT(judge(PV_COUNT, &r, b), PVS_UNTESTED);
}

static void test_judge_other(void) {
  char b[128];
  smtp_result_t r = engaged_answer(HELLO_ANS_ALERT, 0, 0);
  r.offer.alert_level = 2;
  r.offer.alert_desc = 70;
  CHECK_INT(judge(PV_TLS11, &r, b), PVS_REFUSED);
  CHECK_STR(b, "alert 70 (protocol version)");
  r.offer.alert_level = 1;
  r.offer.alert_desc = 200;
  CHECK_INT(judge(PV_TLS11, &r, b), PVS_REFUSED);
  CHECK_STR(b, "warning alert 200 (unknown)");
  r.offer.kind = HELLO_ANS_SSL2;
  CHECK_INT(judge(PV_SSL3, &r, b), PVS_REFUSED);
  CHECK_STR(b, "SSLv2 answer");
  static const struct { enum hello_answer k; const char *why; } errs[] = {
    {HELLO_ANS_NOT_TLS, "non-TLS answer"}, {HELLO_ANS_UNEXPECTED, "unexpected TLS message"},
    {HELLO_ANS_MALFORMED, "malformed answer"}, {HELLO_ANS_TOO_LONG, "ServerHello too long"},
    {HELLO_ANS_TRUNCATED, "closed inside the answer"},
    {HELLO_ANS_CLOSED, "closed without an answer"}};
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
    r.offer.kind = errs[i].k;
    CHECK_INT(judge(PV_TLS12, &r, b), PVS_ERROR);
    CHECK_STR(b, errs[i].why);
    CHECK(!profile_offer_ends(&r, b, sizeof b));   /* the server engaged: go on */
  }
  /* sent, no final answer: the TLS stage's timeout (the probe's reason, first line) */
  r.offer.kind = HELLO_ANS_MORE;
  CHECK_INT(judge(PV_TLS12, &r, b), PVS_ERROR);
  CHECK_STR(b, "no answer");
  smtp_result_set_error(&r, SMTP_STAGE_TLS, "timeout\r\nmore");
  CHECK_INT(judge(PV_TLS12, &r, b), PVS_ERROR);
  CHECK_STR(b, "timeout");
  CHECK(!profile_offer_ends(&r, b, sizeof b));
  /* a small buffer: cut, terminated */
  CHECK_INT(profile_judge_offer(PV_TLS12, &r, b, 4), PVS_ERROR);
  CHECK_STR(b, "tim");
  CHECK_INT(profile_judge_offer(PV_TLS12, &r, NULL, 0), PVS_ERROR);
  smtp_result_free(&r);
}

static void test_ends(void) {
  char b[128];
  smtp_result_t r;
  smtp_result_init(&r);                       /* never attempted (opt-out, say) */
  r.connect = SMTP_CONNECT_NOT_ATTEMPTED;
  smtp_result_set_error(&r, SMTP_STAGE_CONNECT, "opted out");
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "not attempted: opted out");
  CHECK_INT(judge(PV_TLS10, &r, b), PVS_ERROR);   /* never REFUSED: not the version's fault */
  CHECK_STR(b, "not attempted: opted out");
  smtp_result_free(&r);
  smtp_result_init(&r);                       /* a 421 greeting */
  r.connect = SMTP_CONNECT_OK;
  r.outcome = SMTP_OUTCOME_REFUSED;
  smtp_result_set_error_bytes(&r, SMTP_STAGE_BANNER, "421 4.7.0 busy\r\n", 16);
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "refused: 421 4.7.0 busy");
  r.outcome = SMTP_OUTCOME_LOST;
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "lost: 421 4.7.0 busy");
  r.outcome = SMTP_OUTCOME_UNREACHABLE;
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "unreachable: 421 4.7.0 busy");
  smtp_result_free(&r);
  smtp_result_init(&r);                       /* engaged, STARTTLS refused */
  r.connect = SMTP_CONNECT_OK;
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.starttls = SMTP_STARTTLS_OFFERED;
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "STARTTLS: not accepted");
  smtp_result_set_error(&r, SMTP_STAGE_STARTTLS, "454 4.7.0 TLS not available");
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "STARTTLS: 454 4.7.0 TLS not available");
  CHECK_INT(judge(PV_TLS13, &r, b), PVS_ERROR);
  smtp_result_free(&r);
  smtp_result_init(&r);                       /* engaged, STARTTLS not advertised */
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.starttls = SMTP_STARTTLS_NOT_OFFERED;
  CHECK(profile_offer_ends(&r, b, sizeof b));
  CHECK_STR(b, "STARTTLS not offered");
  smtp_result_free(&r);
}

static bool has(const uint16_t *s, size_t n, uint16_t code) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == code) return true;
  return false;
}

static void test_suites(void) {
  uint16_t s[300];
  size_t n13 = profile_suites(PV_TLS13, s, 300);
  CHECK_INT(n13, 5);
  for (size_t i = 0; i < n13; i++) CHECK((s[i] >> 8) == 0x13);
  size_t n12 = profile_suites(PV_TLS12, s, 300);
  CHECK(n12 > 200 && n12 < tls_suites_count);
  CHECK(has(s, n12, 0xc02f) && has(s, n12, 0x000a) && has(s, n12, 0x0005));
  CHECK(!has(s, n12, 0x1301) && !has(s, n12, 0x00ff) && !has(s, n12, 0x5600));
  CHECK_INT(tls_suite_class(s[0]), TLS_CLASS_SUFFICIENT);     /* better first (ECDHE AEAD) */
  const tls_suite_t *last = tls_suite_find(s[n12 - 1]);
  CHECK(last && (last->flaws & (TLS_FLAW_NULL | TLS_FLAW_ANON | TLS_FLAW_STATIC_DH |
                                TLS_FLAW_EXPORT | TLS_FLAW_DES | TLS_FLAW_RC2)));
  for (enum profile_version v = PV_SSL3; v <= PV_TLS11; v++) {
    size_t n = profile_suites(v, s, 300);
    CHECK(n > 60 && n < n12);
    CHECK(has(s, n, 0x002f) && has(s, n, 0xc013) && has(s, n, 0x0004));
    CHECK(!has(s, n, 0xc02f) && !has(s, n, 0x003c) && !has(s, n, 0xcca8) && !has(s, n, 0x1301));
  }
  CHECK_INT(profile_suites(PV_TLS12, s, 3), n12);             /* counts beyond cap */
  CHECK_INT(profile_suites(PV_COUNT, s, 300), 0);
  CHECK_INT(profile_version_wire(PV_TLS11), 0x0302);
  CHECK_INT(profile_version_wire(PV_COUNT), 0);
}

/* The suites count of a built hello: after the header, version, random, session id. */
static size_t hello_suites(const uint8_t *h) {
  size_t at = 5 + 4 + 2 + 32;
  at += 1 + h[at];
  return ((size_t)h[at] << 8 | h[at + 1]) / 2;
}

static void test_hello(void) {
  uint8_t rnd[32] = {1, 2, 3}, out[PROFILE_HELLO_MAX];
  char longname[HELLO_MAX_SNI + 1];
  memset(longname, 'a', HELLO_MAX_SNI);
  longname[HELLO_MAX_SNI] = '\0';
  for (int i = 63; i < HELLO_MAX_SNI; i += 64) longname[i] = '.';
  const char *names[] = {NULL, "mx.example.nl", longname};
  uint16_t s[300];
  for (enum profile_version v = PV_SSL3; v < PV_COUNT; v++)
    for (int k = 0; k < 3; k++) {
      size_t len = profile_hello(v, names[k], rnd, out, sizeof out);
      CHECK(len > 0 && len <= PROFILE_HELLO_MAX);
      CHECK_INT(out[0], 22);
      CHECK_INT((size_t)out[3] << 8 | out[4], len - 5);
      uint16_t cv = (uint16_t)(out[9] << 8 | out[10]);
      CHECK_INT(cv, v == PV_TLS13 ? HELLO_TLS12 : profile_version_wire(v));
      size_t n = hello_suites(out), all = profile_suites(v, s, 300);
      /* the first suites of the list, as many as fit (all of them for SSLv3 to 1.1 and 1.3
         with a short name) */
      CHECK(n >= 40 || (v == PV_TLS13 && n == 5));
      if (v != PV_TLS12 && k < 2) CHECK_INT(n, all + (v == PV_SSL3));  /* + the SCSV */
      if (v == PV_TLS12 && k < 2) CHECK(n > 170 && n < all);
    }
  char toolong[HELLO_MAX_SNI + 2];
  memset(toolong, 'b', sizeof toolong - 1);
  toolong[sizeof toolong - 1] = '\0';
  CHECK_INT(profile_hello(PV_TLS12, toolong, rnd, out, sizeof out),
            profile_hello(PV_TLS12, NULL, rnd, out, sizeof out));   /* no SNI then */
  CHECK_INT(profile_hello(PV_TLS12, NULL, rnd, out, 100), 0);        /* no room */
  CHECK_INT(profile_hello(PV_COUNT, NULL, rnd, out, sizeof out), 0);
}

static void test_copy(void) {
  profile_result_t a, b;
  profile_result_init(&a);
  a.done = true;
  a.versions[PV_SSL3] = PVS_REFUSED;
  a.reasons[PV_SSL3] = strdup("alert 40 (handshake failure)");
  a.versions[PV_TLS12] = PVS_ACCEPTED;
  a.suites[PV_TLS12] = 0xc030;
  a.partial = strdup("refused: 421");
  a.connections = 3;
  CHECK_INT(profile_result_copy(&b, &a), 0);
  CHECK(b.reasons[PV_SSL3] != a.reasons[PV_SSL3] && b.partial != a.partial);
  CHECK_STR(b.reasons[PV_SSL3], "alert 40 (handshake failure)");
  CHECK_STR(b.partial, "refused: 421");
  CHECK(b.reasons[PV_TLS10] == NULL);
  CHECK_INT(b.suites[PV_TLS12], 0xc030);
  CHECK_INT(b.connections, 3);
  profile_result_free(&a);
  CHECK(a.partial == NULL && !a.done);
  profile_result_free(&b);
  profile_result_free(&b);                      /* twice: harmless */
}

/* A close without a word is a refusal only when another version was accepted. */
static void test_settle_closed(void) {
  profile_result_t r;
  profile_result_init(&r);
  bool closed[PV_COUNT] = {true, false, false, false, true};
  r.versions[PV_SSL3] = PVS_ERROR;
  r.reasons[PV_SSL3] = strdup("closed without an answer");
  r.versions[PV_TLS10] = PVS_ERROR;             /* an error that is no close: stays */
  r.reasons[PV_TLS10] = strdup("timeout");
  r.versions[PV_TLS11] = PVS_REFUSED;
  r.reasons[PV_TLS11] = strdup("alert 70 (protocol version)");
  r.versions[PV_TLS12] = PVS_ERROR;
  r.reasons[PV_TLS12] = strdup("closed without an answer");
  r.versions[PV_TLS13] = PVS_ERROR;
  r.reasons[PV_TLS13] = strdup("closed without an answer");
  profile_settle_closed(&r, closed);            /* nothing accepted: nothing changes */
  CHECK_INT(r.versions[PV_SSL3], PVS_ERROR);
  CHECK_INT(r.versions[PV_TLS13], PVS_ERROR);
  r.versions[PV_TLS12] = PVS_ACCEPTED;
  free(r.reasons[PV_TLS12]);
  r.reasons[PV_TLS12] = NULL;
  profile_settle_closed(&r, closed);
  CHECK_INT(r.versions[PV_SSL3], PVS_REFUSED);
  CHECK_STR(r.reasons[PV_SSL3], "closed without an answer (another version accepted)");
  CHECK_INT(r.versions[PV_TLS13], PVS_REFUSED);
  CHECK_INT(r.versions[PV_TLS10], PVS_ERROR);   /* not closed */
  CHECK_STR(r.reasons[PV_TLS10], "timeout");
  CHECK_INT(r.versions[PV_TLS11], PVS_REFUSED);
  CHECK_STR(r.reasons[PV_TLS11], "alert 70 (protocol version)");
  CHECK_INT(r.versions[PV_TLS12], PVS_ACCEPTED);
  profile_result_free(&r);
}

int main(void) {
  test_settle_closed();
  test_judge_hello();
  test_judge_other();
  test_ends();
  test_suites();
  test_hello();
  test_copy();
  TEST_MAIN_END();
}
