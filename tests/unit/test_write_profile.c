/* The record's tls_profile object (record/write_probe.c write_profile_result): the full
 * mode's ciphers, server_order, kex and the grade with its findings, byte for byte; a
 * basic profile (no full fields, the coverage finding); no grade without a version
 * accepted; a DHE refusal ({bits: 0}). Prints each object (tests/record_schema.py's
 * schema can be checked against it by hand: docs/tests.md). */
#include "checks/tls_grade.h"
#include "record/write_probe.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

static tls_grade_t grade;

static char *render(const profile_result_t *r) {
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  tls_grade_compute(r, NULL, &grade);
  write_profile_result(&w, "tls_profile", r, &grade);
  jw_obj_end(&w);
  char *s = strndup(w.buf, w.len);
  jw_free(&w);
  printf("%s\n", s);
  return s;
}

static profile_result_t base(enum profile_mode mode) {
  profile_result_t r;
  profile_result_init(&r);
  r.done = true;
  r.mode = mode;
  for (int v = 0; v < PV_COUNT; v++) r.versions[v] = PVS_REFUSED;
  r.versions[PV_TLS12] = PVS_ACCEPTED;
  r.suites[PV_TLS12] = 0x009c;
  r.secure_reneg = PT_YES;
  r.connections = 18;
  return r;
}

static void test_full(void) {
  profile_result_t r = base(PROFILE_FULL);
  for (int c = 0; c < TLS_CLASS_COUNT; c++) r.ciphers[c].tested = r.ciphers[c].complete = true;
  profile_class_res_t *po = &r.ciphers[TLS_CLASS_PHASE_OUT], *in = &r.ciphers[TLS_CLASS_INSUFFICIENT];
  po->accepted = in->accepted = true;
  po->suites[po->nsuites++] = 0x009c;
  in->suites[in->nsuites++] = 0x003b;
  r.server_order = PT_NO;
  r.dhe_tested = true;
  r.dhe_bits = 1024;
  r.dhe_class = TLS_CLASS_INSUFFICIENT;
  r.ecdhe[PG_X25519] = PVS_ACCEPTED;
  r.ecdhe[PG_P256] = PVS_REFUSED;
  r.ecdhe[PG_P384] = PVS_ACCEPTED;
  r.ecdhe[PG_P521] = PVS_ERROR;
  char *s = render(&r);
  CHECK_STR(s,
    "{\"tls_profile\":{\"versions\":{\"SSLv3\":\"refused\",\"TLSv1\":\"refused\","
    "\"TLSv1.1\":\"refused\",\"TLSv1.2\":\"accepted\",\"TLSv1.3\":\"refused\"},"
    "\"suites\":{\"TLSv1.2\":\"TLS_RSA_WITH_AES_128_GCM_SHA256\"},"
    "\"ciphers\":{\"good\":{\"accepted\":false,\"suites\":[],\"complete\":true},"
    "\"sufficient\":{\"accepted\":false,\"suites\":[],\"complete\":true},"
    "\"phase-out\":{\"accepted\":true,\"suites\":[\"TLS_RSA_WITH_AES_128_GCM_SHA256\"],"
    "\"complete\":true},"
    "\"insufficient\":{\"accepted\":true,\"suites\":[\"TLS_RSA_WITH_NULL_SHA256\"],"
    "\"complete\":true}},"
    "\"server_order\":false,"
    "\"kex\":{\"dhe\":{\"bits\":1024,\"class\":\"insufficient\"},"
    "\"ecdhe\":[\"X25519\",\"secp384r1\"]},"
    "\"grade\":\"insufficient\",\"findings\":["
    "{\"check\":\"version\",\"level\":\"sufficient\","
    "\"detail\":\"TLSv1.2 accepted: TLS 1.2: good is TLS 1.3 only\"},"
    "{\"check\":\"cipher\",\"level\":\"phase-out\","
    "\"detail\":\"TLS_RSA_WITH_AES_128_GCM_SHA256 accepted: RSA key exchange: no forward secrecy\"},"
    "{\"check\":\"cipher\",\"level\":\"insufficient\","
    "\"detail\":\"TLS_RSA_WITH_NULL_SHA256 accepted: NULL: no encryption; RSA key exchange: no forward secrecy\"},"
    "{\"check\":\"kex\",\"level\":\"insufficient\","
    "\"detail\":\"DHE with a 1024-bit group: DH group under 2048 bits\"}],"
    "\"connections\":18}}");
  free(s);
  /* no DHE suite accepted: {bits: 0}; the groups not learnt: no ecdhe */
  r.dhe_bits = 0;
  memset(r.ecdhe, 0, sizeof r.ecdhe);
  r.server_order = PT_YES;
  s = render(&r);
  CHECK(strstr(s, "\"server_order\":true,\"kex\":{\"dhe\":{\"bits\":0}},\"grade\"") != NULL);
  free(s);
}

static void test_basic(void) {
  profile_result_t r = base(PROFILE_BASIC);
  r.secure_reneg = PT_NO;
  char *s = render(&r);
  CHECK(!strstr(s, "ciphers") && !strstr(s, "server_order") && !strstr(s, "kex"));
  CHECK(strstr(s, "{\"check\":\"renegotiation\",\"level\":\"insufficient\","
                  "\"detail\":\"no secure renegotiation (RFC 5746)\"}") != NULL);
  CHECK(strstr(s, "{\"check\":\"coverage\",\"level\":\"info\",\"detail\":\"basic mode: ") != NULL);
  CHECK(strstr(s, "\"grade\":\"insufficient\"") != NULL);
  free(s);
  r.versions[PV_TLS12] = PVS_REFUSED;                 /* nothing accepted: no grade */
  s = render(&r);
  CHECK(!strstr(s, "grade") && !strstr(s, "findings"));
  free(s);
}

int main(void) {
  test_full();
  test_basic();
  TEST_MAIN_END();
}
