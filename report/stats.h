/* Accumulation: one parsed record at a time into counters and a few sets. Each worker
 * thread owns one struct stats; they are merged when the input ends. Memory is O(distinct
 * MX hosts + addresses + operators + figure keys), never O(records); only the comparison's
 * previous-scan map (compare.h) is O(domains). */
#ifndef MXS_REPORT_STATS_H
#define MXS_REPORT_STATS_H

#include "report/table.h"
#include "report/stats_ops.h"

#include <json-c/json.h>
#include <libpsl.h>

struct stats {
  struct rtable counts;  /* figure key -> count (counter 0) */
  struct rtable hosts;   /* unique MX host -> "dnssec|tlsa-state|u s m,u s m" */
  struct rtable addrs;   /* unique address -> "<rank><outcome>\x1f", its TLS profile's facts
                            (stats_profile.h) or "-", "\x1f", then "version\x1f" "cipher\x1f"
                            "fs\x1f" "key", or "-" without TLS (stats.c, address()) */
  struct rtable ops;     /* operator -> counters of enum op_col (below) */
  struct rtable changes; /* "dane.adopted\x1f" "domain" ... (comparison only) */
  struct ops_stats ops16; /* conformity, rollover, outlook (issue 16, stats_ops.h) */
  char first_scan[32], last_scan[32];
};

struct prevscan;  /* compare.h */

/* The operator table's columns, counted by stats.c per operator among a domain's MX hosts:
 * the domains; those with an MX address that engaged (any operator's: the domain's
 * summary.starttls is all, some or none); of those, STARTTLS on every engaged address and
 * DANE valid (the domain's summary); MTA-STS valid and in enforce mode; and the domains
 * where an address of this operator's MX hosts refused (4xx/5xx to the greeting or EHLO)
 * or was lost (closed before EHLO completed): the scanner-blocking a CERT wants to see.
 * With --tls-profile, the domains where an address of this operator's MX hosts was
 * profiled, and of those where such an address accepts SSLv3, TLS 1.0 or 1.1 (legacy) or
 * has the grade insufficient: whom to write to about old TLS. */
enum op_col {
  OP_DOMAINS, OP_ENGAGED, OP_TLS_ALL, OP_DANE_VALID, OP_STS_VALID, OP_STS_ENFORCE,
  OP_REFUSED, OP_LOST, OP_PROFILED, OP_LEGACY, OP_INSUFFICIENT, OP_COLS
};


/* Values the report derives itself (no record field has them), counted by stats.c and
 * listed by figures.c. "dane.tlsa_mx": how many of a domain's MX hosts have secure TLSA.
 * "dane.host_tlsa": a unique MX host's TLSA state, named by the record's DNSSEC state
 * ("secure", "insecure", "bogus"), its TLSA lookup's outcome ("error") or, when it has no
 * TLSA records, HOST_TLSA_NONE. */
enum tlsa_mx { TLSA_MX_ALL, TLSA_MX_SOME, TLSA_MX_NONE, TLSA_MX_COUNT };
extern const char *const stats_tlsa_mx[TLSA_MX_COUNT];
#define HOST_TLSA_NONE "none"
/* "transport.address_outcome": an address of a record written before smtp.outcome existed
 * that has no smtp.starttls either (with it, the address engaged). */
#define ADDR_OUTCOME_UNKNOWN "unknown"

void stats_init(struct stats *s);
void stats_free(struct stats *s);
/* rec must be a JSON object. prev (may be NULL) is the previous scan, for changes. */
void stats_add_record(struct stats *s, json_object *rec, const psl_ctx_t *psl,
                      const struct prevscan *prev);
/* Consumes src (its tables are left empty). */
void stats_merge(struct stats *dst, struct stats *src);
/* Turns the sets into counters (unique hosts, per-address TLS figures); call once, after
 * the merge. */
void stats_finish(struct stats *s);

/* The operator of an MX host: its registered domain by the Public Suffix List, or the
 * host itself when it has none. Writes into buf. */
const char *mx_operator(const psl_ctx_t *psl, const char *host, char *buf, size_t cap);

#endif
