/* Where mxsurvey may connect: never to special-purpose addresses (RFC 6890 and its IANA
 * registries: loopback, RFC 1918, link-local, CGNAT, multicast, documentation, benchmark,
 * reserved, ULA, 6to4/Teredo relays' special cases, ...) unless a range is opened with
 * --allow. This is what keeps a hostile MX pointing at 10.0.0.1 from making a CERT scan
 * its own network. */
#ifndef MXS_POLITE_ADDRPOLICY_H
#define MXS_POLITE_ADDRPOLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct addrpolicy addrpolicy_t;

addrpolicy_t *addrpolicy_new(void);
void addrpolicy_free(addrpolicy_t *p);
/* Opens a range ("127.0.0.0/8", "::1/128", "192.0.2.7"). 0 ok, -1 with err on bad CIDR. */
int addrpolicy_allow(addrpolicy_t *p, const char *cidr, char *err, size_t errlen);
/* NULL when a connection to this address is permitted; otherwise a static reason,
 * "special-purpose address". family is AF_INET (addr: 4 bytes) or AF_INET6 (16 bytes). */
const char *addrpolicy_check(const addrpolicy_t *p, int family, const uint8_t *addr);
/* Whether addr lies in a special-purpose range (whatever --allow opened): the test that
 * tells a global address from the others. */
bool addrpolicy_special(int family, const uint8_t *addr);
/* Parses a CIDR or bare address: 0 ok, -1 error. Exposed for tests and --exclude-file. */
int cidr_parse(const char *s, int *family, uint8_t addr[16], int *prefix);

/* A parsed range, and the one containment test both --allow and --exclude-file use. */
typedef struct cidr {
  int family;
  uint8_t addr[16];
  int prefix;
} cidr_t;
bool cidr_contains(const cidr_t *net, int family, const uint8_t *addr);
/* ::ffff:0:0/96: the IPv4 address is in the last four bytes. */
bool addr_is_v4_mapped(const uint8_t addr[16]);

#endif
