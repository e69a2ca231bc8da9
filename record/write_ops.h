/* The record's operational fields (issue 16, model/ops.h): TLSA rollover readiness, the
 * outlook at the horizon, DNSSEC signature expiry, the SOA contact, the MTA-STS policy's
 * hash and CNCS conformity. Serialisation only: each writes what a check computed, and
 * nothing when the check did not judge (its have/state/at field says so). */
#ifndef MXS_RECORD_WRITE_OPS_H
#define MXS_RECORD_WRITE_OPS_H
#include <time.h>
#include "model/job.h"
#include "record/json.h"

/* "rollover" inside mx[].tlsa: {ready, scheme, reason, unmatched[]} (state set). */
void write_rollover(jw_t *w, const host_t *h);
/* "dnssec_expires" + "dnssec_expires_rrset" (e->at set) and "dnssec_warn" (e->warn): in
 * mx[] and in the record. */
void write_expiry(jw_t *w, const expiry_t *e);
/* "outlook" in addresses[] (o->have): {at, pkix_valid, dane_valid, breaks, reasons}. */
void write_outlook(jw_t *w, const outlook_t *o);
/* summary's "outlook", "outlook_breaks", "outlook_reason" (call inside summary). */
void write_summary_outlook(jw_t *w, const job_t *j);
/* The record's "soa_rname", "dnssec_expires*" and "conformity" (after summary). */
void write_domain_ops(jw_t *w, const job_t *j);
/* RFC 3339 UTC of t into out (>= 21 bytes); "" when t is 0. Pure. */
void ops_time_str(time_t t, char *out, size_t cap);

#endif
