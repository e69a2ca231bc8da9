/* polite/route.c and the gate's use of it: which addresses a family without a route makes
 * "not-attempted" (global ones only: special-purpose ranges, opened with --allow or not,
 * are never judged by the global route), the reasons, IPv4-mapped addresses, a NULL
 * routes (no check); the gate's order (opt-out, then special-purpose, then route); and
 * route_lookup against loopback, which every Linux host routes. */
#include <arpa/inet.h>
#include <string.h>

#include "polite/gate.h"
#include "polite/route.h"
#include "tests/unit/testlib.h"

static const char *missing(const routes_t *r, const char *text) {
  uint8_t ip[16];
  int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
  if (inet_pton(fam, text, ip) != 1) {
    tl_fail++;
    fprintf(stderr, "bad address %s\n", text);
    return "bad";
  }
  return routes_missing(r, fam, ip);
}

static void test_missing(void) {
  routes_t r = {.v4 = true, .v6 = false};          /* an IPv4-only host */
  CHECK(missing(&r, "2a01:4f8::25") == route_missing_v6);
  CHECK_STR(missing(&r, "2001:503:ba3e::2:30"), "no IPv6 route from this host");
  CHECK(missing(&r, "198.51.100.25") == NULL);     /* special-purpose, IPv4 routed anyway */
  CHECK(missing(&r, "11.0.0.25") == NULL);
  /* special-purpose IPv6 is not judged by the global route */
  CHECK(missing(&r, "::1") == NULL);
  CHECK(missing(&r, "fd00::25") == NULL);
  CHECK(missing(&r, "fe80::1") == NULL);
  CHECK(missing(&r, "2001:db8::25") == NULL);
  /* an IPv4-mapped address goes over IPv4 */
  CHECK(missing(&r, "::ffff:11.0.0.25") == NULL);
  r = (routes_t){.v4 = false, .v6 = true};         /* an IPv6-only host */
  CHECK(missing(&r, "11.0.0.25") == route_missing_v4);
  CHECK(missing(&r, "::ffff:11.0.0.25") == route_missing_v4);
  CHECK(missing(&r, "127.0.0.1") == NULL);
  CHECK(missing(&r, "10.1.2.3") == NULL);
  CHECK(missing(&r, "2a01:4f8::25") == NULL);
  routes_assume(&r);                               /* --no-route-check */
  CHECK(missing(&r, "11.0.0.25") == NULL);
  CHECK(missing(&r, "2a01:4f8::25") == NULL);
  CHECK(missing(NULL, "2a01:4f8::25") == NULL);
  uint8_t any[16] = {0};
  CHECK(routes_missing(&r, AF_INET6, NULL) == NULL);
  r.v6 = false;
  CHECK(routes_missing(&r, AF_UNIX, any) == NULL);  /* not ours to judge: the gate's table is */
}

static void test_gate_order(void) {
  routes_t r = {.v4 = false, .v6 = false};
  addrpolicy_t *pol = addrpolicy_new();
  exclude_t *ex = exclude_new();
  char err[200];
  CHECK(pol && ex);
  CHECK_INT(exclude_add_line(ex, "x", 1, "11.0.0.0/8", 10, err, sizeof err), 0);
  uint8_t a[4] = {11, 0, 0, 25}, b[4] = {12, 0, 0, 25}, lo[4] = {127, 0, 0, 1};
  const char *why = gate_denied(ex, pol, &r, AF_INET, a);    /* the opt-out wins */
  CHECK(why && strstr(why, "excluded") != NULL);
  CHECK(gate_denied(ex, pol, &r, AF_INET, b) == route_missing_v4);
  CHECK(gate_denied(ex, pol, NULL, AF_INET, b) == NULL);
  why = gate_denied(ex, pol, &r, AF_INET, lo);               /* special-purpose, not allowed */
  CHECK(why && why != route_missing_v4);
  CHECK_INT(gate_check(ex, pol, &r, AF_INET, lo, NULL), GATE_SPECIAL);
  CHECK_INT(addrpolicy_allow(pol, "127.0.0.0/8", err, sizeof err), 0);
  CHECK(gate_denied(ex, pol, &r, AF_INET, lo) == NULL);      /* allowed: attempted */
  /* the kinds, as the probe stage counts them */
  const char *w2 = "x";
  CHECK_INT(gate_check(ex, pol, &r, AF_INET, a, &w2), GATE_OPT_OUT);
  CHECK(w2 && strstr(w2, "excluded") != NULL);
  CHECK_INT(gate_check(ex, pol, &r, AF_INET, b, &w2), GATE_NO_ROUTE);
  CHECK(w2 == route_missing_v4);
  CHECK_INT(gate_check(ex, pol, &r, AF_INET, lo, &w2), GATE_OPEN);
  CHECK(w2 == NULL);
  CHECK_INT(gate_check(ex, pol, &r, AF_INET, lo, NULL), GATE_OPEN);
  exclude_free(ex);
  addrpolicy_free(pol);
}

static void test_lookup(void) {
  uint8_t lo[4] = {127, 0, 0, 1};
  CHECK(route_lookup(AF_INET, lo));
  CHECK(!route_lookup(AF_UNIX, lo));
  /* the probe addresses are global (else the check would ask the wrong question) */
  CHECK(!addrpolicy_special(AF_INET, route_probe_v4));
  CHECK(!addrpolicy_special(AF_INET6, route_probe_v6));
  char text[64];
  CHECK_STR(inet_ntop(AF_INET6, route_probe_v6, text, sizeof text), "2001:503:ba3e::2:30");
  CHECK_STR(inet_ntop(AF_INET, route_probe_v4, text, sizeof text), "198.41.0.4");
  routes_t r;
  routes_check(&r);        /* whatever this host has: it must not crash or send anything */
  printf("# this host: IPv4 route %s, IPv6 route %s\n", r.v4 ? "yes" : "no", r.v6 ? "yes" : "no");
}

int main(void) {
  test_missing();
  test_gate_order();
  test_lookup();
  TEST_MAIN_END();
}
