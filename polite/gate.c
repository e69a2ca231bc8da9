/* The connection gate (see gate.h): a pure function of the two lists. */
#include "polite/gate.h"

const char *gate_denied(const exclude_t *exclude, const addrpolicy_t *policy,
                        const routes_t *routes, int family, const uint8_t *ip) {
  const char *deny = exclude_addr(exclude, family, ip);
  if (!deny && policy) deny = addrpolicy_check(policy, family, ip);
  if (!deny) deny = routes_missing(routes, family, ip);
  return deny;
}
