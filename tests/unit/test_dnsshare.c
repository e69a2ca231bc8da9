/* net/dnsshare.h on a real loop with a fake resolver underneath (the send function records
 * each query; the test answers them): identical queries in flight joined, in order; a
 * cacheable answer kept and delivered on a later turn, never from inside dnsshare_query;
 * failures, bogus, answers with a reason and TTL 0 never kept; expiry by TTL; the byte
 * budget evicting the oldest; a callback asking again (for the same name) and closing the
 * layer from inside a delivery; dnsshare_close dropping what waits. Each branch of
 * dnsshare_cacheable. */
#include "net/dnsshare.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static uv_loop_t loop;

typedef struct sent { char name[64]; int type; dns_cb cb; void *arg; } sent_t;
static sent_t sent[64];
static int nsent, fail_send;

static int fake_send(void *ctx, const char *name, int rrtype, dns_cb cb, void *arg) {
  (void)ctx;
  if (fail_send || nsent == 64) return -1;
  snprintf(sent[nsent].name, sizeof sent[nsent].name, "%s", name);
  sent[nsent].type = rrtype;
  sent[nsent].cb = cb;
  sent[nsent].arg = arg;
  nsent++;
  return 0;
}

typedef struct got { int n; int order[16]; enum dns_outcome outcome; enum dnssec_state dnssec;
                     size_t count; uint8_t first; char soa[64]; } got_t;
static int seq;
static bool in_query;          /* set around dnsshare_query: a callback then is synchronous */
static int sync_calls;

static void on_got(void *arg, const dns_answer_t *a) {
  got_t *g = arg;
  if (in_query) sync_calls++;
  if (g->n < 16) g->order[g->n] = seq++;
  g->n++;
  g->outcome = a->outcome;
  g->dnssec = a->dnssec;
  g->count = a->count;
  g->first = a->count ? a->data[0][0] : 0;
  snprintf(g->soa, sizeof g->soa, "%s", a->soa_rname ? a->soa_rname : "");
}

static int ask(dnsshare_t *s, const char *name, int type, got_t *g) {
  in_query = true;
  int rc = dnsshare_query(s, name, type, on_got, g);
  in_query = false;
  return rc;
}

static uint8_t rd1[4] = {192, 0, 2, 1}, rd2[4] = {192, 0, 2, 2};
static uint8_t *rdata[2] = {rd1, rd2};
static int rlen[2] = {4, 4};

static dns_answer_t data_answer(const char *name, int ttl) {
  dns_answer_t a = {0};
  a.qname = name;
  a.qtype = 1;
  a.outcome = DNS_DATA;
  a.dnssec = DNSSEC_SECURE;
  a.ttl = ttl;
  a.count = 2;
  a.data = rdata;
  a.len = rlen;
  a.soa_rname = "hostmaster.example";
  return a;
}

static void answer(int i, dns_answer_t a) { sent[i].cb(sent[i].arg, &a); }

static void turn(void) { uv_run(&loop, UV_RUN_NOWAIT); }

static void test_cacheable(void) {
  dns_answer_t a = data_answer("a.example", 300);
  CHECK(dnsshare_cacheable(&a));
  a.dnssec = DNSSEC_INSECURE; CHECK(dnsshare_cacheable(&a));
  a.dnssec = DNSSEC_BOGUS; CHECK(!dnsshare_cacheable(&a));
  a.dnssec = DNSSEC_INDETERMINATE; CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", 0); CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", -1); CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", 300); a.reason = "timeout"; CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", 300); a.outcome = DNS_ERROR; CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", 300); a.count = 0; CHECK(!dnsshare_cacheable(&a));
  a = data_answer("a.example", 300); a.outcome = DNS_NODATA; a.count = 0; a.data = NULL;
  CHECK(dnsshare_cacheable(&a));
  a.outcome = DNS_NXDOMAIN; CHECK(dnsshare_cacheable(&a));
}

static void test_join_and_keep(void) {
  nsent = 0;
  dnsshare_t *s = dnsshare_new(&loop, 1 << 20, fake_send, NULL);
  got_t g1 = {0}, g2 = {0}, g3 = {0}, g4 = {0}, other = {0};
  CHECK_INT(ask(s, "mx.example", 1, &g1), 0);
  CHECK_INT(ask(s, "mx.example", 1, &g2), 0);
  CHECK_INT(ask(s, "mx.example", 28, &other), 0);   /* another type: its own query */
  CHECK_INT(nsent, 2);
  CHECK_STR(sent[0].name, "mx.example");
  CHECK_INT(sent[1].type, 28);
  seq = 0;
  answer(0, data_answer("mx.example", 300));
  CHECK_INT(g1.n, 1);
  CHECK_INT(g2.n, 1);
  CHECK(g1.order[0] < g2.order[0]);                   /* in the order they asked */
  CHECK_INT(g2.count, 2);
  CHECK_INT(g2.first, 192);
  CHECK_INT(other.n, 0);
  /* kept: answered without a query, from a later turn */
  CHECK_INT(ask(s, "mx.example", 1, &g3), 0);
  CHECK_INT(nsent, 2);
  CHECK_INT(g3.n, 0);
  CHECK_INT(sync_calls, 0);
  turn();
  CHECK_INT(g3.n, 1);
  CHECK_INT(g3.outcome, DNS_DATA);
  CHECK_INT(g3.dnssec, DNSSEC_SECURE);
  CHECK_INT(g3.count, 2);
  CHECK_STR(g3.soa, "hostmaster.example");
  /* another spelling is another query (never a wrong answer) */
  CHECK_INT(ask(s, "MX.example", 1, &g4), 0);
  CHECK_INT(nsent, 3);
  dnsshare_stats_t st = dnsshare_stats(s);
  CHECK_INT(st.queries, 5);
  CHECK_INT(st.sent, 3);
  CHECK_INT(st.joined, 1);
  CHECK_INT(st.hits, 1);
  CHECK_INT(st.kept, 1);
  dnsshare_close(s);
  turn();
  dnsshare_free(s);
  CHECK_INT(other.n, 0);                              /* dropped by the close, no call */
  CHECK_INT(g4.n, 0);
}

static void test_not_kept(void) {
  nsent = 0;
  dnsshare_t *s = dnsshare_new(&loop, 1 << 20, fake_send, NULL);
  got_t a = {0}, b = {0}, c = {0}, d = {0};
  ask(s, "bogus.example", 52, &a);
  ask(s, "bogus.example", 52, &b);
  dns_answer_t bad = {.qname = "bogus.example", .qtype = 52, .outcome = DNS_ERROR,
                      .dnssec = DNSSEC_BOGUS, .rcode = 2, .reason = "EDE 6 (DNSSEC Bogus)", .ttl = 300};
  answer(0, bad);
  CHECK_INT(a.n, 1);
  CHECK_INT(b.n, 1);                                  /* the joined caller gets the failure too */
  CHECK_INT(b.dnssec, DNSSEC_BOGUS);
  ask(s, "bogus.example", 52, &c);                    /* not kept: asked again */
  CHECK_INT(nsent, 2);
  dns_answer_t z = data_answer("bogus.example", 0);   /* TTL 0: not kept either */
  answer(1, z);
  CHECK_INT(c.n, 1);
  ask(s, "bogus.example", 52, &d);
  CHECK_INT(nsent, 3);
  fail_send = 1;                                      /* the query underneath not started */
  got_t e = {0};
  CHECK_INT(ask(s, "x.example", 1, &e), -1);
  fail_send = 0;
  got_t f = {0};
  CHECK_INT(ask(s, "x.example", 1, &f), 0);           /* and no entry left behind */
  CHECK_INT(nsent, 4);
  dnsshare_close(s);
  turn();
  dnsshare_free(s);
  CHECK_INT(e.n + f.n + d.n, 0);
}

static uv_timer_t wait_t;
static void on_wait(uv_timer_t *t) { (void)t; }

static void test_expiry_and_budget(void) {
  nsent = 0;
  dnsshare_t *s = dnsshare_new(&loop, 1 << 20, fake_send, NULL);
  got_t a = {0}, b = {0};
  ask(s, "ttl1.example", 1, &a);
  answer(0, data_answer("ttl1.example", 1));
  uv_timer_init(&loop, &wait_t);
  uv_timer_start(&wait_t, on_wait, 1100, 0);
  uv_run(&loop, UV_RUN_DEFAULT);                      /* a second goes by */
  size_t one = dnsshare_stats(s).bytes;               /* what one kept answer costs */
  CHECK(one > 0);
  ask(s, "ttl1.example", 1, &b);
  CHECK_INT(nsent, 2);                                /* expired: asked again */
  CHECK_INT(dnsshare_stats(s).bytes, 0);
  dnsshare_close(s);
  turn();
  dnsshare_free(s);

  /* a budget of about two answers: the third evicts the first */
  nsent = 0;
  size_t budget = one * 2 + one / 2;
  s = dnsshare_new(&loop, budget, fake_send, NULL);
  got_t g[6] = {{0}};
  const char *names[3] = {"one.example", "two.example", "six.example"};
  for (int i = 0; i < 3; i++) {
    ask(s, names[i], 1, &g[i]);
    answer(i, data_answer(names[i], 300));
  }
  dnsshare_stats_t st = dnsshare_stats(s);
  CHECK(st.bytes <= budget);
  CHECK_INT(st.evicted, 1);
  ask(s, "six.example", 1, &g[3]);                  /* the newest is kept */
  CHECK_INT(nsent, 3);
  ask(s, "one.example", 1, &g[4]);                    /* the oldest was evicted */
  CHECK_INT(nsent, 4);
  turn();
  CHECK_INT(g[3].n, 1);
  dnsshare_close(s);
  turn();
  dnsshare_free(s);

  /* no budget: joined but never kept */
  nsent = 0;
  s = dnsshare_new(&loop, 0, fake_send, NULL);
  ask(s, "n.example", 1, &g[0]);
  ask(s, "n.example", 1, &g[1]);
  CHECK_INT(nsent, 1);
  answer(0, data_answer("n.example", 300));
  ask(s, "n.example", 1, &g[2]);
  CHECK_INT(nsent, 2);
  dnsshare_close(s);
  turn();
  dnsshare_free(s);
}

/* A caller that asks again from inside its callback, and one that closes everything. */
static dnsshare_t *re_s;
static got_t re_inner;
static int re_calls, closer_calls;
static void on_reask(void *arg, const dns_answer_t *a) {
  (void)arg; (void)a;
  re_calls++;
  if (re_calls == 1) dnsshare_query(re_s, "re.example", 1, on_got, &re_inner);
}
static void on_closer(void *arg, const dns_answer_t *a) {
  (void)arg; (void)a;
  closer_calls++;
  dnsshare_close(re_s);
}

static void test_reentry(void) {
  nsent = 0;
  re_s = dnsshare_new(&loop, 1 << 20, fake_send, NULL);
  got_t after = {0};
  dnsshare_query(re_s, "re.example", 1, on_reask, NULL);
  answer(0, data_answer("re.example", 300));
  CHECK_INT(re_calls, 1);
  CHECK_INT(re_inner.n, 0);                           /* kept, so on a later turn */
  turn();
  CHECK_INT(re_inner.n, 1);
  CHECK_INT(nsent, 1);
  /* two callers of a kept answer: the first closes the layer, the second is dropped */
  dnsshare_query(re_s, "re.example", 1, on_closer, NULL);
  dnsshare_query(re_s, "re.example", 1, on_got, &after);
  turn();
  CHECK_INT(closer_calls, 1);
  CHECK_INT(after.n, 0);
  CHECK_INT(dnsshare_query(re_s, "re.example", 1, on_got, &after), -1);
  turn();
  dnsshare_free(re_s);
}

int main(void) {
  uv_loop_init(&loop);
  test_cacheable();
  test_join_and_keep();
  test_not_kept();
  test_expiry_and_budget();
  test_reentry();
  uv_close((uv_handle_t *)&wait_t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(uv_loop_close(&loop), 0);
  TEST_MAIN_END();
}
