/* Per-domain state of the previous scan, and what counts as a change. The states are the
 * record's own strings (record/schema.h): summary.dane, and mta_sts.status with the mode of a
 * valid policy ("valid:enforce"). */
#include "report/compare.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

void compare_state(json_object *rec, char *buf, size_t cap) {
  const char *dane = jstr(jget(rec, RK_SUMMARY), RK_DANE);
  json_object *sts = jget(rec, RK_MTA_STS);
  const char *st = jstr(sts, RK_STATUS);
  const char *mode = jstr(sts, RK_MODE);
  const char *valid = sts_status_name(STS_VALID);
  if (st && strcmp(st, valid) == 0)
    snprintf(buf, cap, "%s\x1f%s:%s", dane ? dane : "-", valid, mode ? mode : "?");
  else
    snprintf(buf, cap, "%s\x1f%s", dane ? dane : "-", st ? st : "-");
}

void compare_remember(struct rtable *map, json_object *rec) {
  const char *d = jstr(rec, RK_DOMAIN);
  if (!d) return;
  char state[96];
  compare_state(rec, state, sizeof state);
  struct rt_entry *e = rt_get(map, d, strlen(d));
  /* A domain twice in the old scan (duplicate input lines): keep one state, chosen
   * deterministically. */
  rt_keep_max(e, state);
}

uint64_t compare_gone(const struct prevscan *p) {
  uint64_t n = 0;
  size_t pos = 0;
  for (struct rt_entry *e; (e = rt_next(&p->map, &pos));)
    if (__atomic_load_n(&e->v[1], __ATOMIC_RELAXED) == 0) n++;
  return n;
}
