/* The internals net/dns.c shares with net/dnshealth.c (the trust anchor's health), and
 * with nothing else: the resolver, its queries and the few functions both use. Like
 * libuv's uv-common.h, a private header: no other module includes it. */
#ifndef MXS_NET_DNS_INT_H
#define MXS_NET_DNS_INT_H
#include "net/dns.h"
#include "lib/list.h"
#include "lib/tokenbucket.h"
#include "net/deadline.h"
#include "net/anchor.h"
#include "net/stub.h"
#include "net/dnsshare.h"

#include <stdatomic.h>
#include <stdio.h>
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
  dnsshare_t *share;         /* DNS_MODE_TRUSTED: identical queries joined, answers kept */
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
  struct ub_result *res;     /* a suspect's answer (NULL: it timed out, or kept) */
  stub_kept_t *kept;         /* DNS_MODE_TRUSTED: a suspect's answer */
  uint64_t failed_at;        /* loop ms */
  unsigned requeues;         /* times sent again after a resolver fault */
  unsigned long sockfail;    /* d->sockfail when the query was handed to libunbound */
  char qname[DNS_QNAME_MAX + 1];
};

/* net/dns.c */
dns_query_t *query_new(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg);
/* A query is finished when both its callback has run and libunbound has let go of it. */
void query_release(dns_query_t *q);
void deliver_error(dns_query_t *q, enum dnssec_state st, const char *reason);
/* An answer to the caller, as libunbound gave it (net/ubanswer.h); res is freed. */
void deliver_result(dns_query_t *q, struct ub_result *res);
void on_rate_timer(uv_timer_t *t);

/* net/dnshealth.c (see its comment) */
#define FAULT_REASON "not resolved: the resolver failed (the trust anchor did not validate)"
/* A check begun after the newest suspect came, as soon as the gap allows. */
void health_schedule(dns_t *d);
/* A suspect's kept answer let go of (it will be asked again, or is not delivered). */
void suspect_forget(dns_query_t *q);
/* true: q is now the health machinery's (a suspect or requeued); false: deliver it. */
bool suspect_add(dns_query_t *q, struct ub_result *res, stub_kept_t *kept);

#endif
