/* The MTA-STS check's pure decisions (checks/mtasts.c), for its unit tests. */
#ifndef MXS_CHECKS_MTASTS_H
#define MXS_CHECKS_MTASTS_H
#include "model/job.h"

/* RFC 8461 §3.3 on a fetch result: true when the body is a policy to parse; else *why
 * (for the record's reason) and *rt (the RFC 8460 result type). host names the URL. */
bool mtasts_response_ok(const fetch_result_t *r, const char *host, char *why, size_t cap,
                        enum result_type *rt);
/* §4.2: every address of h that completed TLS has a PKIX-valid certificate and TLS 1.2+,
 * and at least one did. */
bool mtasts_cert_ok(const host_t *h);
/* §4.1: host matches one of p's mx patterns. */
bool mtasts_host_match(const mtasts_policy_t *p, const char *host);

#endif
