/* The MTA-STS check's pure decisions (checks/mtasts.c), for its unit tests. */
#ifndef MXS_CHECKS_MTASTS_H
#define MXS_CHECKS_MTASTS_H
#include "model/job.h"

/* RFC 8461 §3.3 on a fetch result: true when the body is a policy to parse; else *why
 * (for the record's reason) and *rt (the RFC 8460 result type). host names the URL. */
bool mtasts_response_ok(const fetch_result_t *r, const char *host, char *why, size_t cap,
                        enum result_type *rt);
/* issue 16: the SHA-256 (lowercase hex) of the policy body as fetched, whether it parses
 * or not, so that two scans can tell a policy changed under the same id; "" when no body
 * came with a complete HTTP 200 response. */
void mtasts_policy_sha256(const fetch_result_t *r, char out[65]);
/* §4.2: every address of h that completed TLS has a PKIX-valid certificate and TLS 1.2+,
 * and at least one did. */
bool mtasts_cert_ok(const host_t *h);
/* §4.1: host matches one of p's mx patterns. */
bool mtasts_host_match(const mtasts_policy_t *p, const char *host);

#endif
