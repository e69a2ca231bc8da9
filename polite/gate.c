/* The connection gate (see gate.h): a pure function of the three lists. */
#include "polite/gate.h"

enum gate_denial gate_check(const exclude_t *exclude, const addrpolicy_t *policy,
                            const routes_t *routes, int family, const uint8_t *ip,
                            const char **why) {
  const char *deny = exclude_addr(exclude, family, ip);
  enum gate_denial kind = GATE_OPT_OUT;
  if (!deny && policy && (deny = addrpolicy_check(policy, family, ip))) kind = GATE_SPECIAL;
  if (!deny && (deny = routes_missing(routes, family, ip))) kind = GATE_NO_ROUTE;
  if (why) *why = deny;
  return deny ? kind : GATE_OPEN;
}

const char *gate_denied(const exclude_t *exclude, const addrpolicy_t *policy,
                        const routes_t *routes, int family, const uint8_t *ip) {
  const char *why;
  gate_check(exclude, policy, routes, family, ip, &why);
  return why;
}
