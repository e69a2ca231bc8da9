/* SMTP TLS Reporting (RFC 8460 §3) record parser: a pure function over hostile DNS data.
 * No allocation, no I/O; fixed-size output; failures carry a static reason string. */
#ifndef MXS_CHECKS_TLSRPT_PARSE_H
#define MXS_CHECKS_TLSRPT_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include "model/policy.h"

/* Applies §3 to all n TXT records at _smtp._tls.<domain> (each record's strings already
 * concatenated): records not beginning "v=TLSRPTv1" *WSP ";" are discarded and exactly one
 * must remain. Returns 1 valid (out filled), 0 no TLS-RPT record (reason
 * "no TLSRPTv1 record"), -1 several records ("multiple TLSRPTv1 records") or the one
 * record is invalid (*reason says why). reason may be NULL. */
int tlsrpt_txt_select(const char *const *txts, const size_t *lens, size_t n,
                      tlsrpt_t *out, const char **reason);

#endif
