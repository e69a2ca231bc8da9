/* Per-domain state of the previous scan, and what counts as a change. The states are the
 * record's own strings (record/schema.h): summary.dane, and mta_sts.status with the mode of a
 * valid policy ("valid:enforce"). The change kinds are named here once, for stats.c (which
 * counts them), figures.c and the renderers (which list them). */
#include "report/compare.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

const char *const change_kind_key[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "dane.adopted", [CHG_DANE_BROKEN] = "dane.broken",
  [CHG_DANE_INCONCLUSIVE] = "dane.inconclusive", [CHG_STS_ADOPTED] = "mta_sts.adopted",
  [CHG_STS_BROKEN] = "mta_sts.broken",
};
const char *const change_kind_title[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "DANE newly valid", [CHG_DANE_BROKEN] = "DANE newly broken",
  [CHG_DANE_INCONCLUSIVE] = "DANE newly inconclusive", [CHG_STS_ADOPTED] = "MTA-STS newly valid",
  [CHG_STS_BROKEN] = "MTA-STS no longer valid",
};

static int eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

int compare_dane_change(const char *was, const char *now) {
  const char *valid = sum_dane_name(SUM_DANE_VALID), *invalid = sum_dane_name(SUM_DANE_INVALID);
  const char *inconclusive = sum_dane_name(SUM_DANE_INCONCLUSIVE);
  if (eq(now, inconclusive)) return eq(was, inconclusive) ? -1 : CHG_DANE_INCONCLUSIVE;
  if (eq(now, valid)) return eq(was, valid) || eq(was, inconclusive) ? -1 : CHG_DANE_ADOPTED;
  /* Not valid now: broken when it was valid, or is invalid now and was not before (an
   * inconclusive previous scan did not show it invalid). */
  if (eq(was, valid) || (eq(now, invalid) && !eq(was, invalid))) return CHG_DANE_BROKEN;
  return -1;
}

int compare_sts_change(const char *was, const char *now) {
  const char *sv = sts_status_name(STS_VALID);
  size_t svl = strlen(sv);
  int nv = strncmp(now, sv, svl) == 0, wv = strncmp(was, sv, svl) == 0;
  return nv && !wv ? CHG_STS_ADOPTED : !nv && wv ? CHG_STS_BROKEN : -1;
}

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
