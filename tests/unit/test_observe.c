/* The observation cache without a network: a fake probe function records the probes the
 * cache starts, and the test finishes them by hand with results of its choosing. */
#include "smtp/observe.h"
#include "testlib.h"

#include <arpa/inet.h>
#include <stdlib.h>

/* ---- the fake prober ---- */

#define MAXP 64
typedef struct fake_probe {
  int family;
  uint8_t addr[16];
  char sni[64];
  smtp_done_cb cb;
  void *arg;
  bool finished;
} fake_probe_t;

static fake_probe_t probes[MAXP];
static int nprobes;
static bool fail_next_start;

static int fake_start(void *probe_arg, int family, const uint8_t addr[16], const char *sni,
                      smtp_done_cb cb, void *cb_arg) {
  (void)probe_arg;
  if (fail_next_start) { fail_next_start = false; return -1; }
  if (nprobes == MAXP) return -1;
  fake_probe_t *p = &probes[nprobes++];
  memset(p, 0, sizeof *p);
  p->family = family;
  memcpy(p->addr, addr, 16);
  snprintf(p->sni, sizeof p->sni, "%s", sni);
  p->cb = cb;
  p->arg = cb_arg;
  return 0;
}

/* Kinds of outcome the prober can report. */
enum outcome { TLS_OK, TLS_HS_FAIL, NO_CONNECT };

static void finish(int i, enum outcome how, const char *leaf) {
  fake_probe_t *p = &probes[i];
  smtp_result_t r;
  smtp_result_init(&r);
  if (how == NO_CONNECT) {
    r.connect = SMTP_CONNECT_REFUSED;
    smtp_result_set_error(&r, SMTP_STAGE_CONNECT, "refused");
  } else {
    r.connect = SMTP_CONNECT_OK;
    r.banner = strdup("220 mx.example ESMTP");
    r.banner_code = 220;
    r.starttls = SMTP_STARTTLS_OFFERED;
    if (how == TLS_HS_FAIL) {
      smtp_result_set_error(&r, SMTP_STAGE_TLS, "alert handshake failure");
    } else {
      r.have_tls = true;
      snprintf(r.tls.version, sizeof r.tls.version, "TLSv1.3");
      r.tls.have_cert = true;
      r.tls.cert.subject = strdup(p->sni);   /* tells the tests which probe answered */
      snprintf(r.tls.cert.sha256, sizeof r.tls.cert.sha256, "%s", leaf);
      r.tls.dane_depth = -1;
    }
  }
  p->finished = true;
  p->cb(p->arg, &r);
  smtp_result_free(&r);   /* the callee took what it wanted */
}

/* ---- the requesters ---- */

#define MAXR 64
typedef struct req {
  int calls;
  smtp_result_t res;
} req_t;
static req_t reqs[MAXR];

static void on_done(void *arg, smtp_result_t *res) {
  req_t *r = arg;
  r->calls++;
  r->res = *res;
  smtp_result_init(res);
}

static void reset(void) {
  for (int i = 0; i < MAXR; i++) {
    smtp_result_free(&reqs[i].res);
    reqs[i].calls = 0;
  }
  nprobes = 0;
}

static uint8_t A1[16], A2[16], A6[16];

static int ask(observe_t *o, int family, const uint8_t *addr, const char *sni, int r) {
  smtp_result_init(&reqs[r].res);
  return observe_request(o, family, addr, sni, &reqs[r].res, on_done, &reqs[r]);
}

static const char *subject(int r) {
  return reqs[r].res.have_tls ? reqs[r].res.tls.cert.subject : NULL;
}

static void test_waiters_and_marks(void) {
  observe_config_t cfg = {true, 16, 0};
  observe_t *o = observe_new(&cfg, fake_start, NULL);
  CHECK_INT(ask(o, AF_INET, A1, "mx.provider.example", 0), OBSERVE_WAIT);
  CHECK_INT(ask(o, AF_INET, A1, "MX.Provider.Example", 1), OBSERVE_WAIT);  /* names fold case */
  CHECK_INT(ask(o, AF_INET, A1, "mx.provider.example", 2), OBSERVE_WAIT);
  CHECK_INT(nprobes, 1);
  /* Other SNI, other address, other family: their own probes. */
  CHECK_INT(ask(o, AF_INET, A1, "mx.other.example", 3), OBSERVE_WAIT);
  CHECK_INT(ask(o, AF_INET, A2, "mx.provider.example", 4), OBSERVE_WAIT);
  CHECK_INT(ask(o, AF_INET6, A6, "mx.provider.example", 5), OBSERVE_WAIT);
  CHECK_INT(nprobes, 4);
  CHECK_INT(reqs[0].calls, 0);

  finish(0, TLS_OK, "aa");
  for (int r = 0; r < 3; r++) {
    CHECK_INT(reqs[r].calls, 1);
    CHECK(reqs[r].res.have_tls);
    CHECK_STR(subject(r), "mx.provider.example");
    CHECK(!reqs[r].res.inferred);
  }
  CHECK(!reqs[0].res.shared);   /* the first requester's own probe */
  CHECK(reqs[1].res.shared && reqs[2].res.shared);
  /* Each requester owns a copy: freeing one leaves the others intact. */
  smtp_result_free(&reqs[0].res);
  CHECK_STR(subject(1), "mx.provider.example");
  CHECK(reqs[1].res.tls.cert.subject != reqs[2].res.tls.cert.subject);

  /* A later request is answered at once from the finished entry. */
  CHECK_INT(ask(o, AF_INET, A1, "mx.provider.example", 6), OBSERVE_HIT);
  CHECK_INT(reqs[6].calls, 0);
  CHECK(reqs[6].res.shared);
  CHECK_STR(subject(6), "mx.provider.example");
  CHECK_INT(nprobes, 4);

  finish(1, NO_CONNECT, NULL);
  finish(2, TLS_OK, "bb");
  finish(3, TLS_OK, "cc");
  CHECK_INT(reqs[3].calls, 1);
  CHECK_INT(reqs[3].res.connect, SMTP_CONNECT_REFUSED);
  CHECK(!reqs[3].res.shared);
  /* Failures are observations too: shared like any other. */
  CHECK_INT(ask(o, AF_INET, A1, "mx.other.example", 7), OBSERVE_HIT);
  CHECK_INT(reqs[7].res.connect, SMTP_CONNECT_REFUSED);
  CHECK(reqs[7].res.shared);

  const observe_stats_t *st = observe_stats(o);
  CHECK_INT(st->requests, 8);
  CHECK_INT(st->probes, 4);
  CHECK_INT(st->shared, 4);
  CHECK_INT(st->inferred, 0);
  observe_free(o);
  reset();
}

static void test_no_share(void) {
  observe_config_t cfg = {false, 16, 3};
  observe_t *o = observe_new(&cfg, fake_start, NULL);
  for (int r = 0; r < 3; r++) CHECK_INT(ask(o, AF_INET, A1, "mx.provider.example", r), OBSERVE_WAIT);
  CHECK_INT(nprobes, 3);
  for (int i = 0; i < 3; i++) finish(i, TLS_OK, "aa");
  for (int r = 0; r < 3; r++) {
    CHECK_INT(reqs[r].calls, 1);
    CHECK(!reqs[r].res.shared && !reqs[r].res.inferred);
  }
  CHECK_INT(ask(o, AF_INET, A1, "mx.provider.example", 3), OBSERVE_WAIT);  /* nothing cached */
  CHECK_INT(nprobes, 4);
  finish(3, TLS_OK, "aa");
  CHECK_INT(observe_cached(o), 0);
  CHECK_INT(observe_stats(o)->shared, 0);
  observe_free(o);
  reset();
}

static void test_eviction(void) {
  observe_config_t cfg = {true, 2, 0};
  observe_t *o = observe_new(&cfg, fake_start, NULL);
  ask(o, AF_INET, A1, "a.example", 0);
  ask(o, AF_INET, A1, "b.example", 1);
  ask(o, AF_INET, A1, "c.example", 2);
  CHECK_INT(observe_cached(o), 0);    /* in flight: not counted, never evicted */
  finish(0, TLS_OK, "aa");
  finish(1, TLS_OK, "aa");
  CHECK_INT(observe_cached(o), 2);
  CHECK_INT(ask(o, AF_INET, A1, "a.example", 3), OBSERVE_HIT);   /* a is now the most recent */
  finish(2, TLS_OK, "aa");                                       /* evicts b */
  CHECK_INT(observe_cached(o), 2);
  CHECK_INT(observe_stats(o)->evicted, 1);
  CHECK_INT(ask(o, AF_INET, A1, "a.example", 4), OBSERVE_HIT);
  CHECK_INT(ask(o, AF_INET, A1, "c.example", 5), OBSERVE_HIT);
  CHECK_INT(ask(o, AF_INET, A1, "b.example", 6), OBSERVE_WAIT);  /* probed again */
  CHECK_INT(nprobes, 4);
  finish(3, TLS_OK, "aa");
  CHECK_INT(reqs[6].calls, 1);
  CHECK(!reqs[6].res.shared);

  /* No cache at all: in-flight sharing only. */
  observe_free(o);
  reset();
  cfg.cache_max = 0;
  o = observe_new(&cfg, fake_start, NULL);
  ask(o, AF_INET, A1, "a.example", 0);
  ask(o, AF_INET, A1, "a.example", 1);
  CHECK_INT(nprobes, 1);
  finish(0, TLS_OK, "aa");
  CHECK(reqs[1].calls == 1 && reqs[1].res.shared);
  CHECK_INT(observe_cached(o), 0);
  CHECK_INT(ask(o, AF_INET, A1, "a.example", 2), OBSERVE_WAIT);
  finish(1, TLS_OK, "aa");

  /* A probe that cannot start leaves nothing behind. */
  fail_next_start = true;
  CHECK_INT(ask(o, AF_INET, A1, "z.example", 3), OBSERVE_FAIL);
  CHECK_INT(ask(o, AF_INET, A1, "z.example", 4), OBSERVE_WAIT);
  finish(2, TLS_OK, "aa");
  CHECK_INT(reqs[3].calls, 0);
  CHECK_INT(reqs[4].calls, 1);
  observe_free(o);
  reset();
}

static void test_inference(void) {
  CHECK(!observe_may_infer(0, 5, false));
  CHECK(!observe_may_infer(2, 1, false));
  CHECK(observe_may_infer(2, 2, false));
  CHECK(!observe_may_infer(2, 9, true));

  observe_config_t cfg = {true, 16, 2};
  observe_t *o = observe_new(&cfg, fake_start, NULL);
  /* Same name twice counts once; a failure before TLS teaches nothing. */
  ask(o, AF_INET, A1, "d1.example", 0);
  finish(0, TLS_OK, "aa");
  ask(o, AF_INET, A1, "d1.example", 1);              /* shared, not a new name */
  CHECK_INT(ask(o, AF_INET, A1, "d2.example", 2), OBSERVE_WAIT);
  CHECK_INT(nprobes, 2);
  finish(1, NO_CONNECT, NULL);
  CHECK_INT(ask(o, AF_INET, A1, "d3.example", 3), OBSERVE_WAIT);
  CHECK_INT(nprobes, 3);
  finish(2, TLS_OK, "aa");                           /* d1, d3: two names, one leaf */
  CHECK_INT(ask(o, AF_INET, A1, "d4.example", 4), OBSERVE_HIT);
  CHECK(reqs[4].res.inferred && !reqs[4].res.shared);
  CHECK_STR(reqs[4].res.inferred_from, "d3.example");
  CHECK_STR(subject(4), "d3.example");
  CHECK_INT(nprobes, 3);
  CHECK_INT(observe_stats(o)->inferred, 1);
  /* Other addresses learn nothing from A1. */
  CHECK_INT(ask(o, AF_INET, A2, "d4.example", 5), OBSERVE_WAIT);
  CHECK_INT(ask(o, AF_INET6, A6, "d4.example", 6), OBSERVE_WAIT);
  finish(3, TLS_OK, "11");
  finish(4, TLS_OK, "aa");

  /* Two different leaves on A2: never inferred, however many names agree later. */
  ask(o, AF_INET, A2, "e1.example", 7);
  ask(o, AF_INET, A2, "e2.example", 8);
  finish(5, TLS_OK, "11");
  finish(6, TLS_OK, "22");
  for (int i = 0; i < 3; i++) {
    char n[32];
    snprintf(n, sizeof n, "f%d.example", i);
    CHECK_INT(ask(o, AF_INET, A2, n, 9 + i), OBSERVE_WAIT);
    finish(nprobes - 1, TLS_OK, "11");
  }
  CHECK_INT(ask(o, AF_INET, A2, "g.example", 12), OBSERVE_WAIT);
  finish(nprobes - 1, TLS_OK, "11");
  CHECK(!reqs[12].res.inferred);

  /* A TLS failure for one name among successes: never inferred either. */
  uint8_t A3[16] = {192, 0, 2, 3};
  ask(o, AF_INET, A3, "h1.example", 13);
  finish(nprobes - 1, TLS_OK, "33");
  ask(o, AF_INET, A3, "h2.example", 14);
  finish(nprobes - 1, TLS_HS_FAIL, NULL);
  ask(o, AF_INET, A3, "h3.example", 15);
  finish(nprobes - 1, TLS_OK, "33");
  CHECK_INT(ask(o, AF_INET, A3, "h4.example", 16), OBSERVE_WAIT);
  finish(nprobes - 1, TLS_OK, "33");
  CHECK(!reqs[16].res.inferred);
  CHECK_INT(observe_stats(o)->inferred, 1);
  observe_free(o);
  reset();

  /* A probe still in flight when the cache goes keeps its entry and its waiters. */
  o = observe_new(&cfg, fake_start, NULL);
  ask(o, AF_INET, A1, "x.example", 0);
  ask(o, AF_INET, A1, "x.example", 1);
  observe_free(o);
  finish(0, TLS_OK, "aa");
  CHECK(reqs[0].calls == 1 && reqs[1].calls == 1);
  CHECK(!reqs[0].res.shared && reqs[1].res.shared);
  reset();
}

int main(void) {
  inet_pton(AF_INET, "192.0.2.1", A1);
  inet_pton(AF_INET, "192.0.2.2", A2);
  inet_pton(AF_INET6, "2001:db8::1", A6);
  for (int i = 0; i < MAXR; i++) smtp_result_init(&reqs[i].res);
  test_waiters_and_marks();
  test_no_share();
  test_eviction();
  test_inference();
  TEST_MAIN_END();
}
