/* The route check (see route.h). connect() on a UDP socket makes the kernel pick a route
 * and a source address for the destination and fails with ENETUNREACH (or EADDRNOTAVAIL,
 * EAFNOSUPPORT when the family is disabled) when there is none; a datagram socket sends
 * nothing until written to. This runs before the loop starts, so its two system calls
 * block nothing. */
#include "polite/route.h"
#include "polite/addrpolicy.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char route_missing_v4[] = "no IPv4 route from this host";
const char route_missing_v6[] = "no IPv6 route from this host";

const uint8_t route_probe_v4[4] = {198, 41, 0, 4};
const uint8_t route_probe_v6[16] = {0x20, 0x01, 0x05, 0x03, 0xba, 0x3e, 0, 0,
                                    0, 0, 0, 0, 0, 0x02, 0, 0x30};

void routes_assume(routes_t *r) { r->v4 = r->v6 = true; }

bool route_lookup(int family, const uint8_t *ip) {
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(25);
    memcpy(&sin->sin_addr, ip, 4);
    len = sizeof *sin;
  } else if (family == AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(25);
    memcpy(&sin6->sin6_addr, ip, 16);
    len = sizeof *sin6;
  } else {
    return false;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
  close(fd);
  return ok;
}

void routes_check(routes_t *r) {
  r->v4 = route_lookup(AF_INET, route_probe_v4);
  r->v6 = route_lookup(AF_INET6, route_probe_v6);
}

const char *routes_missing(const routes_t *r, int family, const uint8_t *ip) {
  if (!r || !ip) return NULL;
  /* An IPv4-mapped address is reached over IPv4. */
  if (family == AF_INET6 && addr_is_v4_mapped(ip)) {
    family = AF_INET;
    ip += 12;
  }
  if (family == AF_INET ? r->v4 : r->v6) return NULL;
  if (addrpolicy_special(family, ip)) return NULL;
  return family == AF_INET ? route_missing_v4 : route_missing_v6;
}
