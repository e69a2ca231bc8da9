/* The trust anchor's health (issue 17; see dns.h), net/dns.c's other half.
 *
 * Before the first query is sent, and whenever answers fail (bogus, an error rcode, a
 * timeout), a check (net/anchor.h: a fresh context, so never the cache) asks whether the
 * anchor's DNSKEY set still validates through the servers the scan uses. A failed answer
 * waits for a check begun after it came: if the anchor validates it is the domain's own
 * failure and delivered as it was; if not, the resolver (or the path to the root) is at
 * fault and the query is sent again once a check passes, so no domain is blamed for it.
 * The first check failing, or a fault lasting FAULT_GIVE_UP_MS with FAULT_CHECKS failed
 * checks, is fatal: cfg->on_fatal, then every query waiting ends in an error. */
#include "net/dns_int.h"
#include "net/ubconf.h"

#include <stdlib.h>

#define CHECK_MIN_GAP_MS 1000      /* between check starts while failures keep coming */
#define FAULT_RETRY_MS 5000        /* from a failed check to the next */
#define FAULT_GIVE_UP_MS 30000
#define FAULT_CHECKS 3
#define MAX_REQUEUES 3             /* a flapping resolver: then recorded indeterminate */

static void health_check(dns_t *d);
static void health_timer_cb(uv_timer_t *t) { health_check(t->data); }

static void health_later(dns_t *d, uint64_t ms) {
  if (d->health_timer_ok && !uv_is_active((uv_handle_t *)&d->health_timer))
    uv_timer_start(&d->health_timer, health_timer_cb, ms, 0);
}

void health_schedule(dns_t *d) {
  if (d->check || d->health == H_DEAD) return;
  uint64_t now = uv_now(d->loop), at = d->check_started + CHECK_MIN_GAP_MS;
  health_later(d, d->health == H_UNCHECKED || at <= now ? 0 : at - now);
}


void suspect_forget(dns_query_t *q) {
  if (q->res) ub_resolve_free(q->res);
  q->res = NULL;
  free(q->kept);
  q->kept = NULL;
}

/* A query failed through no fault of its domain: sent again (a new query: the old id may
 * still be libunbound's) once a check passes; the old one is released. */
static void requeue(dns_query_t *q) {
  dns_t *d = q->d;
  suspect_forget(q);
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

bool suspect_add(dns_query_t *q, struct ub_result *res, stub_kept_t *kept) {
  dns_t *d = q->d;
  if (d->health == H_DEAD || d->closed) return false;
  q->suspect = true;
  q->res = res;
  q->kept = kept;
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
    suspect_forget(q);
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
    q->done = true;
    dns_answer_t a;
    if (q->res) { deliver_result(q, q->res); q->res = NULL; }   /* frees it */
    else if (q->kept) { stub_kept_answer(q->kept, q->qname, q->qtype, &a); q->cb(q->arg, &a); }
    else deliver_error(q, DNSSEC_INDETERMINATE, "timeout");
    suspect_forget(q);
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
