/* A test client of the TLS profile (smtp/profile.h, issue 15): NREQ requests at once for
 * the profile of 127.0.0.1 (loopback only: the tests' own servers, on PORT), through the
 * scheduler (polite/sched.h) on a libuv loop, exactly as the scan will; with --again one
 * more request once they are done (a hit from the cache, or a new profile with --cache 0).
 * Prints one line per request for tests/tls/profile_servers.py. Not part of the program.
 *
 * usage: profile_probe PORT NREQ [--again] [--cache N] [--retries N] [--t-tls SECONDS] [--full]
 * The line: req (its number), rc (wait or hit), done, shared, connections, partial (spaces
 * as '_', "-" if none), then for each version (ssl3 tls1.0 tls1.1 tls1.2 tls1.3) its state
 * (untested, accepted, refused, error), suite.V (accepted: the suite, 0x....) and why.V
 * (the reason, spaces as '_', "-" if none). With --full (the full mode, for
 * tests/tls/full_servers.py) also, per class (good sufficient phase-out insufficient),
 * C=untested|accepted|refused (refused: tested, none accepted), C.suites (IANA names
 * joined by ',', "-" if none) and C.complete (0/1); order (unknown, yes, no); dhe
 * (untested or the prime's bits) and dhe.class; ecdhe.G (x25519 p256 p384 p521: the
 * group's state); and the grade (checks/tls_grade.c: grade, findings as
 * check:level joined by ','). */
#include "checks/tls_grade.h"
#include "polite/sched.h"
#include "smtp/profile.h"
#include "tls/suites.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NREQ_MAX 8

static const char *const vname[PV_COUNT] = {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
static const char *const sname[PVS_COUNT] = {"untested", "accepted", "refused", "error"};

typedef struct req {
  int n;
  int rc;
  bool done;
  profile_result_t res;
} req_t;

static void word(const char *key, const char *s) {
  printf(" %s=", key);
  for (; s && *s; s++) putchar(*s == ' ' ? '_' : *s);
  if (!s) putchar('-');
}

static bool full;

static void print_full(const profile_result_t *r) {
  static const char *const cname[TLS_CLASS_COUNT] = {"good", "sufficient", "phase-out",
                                                     "insufficient"};
  static const char *const gname[PG_COUNT] = {"x25519", "p256", "p384", "p521"};
  static const char *const tri[] = {"unknown", "yes", "no"};
  for (int c = 0; c < TLS_CLASS_COUNT; c++) {
    const profile_class_res_t *k = &r->ciphers[c];
    printf(" %s=%s %s.suites=", cname[c], !k->tested ? "untested" : k->accepted ? "accepted"
                                                                   : "refused", cname[c]);
    for (size_t i = 0; i < k->nsuites; i++) {
      const char *n = tls_suite_name(k->suites[i]);
      printf(i ? ",%s" : "%s", n ? n : "?");
    }
    if (k->nsuites == 0) putchar('-');
    printf(" %s.complete=%d", cname[c], k->complete);
  }
  printf(" order=%s", tri[r->server_order]);
  if (r->dhe_tested) printf(" dhe=%u dhe.class=%s", r->dhe_bits,
                            r->dhe_bits ? cname[r->dhe_class] : "-");
  else printf(" dhe=untested dhe.class=-");
  for (int g = 0; g < PG_COUNT; g++) printf(" ecdhe.%s=%s", gname[g], sname[r->ecdhe[g]]);
  tls_grade_t *gr = calloc(1, sizeof *gr);
  if (!gr) return;
  tls_grade_compute(r, NULL, gr);
  printf(" grade=%s findings=", gr->have ? cname[gr->grade] : "-");
  for (size_t i = 0; i < gr->nfindings; i++) {
    static const char *const chk[TFC_COUNT] = {"version", "cipher", "kex", "renegotiation",
                                               "cert", "coverage"};
    const tls_finding_t *f = &gr->findings[i];
    printf("%s%s:%s", i ? "," : "", chk[f->check],
           f->level < TLS_CLASS_COUNT ? cname[f->level] : "info");
  }
  if (gr->nfindings == 0) putchar('-');
  free(gr);
}

static void print(req_t *q) {
  profile_result_t *r = &q->res;
  printf("req=%d rc=%s done=%d shared=%d connections=%u", q->n,
         q->rc == PROFILE_HIT ? "hit" : "wait", r->done, r->shared, r->connections);
  word("partial", r->partial);
  for (int v = 0; v < PV_COUNT; v++) {
    char k[32];
    printf(" %s=%s suite.%s=0x%04x", vname[v], sname[r->versions[v]], vname[v], r->suites[v]);
    snprintf(k, sizeof k, "why.%s", vname[v]);
    word(k, r->reasons[v]);
  }
  if (full) print_full(r);
  printf("\n");
  fflush(stdout);
}

static void on_done(void *arg) {
  req_t *q = arg;
  q->done = true;
}

static void die(const char *m) {
  fprintf(stderr, "profile_probe: %s\n", m);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 3) die("usage: profile_probe PORT NREQ [--again] [--cache N] [--retries N]");
  int nreq = atoi(argv[2]);
  bool again = false;
  size_t cache = 16;
  unsigned retries = 0;
  double t_tls = 5;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--again") == 0) again = true;
    else if (i + 1 < argc && strcmp(argv[i], "--cache") == 0) cache = (size_t)atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--retries") == 0) retries = (unsigned)atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--t-tls") == 0) t_tls = atof(argv[++i]);
    else if (strcmp(argv[i], "--full") == 0) full = true;
    else die("unknown option");
  }
  if (nreq < 1 || nreq + (again ? 1 : 0) > NREQ_MAX) die("NREQ out of range");
  signal(SIGPIPE, SIG_IGN);   /* as the scan does (scan/run.c): a closed peer is a result */
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) die("uv_loop_init failed");
  sched_config_t cfg = {.rate = 0, .per_ip = 1, .ip_interval = 0, .per_prefix = 1,
                        .max_probes = 4, .retries = retries, .retry_delay = 0.1};
  sched_t *s = sched_new(&loop, &cfg);
  smtp_opts_t opts = {.port = atoi(argv[1]), .ehlo = "profile.test.invalid", .t_connect = 5,
                      .t_banner = 5, .t_smtp = 5, .t_tls = t_tls};
  profile_t *p = s ? profile_new(&loop, s, NULL, &opts, full ? PROFILE_FULL : PROFILE_BASIC, cache) : NULL;
  if (!p) die("profile_new failed");
  uint8_t addr[16] = {127, 0, 0, 1};
  req_t q[NREQ_MAX];
  int total = nreq + (again ? 1 : 0);
  for (int i = 0; i < total; i++) {
    if (i == nreq) {          /* --again: after the others are done */
      for (int j = 0; j < nreq; j++)
        while (!q[j].done) uv_run(&loop, UV_RUN_ONCE);
    }
    q[i] = (req_t){.n = i};
    q[i].rc = profile_request(p, AF_INET, addr, "mx.profile.mxlab", &q[i].res, on_done, &q[i]);
    if (q[i].rc == PROFILE_FAIL) die("profile_request failed");
    if (q[i].rc == PROFILE_HIT) q[i].done = true;
  }
  for (int i = 0; i < total; i++) {
    while (!q[i].done) uv_run(&loop, UV_RUN_ONCE);
  }
  for (int i = 0; i < total; i++) {
    print(&q[i]);
    profile_result_free(&q[i].res);
  }
  profile_free(p);
  sched_close(s);
  uv_run(&loop, UV_RUN_DEFAULT);
  sched_free(s);
  return uv_loop_close(&loop) == 0 ? 0 : 1;
}
