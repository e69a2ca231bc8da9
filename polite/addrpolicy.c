/* Destination address policy. See addrpolicy.h for the contract.
 *
 * The tables are the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890,
 * RFC 8190 and the RFCs that added entries since). Every entry is refused, including the
 * few the registry marks "globally reachable" (192.0.0.9/32, 192.31.196/24, AS112, AMT,
 * 64:ff9b::/96, TURN/PCP anycast, 2001:1::/32 ...): no mail exchanger lives there, and a
 * survey has nothing to learn from connecting to anycast infrastructure or through a
 * NAT64 translator. IPv6 outside 2000::/3 is refused as well: IANA allocates unicast only
 * from there, the rest is reserved, ULA, link-local or multicast.
 *
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged by the IPv4 rules applied to a.b.c.d, so
 * ::ffff:10.0.0.1 is refused like 10.0.0.1 and an --allow for 127.0.0.0/8 also opens
 * ::ffff:127.0.0.1. A mapped address only ever reaches the IPv4 host, so this is exact,
 * not a guess. */
#include "polite/addrpolicy.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct addrpolicy {
  cidr_t *allow;
  size_t nallow, capallow;
};

static const char REFUSED[] = "special-purpose address";

static const struct { const char *cidr; } special_v4[] = {
  {"0.0.0.0/8"},          /* "this network", RFC 791 */
  {"10.0.0.0/8"},         /* private, RFC 1918 */
  {"100.64.0.0/10"},      /* shared address space (CGNAT), RFC 6598 */
  {"127.0.0.0/8"},        /* loopback */
  {"169.254.0.0/16"},     /* link-local, RFC 3927 */
  {"172.16.0.0/12"},      /* private */
  {"192.0.0.0/24"},       /* IETF protocol assignments, RFC 6890 (DS-Lite, PCP, TURN...) */
  {"192.0.2.0/24"},       /* TEST-NET-1, RFC 5737 */
  {"192.31.196.0/24"},    /* AS112-v4, RFC 7535 */
  {"192.52.193.0/24"},    /* AMT, RFC 7450 */
  {"192.88.99.0/24"},     /* deprecated 6to4 relay anycast, RFC 7526 */
  {"192.168.0.0/16"},     /* private */
  {"192.175.48.0/24"},    /* direct delegation AS112, RFC 7534 */
  {"198.18.0.0/15"},      /* benchmarking, RFC 2544 */
  {"198.51.100.0/24"},    /* TEST-NET-2 */
  {"203.0.113.0/24"},     /* TEST-NET-3 */
  {"224.0.0.0/4"},        /* multicast */
  {"240.0.0.0/4"},        /* reserved, RFC 1112 */
  {"255.255.255.255/32"}, /* limited broadcast (inside 240/4; listed as in the registry) */
};

static const struct { const char *cidr; } special_v6[] = {
  {"::/128"},             /* unspecified */
  {"::1/128"},            /* loopback */
  {"64:ff9b::/96"},       /* NAT64 well-known prefix, RFC 6052 */
  {"64:ff9b:1::/48"},     /* local-use NAT64, RFC 8215 */
  {"100::/64"},           /* discard-only, RFC 6666 */
  {"2001::/23"},          /* IETF protocol assignments: Teredo, benchmarking, ORCHID... */
  {"2001:db8::/32"},      /* documentation, RFC 3849 */
  {"2002::/16"},          /* 6to4, RFC 3056 */
  {"2620:4f:8000::/48"},  /* direct delegation AS112, RFC 7534 */
  {"3fff::/20"},          /* documentation, RFC 9637 */
  {"5f00::/16"},          /* SRv6 SIDs, RFC 9602 */
  {"fc00::/7"},           /* unique local, RFC 4193 */
  {"fe80::/10"},          /* link-local */
  {"ff00::/8"},           /* multicast */
  /* ::ffff:0:0/96 is handled by mapping to IPv4; the rest is outside 2000::/3. */
};

bool cidr_contains(const cidr_t *r, int family, const uint8_t *addr) {
  if (r->family != family) return false;
  int full = r->prefix / 8, bits = r->prefix % 8;
  if (memcmp(r->addr, addr, (size_t)full) != 0) return false;
  if (bits) {
    uint8_t mask = (uint8_t)(0xFF << (8 - bits));
    if ((r->addr[full] & mask) != (addr[full] & mask)) return false;
  }
  return true;
}

/* The tables stay as text, parsed on each check, so they can be read against the registry
 * line by line; a few microseconds per connection attempt is nothing next to a handshake. */
static bool in_table(int family, const uint8_t *addr) {
  cidr_t r;
  int fam;
  if (family == AF_INET) {
    for (size_t i = 0; i < sizeof special_v4 / sizeof special_v4[0]; i++) {
      /* The tables are literals known to parse; a parse failure would be a build-time
       * typo, and refusing is the safe answer to it. */
      if (cidr_parse(special_v4[i].cidr, &fam, r.addr, &r.prefix) < 0) return true;
      r.family = fam;
      if (cidr_contains(&r, family, addr)) return true;
    }
    return false;
  }
  for (size_t i = 0; i < sizeof special_v6 / sizeof special_v6[0]; i++) {
    if (cidr_parse(special_v6[i].cidr, &fam, r.addr, &r.prefix) < 0) return true;
    r.family = fam;
    if (cidr_contains(&r, family, addr)) return true;
  }
  return (addr[0] & 0xE0) != 0x20;   /* not 2000::/3 */
}

static bool allowed(const addrpolicy_t *p, int family, const uint8_t *addr) {
  if (!p) return false;
  for (size_t i = 0; i < p->nallow; i++)
    if (cidr_contains(&p->allow[i], family, addr)) return true;
  return false;
}

bool addr_is_v4_mapped(const uint8_t a[16]) {
  static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return memcmp(a, pfx, 12) == 0;
}

addrpolicy_t *addrpolicy_new(void) {
  return calloc(1, sizeof(addrpolicy_t));
}

void addrpolicy_free(addrpolicy_t *p) {
  if (!p) return;
  free(p->allow);
  free(p);
}

int addrpolicy_allow(addrpolicy_t *p, const char *cidr, char *err, size_t errlen) {
  cidr_t r;
  if (!p || !cidr || cidr_parse(cidr, &r.family, r.addr, &r.prefix) < 0) {
    if (err && errlen) snprintf(err, errlen, "invalid address range: %s", cidr ? cidr : "(null)");
    return -1;
  }
  if (p->nallow == p->capallow) {
    size_t cap = p->capallow ? 2 * p->capallow : 8;
    cidr_t *n = realloc(p->allow, cap * sizeof *n);
    if (!n) {
      if (err && errlen) snprintf(err, errlen, "out of memory");
      return -1;
    }
    p->allow = n;
    p->capallow = cap;
  }
  p->allow[p->nallow++] = r;
  return 0;
}

const char *addrpolicy_check(const addrpolicy_t *p, int family, const uint8_t *addr) {
  if (!addr || (family != AF_INET && family != AF_INET6)) return REFUSED;
  if (allowed(p, family, addr)) return NULL;
  if (family == AF_INET6 && addr_is_v4_mapped(addr)) {
    if (allowed(p, AF_INET, addr + 12)) return NULL;
    return in_table(AF_INET, addr + 12) ? REFUSED : NULL;
  }
  return in_table(family, addr) ? REFUSED : NULL;
}

bool addrpolicy_special(int family, const uint8_t *addr) {
  if (!addr || (family != AF_INET && family != AF_INET6)) return true;
  if (family == AF_INET6 && addr_is_v4_mapped(addr)) return in_table(AF_INET, addr + 12);
  return in_table(family, addr);
}

int cidr_parse(const char *s, int *family, uint8_t addr[16], int *prefix) {
  if (!s || !family || !addr || !prefix) return -1;
  char host[INET6_ADDRSTRLEN + 1];
  const char *slash = strchr(s, '/');
  size_t hlen = slash ? (size_t)(slash - s) : strlen(s);
  if (hlen == 0 || hlen >= sizeof host) return -1;
  memcpy(host, s, hlen);
  host[hlen] = '\0';

  uint8_t a[16] = {0};
  int fam, max;
  if (inet_pton(AF_INET, host, a) == 1) { fam = AF_INET; max = 32; }
  else if (inet_pton(AF_INET6, host, a) == 1) { fam = AF_INET6; max = 128; }
  else return -1;

  int pfx = max;
  if (slash) {
    const char *d = slash + 1;
    /* Digits only: no sign, no spaces, no hex, at most three of them. */
    size_t nd = strspn(d, "0123456789");
    if (nd == 0 || nd > 3 || d[nd] != '\0') return -1;
    pfx = atoi(d);
    if (pfx > max) return -1;
  }

  /* Host bits are accepted and cleared: "192.0.2.7/24" means 192.0.2.0/24, which is
   * what anyone writing it into an --allow or exclude file intends. */
  int bytes = max / 8;
  for (int i = 0; i < bytes; i++) {
    int keep = pfx - 8 * i;
    if (keep >= 8) continue;
    a[i] &= keep <= 0 ? 0 : (uint8_t)(0xFF << (8 - keep));
  }
  memset(addr, 0, 16);
  memcpy(addr, a, (size_t)bytes);
  *family = fam;
  *prefix = pfx;
  return 0;
}
