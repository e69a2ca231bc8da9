/* dns.c under callbacks that close it (issue 13, topic "callbacks"): a query's callback
 * may call dns_close with other queries in flight (none of theirs may run afterwards),
 * and a dns_query after dns_close must fail instead of starting a query nobody can answer
 * (its poll handle is closed) that would keep the loop alive until its deadline.
 *
 * The resolver is a silent UDP socket of ours on 127.0.0.1 (every query times out): no
 * traffic leaves loopback. */
#include "net/dns.h"
#include "../unit/testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uv_loop_t loop;
static uv_udp_t silent;
static dns_t *d;
static int calls, late_rc = 99;

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  static char slab[4096];
  (void)h; (void)suggested;
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_udp(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *a, unsigned f) {
  (void)h; (void)n; (void)b; (void)a; (void)f;   /* never answers */
}

/* The first callback closes the resolver, then asks again. */
static void on_answer(void *arg, const dns_answer_t *ans) {
  (void)arg;
  calls++;
  /* The silent resolver fails the trust anchor check that holds the first queries
   * (issue 17): every query waiting then ends with that error, and the first callback
   * closes the resolver while the others still wait. */
  CHECK_STR(ans->reason, "not resolved: the resolver failed (the trust anchor did not validate)");
  if (calls == 1) {
    dns_close(d);
    late_rc = dns_query(d, "late.example", 1, on_answer, NULL);
    uv_close((uv_handle_t *)&silent, NULL);
  }
}

int main(void) {
  uv_loop_init(&loop);
  uv_udp_init(&loop, &silent);
  struct sockaddr_in sin;
  uv_ip4_addr("127.0.0.1", 0, &sin);
  CHECK_INT(uv_udp_bind(&silent, (const struct sockaddr *)&sin, 0), 0);
  struct sockaddr_storage ss;
  int sl = sizeof ss;
  uv_udp_getsockname(&silent, (struct sockaddr *)&ss, &sl);
  uv_udp_recv_start(&silent, alloc_cb, on_udp);
  char spec[64];
  snprintf(spec, sizeof spec, "127.0.0.1:%d", ntohs(((struct sockaddr_in *)&ss)->sin_port));

  char ta[] = "/tmp/mxs-callbacks-ta-XXXXXX";
  int fd = mkstemp(ta);
  const char *ds = ".\t3600\tIN\tDS\t20326 8 2 "
                   "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
  CHECK(fd >= 0 && write(fd, ds, strlen(ds)) == (ssize_t)strlen(ds));
  close(fd);

  const char *resolvers[] = {spec};
  dns_config_t cfg = {.mode = DNS_MODE_FORWARD, .resolvers = resolvers, .nresolvers = 1, .trust_anchor = ta, .timeout = 0.3,
                      .cache_mb = 4, .outgoing = 16, .max_queries = 64};
  char err[256] = "";
  d = dns_new(&loop, &cfg, err, sizeof err);
  CHECK(d != NULL);
  if (!d) { fprintf(stderr, "dns_new: %s\n", err); TEST_MAIN_END(); }
  CHECK_INT(dns_query(d, "a.example", 1, on_answer, NULL), 0);
  CHECK_INT(dns_query(d, "b.example", 1, on_answer, NULL), 0);
  CHECK_INT(dns_query(d, "c.example", 1, on_answer, NULL), 0);
  uint64_t t0 = uv_hrtime();
  uv_run(&loop, UV_RUN_DEFAULT);
  unlink(ta);                /* the anchor checks read it while the loop runs */
  double secs = (double)(uv_hrtime() - t0) / 1e9;
  /* One callback: the queries cancelled by dns_close never call back. */
  CHECK_INT(calls, 1);
  CHECK_INT(late_rc, -1);
  /* The loop ends at once after the close, not at a later query's deadline. */
  CHECK(secs < 0.55);
  printf("loop ran %.2f s\n", secs);
  dns_free(d);
  CHECK_INT(uv_loop_close(&loop), 0);
  TEST_MAIN_END();
}
