/* libunbound on the libuv loop: see dns.h for why it is shaped this way. */
#include "net/dns.h"
#include "lib/list.h"
#include "lib/tokenbucket.h"
#include "net/deadline.h"
#include "net/anchor.h"
#include "net/ubconf.h"
#include "net/ubanswer.h"
#include "net/stub.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unbound.h>

typedef struct dns_query_s dns_query_t;

/* One libunbound context, its thread and its poll handle (--dns-contexts: names are spread
 * over them by a hash of the name, so that one name always meets the same cache). */
typedef struct ubc {
  dns_t *d;
  struct ub_ctx *ub;
  uv_poll_t poll;
  bool poll_started;
} ubc_t;

struct dns {
  uv_loop_t *loop;
  ubc_t *ctx;
  size_t nctx;               /* 0 in DNS_MODE_TRUSTED */
  stub_t *stub;              /* DNS_MODE_TRUSTED: the stub resolver instead of libunbound */
  bool closed;               /* dns_close ran: nothing would ever read an answer */
  double timeout;
  size_t inflight;
  size_t max_inflight;       /* queries handed to libunbound at once (see dns.h) */
  list_t sent;               /* every query in flight, newest first, for cancellation at close */
  /* libunbound's log, written from its thread: counts the sockets it could not open, so a
   * query it could not send is never recorded as one the resolver did not answer. */
  FILE *ublog;
  atomic_ulong sockfail;
  /* --dns-rate */
  tbucket_t tb;
  uv_timer_t rate_timer;
  bool rate_timer_ok;
  list_t held;               /* held back by the rate, FIFO */
  size_t queued;
  /* issue 17: whether the trust anchor validates through the servers asked (dnshealth) */
  const dns_config_t *cfg;   /* the scan's, for the checks' contexts */
  char anchor_owner[DNS_QNAME_MAX + 2];
  enum { H_UNCHECKED, H_OK, H_FAULT, H_DEAD } health;
  anchor_check_t *check;     /* in flight, or NULL */
  uint64_t check_started;    /* loop ms of the check in flight or of the last one */
  uint64_t fault_since;      /* loop ms of the first failed check of this fault */
  unsigned fault_checks;
  uv_timer_t health_timer;
  bool health_timer_ok;
  list_t suspects;           /* failed answers waiting for a check begun after they came */
};

struct dns_query_s {
  dns_t *d;
  list_t link;               /* in d->held until sent, then in d->sent */
  int async_id;
  ubc_t *c;                  /* the context the name hashes to */
  uint64_t stub_id;          /* DNS_MODE_TRUSTED */
  deadline_t timer;          /* --timeout-dns, from when libunbound has the query */
  dns_cb cb;
  void *arg;
  int qtype;
  bool done;                 /* callback delivered (by answer or timeout) */
  bool ub_pending;           /* libunbound still owns the id */
  bool suspect;              /* failed: in d->suspects until a check says whose fault */
  struct ub_result *res;     /* a suspect's answer (NULL: it timed out) */
  uint64_t failed_at;        /* loop ms */
  unsigned requeues;         /* times sent again after a resolver fault */
  unsigned long sockfail;    /* d->sockfail when the query was handed to libunbound */
  char qname[DNS_QNAME_MAX + 1];
};

enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b) {
  static const int rank[] = {0, 1, 3, 2}; /* secure, insecure, bogus, indeterminate */
  return rank[a] >= rank[b] ? a : b;
}

static void query_unlink(dns_query_t *q) {
  list_remove(&q->link);
  q->d->inflight--;
}

static void on_timer_close(uv_handle_t *h) { free(h->data); }

static void on_rate_timer(uv_timer_t *t);

/* A slot became free: queries waiting for one are sent from the loop's next turn, not from
 * inside the callback that freed it (that callback's caller may be tearing down). */
static void kick_queue(dns_t *d) {
  if (!list_empty(&d->held) && d->rate_timer_ok) uv_timer_start(&d->rate_timer, on_rate_timer, 0, 0);
}

/* Whether libunbound failed to open a socket while q was in its hands: then a SERVFAIL or
 * a silence may be ours, and the record says so instead of blaming the resolver. */
#define NOT_SENT "not sent: no socket (too many open files)"
static bool sock_failed(const dns_query_t *q) {
  return atomic_load(&q->d->sockfail) != q->sockfail;
}

/* A query is finished when both its callback has run and libunbound has let go of it. */
static void query_release(dns_query_t *q) {
  if (q->ub_pending || !q->done) return;
  deadline_close(&q->timer, on_timer_close);
}

static void deliver_error(dns_query_t *q, enum dnssec_state st, const char *reason) {
  dns_answer_t a = {0};
  a.qname = q->qname;
  a.qtype = q->qtype;
  a.outcome = DNS_ERROR;
  a.dnssec = st;
  a.rcode = 2;
  a.reason = reason;
  q->cb(q->arg, &a);
}

/* An answer to the caller, as libunbound gave it (net/ubanswer.h); res is freed. */
static void deliver_result(dns_query_t *q, struct ub_result *res) {
  dns_answer_t a;
  ubanswer_t bufs;
  ubanswer_fill(res, q->qname, q->qtype, sock_failed(q), &a, &bufs);
  q->cb(q->arg, &a);
  ub_resolve_free(res);
}

/* ---------- the trust anchor's health (issue 17; see dns.h) ----------
 *
 * Before the first query is sent, and whenever answers fail (bogus, an error rcode, a
 * timeout), a check (net/anchor.h: a fresh context, so never the cache) asks whether the
 * anchor's DNSKEY set still validates through the servers the scan uses. A failed answer
 * waits for a check begun after it came: if the anchor validates it is the domain's own
 * failure and delivered as it was; if not, the resolver (or the path to the root) is at
 * fault and the query is sent again once a check passes, so no domain is blamed for it.
 * The first check failing, or a fault lasting FAULT_GIVE_UP_MS with FAULT_CHECKS failed
 * checks, is fatal: cfg->on_fatal, then every query waiting ends in an error. */
#define CHECK_MIN_GAP_MS 1000      /* between check starts while failures keep coming */
#define FAULT_RETRY_MS 5000        /* from a failed check to the next */
#define FAULT_GIVE_UP_MS 30000
#define FAULT_CHECKS 3
#define MAX_REQUEUES 3             /* a flapping resolver: then recorded indeterminate */
#define FAULT_REASON "not resolved: the resolver failed (the trust anchor did not validate)"

static void health_check(dns_t *d);
static void on_health_timer(uv_timer_t *t) { health_check(t->data); }

static void health_later(dns_t *d, uint64_t ms) {
  if (d->health_timer_ok && !uv_is_active((uv_handle_t *)&d->health_timer))
    uv_timer_start(&d->health_timer, on_health_timer, ms, 0);
}

/* A check begun after the newest suspect came, as soon as the gap allows. */
static void health_schedule(dns_t *d) {
  if (d->check || d->health == H_DEAD) return;
  uint64_t now = uv_now(d->loop), at = d->check_started + CHECK_MIN_GAP_MS;
  health_later(d, d->health == H_UNCHECKED || at <= now ? 0 : at - now);
}

static dns_query_t *query_new(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg);

/* A query failed through no fault of its domain: sent again (a new query: the old id may
 * still be libunbound's) once a check passes; the old one is released. */
static void requeue(dns_query_t *q) {
  dns_t *d = q->d;
  if (q->res) ub_resolve_free(q->res);
  q->res = NULL;
  q->done = true;
  dns_query_t *n = q->requeues < MAX_REQUEUES ? query_new(d, q->qname, q->qtype, q->cb, q->arg) : NULL;
  if (n) {
    n->requeues = q->requeues + 1;
    list_insert_tail(&d->held, &n->link);
    d->queued++;
  } else {
    deliver_error(q, DNSSEC_INDETERMINATE, FAULT_REASON);
  }
  query_release(q);
}

/* true: q is now the health machinery's (a suspect or requeued); false: deliver it. */
static bool suspect_add(dns_query_t *q, struct ub_result *res) {
  dns_t *d = q->d;
  if (d->health == H_DEAD || d->closed) return false;
  q->suspect = true;
  q->res = res;
  q->failed_at = uv_now(d->loop);
  if (d->health == H_FAULT) { requeue(q); return true; }
  list_insert_tail(&d->suspects, &q->link);
  health_schedule(d);
  return true;
}

static void fatal(dns_t *d, const char *msg) {
  d->health = H_DEAD;
  if (d->health_timer_ok) uv_timer_stop(&d->health_timer);
  if (d->cfg->on_fatal) d->cfg->on_fatal(d->cfg->fatal_arg, msg);
  else fprintf(stderr, "mxsurvey: %s\n", msg);
  dns_query_t *q;
  while ((q = list_pop_entry(&d->suspects, dns_query_t, link))) {
    if (q->res) ub_resolve_free(q->res);
    q->res = NULL;
    q->done = true;
    deliver_error(q, DNSSEC_INDETERMINATE, FAULT_REASON);
    query_release(q);
  }
  while ((q = list_pop_entry(&d->held, dns_query_t, link))) {
    d->queued--;
    q->done = true;
    deliver_error(q, DNSSEC_INDETERMINATE, FAULT_REASON);
    query_release(q);
  }
}

static void check_failed(dns_t *d, const char *failure) {
  char msg[900], via[300];
  ubconf_describe(d->cfg, via, sizeof via);
  uint64_t now = uv_now(d->loop);
  if (d->health == H_UNCHECKED) {
    snprintf(msg, sizeof msg, "cannot validate the trust anchor's DNSKEY set for %s through %s: %s (%s)",
             d->anchor_owner, via, failure, d->cfg->mode == DNS_MODE_RECURSIVE
             ? "root servers not reachable from here, or a wrong --trust-anchor"
             : "a resolver that strips DNSSEC, refuses or does not answer, or a wrong --trust-anchor");
    fatal(d, msg);
    return;
  }
  if (d->health == H_OK) {
    d->health = H_FAULT;
    d->fault_since = now;
    d->fault_checks = 0;
    fprintf(stderr, "mxsurvey: the trust anchor's DNSKEY set for %s no longer validates through %s: %s; "
            "DNS queries held and failed ones retried until it does again (at most %d s)\n",
            d->anchor_owner, via, failure, FAULT_GIVE_UP_MS / 1000);
  }
  d->fault_checks++;
  if (d->fault_checks >= FAULT_CHECKS && now - d->fault_since >= FAULT_GIVE_UP_MS) {
    snprintf(msg, sizeof msg, "the trust anchor's DNSKEY set for %s has not validated through %s for %llu s "
             "(%u checks): %s; stopping the scan (the records written are kept: --resume completes it)",
             d->anchor_owner, via, (unsigned long long)((now - d->fault_since) / 1000), d->fault_checks, failure);
    fatal(d, msg);
    return;
  }
  dns_query_t *q;
  while ((q = list_pop_entry(&d->suspects, dns_query_t, link))) requeue(q);
  health_later(d, FAULT_RETRY_MS);
}

static void on_check(void *arg, const char *failure) {
  dns_t *d = arg;
  d->check = NULL;
  if (failure) { check_failed(d, failure); return; }
  if (d->health == H_FAULT)
    fprintf(stderr, "mxsurvey: the trust anchor validates again: resuming the DNS queries\n");
  d->health = H_OK;
  /* The suspects that came before this check began failed on their own. */
  uint64_t began = d->check_started;
  dns_query_t *q;
  while (!d->closed && (q = list_first_entry(&d->suspects, dns_query_t, link)) && q->failed_at <= began) {
    list_remove(&q->link);
    struct ub_result *res = q->res;
    q->res = NULL;
    q->done = true;
    if (res) deliver_result(q, res);
    else deliver_error(q, DNSSEC_INDETERMINATE, "timeout");
    query_release(q);
  }
  if (d->closed) return;
  if (!list_empty(&d->suspects)) health_schedule(d);
  if (!list_empty(&d->held) && d->rate_timer_ok) uv_timer_start(&d->rate_timer, on_rate_timer, 0, 0);
}

static void health_check(dns_t *d) {
  if (d->check || d->closed || d->health == H_DEAD) return;
  char err[300];
  d->check_started = uv_now(d->loop);
  d->check = anchor_check_start(d->loop, d->cfg, d->anchor_owner, d->timeout, on_check, d, err, sizeof err);
  if (!d->check) {   /* our own failure (memory, a thread), not the servers': fatal, no blame */
    char msg[340];
    snprintf(msg, sizeof msg, "cannot start the trust anchor check: %s", err);
    fatal(d, msg);
  }
}

static void on_answer(void *arg, int err, struct ub_result *res) {
  dns_query_t *q = arg;
  q->ub_pending = false;
  if (q->done || q->suspect) {  /* the deadline already answered (or suspected) for it */
    if (res) ub_resolve_free(res);
    query_release(q);
    return;
  }
  deadline_stop(&q->timer);
  query_unlink(q);
  kick_queue(q->d);
  bool failed = err == 0 && res && (res->bogus || (res->rcode != 0 && res->rcode != 3));
  if (failed && !sock_failed(q) && suspect_add(q, res)) return;
  q->done = true;
  if (err != 0 || !res) deliver_error(q, DNSSEC_INDETERMINATE, ub_strerror(err));
  else deliver_result(q, res);
  query_release(q);
}

/* DNS_MODE_TRUSTED: the stub's answer, the resolver's word on DNSSEC (net/stub.h). */
static void on_stub_answer(void *arg, const dns_answer_t *ans) {
  dns_query_t *q = arg;
  q->ub_pending = false;
  if (q->done) { query_release(q); return; }
  q->done = true;
  deadline_stop(&q->timer);
  query_unlink(q);
  kick_queue(q->d);
  q->cb(q->arg, ans);
  query_release(q);
}

/* Lets go of what the resolver holds for q: its answer will not come. */
static void resolver_cancel(dns_t *d, dns_query_t *q) {
  if (!q->ub_pending) return;
  if (d->stub) { stub_cancel(d->stub, q->stub_id); q->ub_pending = false; }
  else if (ub_cancel(q->c->ub, q->async_id) == 0) q->ub_pending = false;
}

static void on_deadline(uv_timer_t *t) {
  dns_query_t *q = t->data;
  if (q->done || q->suspect) return;
  query_unlink(q);
  kick_queue(q->d);
  /* ub_cancel: the answer callback will not run, so libunbound no longer holds q. */
  resolver_cancel(q->d, q);
  if (!sock_failed(q) && suspect_add(q, NULL)) return;
  q->done = true;
  deliver_error(q, DNSSEC_INDETERMINATE, sock_failed(q) ? NOT_SENT : "timeout");
  query_release(q);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)status; (void)events;
  ubc_t *c = p->data;
  ub_process(c->ub);
}

/* libunbound's log stream (its errors, e.g. "can't create socket: Too many open files"):
 * passed on to stderr as before, and the socket failures counted. Runs in libunbound's
 * thread; the counter is atomic. */
static ssize_t ublog_write(void *cookie, const char *buf, size_t len) {
  dns_t *d = cookie;
  if (memmem(buf, len, "Too many open files", 19)) atomic_fetch_add(&d->sockfail, 1);
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(2, buf + off, len - off);
    if (n <= 0) break;
    off += (size_t)n;
  }
  return (ssize_t)len;
}

/* Starts a context's thread (net/ubconf.h), its log to ours: the counted stream. */
static int ub_start(dns_t *d, ubc_t *c, const dns_config_t *cfg, char *err, size_t errlen) {
  cookie_io_functions_t io = {.write = ublog_write};
  if (!d->ublog && (d->ublog = fopencookie(d, "w", io)) != NULL) setvbuf(d->ublog, NULL, _IOLBF, 0);
  return ubconf_start(c->ub, d->ublog, cfg, err, errlen);
}

/* One context per --dns-contexts (0: one per core), each with its share of the cache and
 * of the sockets. 0 ok; -1 with err set (what was made is deleted); -2: a thread is gone
 * (its context is not deleted: ub_ctx_delete would wait for it). */
static int contexts_new(dns_t *d, const dns_config_t *cfg, size_t outgoing, char *err, size_t errlen) {
  /* 0: one per core (at most 8): one thread validates for all domains otherwise. */
  d->nctx = ubconf_contexts(cfg->contexts, uv_available_parallelism());
  if (!(d->ctx = calloc(d->nctx, sizeof *d->ctx))) { snprintf(err, errlen, "out of memory"); return -1; }
  dns_config_t sub = *cfg;
  size_t mb = cfg->cache_mb ? cfg->cache_mb : 256;
  sub.cache_mb = mb / d->nctx < 4 ? 4 : mb / d->nctx;
  size_t out = outgoing / d->nctx < 16 ? 16 : outgoing / d->nctx;
  int fd = 0;
  for (size_t i = 0; i < d->nctx && fd >= 0; i++) {
    ubc_t *c = &d->ctx[i];
    c->d = d;
    if (!(c->ub = ub_ctx_create())) { snprintf(err, errlen, "cannot create libunbound context"); fd = -1; break; }
    fd = -1;
    if (ubconf_apply(c->ub, &sub, out, true, err, errlen) == 0 &&
        ubconf_anchor(c->ub, cfg->trust_anchor, d->anchor_owner, sizeof d->anchor_owner, err, errlen) == 0)
      fd = ub_start(d, c, cfg, err, errlen);
    if (fd == -2) c->ub = NULL;    /* its thread is gone: never deleted */
    if (fd >= 0 && uv_poll_init(d->loop, &c->poll, fd) != 0) {
      snprintf(err, errlen, "uv_poll_init failed");
      fd = -1;
    }
    if (fd >= 0) c->poll_started = true;
  }
  if (fd >= 0) return 0;
  for (size_t i = 0; i < d->nctx; i++) {
    if (d->ctx[i].poll_started) uv_close((uv_handle_t *)&d->ctx[i].poll, NULL);
    d->ctx[i].poll_started = false;
  }
  return fd;
}

/* After contexts_new failed: the contexts are deleted once the loop has closed their poll
 * handles (dns_new runs it: nothing else is on the loop yet at set-up). */
static void contexts_abandon(dns_t *d) {
  uv_run(d->loop, UV_RUN_NOWAIT);
  for (size_t i = 0; d->ctx && i < d->nctx; i++)
    if (d->ctx[i].ub) ub_ctx_delete(d->ctx[i].ub);
  if (d->ublog) fclose(d->ublog);
  free(d->ctx);
  free(d);
}


dns_t *dns_new(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen) {
  dns_t *d = calloc(1, sizeof *d);
  if (!d) { snprintf(err, errlen, "out of memory"); return NULL; }
  d->loop = loop;
  list_init(&d->sent);
  list_init(&d->held);
  list_init(&d->suspects);
  d->cfg = cfg;
  d->health = H_UNCHECKED;
  d->timeout = cfg->timeout > 0 ? cfg->timeout : 10;
  size_t outgoing = cfg->outgoing ? cfg->outgoing : 4096;
  d->max_inflight = cfg->max_inflight ? cfg->max_inflight : outgoing / 2 ? outgoing / 2 : 1;
  atomic_init(&d->sockfail, 0);
  if (cfg->mode == DNS_MODE_TRUSTED) {
    if (!(d->stub = stub_new_trusted(loop, cfg, err, errlen))) { free(d); return NULL; }
    /* The stub checked that the resolver validates (AD on . DNSKEY) before the loop runs;
     * a resolver going silent later is still checked (on_deadline's suspects) through a
     * fresh libunbound context forwarding to it (net/anchor.h). */
    snprintf(d->anchor_owner, sizeof d->anchor_owner, ".");
    d->health = H_OK;
    goto started;
  }
  if (contexts_new(d, cfg, outgoing, err, errlen) != 0) {
    contexts_abandon(d);
    return NULL;
  }
  for (size_t i = 0; i < d->nctx; i++) {
    d->ctx[i].poll.data = &d->ctx[i];
    uv_poll_start(&d->ctx[i].poll, UV_READABLE, on_poll);
  }
started:
  tb_init(&d->tb, cfg->rate, 0, uv_now(loop));
  uv_timer_init(loop, &d->rate_timer);
  d->rate_timer.data = d;
  d->rate_timer_ok = true;
  uv_timer_init(loop, &d->health_timer);
  d->health_timer.data = d;
  d->health_timer_ok = true;
  return d;
}

/* Hands a query to libunbound and starts its deadline. -1 if libunbound refused it. */
static int query_send(dns_t *d, dns_query_t *q) {
  int rc = d->stub ? stub_send(d->stub, q->qname, q->qtype, on_stub_answer, q, &q->stub_id)
                   : ub_resolve_async(q->c->ub, q->qname, q->qtype, 1 /* IN */, q, on_answer, &q->async_id);
  if (rc != 0) return -1;
  q->ub_pending = true;
  q->sockfail = atomic_load(&d->sockfail);
  list_insert_head(&d->sent, &q->link);
  d->inflight++;
  deadline_start(&q->timer, on_deadline, (uint64_t)(d->timeout * 1000));
  return 0;
}

/* Sends queued queries while libunbound has a free slot and the bucket has tokens; then
 * waits for the next token (a freed slot kicks the queue itself). */
static void drain_queue(dns_t *d) {
  if (d->health != H_OK) return;     /* held until the anchor validates (health_check) */
  uint64_t now = uv_now(d->loop);
  while (!list_empty(&d->held) && d->inflight < d->max_inflight && tb_take(&d->tb, now)) {
    dns_query_t *q = list_pop_entry(&d->held, dns_query_t, link);
    d->queued--;
    if (query_send(d, q) != 0) {
      /* The caller was told the query started: it gets its one callback. */
      q->done = true;
      deliver_error(q, DNSSEC_INDETERMINATE, "could not start query");
      query_release(q);
    }
  }
  if (!list_empty(&d->held) && d->inflight < d->max_inflight)
    uv_timer_start(&d->rate_timer, on_rate_timer, tb_wait_ms(&d->tb, now), 0);
}

static void on_rate_timer(uv_timer_t *t) { drain_queue(t->data); }

static dns_query_t *query_new(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg) {
  dns_query_t *q = calloc(1, sizeof *q);
  if (!q) return NULL;
  size_t l = strlen(name);
  if (l >= sizeof q->qname) { free(q); return NULL; }
  memcpy(q->qname, name, l + 1);
  q->d = d;
  q->cb = cb;
  q->arg = arg;
  q->qtype = rrtype;
  deadline_init(d->loop, &q->timer);
  q->timer.timer.data = q;
  uint32_t h = 2166136261u;     /* FNV-1a of the lowercased name: its context */
  for (const char *p = q->qname; *p; p++) h = (h ^ (uint8_t)tolower((unsigned char)*p)) * 16777619u;
  q->c = d->nctx ? &d->ctx[h % d->nctx] : NULL;
  return q;
}

int dns_query(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg) {
  /* After dns_close (perhaps from inside a callback) the poll handle is gone: a query
   * sent now would only end at its deadline, keeping the loop alive meanwhile. After a
   * fatal resolver fault nothing is sent any more. */
  if (d->closed || d->health == H_DEAD) return -1;
  dns_query_t *q = query_new(d, name, rrtype, cb, arg);
  if (!q) return -1;
  if (d->health != H_OK) {
    /* Until the anchor has validated (the first query starts the check): held, in order. */
    list_insert_tail(&d->held, &q->link);
    d->queued++;
    if (d->health == H_UNCHECKED) health_schedule(d);
    return 0;
  }
  if (!list_empty(&d->held) || d->inflight >= d->max_inflight ||
      !tb_take(&d->tb, uv_now(d->loop))) {
    /* Held back by --dns-rate or by libunbound's free slots: sent later, in order, its
     * deadline starting then. */
    list_insert_tail(&d->held, &q->link);
    d->queued++;
    if (d->queued == 1 && d->inflight < d->max_inflight)
      uv_timer_start(&d->rate_timer, on_rate_timer, tb_wait_ms(&d->tb, uv_now(d->loop)), 0);
    return 0;
  }
  if (query_send(d, q) != 0) {
    q->done = true;
    deadline_close(&q->timer, on_timer_close);
    return -1;
  }
  return 0;
}

size_t dns_inflight(const dns_t *d) { return d->inflight; }

size_t dns_queued(const dns_t *d) { return d ? d->queued : 0; }
size_t dns_contexts(const dns_t *d) { return d->nctx; }

void dns_close(dns_t *d) {
  d->closed = true;
  dns_query_t *q;
  while ((q = list_first_entry(&d->sent, dns_query_t, link))) {
    q->done = true;
    query_unlink(q);
    resolver_cancel(d, q);
    deadline_stop(&q->timer);
    if (!q->ub_pending) deadline_close(&q->timer, on_timer_close);
  }
  /* failed answers waiting for a check: libunbound may still hold one that timed out */
  while ((q = list_pop_entry(&d->suspects, dns_query_t, link))) {
    if (q->res) ub_resolve_free(q->res);
    q->res = NULL;
    q->done = true;
    if (!q->ub_pending) deadline_close(&q->timer, on_timer_close);
  }
  anchor_check_cancel(d->check);
  d->check = NULL;
  if (d->health_timer_ok) {
    uv_timer_stop(&d->health_timer);
    uv_close((uv_handle_t *)&d->health_timer, NULL);
    d->health_timer_ok = false;
  }
  /* never sent: nothing of libunbound's to wait for */
  while ((q = list_pop_entry(&d->held, dns_query_t, link))) {
    q->done = true;
    deadline_close(&q->timer, on_timer_close);
  }
  d->queued = 0;
  if (d->rate_timer_ok) {
    uv_timer_stop(&d->rate_timer);
    uv_close((uv_handle_t *)&d->rate_timer, NULL);
    d->rate_timer_ok = false;
  }
  if (d->stub) stub_close(d->stub);
  for (size_t i = 0; i < d->nctx; i++) {
    if (!d->ctx[i].poll_started) continue;
    uv_poll_stop(&d->ctx[i].poll);
    uv_close((uv_handle_t *)&d->ctx[i].poll, NULL);
    d->ctx[i].poll_started = false;
  }
}

void dns_free(dns_t *d) {
  if (!d) return;
  if (d->stub) stub_free(d->stub);
  for (size_t i = 0; i < d->nctx; i++)
    ub_ctx_delete(d->ctx[i].ub);  /* stops libunbound's thread: nothing writes the log now */
  free(d->ctx);
  if (d->ublog) fclose(d->ublog);
  free(d);
}
