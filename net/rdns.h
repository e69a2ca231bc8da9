/* Reverse DNS (PTR) lookups on the libuv loop, through the c-ares stub resolver.
 *
 * The PTR name is informational (shown to researchers next to an address, as in
 * forward-confirmed reverse DNS) and its DNSSEC state does not matter, so these lookups
 * use the lighter c-ares stub resolver instead of the validating libunbound path in
 * net/dns.h.
 *
 * c-ares tells us which sockets it wants watched (ARES_OPT_SOCK_STATE_CB); each gets a
 * uv_poll_t that calls ares_process_fd(). A single uv_timer, armed from ares_timeout()
 * (at most every 100 ms) while queries are pending, lets c-ares fire its timeouts.
 * Completions are queued and delivered from a uv_idle handle, so a callback never runs
 * inside rdns_lookup() even when c-ares finishes a query synchronously. */
#ifndef MXS_NET_RDNS_H
#define MXS_NET_RDNS_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct rdns rdns_t;

/* ptr_name: the PTR target, lowercased, without the trailing dot, at most 253 characters;
 * NULL if there is none or on error. Valid only during the callback.
 * error: NULL on success and when the address simply has no PTR (NXDOMAIN/NODATA);
 * otherwise a static string: "timeout", "server failure" (every try got SERVFAIL, REFUSED
 * or NOTIMP, or no server could be reached: c-ares 1.18 does not tell these apart),
 * "cancelled", "PTR name too long", or another c-ares error text. */
typedef void (*rdns_cb)(void *arg, const char *ptr_name, const char *error);

/* servers: the same --resolver strings as dns_config_t ("IP", "IP:PORT", "[IPv6]:PORT");
 * when nservers > 0 only these are ever asked; nservers == 0: c-ares reads
 * /etc/resolv.conf. timeout: seconds per attempt; 2 tries per server (c-ares doubles the
 * timeout on the second round, so one unresponsive server costs about 3 x timeout).
 * NULL on error, with a message in err. */
rdns_t *rdns_new(uv_loop_t *loop, const char *const *servers, size_t nservers, double timeout,
                 char *err, size_t errlen);

/* The embedded recursive mode (DNS_MODE_RECURSIVE, no --resolver): PTR lookups go
 * through the scan's libunbound (dns_query PTR, iterating from the root like every other
 * query) instead of c-ares, which has no resolver to ask but /etc/resolv.conf's. Same
 * coalescing, cache and error texts ("timeout", "SERVFAIL", "REFUSED", "bogus",
 * "server failure"); the deadline is the DNS one. dns must outlive the rdns_t, and
 * dns_close come before rdns_free. */
typedef struct dns dns_t;
rdns_t *rdns_new_via(uv_loop_t *loop, dns_t *dns, char *err, size_t errlen);

/* family AF_INET (addr[0..3] used) or AF_INET6 (addr[0..15]). 0 ok: cb is called exactly
 * once, later, from the loop (never synchronously inside rdns_lookup). -1 on failure
 * (bad family, closed resolver): cb is not called. */
int rdns_lookup(rdns_t *r, int family, const uint8_t addr[16], rdns_cb cb, void *arg);

/* Lookups of one address are coalesced: while one is in flight, later ones wait for its
 * answer; a complete answer (a name, or no PTR) is kept in a bounded LRU cache (c-ares
 * 1.18 has none), failures are not. Lookups answered without a new query: */
unsigned long long rdns_cache_hits(const rdns_t *r);

/* Number of lookups whose callback has not been called yet. */
size_t rdns_pending(const rdns_t *r);

/* Cancels what is pending and starts closing all uv handles; then every outstanding
 * callback is called, synchronously from inside rdns_close, with ptr_name NULL and error
 * "cancelled" (answers that had already arrived but were not delivered yet are delivered
 * as they are). May be called from inside an rdns callback. Later rdns_lookup calls fail. */
void rdns_close(rdns_t *r);

/* Frees the resolver; only after the loop has run the close callbacks of rdns_close.
 * Without rdns_close (a loop stopped for good), lookups still pending are freed without
 * their callbacks. */
void rdns_free(rdns_t *r);

/* The query name for an address: "d.c.b.a.in-addr.arpa" or the 32-nibble ip6.arpa name.
 * 0 ok, -1 bad family or cap too small (cap >= 74 always suffices). */
int rdns_qname(int family, const uint8_t addr[16], char *out, size_t cap);

#endif
