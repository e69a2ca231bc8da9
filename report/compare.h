/* The previous scan for --compare: per domain, its DANE and MTA-STS state. This is the one
 * part of the report that is O(domains): about 100 bytes per domain of the OLD files. */
#ifndef MXS_REPORT_COMPARE_H
#define MXS_REPORT_COMPARE_H

#include "report/table.h"

#include <json-c/json.h>

struct prevscan {
  struct rtable map;  /* domain -> str "dane\x1fmta-sts", v[1] = seen in the new scan */
};

/* Writes the comparable state of a record ("valid\x1fvalid:enforce", "-" when absent). */
void compare_state(json_object *rec, char *buf, size_t cap);
/* Remembers one record of the previous scan (per-worker map; merged with rt_merge). */
void compare_remember(struct rtable *map, json_object *rec);
/* Domains of the previous scan that the new one does not have. */
uint64_t compare_gone(const struct prevscan *p);

#endif
