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

/* Which rule denies a connection, so that callers count denials by kind without
 * comparing reason texts. */
enum gate_denial { GATE_OPEN = 0, GATE_OPT_OUT, GATE_SPECIAL, GATE_NO_ROUTE };

/* The rule that denies a connection to ip (GATE_OPEN: none), the reason (a static
 * string, NULL when open) into *why when why is not NULL. Any of the three lists may be
 * NULL (not checked). */
enum gate_denial gate_check(const exclude_t *exclude, const addrpolicy_t *policy,
                            const routes_t *routes, int family, const uint8_t *ip,
                            const char **why);
/* Why mxsurvey must not connect to ip (a static string), or NULL: gate_check's reason. */
const char *gate_denied(const exclude_t *exclude, const addrpolicy_t *policy,
                        const routes_t *routes, int family, const uint8_t *ip);

#endif
