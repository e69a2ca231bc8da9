/* Which address families this host can reach at all, found once at start.
 *
 * A dual-stack domain scanned from a host without IPv6 would otherwise have every AAAA
 * address fail with "network unreachable": counted as a dead MX, and its DANE or
 * STARTTLS figures as if the server had failed. Those addresses are "not-attempted"
 * instead, with the reason, and the end summary says once how many. The kernel is asked
 * for a route to a global address of each family (a UDP socket's connect: a route lookup,
 * no packet sent). Only global addresses are judged by that answer: special-purpose ones
 * opened with --allow (a laboratory, a test world on loopback, a ULA network) are routed
 * differently and are always attempted. --no-route-check skips the check. */
#ifndef MXS_POLITE_ROUTE_H
#define MXS_POLITE_ROUTE_H
#include <stdbool.h>
#include <stdint.h>

typedef struct routes {
  bool v4, v6;         /* a route to a global address of the family (true: not checked) */
} routes_t;

/* Both families routed: what --no-route-check means. */
void routes_assume(routes_t *r);
/* Asks the kernel for each family (two sockets, closed at once; nothing is sent). */
void routes_check(routes_t *r);
/* true when the kernel has a route to ip (family AF_INET or AF_INET6). */
bool route_lookup(int family, const uint8_t *ip);
/* Pure: NULL when ip may be attempted as far as routes go; else a static reason ("no
 * IPv6 route from this host"). Special-purpose addresses always may. NULL r: no check. */
const char *routes_missing(const routes_t *r, int family, const uint8_t *ip);

/* The reasons routes_missing returns (compare by address to tell them from others). */
extern const char route_missing_v4[], route_missing_v6[];

/* The global addresses asked about: a.root-servers.net, whose addresses are as stable as
 * anything on the Internet and are routed wherever the Internet is. */
extern const uint8_t route_probe_v4[4], route_probe_v6[16];

#endif
