/* Pure parts of the scheduler and the progress display: token bucket, address and prefix
 * keys, the address table, which failures are retried, back-off, fd budget, line count. */
#include "lib/tokenbucket.h"
#include "polite/addrmap.h"
#include "polite/sched.h"
#include "scan/progress.h"
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>

static void test_bucket(void) {
  tbucket_t b;
  /* rate 5/s, default burst 5: five at once, then one every 200 ms */
  tb_init(&b, 5, 0, 1000);
  CHECK(b.burst == 5);
  int n = 0;
  while (tb_take(&b, 1000)) n++;
  CHECK_INT(n, 5);
  CHECK_INT(tb_wait_ms(&b, 1000), 200);
  CHECK(!tb_take(&b, 1199));
  CHECK(tb_take(&b, 1200));
  CHECK(!tb_take(&b, 1200));
  /* over any 1 s window at most burst + rate tokens */
  tb_init(&b, 5, 0, 0);
  int taken = 0;
  for (uint64_t t = 0; t <= 1000; t++) while (tb_take(&b, t)) taken++;
  CHECK_INT(taken, 10);
  /* a long idle period refills to the burst, never beyond */
  CHECK_INT(tb_wait_ms(&b, 100000), 0);
  n = 0;
  while (tb_take(&b, 100000)) n++;
  CHECK_INT(n, 5);
  /* default bursts: small */
  CHECK(tb_default_burst(0.5) == 1);
  CHECK(tb_default_burst(3.7) == 3);
  CHECK(tb_default_burst(1000) == 10);
  /* explicit burst; unlimited rate */
  tb_init(&b, 100, 2, 0);
  CHECK(tb_take(&b, 0) && tb_take(&b, 0) && !tb_take(&b, 0));
  CHECK_INT(tb_wait_ms(&b, 0), 10);
  tb_init(&b, 0, 0, 0);
  for (int i = 0; i < 100000; i++) if (!tb_take(&b, 0)) { CHECK(0); break; }
  CHECK_INT(tb_wait_ms(&b, 0), 0);
  /* a fractional rate rounds the wait up, never down */
  tb_init(&b, 3, 1, 0);
  CHECK(tb_take(&b, 0));
  CHECK_INT(tb_wait_ms(&b, 0), 334);
  CHECK(!tb_take(&b, 333));
  CHECK(tb_take(&b, 334));
}

static void test_keys(void) {
  uint8_t a[16], b[16];
  addrkey_t ka, kb;
  inet_pton(AF_INET, "192.0.2.17", a);
  inet_pton(AF_INET, "192.0.2.200", b);
  addrkey_make(&ka, AF_INET, a, 24);
  addrkey_make(&kb, AF_INET, b, 24);
  CHECK(memcmp(&ka, &kb, sizeof ka) == 0);              /* same /24 */
  CHECK_INT(ka.b[0], 4);
  CHECK_INT(ka.b[3], 2);
  CHECK_INT(ka.b[4], 0);
  addrkey_make(&ka, AF_INET, a, 32);
  addrkey_make(&kb, AF_INET, b, 32);
  CHECK(memcmp(&ka, &kb, sizeof ka) != 0);              /* different addresses */
  inet_pton(AF_INET, "192.0.3.17", b);
  addrkey_make(&ka, AF_INET, a, 24);
  addrkey_make(&kb, AF_INET, b, 24);
  CHECK(memcmp(&ka, &kb, sizeof ka) != 0);              /* next /24 */
  /* IPv6 /48 */
  inet_pton(AF_INET6, "2001:db8:1:ff::1", a);
  inet_pton(AF_INET6, "2001:db8:1:1234::99", b);
  addrkey_make(&ka, AF_INET6, a, 48);
  addrkey_make(&kb, AF_INET6, b, 48);
  CHECK(memcmp(&ka, &kb, sizeof ka) == 0);
  CHECK_INT(ka.b[0], 6);
  inet_pton(AF_INET6, "2001:db8:2::1", b);
  addrkey_make(&kb, AF_INET6, b, 48);
  CHECK(memcmp(&ka, &kb, sizeof ka) != 0);
  /* an IPv4 address and an IPv6 address with the same leading bytes differ */
  memset(a, 0, 16);
  memset(b, 0, 16);
  addrkey_make(&ka, AF_INET, a, 32);
  addrkey_make(&kb, AF_INET6, b, 32);
  CHECK(memcmp(&ka, &kb, sizeof ka) != 0);
  /* a prefix length that is not a byte multiple */
  a[0] = 0xff; a[1] = 0xff;
  addrkey_make(&ka, AF_INET, a, 12);
  CHECK_INT(ka.b[1], 0xff);
  CHECK_INT(ka.b[2], 0xf0);
  CHECK_INT(addrkey_make(&ka, 99, a, 24), -1);
}

typedef struct ent { amnode_t n; int v; } ent_t;
static int freed;
static void count_free(amnode_t *n) { freed++; free(n); }

static void test_map(void) {
  addrmap_t m;
  addrmap_init(&m);
  uint8_t a[16] = {10, 0, 0, 0};
  for (int i = 0; i < 1000; i++) {          /* grows from an empty map */
    ent_t *e = calloc(1, sizeof *e);
    a[2] = (uint8_t)(i >> 8);
    a[3] = (uint8_t)i;
    addrkey_make(&e->n.key, AF_INET, a, 32);
    e->v = i;
    CHECK_INT(addrmap_insert(&m, &e->n), 0);
  }
  CHECK_INT(addrmap_count(&m), 1000);
  addrkey_t k;
  a[2] = 1; a[3] = 44;                       /* 300 */
  addrkey_make(&k, AF_INET, a, 32);
  ent_t *e = (ent_t *)addrmap_find(&m, &k);
  CHECK(e && e->v == 300);
  addrmap_remove(&m, &e->n);
  free(e);
  CHECK(addrmap_find(&m, &k) == NULL);
  CHECK_INT(addrmap_count(&m), 999);
  addrmap_destroy(&m, count_free);
  CHECK_INT(freed, 999);
}

static void test_retry(void) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.connect = SMTP_CONNECT_OK;
  r.banner = strdup("421 4.7.0 mx.example Too many connections");
  r.banner_code = 421;
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, r.banner);
  CHECK_STR(sched_retry_reason(&r), "421 4.7.0 mx.example Too many connections");
  free(r.banner);
  r.banner = strdup("450 try later");
  r.banner_code = 450;
  CHECK_STR(sched_retry_reason(&r), "450 try later");
  free(r.banner);
  r.banner = strdup("554 go away");
  r.banner_code = 554;
  CHECK(sched_retry_reason(&r) == NULL);               /* 5xx: a final answer */
  smtp_result_free(&r);

  r.connect = SMTP_CONNECT_OK;
  r.peer_closed = true;
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "connection closed by server");
  CHECK_STR(sched_retry_reason(&r), "connection closed by server");
  smtp_result_free(&r);
  r.connect = SMTP_CONNECT_OK;
  r.peer_closed = true;
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "connection reset by peer");
  CHECK_STR(sched_retry_reason(&r), "connection reset by peer");
  smtp_result_free(&r);
  r.connect = SMTP_CONNECT_OK;                  /* the text alone is not the server's act */
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "connection closed by server");
  CHECK(sched_retry_reason(&r) == NULL);
  smtp_result_free(&r);
  r.connect = SMTP_CONNECT_OK;
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "timeout");       /* a tarpit is not retried */
  CHECK(sched_retry_reason(&r) == NULL);
  smtp_result_free(&r);
  r.connect = SMTP_CONNECT_REFUSED;
  smtp_result_set_error(&r, SMTP_STAGE_CONNECT, "refused");
  CHECK(sched_retry_reason(&r) == NULL);
  smtp_result_free(&r);
  r.connect = SMTP_CONNECT_OK;                                     /* closed later: not "right after connect" */
  r.banner = strdup("220 hi");
  r.banner_code = 220;
  r.peer_closed = true;
  smtp_result_set_error(&r, SMTP_STAGE_EHLO, "connection closed by server");
  CHECK(sched_retry_reason(&r) == NULL);
  smtp_result_free(&r);
  smtp_result_init(&r);
  r.connect = SMTP_CONNECT_OK;
  r.banner = strdup("220 hi");
  r.banner_code = 220;
  CHECK(sched_retry_reason(&r) == NULL);
  smtp_result_free(&r);

  CHECK_INT(sched_backoff_ms(60, 1), 60000);
  CHECK_INT(sched_backoff_ms(60, 2), 120000);
  CHECK_INT(sched_backoff_ms(0.5, 3), 2000);
  CHECK_INT(sched_backoff_ms(0, 2), 0);
}

static void test_fd_split(void) {
  size_t probes, out;
  sched_fd_split(20000, &probes, &out);
  CHECK_INT(out, 2500);
  CHECK(probes + out + 64 + 20000 / 16 <= 20000);
  CHECK(probes >= 15000);             /* issue 4: 15 000 probes in flight on this machine */
  sched_fd_split(1024, &probes, &out);
  CHECK(probes + out < 1024);
  CHECK(probes >= 500);
  sched_fd_split(100000, &probes, &out);
  CHECK_INT(out, 4096);
  sched_fd_split(10, &probes, &out);
  CHECK(probes >= 1 && out >= 1);
}

static void test_progress_helpers(void) {
  char buf[32];
  progress_fmt_duration(5, buf, sizeof buf);
  CHECK_STR(buf, "5s");
  progress_fmt_duration(125, buf, sizeof buf);
  CHECK_STR(buf, "2m05s");
  progress_fmt_duration(3 * 3600 + 62, buf, sizeof buf);
  CHECK_STR(buf, "3h01m");
  progress_fmt_duration(-1, buf, sizeof buf);
  CHECK_STR(buf, "-");
  char path[] = "/tmp/mxs-progress-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  const char *text = "a.pt\nb.pt\n\n# c\nlast.pt";    /* last line without newline */
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  lseek(fd, 5, SEEK_SET);                              /* counted from the offset on */
  CHECK_INT(progress_count_lines(fd), 4);
  CHECK_INT(lseek(fd, 0, SEEK_CUR), 5);                /* offset not moved */
  close(fd);
  unlink(path);
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK_INT(progress_count_lines(p[0]), -1);           /* a pipe: unknown */
  close(p[0]);
  close(p[1]);
}

int main(void) {
  test_bucket();
  test_keys();
  test_map();
  test_retry();
  test_fd_split();
  test_progress_helpers();
  TEST_MAIN_END();
}
