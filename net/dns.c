/* libunbound on the libuv loop: see dns.h for why it is shaped this way. The trust
 * anchor's health (queries held, failed answers judged by a check) is net/dnshealth.c;
 * the types both share are in net/dns_int.h. */
#include "net/dns_int.h"
#include "net/ubconf.h"
#include "net/ubanswer.h"
#include "net/blame.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b) {
  static const int rank[] = {0, 1, 3, 2}; /* secure, insecure, bogus, indeterminate */
  return rank[a] >= rank[b] ? a : b;
}

static void query_unlink(dns_query_t *q) {
  list_remove(&q->link);
  q->d->inflight--;
}

static void on_timer_close(uv_handle_t *h) { free(h->data); }

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

void query_release(dns_query_t *q) {
  if (q->ub_pending || !q->done) return;
  deadline_close(&q->timer, on_timer_close);
}

void deliver_error(dns_query_t *q, enum dnssec_state st, const char *reason) {
  dns_answer_t a = {0};
  a.qname = q->qname;
  a.qtype = q->qtype;
  a.outcome = DNS_ERROR;
  a.dnssec = st;
  a.rcode = 2;
  a.reason = reason;
  q->cb(q->arg, &a);
}

void deliver_result(dns_query_t *q, struct ub_result *res) {
  dns_answer_t a;
  ubanswer_t bufs;
  ubanswer_fill(res, q->qname, q->qtype, sock_failed(q), &a, &bufs);
  q->cb(q->arg, &a);
  ub_resolve_free(res);
}

static int query_start(void *ctx, const char *name, int rrtype, dns_cb cb, void *arg);


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
  dns_failure_t f = {.answered = true, .local_error = err != 0 || !res, .sock_failed = sock_failed(q),
                     .rcode = res ? res->rcode : 2, .bogus = res && res->bogus};
  if (dns_blame(&f) == DNS_BLAME_CHECK && suspect_add(q, res, NULL)) return;
  q->done = true;
  if (err != 0 || !res) deliver_error(q, DNSSEC_INDETERMINATE, ub_strerror(err));
  else deliver_result(q, res);
  query_release(q);
}

/* DNS_MODE_TRUSTED: the stub's answer, the resolver's word on DNSSEC (net/stub.h); a
 * failed one goes through the same health checks as libunbound's (net/blame.c). */
static void on_stub_answer(void *arg, const dns_answer_t *ans) {
  dns_query_t *q = arg;
  q->ub_pending = false;
  if (q->done || q->suspect) { query_release(q); return; }
  deadline_stop(&q->timer);
  query_unlink(q);
  kick_queue(q->d);
  dns_failure_t f = {.answered = true, .rcode = ans->rcode, .bogus = ans->dnssec == DNSSEC_BOGUS};
  stub_kept_t *k = dns_blame(&f) == DNS_BLAME_CHECK ? stub_keep(ans) : NULL;
  if (k && suspect_add(q, NULL, k)) return;
  free(k);
  q->done = true;
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
  dns_failure_t f = {.answered = false, .sock_failed = sock_failed(q)};
  if (dns_blame(&f) == DNS_BLAME_CHECK && suspect_add(q, NULL, NULL)) return;
  q->done = true;
  deliver_error(q, DNSSEC_INDETERMINATE, sock_failed(q) ? NOT_SENT : "timeout");
  query_release(q);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)status; (void)events;
  ubc_t *c = p->data;
  ub_process(c->ub);
}

/* Starts a context's thread (net/ubconf.h), its log to ours: the counted stream. */
static int ub_start(dns_t *d, ubc_t *c, const dns_config_t *cfg, char *err, size_t errlen) {
  if (!d->ublog) d->ublog = ubconf_log_open(&d->sockfail);
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
     * its failures later go through the checks like libunbound's (net/blame.c). */
    snprintf(d->anchor_owner, sizeof d->anchor_owner, ".");
    d->health = H_OK;
    /* What libunbound's cache and mesh do in the other modes (net/dnsshare.h), within the
     * same --dns-cache-mb; out of memory: every query its own, as before. */
    d->share = dnsshare_new(loop, (cfg->cache_mb ? cfg->cache_mb : 256) << 20, query_start, d);
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

void on_rate_timer(uv_timer_t *t) { drain_queue(t->data); }

dns_query_t *query_new(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg) {
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

/* dns_query without net/dnsshare's layer (which calls it). */
static int query_start(void *ctx, const char *name, int rrtype, dns_cb cb, void *arg) {
  dns_t *d = ctx;
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

int dns_query(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg) {
  if (d->closed || d->health == H_DEAD) return -1;
  return d->share ? dnsshare_query(d->share, name, rrtype, cb, arg) : query_start(d, name, rrtype, cb, arg);
}

size_t dns_inflight(const dns_t *d) { return d->inflight; }

size_t dns_queued(const dns_t *d) { return d ? d->queued : 0; }
size_t dns_contexts(const dns_t *d) { return d->nctx; }

void dns_close(dns_t *d) {
  d->closed = true;
  dnsshare_close(d->share);          /* before the queries underneath: no callback from it */
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
    suspect_forget(q);
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
  dnsshare_free(d->share);
  for (size_t i = 0; i < d->nctx; i++)
    ub_ctx_delete(d->ctx[i].ub);  /* stops libunbound's thread: nothing writes the log now */
  free(d->ctx);
  if (d->ublog) fclose(d->ublog);
  free(d);
}
