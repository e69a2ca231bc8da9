/* Validating DNS lookups on the libuv loop, through libunbound.
 *
 * libunbound resolves in its own thread and signals completion on a file descriptor
 * (ub_fd); a uv_poll_t on that descriptor calls ub_process(), which runs our callbacks on
 * the loop thread. Every query has its own deadline (a uv_timer): libunbound has no
 * per-query timeout, and a survey must not wait minutes on a lame delegation.
 *
 * Three modes (issue 17; dns_config_t.mode):
 *   DNS_MODE_RECURSIVE  the default: libunbound iterates from the root (its built-in root
 *                       hints or --root-hints) and validates against the trust anchor; no
 *                       dependency on the machine's resolver.
 *   DNS_MODE_FORWARD    --resolver ADDR: forwards to it and validates locally, so a DNSSEC
 *                       verdict never depends on a resolver's AD bit.
 *   DNS_MODE_TRUSTED    --resolver ADDR --resolver-validates: a validating resolver on
 *                       loopback is trusted (its AD bit; bogus from its SERVFAIL with an
 *                       Extended DNS Error, RFC 8914); no local validation (net/stub.h).
 * In every mode dns_new first validates the trust anchor's DNSKEY set through the resolver
 * it will use, and fails (no scan) when it cannot. */
#ifndef MXS_NET_DNS_H
#define MXS_NET_DNS_H
#include "net/dnstypes.h"
#include "net/dnswire.h"
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <uv.h>

/* The types (states, outcomes, answers, the configuration) are in net/dnstypes.h, so
 * that the pieces dns.c is made of (ubconf, anchor, ubanswer) need not include this. */
/* The weaker of two states: secure < insecure < indeterminate < bogus. */
enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b);

typedef struct dns dns_t;


/* cfg must outlive the dns_t (the anchor checks read it). Queries are held until a first
 * check has validated the anchor's DNSKEY set through the servers (started by the first
 * dns_query, so a scan that needs no DNS needs no resolver); a failed answer waits for a
 * check begun after it came, and is sent again, not delivered, when the anchor no longer
 * validates (see docs/dns.md). */
dns_t *dns_new(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen);
/* Starts a query; cb is always called exactly once, later, from the loop (never from
 * inside dns_query). 0 ok, -1 if the query could not be started (then cb is not called). */
int dns_query(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg);
size_t dns_inflight(const dns_t *d);
/* Queries held back by the rate limit or waiting for a free slot, not yet sent. */
size_t dns_queued(const dns_t *d);
/* The libunbound contexts (threads) the queries are spread over (--dns-contexts); 0 in the
 * trusted mode, which has none. */
size_t dns_contexts(const dns_t *d);
/* Cancels what is in flight or queued (their callbacks are not called) and closes the poll handle;
 * dns_free after the loop has run the close callbacks. May be called from inside a dns
 * callback. Later dns_query calls fail. */
void dns_close(dns_t *d);
void dns_free(dns_t *d);

#endif
