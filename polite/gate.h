/* The one connection gate: every connection mxsurvey makes, SMTP or HTTPS, asks here
 * first. An opt-out (--exclude-file) wins, then the special-purpose ranges not opened
 * with --allow (polite/addrpolicy.h), then a family this host has no route for
 * (polite/route.h). */
#ifndef MXS_POLITE_GATE_H
#define MXS_POLITE_GATE_H
#include <stdint.h>
#include "polite/addrpolicy.h"
#include "polite/exclude.h"
#include "polite/route.h"

/* Why mxsurvey must not connect to ip (a static string), or NULL. Any of the three may be
 * NULL (not checked). */
const char *gate_denied(const exclude_t *exclude, const addrpolicy_t *policy,
                        const routes_t *routes, int family, const uint8_t *ip);

#endif
