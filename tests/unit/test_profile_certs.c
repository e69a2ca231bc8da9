/* The certs phase of the TLS profile (smtp/profile_certs.c), branch by branch, without a
 * socket: the three handshakes it plans (one per key family), what each result means (a
 * new leaf is kept and taken over, a leaf seen before is not kept again, an alert is a
 * refusal, anything else an error), what abandon marks, and the phase inside a whole run
 * (after the versions, before nothing in basic mode; a step that shows the server no
 * longer engaging ends the profile). ASan checks the taking over (no double free). */
#include "smtp/profile_plan.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

/* A completed handshake whose leaf has this SHA-256 (only what the phase reads). */
static smtp_result_t handshake_ok(const char *sha256, const char *key_type) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.connect = SMTP_CONNECT_OK;
  r.starttls = SMTP_STARTTLS_OFFERED;
  r.have_tls = true;
  r.tls.have_cert = true;
  r.tls.dane_depth = -1;
  snprintf(r.tls.cert.sha256, sizeof r.tls.cert.sha256, "%s", sha256);
  snprintf(r.tls.cert.key_type, sizeof r.tls.cert.key_type, "%s", key_type);
  r.tls.cert.subject = strdup("CN=mx");   /* owned: must move with the take-over */
  return r;
}

/* A handshake that failed with this reason (NULL: none given). */
static smtp_result_t handshake_failed(const char *why) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.connect = SMTP_CONNECT_OK;
  r.starttls = SMTP_STARTTLS_OFFERED;
  if (why) smtp_result_set_error(&r, SMTP_STAGE_TLS, why);
  else r.err_stage = SMTP_STAGE_TLS;
  return r;
}

static pstep_t step_of(profile_run_t *run) {
  pstep_t s;
  memset(&s, 0, sizeof s);
  s.phase = PP_CERTS;
  CHECK(profile_phase_certs.next(run, &s));
  return s;
}

static void consume(profile_run_t *run, const pstep_t *s, smtp_result_t r) {
  profile_phase_certs.consume(run, s, &r);
  smtp_result_free(&r);
}

static void test_next(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, "mx.a.invalid");
  for (int k = 0; k < PCK_COUNT; k++) {
    pstep_t s = step_of(&run);
    CHECK(s.handshake);
    CHECK_INT(s.cert_kind, k);
    CHECK_INT(s.n_suites, 0);         /* no offer: OpenSSL's hello */
  }
  pstep_t s;
  memset(&s, 0, sizeof s);
  CHECK(!profile_phase_certs.next(&run, &s));
  CHECK(!profile_phase_certs.next(&run, &s));   /* stays over */
  profile_result_free(&res);
}

/* RSA shows leaf A, ECDSA leaf B, EdDSA leaf A again (a server that ignores the
 * restriction): two certificates, three accepted families. */
static void test_two_leaves(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, NULL);
  pstep_t rsa = step_of(&run), ec = step_of(&run), ed = step_of(&run);
  smtp_result_t r = handshake_ok("aa", "RSA");
  char *subject = r.tls.cert.subject;
  profile_phase_certs.consume(&run, &rsa, &r);
  CHECK(!r.have_tls);                             /* taken over */
  CHECK(r.tls.cert.subject == NULL);
  smtp_result_free(&r);
  CHECK_INT(res.ncerts, 1);
  CHECK(res.certs[0].tls.cert.subject == subject);
  CHECK_INT(res.certs[0].asked, PCK_RSA);
  CHECK_INT(res.cert_kinds[PCK_RSA], PVS_ACCEPTED);
  CHECK(res.cert_reasons[PCK_RSA] == NULL);
  consume(&run, &ec, handshake_ok("bb", "EC"));
  CHECK_INT(res.ncerts, 2);
  CHECK_STR(res.certs[1].tls.cert.key_type, "EC");
  CHECK_INT(res.certs[1].asked, PCK_ECDSA);
  CHECK_INT(res.cert_kinds[PCK_ECDSA], PVS_ACCEPTED);
  r = handshake_ok("aa", "RSA");
  profile_phase_certs.consume(&run, &ed, &r);
  CHECK(r.have_tls);                              /* seen: not taken, freed by its owner */
  smtp_result_free(&r);
  CHECK_INT(res.ncerts, 2);
  CHECK_INT(res.cert_kinds[PCK_EDDSA], PVS_ACCEPTED);
  CHECK(res.cert_reasons[PCK_EDDSA] == NULL);
  /* a copy holds its own certificates */
  profile_result_t copy;
  CHECK_INT(profile_result_copy(&copy, &res), 0);
  CHECK_INT(copy.ncerts, 2);
  CHECK(copy.certs[0].tls.cert.subject != subject);
  CHECK_STR(copy.certs[0].tls.cert.subject, "CN=mx");
  CHECK_STR(copy.certs[1].tls.cert.sha256, "bb");
  profile_result_free(&copy);
  profile_result_free(&res);
}

/* The failures: an alert is a refusal of the family, the rest errors. */
static void test_failures(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, NULL);
  pstep_t rsa = step_of(&run), ec = step_of(&run), ed = step_of(&run);
  consume(&run, &rsa, handshake_failed("timeout"));
  CHECK_INT(res.cert_kinds[PCK_RSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_RSA], "timeout");
  consume(&run, &ec, handshake_failed("sslv3 alert handshake failure\r\nmore"));
  CHECK_INT(res.cert_kinds[PCK_ECDSA], PVS_REFUSED);
  CHECK_STR(res.cert_reasons[PCK_ECDSA], "sslv3 alert handshake failure");   /* first line */
  consume(&run, &ed, handshake_failed(NULL));
  CHECK_INT(res.cert_kinds[PCK_EDDSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_EDDSA], "handshake failed");
  /* a retried kind replaces its answer (and frees the old reason) */
  consume(&run, &ec, handshake_failed("unexpected eof while reading"));
  CHECK_INT(res.cert_kinds[PCK_ECDSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_ECDSA], "unexpected eof while reading");
  /* TLS without a certificate shows nothing */
  smtp_result_t r = handshake_ok("cc", "RSA");
  r.tls.have_cert = false;
  consume(&run, &rsa, r);
  CHECK_INT(res.cert_kinds[PCK_RSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_RSA], "no certificate");
  CHECK_INT(res.ncerts, 0);
  /* an invalid kind changes nothing */
  pstep_t bad = rsa;
  bad.cert_kind = PCK_COUNT;
  consume(&run, &bad, handshake_ok("dd", "RSA"));
  CHECK_INT(res.ncerts, 0);
  profile_result_free(&res);
}

static void test_abandon(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, NULL);
  pstep_t rsa = step_of(&run);
  consume(&run, &rsa, handshake_ok("aa", "RSA"));
  profile_phase_certs.abandon(&run, "refused: 421 busy");
  CHECK_INT(res.cert_kinds[PCK_RSA], PVS_ACCEPTED);    /* learnt: kept */
  CHECK(res.cert_reasons[PCK_RSA] == NULL);
  CHECK_INT(res.cert_kinds[PCK_ECDSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_ECDSA], "refused: 421 busy");
  CHECK_INT(res.cert_kinds[PCK_EDDSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_EDDSA], "refused: 421 busy");
  CHECK_INT(res.ncerts, 1);
  profile_result_free(&res);
}

/* The phase in a run: after the five versions; a handshake step whose dialogue never
 * reached TLS (STARTTLS refused) ends the profile, the kinds not learnt "error". */
static void test_in_run(void) {
  profile_result_t res;
  profile_result_init(&res);
  profile_run_t run;
  profile_run_init(&run, &res, PROFILE_BASIC, NULL);
  pstep_t s;
  for (int v = 0; v < PV_COUNT; v++) {
    CHECK(profile_run_next(&run, &s));
    CHECK_INT(s.phase, PP_VERSIONS);
  }
  CHECK(profile_run_next(&run, &s));
  CHECK_INT(s.phase, PP_CERTS);
  CHECK(s.handshake && s.cert_kind == PCK_RSA);
  smtp_result_t r = handshake_ok("aa", "RSA");
  CHECK(profile_run_consume(&run, &s, &r));
  smtp_result_free(&r);
  CHECK(profile_run_next(&run, &s));
  CHECK_INT(s.cert_kind, PCK_ECDSA);
  /* a failed handshake is an answer, not the end */
  r = handshake_failed("sslv3 alert handshake failure");
  CHECK(profile_run_consume(&run, &s, &r));
  smtp_result_free(&r);
  CHECK(profile_run_next(&run, &s));
  CHECK_INT(s.cert_kind, PCK_EDDSA);
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.starttls = SMTP_STARTTLS_OFFERED;
  smtp_result_set_error(&r, SMTP_STAGE_STARTTLS, "454 TLS not available");
  CHECK(!profile_run_consume(&run, &s, &r));
  smtp_result_free(&r);
  CHECK(!profile_run_next(&run, &s));
  CHECK_STR(res.partial, "STARTTLS: 454 TLS not available");
  CHECK_INT(res.cert_kinds[PCK_RSA], PVS_ACCEPTED);
  CHECK_INT(res.cert_kinds[PCK_ECDSA], PVS_REFUSED);
  CHECK_INT(res.cert_kinds[PCK_EDDSA], PVS_ERROR);
  CHECK_STR(res.cert_reasons[PCK_EDDSA], "STARTTLS: 454 TLS not available");
  CHECK_INT(res.ncerts, 1);
  profile_result_free(&res);
}

int main(void) {
  test_next();
  test_two_leaves();
  test_failures();
  test_abandon();
  test_in_run();
  TEST_MAIN_END();
}
