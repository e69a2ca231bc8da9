/* The offer probe's answer (smtp_offer_answer_of, smtp/smtp_result.c): what hello_peek read,
 * as the result carries it: each kind with exactly its fields, "no answer" (HELLO_ANS_MORE)
 * while nothing final came and the stream goes on, closed and truncated at its end; and
 * the bounds of an offer (smtp_opts_offer_ok) in smtp_probe_start and sched_probe. */
#include "polite/sched.h"
#include "tls/hello_build.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t rnd[32] = {7};
static const uint8_t hrr[32] = {   /* RFC 8446 §4.1.3 */
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* One record holding a ServerHello with the given extensions block. */
static size_t server_hello(uint8_t *b, unsigned version, const uint8_t *random, unsigned suite,
                           unsigned comp, const uint8_t *ext, size_t ext_len) {
  size_t body = 2 + 32 + 1 + 3 + 2 + ext_len, i = 0;
  b[i++] = 22, b[i++] = 3, b[i++] = 3, b[i++] = (uint8_t)((body + 4) >> 8);
  b[i++] = (uint8_t)(body + 4);
  b[i++] = 2, b[i++] = 0, b[i++] = (uint8_t)(body >> 8), b[i++] = (uint8_t)body;
  b[i++] = (uint8_t)(version >> 8), b[i++] = (uint8_t)version;
  memcpy(b + i, random, 32), i += 32;
  b[i++] = 0;                                      /* no session id */
  b[i++] = (uint8_t)(suite >> 8), b[i++] = (uint8_t)suite, b[i++] = (uint8_t)comp;
  b[i++] = (uint8_t)(ext_len >> 8), b[i++] = (uint8_t)ext_len;
  memcpy(b + i, ext, ext_len), i += ext_len;
  return i;
}

static smtp_offer_answer_t answer(const uint8_t *b, size_t n, bool eof) {
  hello_peek_t h;
  hello_peek_init(&h);
  for (size_t i = 0; i < n; i++) hello_peek_feed(&h, b + i, 1);   /* byte by byte */
  return smtp_offer_answer_of(&h, eof);
}

static void test_server_hello(void) {
  static const uint8_t reneg[] = {0xff, 0x01, 0, 1, 0};
  uint8_t b[256];
  size_t n = server_hello(b, 0x0301, rnd, 0xc013, 1, reneg, sizeof reneg);
  smtp_offer_answer_t a = answer(b, n, false);
  CHECK_INT(a.kind, HELLO_ANS_SERVER_HELLO);
  CHECK_INT(a.version, 0x0301);
  CHECK_INT(a.suite, 0xc013);
  CHECK_INT(a.group, 0);
  CHECK_INT(a.compression, 1);
  CHECK(a.reneg && !a.retry);
  CHECK_INT(a.alert_level, 0);
  CHECK_INT(a.bytes, n);
  smtp_offer_answer_t e = answer(b, n, true);      /* final: the end changes nothing */
  CHECK(memcmp(&a, &e, sizeof a) == 0);

  /* TLS 1.3: the version from supported_versions, the group from key_share */
  static const uint8_t tls13[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 6, 0, 0x1d, 0, 2, 9, 9};
  n = server_hello(b, 0x0303, rnd, 0x1302, 0, tls13, sizeof tls13);
  a = answer(b, n, false);
  CHECK_INT(a.kind, HELLO_ANS_SERVER_HELLO);
  CHECK_INT(a.version, 0x0304);
  CHECK_INT(a.suite, 0x1302);
  CHECK_INT(a.group, 0x001d);
  CHECK(!a.reneg && !a.retry);
}

static void test_retry(void) {
  static const uint8_t ext[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x17};
  uint8_t b[256];
  size_t n = server_hello(b, 0x0303, hrr, 0x1301, 0, ext, sizeof ext);
  smtp_offer_answer_t a = answer(b, n, false);
  CHECK_INT(a.kind, HELLO_ANS_RETRY);
  CHECK(a.retry);
  CHECK_INT(a.version, 0x0304);
  CHECK_INT(a.suite, 0x1301);
  CHECK_INT(a.group, 0x0017);
}

static void test_alert_and_others(void) {
  static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 70};
  smtp_offer_answer_t a = answer(alert, sizeof alert, false);
  CHECK_INT(a.kind, HELLO_ANS_ALERT);
  CHECK_INT(a.alert_level, 2);
  CHECK_INT(a.alert_desc, 70);
  CHECK_INT(a.version, 0);                         /* an alert names no version or suite */
  CHECK_INT(a.suite, 0);
  CHECK_INT(a.bytes, sizeof alert);
  /* half an alert: no answer yet; at the end of the stream, truncated */
  a = answer(alert, 6, false);
  CHECK_INT(a.kind, HELLO_ANS_MORE);
  CHECK_INT(a.bytes, 6);
  CHECK_INT(answer(alert, 6, true).kind, HELLO_ANS_TRUNCATED);
  /* nothing at all: no answer, or closed at the end */
  CHECK_INT(answer(alert, 0, false).kind, HELLO_ANS_MORE);
  a = answer(alert, 0, true);
  CHECK_INT(a.kind, HELLO_ANS_CLOSED);
  CHECK_INT(a.bytes, 0);
  /* a handshake record that is no ServerHello */
  static const uint8_t cert[] = {22, 3, 3, 0, 4, 11, 0, 0, 0};
  a = answer(cert, sizeof cert, false);
  CHECK_INT(a.kind, HELLO_ANS_UNEXPECTED);
  CHECK_INT(a.suite, 0);
}

static void on_never(void *arg, smtp_result_t *r) {
  (void)arg;
  smtp_result_free(r);
  CHECK(0);
}

/* An offer of 0 or more than HELLO_BUILD_MAX bytes is refused before anything starts, by
 * the probe and by the scheduler (at once, not at each attempt). */
static void test_bounds(void) {
  uv_loop_t loop;
  CHECK_INT(uv_loop_init(&loop), 0);
  static uint8_t big[HELLO_BUILD_MAX + 1];
  smtp_opts_t o = {.port = 9, .ehlo = "t.invalid", .t_connect = 1, .t_banner = 1, .t_smtp = 1,
                   .t_tls = 1, .offer = big, .offer_len = 0};
  uint8_t addr[16] = {127, 0, 0, 1};
  CHECK_INT(smtp_probe_start(&loop, NULL, &o, AF_INET, addr, NULL, on_never, NULL), -1);
  o.offer_len = sizeof big;
  CHECK_INT(smtp_probe_start(&loop, NULL, &o, AF_INET, addr, NULL, on_never, NULL), -1);
  sched_config_t cfg = {.per_ip = 1, .per_prefix = 1, .max_probes = 1};
  sched_t *s = sched_new(&loop, &cfg);
  CHECK_INT(sched_probe(s, &loop, NULL, &o, AF_INET, addr, NULL, on_never, NULL), -1);
  o.offer_len = 0;
  CHECK_INT(sched_probe(s, &loop, NULL, &o, AF_INET, addr, NULL, on_never, NULL), -1);
  CHECK(!smtp_opts_offer_ok(&o));
  o.offer_len = HELLO_BUILD_MAX;
  CHECK(smtp_opts_offer_ok(&o));
  o.offer = NULL;                                  /* the normal probe */
  CHECK(smtp_opts_offer_ok(&o));
  sched_close(s);
  CHECK_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);     /* nothing was started */
  sched_free(s);
  CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void) {
  test_server_hello();
  test_retry();
  test_alert_and_others();
  test_bounds();
  TEST_MAIN_END();
}
