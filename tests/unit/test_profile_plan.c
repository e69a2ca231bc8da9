/* The TLS profile's plan (smtp/profile_plan.h): the run moves from phase to phase only in
 * the modes that have them; the versions phase offers SSLv3 .. TLS 1.3 in order, each with
 * every suite that fits; a result showing the server no longer engaging ends the whole run
 * (every version not learnt "error" with the reason, partial set, no further step);
 * abandon from outside ("interrupted") does the same; the secure-renegotiation answer is
 * the highest accepted version's below TLS 1.3; profile_step_fit and profile_step_hello
 * keep the 517-byte bound and refuse what is not an offer; profile_serves, the rule for a
 * second SNI name. Pure: no socket. */
#include "smtp/profile_plan.h"
#include "tls/hello_build.h"
#include "tests/unit/profile_fixture.h"
#include "tests/unit/testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An engaged offer result: a ServerHello choosing version and suite (reneg echoed or not). */
static smtp_result_t hello_result(uint16_t version, uint16_t suite, bool reneg) {
  smtp_result_t r = fixture_offer_answer(HELLO_ANS_SERVER_HELLO, version, suite);
  r.offer.reneg = reneg;
  return r;
}

/* A connection the server refused with a 421 greeting: it stopped engaging. */
static smtp_result_t refused_result(void) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_REFUSED;
  r.connect = SMTP_CONNECT_OK;
  r.banner_code = 421;
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "421 too many connections");
  return r;
}

static void test_versions_in_order(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, "mx.example");
  CHECK_INT(res.mode, PROFILE_BASIC);
  pstep_t s;
  static const uint16_t want[PV_COUNT] = {HELLO_SSL3, HELLO_TLS10, HELLO_TLS11, HELLO_TLS12,
                                          HELLO_TLS13};
  for (int v = 0; v < PV_COUNT; v++) {
    CHECK(profile_run_next(&run, &s));
    CHECK_INT(s.phase, PP_VERSIONS);
    CHECK_INT(s.tag, v);
    CHECK(!s.handshake);
    CHECK_INT(s.version, want[v]);
    CHECK(s.n_suites > 0);
    size_t fit = profile_step_fit(&s, run.sni);
    CHECK(fit > 0 && fit <= s.n_suites);
    uint8_t out[PROFILE_HELLO_MAX];
    uint8_t random[32] = {1};
    size_t len = profile_step_hello(&s, run.sni, random, out, sizeof out);
    CHECK(len > 0 && len <= PROFILE_HELLO_MAX);
    /* TLS 1.0 to 1.2 accepted, renegotiation_info echoed by 1.0 and 1.1 but not 1.2: the
     * answer kept is TLS 1.2's (the highest below 1.3) */
    smtp_result_t r = v == PV_SSL3 || v == PV_TLS13 ? refused_result() : hello_result(want[v], 0xc02f, v != PV_TLS12);
    if (v == PV_SSL3 || v == PV_TLS13) {
      /* an alert, not a disengagement */
      smtp_result_free(&r);
      r = hello_result(0, 0, false);
      r.offer.kind = HELLO_ANS_ALERT;
      r.offer.alert_level = 2;
      r.offer.alert_desc = 70;
    }
    CHECK(profile_run_consume(&run, &s, &r));
    smtp_result_free(&r);
  }
  CHECK_INT(res.versions[PV_SSL3], PVS_REFUSED);
  CHECK_STR(res.reasons[PV_SSL3], "alert 70 (protocol version)");
  CHECK_INT(res.versions[PV_TLS12], PVS_ACCEPTED);
  CHECK_INT(res.suites[PV_TLS12], 0xc02f);
  CHECK_INT(res.secure_reneg, PT_NO);
  /* basic: nothing of the full phase, ever */
  unsigned further = 0;
  while (profile_run_next(&run, &s) && further < 64) {
    CHECK(s.phase != PP_CIPHERS && s.phase != PP_VERSIONS);
    smtp_result_t r = hello_result(HELLO_TLS12, 0xc02f, true);
    if (s.handshake) {           /* the certs phase: a handshake the server refused */
      r.offer_sent = false;
      r.offer.kind = HELLO_ANS_MORE;
      smtp_result_set_error(&r, SMTP_STAGE_TLS, "alert 40 (handshake failure)");
    }
    profile_run_consume(&run, &s, &r);
    smtp_result_free(&r);
    further++;
  }
  CHECK(further < 64);
  CHECK(!profile_run_next(&run, &s));
  profile_run_finish(&run);
  CHECK(res.partial == NULL);
  profile_result_free(&res);
}

static void test_disengage_ends_run(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_FULL, NULL);
  pstep_t s;
  CHECK(profile_run_next(&run, &s));            /* SSLv3 */
  smtp_result_t r = hello_result(HELLO_TLS10, 0, false);
  r.offer.kind = HELLO_ANS_ALERT;
  r.offer.alert_desc = 40;
  CHECK(profile_run_consume(&run, &s, &r));
  smtp_result_free(&r);
  CHECK(profile_run_next(&run, &s));            /* TLS 1.0: the server now says 421 */
  CHECK_INT(s.tag, PV_TLS10);
  r = refused_result();
  CHECK(!profile_run_consume(&run, &s, &r));
  smtp_result_free(&r);
  CHECK(!profile_run_next(&run, &s));           /* no step after the end, in any phase */
  CHECK_STR(res.partial, "refused: 421 too many connections");
  CHECK_INT(res.versions[PV_SSL3], PVS_REFUSED);
  for (int v = PV_TLS10; v < PV_COUNT; v++) {
    CHECK_INT(res.versions[v], PVS_ERROR);
    CHECK_STR(res.reasons[v], "refused: 421 too many connections");
  }
  profile_run_finish(&run);
  profile_result_free(&res);
}

static void test_abandon(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, NULL);
  pstep_t s;
  CHECK(profile_run_next(&run, &s));
  profile_run_abandon(&run, "interrupted");
  CHECK(!profile_run_next(&run, &s));
  CHECK_STR(res.partial, "interrupted");
  CHECK_INT(res.versions[PV_SSL3], PVS_ERROR);
  CHECK_STR(res.reasons[PV_TLS13], "interrupted");
  profile_result_free(&res);
}

static void test_step_fit(void) {
  pstep_t s;
  memset(&s, 0, sizeof s);
  CHECK_INT(profile_step_fit(&s, NULL), 0);       /* no suites */
  s.version = HELLO_TLS12;
  for (int i = 0; i < PSTEP_SUITES_MAX; i++) s.suites[i] = (uint16_t)(0x0100 + i);
  s.n_suites = PSTEP_SUITES_MAX;
  size_t shortname = profile_step_fit(&s, "mx.example");
  char longname[HELLO_MAX_SNI + 1];
  memset(longname, 'a', HELLO_MAX_SNI);
  for (int i = 60; i < HELLO_MAX_SNI; i += 61) longname[i] = '.';
  longname[HELLO_MAX_SNI] = '\0';
  size_t longfit = profile_step_fit(&s, longname);
  CHECK(shortname > 150 && shortname < PSTEP_SUITES_MAX);
  CHECK(longfit > 20 && longfit < shortname);
  /* every suite of the hello costs two bytes: the name's extra length is paid in suites
   * (half of it, rounded either way with the parity of what is left) */
  size_t extra = HELLO_MAX_SNI - strlen("mx.example");
  CHECK(shortname - longfit == extra / 2 || shortname - longfit == (extra + 1) / 2);
  uint8_t out[PROFILE_HELLO_MAX], random[32] = {0};
  size_t len = profile_step_hello(&s, longname, random, out, sizeof out);
  CHECK_INT(len, PROFILE_HELLO_MAX);
  CHECK_INT(profile_step_hello(&s, longname, random, out, 100), 0);   /* no room: nothing */
  s.n_suites = 3;
  CHECK_INT(profile_step_fit(&s, NULL), 3);
  s.handshake = true;
  CHECK_INT(profile_step_fit(&s, NULL), 0);       /* a handshake is not an offer */
  s.handshake = false;
  s.n_groups = PSTEP_GROUPS_MAX + 1;
  CHECK_INT(profile_step_fit(&s, NULL), 0);
}

/* A profile made for one name serves another when the certificate its probe saw is one of
 * the profile's (or nothing says otherwise); else the certificate part is made again. */
static void test_serves(void) {
  profile_result_t r;
  profile_result_init(&r);
  const char *leaf_a = "aaaa", *leaf_b = "bbbb";
  CHECK(profile_serves(&r, "mx.one.example", "mx.two.example", leaf_a));  /* no certs known */
  r.ncerts = 1;
  r.certs[0].tls.have_cert = true;
  snprintf(r.certs[0].tls.cert.sha256, sizeof r.certs[0].tls.cert.sha256, "%s", leaf_a);
  CHECK(profile_serves(&r, "mx.one.example", "mx.two.example", leaf_a));  /* same leaf */
  CHECK(!profile_serves(&r, "mx.one.example", "mx.two.example", leaf_b)); /* another one */
  CHECK(profile_serves(&r, "mx.one.example", "MX.ONE.example", leaf_b));  /* same name */
  CHECK(profile_serves(&r, "mx.one.example", "mx.two.example", NULL));    /* unknown */
  CHECK(profile_serves(&r, "mx.one.example", "mx.two.example", ""));
  CHECK(!profile_serves(&r, NULL, "mx.two.example", leaf_b));             /* none vs a name */
  CHECK(profile_serves(&r, NULL, "", leaf_b));                            /* none and none */
  r.ncerts = 0;                                     /* nothing to free: no chain was set */
}

int main(void) {
  test_serves();
  test_versions_in_order();
  test_disengage_ends_run();
  test_abandon();
  test_step_fit();
  TEST_MAIN_END();
}
