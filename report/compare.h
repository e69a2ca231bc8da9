/* The previous scan for --compare: per domain, its DANE and MTA-STS state and its TLS
 * profile's grade (summary.tls_grade). This is the one
 * part of the report that is O(domains): about 100 bytes per domain of the OLD files. */
#ifndef MXS_REPORT_COMPARE_H
#define MXS_REPORT_COMPARE_H

#include "report/table.h"

#include <json-c/json.h>

struct prevscan {
  struct rtable map;  /* domain -> str "dane\x1fmta-sts\x1ftls-grade\x1e<ops_obs_str>",
                         v[1] = seen in the new scan */
};

/* The kinds of change the comparison lists, in display order; figure "changes.<key>". */
/* The DANE causes (issue 16) are the domains of a DANE break (compare_ops.h: summary.dane
 * valid -> not valid, or an address newly failing) by cause, in enum dane_cause's order
 * from CHG_DANE_CAUSE; CHG_STS_SAME_ID the policies whose content changed under one id. */
enum change_kind {
  CHG_DANE_ADOPTED, CHG_DANE_BROKEN, CHG_DANE_INCONCLUSIVE,
  CHG_DANE_CAUSE, CHG_DANE_CAUSE_LAST = CHG_DANE_CAUSE + 4,
  CHG_STS_ADOPTED, CHG_STS_BROKEN, CHG_STS_SAME_ID,
  CHG_GRADE_WORSE, CHG_GRADE_BETTER, CHG_COUNT
};
extern const char *const change_kind_key[CHG_COUNT];    /* "dane.adopted", ... */
extern const char *const change_kind_title[CHG_COUNT];  /* "DANE newly valid", ... */

/* What a domain's change of summary.dane (was, now: the record's strings, "-" when
 * absent) counts as: a change kind, or -1 for none. An inconclusive state is no
 * observation of the deployment: a domain that went from valid to inconclusive is newly
 * inconclusive, not broken, and one that went from inconclusive to valid is not newly
 * adopted (its TLSA records were there already). */
int compare_dane_change(const char *was, const char *now);
/* The same for the MTA-STS state of compare_state ("valid:<mode>", "none", ...). */
int compare_sts_change(const char *was, const char *now);

/* The same for summary.tls_grade (--tls-profile): worse or better by the classes' order
 * (good, sufficient, phase-out, insufficient). A domain profiled in one scan only, or with a
 * grade the report does not know, has no change: no profile is no observation. */
int compare_grade_change(const char *was, const char *now);

/* The bound of a state (each part of it is cut to 60 bytes). */
#define COMPARE_STATE_MAX 256
/* Writes the comparable state of a record ("valid\x1fvalid:enforce\x1fgood", "-" when
 * absent). */
void compare_state(json_object *rec, char *buf, size_t cap);
/* The separator of compare_state's part and compare_ops.h's observation in the map. */
#define COMPARE_OPS_SEP '\x1e'
/* Remembers one record of the previous scan (per-worker map; merged with rt_merge). */
void compare_remember(struct rtable *map, json_object *rec);
/* Domains of the previous scan that the new one does not have. */
uint64_t compare_gone(const struct prevscan *p);

#endif
