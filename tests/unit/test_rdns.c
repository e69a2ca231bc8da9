/* rdns against a tiny UDP DNS responder of our own on 127.0.0.1, on the same loop: no
 * network needed. */
#include "net/rdns.h"
#include "testlib.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

static uv_loop_t loop;

/* ---- the responder ---- */

static uv_udp_t responder, silent;
static char last_qname[300];
static int responder_queries, silent_queries;

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  static char slab[4096];
  (void)suggested;
  buf->base = slab;
  buf->len = sizeof slab;
}

static void send_done(uv_udp_send_t *req, int status) {
  (void)status;
  free(req);
}

/* Wire name at p (no compression in queries) into dotted text; returns octets used. */
static int read_qname(const uint8_t *p, size_t len, char *out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < len && p[i] != 0) {
    size_t l = p[i++];
    if (l > 63 || i + l > len || o + l + 2 > cap) return -1;
    if (o) out[o++] = '.';
    memcpy(out + o, p + i, l);
    o += l;
    i += l;
  }
  if (i >= len) return -1;
  out[o] = '\0';
  return (int)i + 1;
}

static size_t put_name(uint8_t *p, const char *dotted) {
  size_t o = 0;
  while (*dotted) {
    const char *dot = strchr(dotted, '.');
    size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
    p[o++] = (uint8_t)l;
    memcpy(p + o, dotted, l);
    o += l;
    dotted += l + (dot ? 1 : 0);
  }
  p[o++] = 0;
  return o;
}

static void on_query(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                     unsigned flags) {
  (void)flags;
  if (nread <= 12 || !from) return;
  const uint8_t *q = (const uint8_t *)buf->base;
  char qname[300];
  int nl = read_qname(q + 12, (size_t)nread - 12, qname, sizeof qname);
  if (nl < 0 || (size_t)(12 + nl + 4) > (size_t)nread) return;
  responder_queries++;
  snprintf(last_qname, sizeof last_qname, "%s", qname);
  size_t qend = 12 + (size_t)nl + 4;
  int qtype = (q[12 + nl] << 8) | q[12 + nl + 1];

  struct { uv_udp_send_t req; uint8_t pkt[512]; } *s = malloc(sizeof *s);
  uint8_t *r = s->pkt;
  memcpy(r, q, qend);
  int rcode = 3, ancount = 0;   /* NXDOMAIN unless one of ours */
  size_t len = qend;
  if (strcasecmp(qname, "1.0.0.127.in-addr.arpa") == 0 && qtype == 12) {
    rcode = 0;
    ancount = 1;
    r[len++] = 0xc0; r[len++] = 0x0c;           /* pointer to the question name */
    r[len++] = 0; r[len++] = 12;                 /* PTR */
    r[len++] = 0; r[len++] = 1;                  /* IN */
    r[len++] = 0; r[len++] = 0; r[len++] = 0x0e; r[len++] = 0x10;   /* TTL 3600 */
    size_t rdl = len;
    len += 2;
    size_t n = put_name(r + len, "MX.Example.MXLab");  /* mixed case: must come back lower */
    len += n;
    r[rdl] = (uint8_t)(n >> 8);
    r[rdl + 1] = (uint8_t)n;
  } else if (strcasecmp(qname, "2.0.0.127.in-addr.arpa") == 0) {
    rcode = 0;                                   /* NODATA */
  } else if (strcasecmp(qname, "3.0.0.127.in-addr.arpa") == 0) {
    rcode = 2;                                   /* SERVFAIL */
  }
  r[2] = (uint8_t)(0x80 | (q[2] & 0x01));        /* QR, RD copied */
  r[3] = (uint8_t)(0x80 | rcode);                /* RA */
  r[6] = 0; r[7] = (uint8_t)ancount;
  r[8] = r[9] = r[10] = r[11] = 0;
  uv_buf_t out = uv_buf_init((char *)r, (unsigned)len);
  if (uv_udp_send(&s->req, h, &out, 1, from, send_done) != 0) free(s);
}

static void on_silent(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                      unsigned flags) {
  (void)h; (void)buf; (void)flags;
  if (nread > 0 && from) silent_queries++;
}

static int bind_udp(uv_udp_t *u, uv_udp_recv_cb cb) {
  struct sockaddr_in sa;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  if (uv_udp_init(&loop, u) != 0 || uv_udp_bind(u, (const struct sockaddr *)&sa, 0) != 0) return -1;
  int n = sizeof sa;
  if (uv_udp_getsockname(u, (struct sockaddr *)&sa, &n) != 0) return -1;
  if (uv_udp_recv_start(u, alloc_cb, cb) != 0) return -1;
  return ntohs(sa.sin_port);
}

/* ---- results ---- */

typedef struct result {
  int called;
  bool have_name;
  char name[300];
  const char *error;
} result_t;

static bool in_lookup;
static int sync_calls;

static void on_result(void *arg, const char *ptr_name, const char *error) {
  result_t *res = arg;
  if (in_lookup) sync_calls++;
  res->called++;
  res->have_name = ptr_name != NULL;
  if (ptr_name) snprintf(res->name, sizeof res->name, "%s", ptr_name);
  res->error = error;
}

static bool timed_out;
static void on_guard(uv_timer_t *t) { (void)t; timed_out = true; }

/* Runs the loop until every result has been called or 5 s pass. */
static void run_until(result_t *const *rs, size_t n) {
  uv_timer_t guard;
  timed_out = false;
  uv_timer_init(&loop, &guard);
  uv_timer_start(&guard, on_guard, 5000, 0);
  for (;;) {
    size_t done = 0;
    for (size_t i = 0; i < n; i++) done += rs[i]->called ? 1 : 0;
    if (done == n || timed_out) break;
    uv_run(&loop, UV_RUN_ONCE);
  }
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(!timed_out);
}

static int lookup(rdns_t *r, int family, const char *text, result_t *res) {
  uint8_t a[16] = {0};
  inet_pton(family, text, a);
  in_lookup = true;
  int rc = rdns_lookup(r, family, a, on_result, res);
  in_lookup = false;
  return rc;
}

static void close_and_free(rdns_t *r) {
  rdns_close(r);
  uv_run(&loop, UV_RUN_NOWAIT);
  rdns_free(r);
}

static void test_qname(void) {
  char out[80];
  uint8_t a[16] = {0};
  inet_pton(AF_INET, "192.0.2.7", a);
  CHECK_INT(rdns_qname(AF_INET, a, out, sizeof out), 0);
  CHECK_STR(out, "7.2.0.192.in-addr.arpa");
  inet_pton(AF_INET6, "2001:db8::abcd", a);
  CHECK_INT(rdns_qname(AF_INET6, a, out, sizeof out), 0);
  CHECK_STR(out, "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  CHECK_INT(rdns_qname(AF_INET6, a, out, 73), -1);
  CHECK_INT(rdns_qname(AF_UNIX, a, out, sizeof out), -1);
}

static void test_bad_config(void) {
  char err[256] = "";
  const char *bad[] = { "not-an-ip" };
  CHECK(rdns_new(&loop, bad, 1, 1.0, err, sizeof err) == NULL);
  CHECK(strstr(err, "not-an-ip") != NULL);
  const char *ok[] = { "127.0.0.1:5353", "[::1]:5300", "192.0.2.1" };
  rdns_t *r = rdns_new(&loop, ok, 3, 1.0, err, sizeof err);
  CHECK(r != NULL);
  if (r) {
    uint8_t a[16] = {0};
    CHECK_INT(rdns_lookup(r, AF_UNIX, a, on_result, NULL), -1);
    close_and_free(r);
  }
}

static void test_responder(int port) {
  char spec[64], err[256] = "";
  snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
  const char *servers[] = { spec };
  rdns_t *r = rdns_new(&loop, servers, 1, 1.0, err, sizeof err);
  CHECK(r != NULL);
  if (!r) { fprintf(stderr, "rdns_new: %s\n", err); return; }

  /* Hit, miss, NODATA, SERVFAIL and an IPv6 name, all in flight at once. */
  result_t hit = {0}, miss = {0}, nodata = {0}, sfail = {0}, v6 = {0};
  CHECK_INT(lookup(r, AF_INET, "127.0.0.1", &hit), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.9", &miss), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.2", &nodata), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.3", &sfail), 0);
  CHECK_INT(rdns_pending(r), 4);
  CHECK_INT(hit.called + miss.called + nodata.called + sfail.called, 0);
  result_t *all[] = { &hit, &miss, &nodata, &sfail };
  run_until(all, 4);
  CHECK_INT(hit.called, 1);
  CHECK(hit.have_name);
  CHECK_STR(hit.name, "mx.example.mxlab");
  CHECK(hit.error == NULL);
  CHECK_INT(miss.called, 1);
  CHECK(!miss.have_name);
  CHECK(miss.error == NULL);
  CHECK_INT(nodata.called, 1);
  CHECK(!nodata.have_name);
  CHECK(nodata.error == NULL);
  CHECK_INT(sfail.called, 1);
  CHECK(!sfail.have_name);
  CHECK_STR(sfail.error, "server failure");
  CHECK_INT(responder_queries, 5);        /* SERVFAIL was tried twice */
  CHECK_INT(rdns_pending(r), 0);

  CHECK_INT(lookup(r, AF_INET6, "2001:db8:0:1::53", &v6), 0);
  CHECK_INT(v6.called, 0);
  result_t *one[] = { &v6 };
  run_until(one, 1);
  CHECK_INT(v6.called, 1);
  CHECK(!v6.have_name);
  CHECK(v6.error == NULL);
  CHECK_STR(last_qname, "3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");

  /* The loop goes idle again once everything is answered: only the responders (and no
   * rdns handle) keep it alive, so another hit still works after a pause. */
  result_t again = {0};
  CHECK_INT(lookup(r, AF_INET, "127.0.0.1", &again), 0);
  result_t *a1[] = { &again };
  run_until(a1, 1);
  CHECK_STR(again.name, "mx.example.mxlab");

  /* Coalescing and the cache: "again" was answered from the cache; three lookups of a new
   * address at once make one query; a cached "no PTR" makes none; a failure is not kept. */
  int before = responder_queries;
  CHECK_INT(rdns_cache_hits(r), 1);
  result_t c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0}, f1 = {0};
  CHECK_INT(lookup(r, AF_INET, "127.0.0.10", &c1), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.10", &c2), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.10", &c3), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.9", &c4), 0);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.3", &f1), 0);
  CHECK_INT(c1.called + c2.called + c3.called + c4.called, 0);   /* never synchronous */
  result_t *cs[] = { &c1, &c2, &c3, &c4, &f1 };
  run_until(cs, 5);
  CHECK_INT(c1.called + c2.called + c3.called + c4.called, 4);
  CHECK(!c1.have_name && !c2.have_name && !c3.have_name && c3.error == NULL);
  CHECK_STR(f1.error, "server failure");
  CHECK_INT(responder_queries - before, 1 + 2);   /* 127.0.0.10 once; SERVFAIL tried twice */
  CHECK_INT(rdns_cache_hits(r), 4);
  close_and_free(r);
}

static void test_timeout(int port) {
  char spec[64], err[256] = "";
  snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
  const char *servers[] = { spec };
  rdns_t *r = rdns_new(&loop, servers, 1, 0.3, err, sizeof err);
  CHECK(r != NULL);
  if (!r) return;
  result_t res = {0};
  uint64_t t0 = uv_now(&loop);
  CHECK_INT(lookup(r, AF_INET, "127.0.0.1", &res), 0);
  result_t *one[] = { &res };
  run_until(one, 1);
  uint64_t took = uv_now(&loop) - t0;
  CHECK_INT(res.called, 1);
  CHECK(!res.have_name);
  CHECK_STR(res.error, "timeout");
  CHECK(took >= 250 && took < 3000);
  CHECK_INT(silent_queries, 2);          /* tries 2, one server */
  close_and_free(r);
}

static void test_cancel(int port) {
  char spec[64], err[256] = "";
  snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
  const char *servers[] = { spec };
  rdns_t *r = rdns_new(&loop, servers, 1, 5.0, err, sizeof err);
  CHECK(r != NULL);
  if (!r) return;
  result_t a = {0}, b = {0};
  CHECK_INT(lookup(r, AF_INET, "127.0.0.1", &a), 0);
  CHECK_INT(lookup(r, AF_INET6, "::1", &b), 0);
  uv_run(&loop, UV_RUN_NOWAIT);           /* let the queries go out */
  rdns_close(r);
  CHECK_INT(a.called, 1);
  CHECK_STR(a.error, "cancelled");
  CHECK_INT(b.called, 1);
  CHECK_STR(b.error, "cancelled");
  result_t c = {0};
  CHECK_INT(lookup(r, AF_INET, "127.0.0.1", &c), -1);
  uv_run(&loop, UV_RUN_NOWAIT);
  rdns_free(r);
  CHECK_INT(c.called, 0);
}

static void on_handle_closed(uv_handle_t *h) { (void)h; }

int main(void) {
  CHECK_INT(uv_loop_init(&loop), 0);
  int port = bind_udp(&responder, on_query);
  int sport = bind_udp(&silent, on_silent);
  CHECK(port > 0);
  CHECK(sport > 0);
  test_qname();
  test_bad_config();
  if (port > 0) test_responder(port);
  if (sport > 0) test_timeout(sport);
  if (sport > 0) test_cancel(sport);
  CHECK_INT(sync_calls, 0);
  uv_close((uv_handle_t *)&responder, on_handle_closed);
  uv_close((uv_handle_t *)&silent, on_handle_closed);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(uv_loop_close(&loop), 0);
  TEST_MAIN_END();
}
