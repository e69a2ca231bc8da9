/* Exclusions: the opt-out list a CERT keeps (--exclude-file), ZMap blocklist style.
 *
 * One entry per line: an IPv4 or IPv6 CIDR, a single address, or a domain name; '#'
 * starts a comment (whole line or after the entry); blank lines are ignored. A domain
 * name excludes itself and every name under it. An excluded domain is never queried, an
 * excluded address never connected to; the scan records why ("excluded by FILE:LINE"). */
#ifndef MXS_POLITE_EXCLUDE_H
#define MXS_POLITE_EXCLUDE_H
#include <stddef.h>
#include <stdint.h>

/* Bounds on one file (an operator never reaches them: a national opt-out list has about
 * a million lines); a file beyond them (/dev/zero, an endless pipe) is an error. */
#define EXCLUDE_LINE_MAX 4096                 /* bytes in a line, without its newline */
#define EXCLUDE_LINES_MAX 10000000u           /* lines in a file */
#define EXCLUDE_BYTES_MAX (1024u << 20)       /* bytes in a file: 1 GiB */

typedef struct exclude exclude_t;

exclude_t *exclude_new(void);
void exclude_free(exclude_t *x);
/* Reads FILE. 0 ok; -1 with "FILE:LINE: what is wrong" (or the open error) in err. */
int exclude_load(exclude_t *x, const char *path, char *err, size_t errlen);
/* One line of 'origin' (a file name) at 'lineno'; exposed for tests. 0 ok or nothing to
 * add (blank, comment), -1 with the reason in err (without the file:line prefix). */
int exclude_add_line(exclude_t *x, const char *origin, unsigned long lineno,
                     const char *line, size_t len, char *err, size_t errlen);
/* NULL when 'name' (a normalised A-label name) is not excluded, else the reason,
 * "excluded by FILE:LINE", valid until exclude_free. Checks the name and its parents. */
const char *exclude_domain(const exclude_t *x, const char *name);
/* The same for an address; family AF_INET (4 bytes) or AF_INET6 (16 bytes). An IPv4
 * entry also covers the IPv4-mapped IPv6 form of its addresses. */
const char *exclude_addr(const exclude_t *x, int family, const uint8_t *addr);
/* Entries loaded: names and address ranges. */
size_t exclude_count(const exclude_t *x);

#endif
