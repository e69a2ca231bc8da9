/* The report's issue 16 counters: CNCS conformity per check (and per operator), TLSA
 * rollover readiness per distinct MX host, and the outlook (which domains' mail breaks
 * before the horizon, by week, what breaks, and the ones that break soonest). Fed one
 * record at a time by stats.c, which owns a struct ops_stats inside its struct stats;
 * merged and finished with it. Memory: O(distinct MX hosts + operators x checks), plus
 * a fixed list of OUTLOOK_SOONEST domains. */
#ifndef MXS_REPORT_STATS_OPS_H
#define MXS_REPORT_STATS_OPS_H

#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "report/table.h"
#include "record/schema.h"  /* CNCS_CHECK_COUNT, CNCS_RESULT_COUNT */

/* How many domains the list of those whose mail breaks soonest holds: fixed (a CERT's
 * week of phone calls; the JSON and CSV have the same 20). docs/report.md says so. */
#define OUTLOOK_SOONEST 20

/* The weeks the outlook has a row for (five years); a warning later than that is
 * "outlook.week.later". */
#define OUTLOOK_WEEKS_MAX 260

/* What breaks at the horizon, per domain (bits; "outlook.what.<name>"). */
enum outlook_what { OW_PKIX, OW_DANE, OW_DNSSEC, OW_OTHER, OW_COUNT };
extern const char *const outlook_what_name[OW_COUNT];  /* "pkix", "dane", "dnssec", "other" */

struct soon_row {
  int64_t breaks;       /* summary.outlook_breaks, seconds since the epoch */
  int64_t in_s;         /* breaks - scanned_at */
  unsigned what;        /* 1 << enum outlook_what */
  char domain[256];
  char when[32];        /* summary.outlook_breaks as written */
  char reason[160];     /* summary.outlook_reason */
};

struct ops_stats {
  struct rtable rollover;   /* MX host -> "<1|0>\x1f<scheme>\x1f<reason>\x1f<unmatched 0|1>" */
  struct rtable opcncs;     /* "operator\x1f<check id>" -> counter per enum cncs_result;
                               "operator" -> v[0] domains judged, v[1] conforming */
  int64_t horizon_s;        /* the largest addresses[].outlook.at - scanned_at met */
  int max_week;             /* the latest week of a warning met (1 = days 0-6) */
  struct soon_row soon[OUTLOOK_SOONEST];  /* soonest first (breaks, then domain) */
  int nsoon;
};

void ops_stats_init(struct ops_stats *s);
void ops_stats_free(struct ops_stats *s);
/* One record of status ok: counts into counts; ops[0..nops) are its operators (stats.c's
 * grouping, each once). */
void ops_stats_add(struct ops_stats *s, struct rtable *counts, json_object *rec,
                   time_t scanned, char (*ops)[256], int nops);
/* One MX host of such a record (called once per mx[] entry). */
void ops_stats_host(struct ops_stats *s, json_object *mx, const char *host);
/* Consumes src. */
void ops_stats_merge(struct ops_stats *dst, struct ops_stats *src);
/* The per-host counters (rollover.*); call once after the merge. */
void ops_stats_finish(struct ops_stats *s, struct rtable *counts);

/* The index of a check id or a result string in record/schema.c's tables, or -1. */
int cncs_check_index(const char *id);
int cncs_result_index(const char *result);

#endif
