/* The scheduler on a real loop against an in-process SMTP server on 127.0.0.1-15 (one
 * port, loopback only): every callback exactly once, the per-address and per-prefix caps
 * as the server counts them, one retry after a 421 with its reason, and every per-address
 * and per-prefix entry freed at the end. */
#include "polite/sched.h"
#include "testlib.h"

#include <stdlib.h>
#include <arpa/inet.h>

#define NADDR 15
#define NPROBES 300
#define BUSY 14                  /* 127.0.0.15: always 421 */

static uv_loop_t loop;
static uv_tcp_t listeners[NADDR];
static int cur[NADDR], maxcur[NADDR], conns[NADDR], total, maxtotal;

/* A connection is held 20 ms (so that connections the scheduler lets overlap do overlap
 * here), then gets its greeting and the server shuts its side: it counts as ended from
 * then on, before the client can see the greeting and release its slot. */
typedef struct conn {
  uv_tcp_t tcp;
  uv_timer_t hold;
  uv_shutdown_t sd;
  uv_write_t wr;
  int idx, open;
} conn_t;

static void on_conn_closed(uv_handle_t *h) {
  conn_t *c = h->data;
  if (--c->open == 0) free(c);
}

static void on_written(uv_write_t *w, int status) { (void)w; (void)status; }

static void on_shutdown(uv_shutdown_t *sd, int status) {
  (void)status;
  conn_t *c = sd->data;
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_hold(uv_timer_t *t) {
  conn_t *c = t->data;
  const char *text = c->idx == BUSY ? "421 4.7.0 busy\r\n" : "554 5.7.1 test\r\n";
  uv_buf_t b = uv_buf_init((char *)text, (unsigned)strlen(text));
  cur[c->idx]--;
  total--;
  uv_close((uv_handle_t *)&c->hold, on_conn_closed);
  c->sd.data = c;
  if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0 ||
      uv_shutdown(&c->sd, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_connection(uv_stream_t *l, int status) {
  if (status != 0) return;
  conn_t *c = calloc(1, sizeof *c);
  uv_tcp_init(&loop, &c->tcp);
  c->tcp.data = c;
  c->open = 1;
  if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0) { uv_close((uv_handle_t *)&c->tcp, on_conn_closed); return; }
  struct sockaddr_in sa;
  int len = sizeof sa;
  uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&sa, &len);
  c->idx = ((const uint8_t *)&sa.sin_addr)[3] - 1;
  if (c->idx < 0 || c->idx >= NADDR) c->idx = 0;
  if (++cur[c->idx] > maxcur[c->idx]) maxcur[c->idx] = cur[c->idx];
  if (++total > maxtotal) maxtotal = total;
  conns[c->idx]++;
  uv_timer_init(&loop, &c->hold);
  c->hold.data = c;
  c->open = 2;
  uv_timer_start(&c->hold, on_hold, 20, 0);
}

typedef struct res {
  int called;
  unsigned attempts;
  char reason[64];
  int banner_code;
} res_t;

static res_t results[NPROBES];

static void on_done(void *arg, smtp_result_t *r) {
  res_t *x = arg;
  x->called++;
  x->attempts = r->attempts;
  x->banner_code = r->banner_code;
  if (r->nretry_reasons) snprintf(x->reason, sizeof x->reason, "%s", r->retry_reasons[0]);
  smtp_result_free(r);
}

int main(void) {
  CHECK_INT(uv_loop_init(&loop), 0);
  int port = 0;
  int bound = 0;
  for (int i = 0; i < NADDR; i++) {
    char ip[32];
    snprintf(ip, sizeof ip, "127.0.0.%d", i + 1);
    struct sockaddr_in sa;
    uv_ip4_addr(ip, port, &sa);
    uv_tcp_init(&loop, &listeners[i]);
    if (uv_tcp_bind(&listeners[i], (const struct sockaddr *)&sa, 0) != 0 ||
        uv_listen((uv_stream_t *)&listeners[i], 128, on_connection) != 0)
      break;
    if (i == 0) {
      int len = sizeof sa;
      uv_tcp_getsockname(&listeners[0], (struct sockaddr *)&sa, &len);
      port = ntohs(sa.sin_port);
    }
    bound++;
  }
  CHECK_INT(bound, NADDR);

  char err[256];
  tls_ctx_t *tls = tls_ctx_new(NULL, err, sizeof err);
  CHECK(tls != NULL);
  sched_config_t cfg = {.rate = 0, .per_ip = 2, .ip_interval = 0, .per_prefix = 6,
                        .max_probes = 100, .retries = 1, .retry_delay = 0.05};
  sched_t *s = sched_new(&loop, &cfg);
  smtp_opts_t opts = {.port = port, .ehlo = "test.invalid", .t_connect = 5, .t_banner = 5,
                      .t_smtp = 5, .t_tls = 5};
  for (int i = 0; i < NPROBES; i++) {
    uint8_t a[16] = {127, 0, 0, (uint8_t)(1 + i % NADDR)};
    CHECK_INT(sched_probe(s, &loop, tls, &opts, AF_INET, a, "mx.test",
                          on_done, &results[i]), 0);
  }
  sched_stats_t st;
  sched_stats(s, &st);
  CHECK_INT(st.queued, NPROBES);          /* nothing starts inside sched_probe */
  CHECK_INT(st.addrs, NADDR);
  CHECK_INT(st.prefixes, 1);

  /* Run until every probe has called back. */
  for (;;) {
    int done = 0;
    for (int i = 0; i < NPROBES; i++) done += results[i].called ? 1 : 0;
    if (done == NPROBES) break;
    uv_run(&loop, UV_RUN_ONCE);
  }
  int once = 0, busy_ok = 0, other_ok = 0;
  for (int i = 0; i < NPROBES; i++) {
    once += results[i].called == 1;
    if (i % NADDR == BUSY)
      busy_ok += results[i].attempts == 2 && strcmp(results[i].reason, "421 4.7.0 busy") == 0 &&
                 results[i].banner_code == 421;       /* the last attempt's answer */
    else
      other_ok += results[i].attempts == 1 && results[i].banner_code == 554;
  }
  CHECK_INT(once, NPROBES);
  CHECK_INT(busy_ok, NPROBES / NADDR);
  CHECK_INT(other_ok, NPROBES - NPROBES / NADDR);
  int worst = 0;
  for (int i = 0; i < NADDR; i++) if (maxcur[i] > worst) worst = maxcur[i];
  CHECK(worst <= 2);                      /* --per-ip 2, as the server saw it */
  CHECK(worst == 2);                      /* and the limit is reached: the check can fail */
  CHECK(maxtotal <= 6);                   /* --per-prefix 6: all in 127.0.0.0/24 */
  CHECK(maxtotal >= 4);                   /* connections do overlap here */
  CHECK_INT(conns[BUSY], 2 * (NPROBES / NADDR));
  sched_stats(s, &st);
  CHECK_INT(st.running + st.queued + st.backoff, 0);
  CHECK_INT(st.addrs, 0);                 /* idle entries are freed */
  CHECK_INT(st.prefixes, 0);
  CHECK_INT(st.connections, NPROBES + NPROBES / NADDR);
  CHECK_INT(st.retries, NPROBES / NADDR);
  CHECK_INT(st.done, NPROBES);

  sched_close(s);

  /* Interrupted while a probe waits a minute for its retry: sched_flush_backoff delivers
   * it at once with its failed attempt. */
  sched_config_t slow = cfg;
  slow.retry_delay = 60;
  sched_t *s2 = sched_new(&loop, &slow);
  res_t r2 = {0};
  uint8_t busy[16] = {127, 0, 0, BUSY + 1};
  CHECK_INT(sched_probe(s2, &loop, tls, &opts, AF_INET, busy, "mx.test",
                        on_done, &r2), 0);
  for (;;) {
    sched_stats(s2, &st);
    if (st.backoff == 1) break;
    uv_run(&loop, UV_RUN_ONCE);
  }
  CHECK_INT(r2.called, 0);
  sched_flush_backoff(s2);
  CHECK_INT(r2.called, 1);
  CHECK_INT(r2.attempts, 1);
  CHECK_INT(r2.banner_code, 421);
  CHECK_STR(r2.reason, "");
  sched_stats(s2, &st);
  CHECK_INT(st.backoff + st.queued + st.running + st.addrs, 0);
  sched_close(s2);

  for (int i = 0; i < bound; i++) uv_close((uv_handle_t *)&listeners[i], NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  sched_free(s);
  sched_free(s2);
  tls_ctx_free(tls);
  CHECK_INT(uv_loop_close(&loop), 0);
  TEST_MAIN_END();
}
