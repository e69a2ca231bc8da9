/* Identical queries asked once, and answers kept for their TTL: the trusted mode's share
 * of what libunbound's mesh and cache do for the other modes (issue 17).
 *
 * Why: in the libunbound modes a query that another domain already asked is answered from
 * libunbound's cache, and one still in flight is joined by libunbound's mesh. The trusted
 * mode's stub (net/stub.h) has neither, so every domain of a hoster asked the resolver
 * again for the hoster's MX addresses and TLSA, and checks/zonekeys for the TLD's DNSKEY:
 * on the 5 000-domain benchmark world 43 941 queries of which only 28 621 were distinct,
 * each a socket, a send, a wake-up of the resolver and a receive (docs/dns.md).
 *
 * The rules, all here so that they are read in one place:
 *  - a query whose (name, type) is in flight joins it: one query goes to the resolver and
 *    every caller gets its answer, in the order they asked; whatever it says, failures
 *    included (a bogus or timed-out answer is what each caller would have got from the
 *    same resolver at that moment, and the health machinery of net/dns.c has already had
 *    its say on it: the shared query went through it);
 *  - an answer is kept only if dnsshare_cacheable says so: data, no data or NXDOMAIN,
 *    secure or insecure, a TTL above 0 (at most DNSSHARE_TTL_MAX). Failures are never kept:
 *    the next caller asks again, so a resolver that recovers is seen and net/dns.c's checks
 *    judge each failure;
 *  - the cache is bounded by bytes (its share of --dns-cache-mb); the oldest kept answers
 *    go first;
 *  - a kept answer is delivered from the loop's next turn, never from inside
 *    dnsshare_query (dns.h's promise: the callback is always later).
 * Names are compared as given (the scan asks in lower case A-labels): two spellings are two
 * queries, never a wrong answer. */
#ifndef MXS_NET_DNSSHARE_H
#define MXS_NET_DNSSHARE_H
#include "net/dnstypes.h"
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define DNSSHARE_TTL_MAX 86400  /* as libunbound's cache-max-ttl */

typedef struct dnsshare dnsshare_t;

/* The query underneath (net/dns.c's own, with its window, rate, deadline and health):
 * 0 started (cb exactly once, later), -1 not started. */
typedef int (*dnsshare_send_fn)(void *ctx, const char *name, int rrtype, dns_cb cb, void *arg);

typedef struct dnsshare_stats {
  uint64_t queries;   /* dnsshare_query calls that started */
  uint64_t sent;      /* of which went to the resolver */
  uint64_t joined;    /* joined one in flight */
  uint64_t hits;      /* answered from a kept answer */
  uint64_t kept, evicted;
  size_t bytes;       /* held now by kept answers */
} dnsshare_stats_t;

/* max_bytes: the kept answers' budget (0: nothing kept, identical queries still joined).
 * NULL when out of memory. */
dnsshare_t *dnsshare_new(uv_loop_t *loop, size_t max_bytes, dnsshare_send_fn send, void *ctx);
/* As dns_query. */
int dnsshare_query(dnsshare_t *s, const char *name, int rrtype, dns_cb cb, void *arg);
/* No callback runs after this (what waits is dropped); closes its handle. */
void dnsshare_close(dnsshare_t *s);
/* After dnsshare_close, once the loop has run the close callbacks. NULL is fine. */
void dnsshare_free(dnsshare_t *s);
dnsshare_stats_t dnsshare_stats(const dnsshare_t *s);

/* Whether an answer may be kept (the rules above). Pure. */
bool dnsshare_cacheable(const dns_answer_t *a);

#endif
