/* Input-line normalisation: from what a user wrote to the A-label domain we scan. */
#ifndef MXS_LIB_DOMAIN_H
#define MXS_LIB_DOMAIN_H
#include <stddef.h>

#define DOMAIN_MAX 254   /* 253 characters of name plus NUL */

enum domain_norm {
  DOMAIN_OK = 1,         /* out holds the A-label name */
  DOMAIN_SKIP = 0,       /* blank line or '#' comment: no record */
  DOMAIN_INVALID = -1,   /* not a domain name: *reason says why */
};

/* Trims ASCII white space (and a trailing '\r'), skips blank and '#' lines, lowercases,
 * strips one trailing dot, converts Unicode (UTF-8) names to A-labels with libidn2
 * (IDNA2008, with UTS#46 non-transitional mapping), then checks the result: total length
 * <= 253, labels 1..63 octets of LDH, no leading or trailing hyphen, at least two labels,
 * no all-numeric TLD (an IP literal is not a domain). 'line' need not be NUL-terminated.
 * reason is a static string. */
enum domain_norm domain_normalize(const char *line, size_t len,
                                  char out[DOMAIN_MAX], const char **reason);

/* Checks a host name taken from DNS (an MX target, a CNAME target), already in
 * presentation form without trailing dot: 1 if it is a valid LDH host name (underscores
 * are not allowed in host names), 0 otherwise. */
int domain_is_hostname(const char *name);
/* The same check, saying why: NULL for a valid host name, else a static reason
 * ("invalid character", "label longer than 63 octets", "name longer than 253 octets", ...). */
const char *domain_hostname_problem(const char *name);

#endif
