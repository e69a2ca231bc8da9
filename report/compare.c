/* Per-domain state of the previous scan, and what counts as a change. The states are the
 * record's own strings (record/schema.h): summary.dane, mta_sts.status with the mode of a
 * valid policy ("valid:enforce"), and summary.tls_grade. The change kinds are named here once, for stats.c (which
 * counts them), figures.c and the renderers (which list them). */
#include "report/compare.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

const char *const change_kind_key[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "dane.adopted", [CHG_DANE_BROKEN] = "dane.broken",
  [CHG_DANE_INCONCLUSIVE] = "dane.inconclusive", [CHG_STS_ADOPTED] = "mta_sts.adopted",
  [CHG_STS_BROKEN] = "mta_sts.broken", [CHG_GRADE_WORSE] = "tls_grade.worse",
  [CHG_GRADE_BETTER] = "tls_grade.better",
};
const char *const change_kind_title[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "DANE newly valid", [CHG_DANE_BROKEN] = "DANE newly broken",
  [CHG_DANE_INCONCLUSIVE] = "DANE newly inconclusive", [CHG_STS_ADOPTED] = "MTA-STS newly valid",
  [CHG_STS_BROKEN] = "MTA-STS no longer valid", [CHG_GRADE_WORSE] = "TLS profile grade worse",
  [CHG_GRADE_BETTER] = "TLS profile grade better",
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

/* A grade's rank, best first; -1 for none or a value the report does not know. */
static int grade_rank(const char *g) {
  for (int c = 0; c < TLS_CLASS_COUNT; c++)
    if (eq(g, tls_class_name((enum tls_class)c))) return c;
  return -1;
}

int compare_grade_change(const char *was, const char *now) {
  int w = grade_rank(was), n = grade_rank(now);
  if (w < 0 || n < 0 || w == n) return -1;
  return n > w ? CHG_GRADE_WORSE : CHG_GRADE_BETTER;
}

void compare_state(json_object *rec, char *buf, size_t cap) {
  json_object *sum = jget(rec, RK_SUMMARY);
  const char *dane = jstr(sum, RK_DANE), *grade = jstr(sum, RK_TLS_GRADE);
  if (!grade || strlen(grade) > 24 || strchr(grade, '\x1f')) grade = "-";
  json_object *sts = jget(rec, RK_MTA_STS);
  const char *st = jstr(sts, RK_STATUS);
  const char *mode = jstr(sts, RK_MODE);
  const char *valid = sts_status_name(STS_VALID);
  if (st && strcmp(st, valid) == 0)
    snprintf(buf, cap, "%.60s\x1f%s:%.60s\x1f%s", dane ? dane : "-", valid, mode ? mode : "?",
             grade);
  else
    snprintf(buf, cap, "%.60s\x1f%.60s\x1f%s", dane ? dane : "-", st ? st : "-", grade);
}

void compare_remember(struct rtable *map, json_object *rec) {
  const char *d = jstr(rec, RK_DOMAIN);
  if (!d) return;
  char state[COMPARE_STATE_MAX];
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
