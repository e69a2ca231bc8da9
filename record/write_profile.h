/* The record's "tls_profile" object (issue 15) from an address's TLS profile
 * (smtp/profile.h) and this requester's verdicts on it. Serialisation only: what to write
 * is decided by the result's fields and the verdicts; every key is record/keys.h's, every
 * enum string record/schema.c's. */
#ifndef MXS_RECORD_WRITE_PROFILE_H
#define MXS_RECORD_WRITE_PROFILE_H
#include "model/job.h"      /* dane_verdict_t, tls_grade_t (the verdicts) */
#include "record/json.h"
#include "smtp/profile.h"

/* Writes "tls_profile" under key when r->done: mode, versions {SSLv3 ... TLSv1.3:
 * accepted | refused | error} (untested ones left out), reasons {version: why} for the
 * refused and failed ones, suites {version: IANA name} for the accepted ones,
 * renegotiation {secure} (when learnt), the certs phase (certs[], cert_kinds,
 * cert_reasons), the full mode's ciphers {class: {accepted, suites, complete}},
 * server_order, kex {dhe: {bits, class}, ecdhe: [group]}, the grade and findings [{check,
 * level, detail}] (g NULL or not graded: none), partial (why the profile stopped early),
 * connections, shared, certs_by_name. cert_dane: the DANE verdict of each of r->certs
 * (checks/dane.c, dane_cert_status), or NULL. */
void write_profile_result(jw_t *w, const char *key, const profile_result_t *r,
                          const dane_verdict_t *cert_dane, const tls_grade_t *g);

#endif
