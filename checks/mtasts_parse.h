/* MTA-STS (RFC 8461) parsers: pure functions over hostile DNS and HTTPS data.
 *
 * Nothing here allocates, does I/O or keeps state; every input is (pointer, length), never
 * assumed NUL-terminated, and every output is a fixed-size buffer, so a hostile TXT record
 * or policy body can at worst be rejected. Failures come with a static reason string that
 * names the problem (for the survey record); callers must not free it. */
#ifndef MXS_CHECKS_MTASTS_PARSE_H
#define MXS_CHECKS_MTASTS_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include "model/policy.h"

/* Parses one TXT record (its strings already concatenated).
 * Returns 1 valid (out->id set), 0 not an STS record (does not begin with the
 * case-sensitive version "v=STSv1"), -1 an invalid STS record (*reason says why).
 * reason may be NULL. */
int mtasts_txt_parse(const char *txt, size_t len, mtasts_txt_t *out, const char **reason);

/* Applies §3.1 to all n TXT records found at _mta-sts.<domain>: records not beginning
 * "v=STSv1" are discarded; exactly one must remain. Returns 1 valid, 0 none remained
 * (reason "no STSv1 record"), -1 two or more remained ("multiple STSv1 records") or the
 * one that remained is invalid. */
int mtasts_txt_select(const char *const *txts, const size_t *lens, size_t n,
                      mtasts_txt_t *out, const char **reason);

/* Parses a policy body. Returns 1 valid, -1 invalid (*reason says why). */
int mtasts_policy_parse(const char *body, size_t len, mtasts_policy_t *out,
                        const char **reason);

/* §4.1 MX matching: ASCII case-insensitive, one trailing dot on either side ignored; the
 * pattern matches the identical name, or "*.rest" matches "label.rest" for exactly one
 * non-empty left-most label. NULL or empty arguments never match. */
bool mtasts_mx_match(const char *pattern, const char *host);

#endif
