/* Per-domain state of the previous scan, and what counts as a change. The states are the
 * record's own strings (record/schema.h): summary.dane, mta_sts.status with the mode of a
 * valid policy ("valid:enforce"), and summary.tls_grade. The change kinds are named here once, for stats.c (which
 * counts them), figures.c and the renderers (which list them). */
#include "report/compare.h"
#include "report/compare_ops.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

_Static_assert(CHG_DANE_CAUSE_LAST - CHG_DANE_CAUSE + 1 == DANE_CAUSE_COUNT,
               "one change kind per DANE cause");
#define CAUSE(c) [CHG_DANE_CAUSE + (c)]
const char *const change_kind_key[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "dane.adopted", [CHG_DANE_BROKEN] = "dane.broken",
  [CHG_DANE_INCONCLUSIVE] = "dane.inconclusive",
  CAUSE(DANE_CAUSE_DNSSEC) = "dane_broke.dnssec", CAUSE(DANE_CAUSE_MX_MOVED) = "dane_broke.mx_moved",
  CAUSE(DANE_CAUSE_KEY_CHANGED) = "dane_broke.key_changed",
  CAUSE(DANE_CAUSE_TLSA_CHANGED) = "dane_broke.tlsa_changed",
  CAUSE(DANE_CAUSE_OTHER) = "dane_broke.other",
  [CHG_STS_ADOPTED] = "mta_sts.adopted",
  [CHG_STS_BROKEN] = "mta_sts.broken", [CHG_STS_SAME_ID] = "mta_sts.changed_same_id",
  [CHG_GRADE_WORSE] = "tls_grade.worse", [CHG_GRADE_BETTER] = "tls_grade.better",
};
const char *const change_kind_title[CHG_COUNT] = {
  [CHG_DANE_ADOPTED] = "DANE newly valid", [CHG_DANE_BROKEN] = "DANE newly broken",
  [CHG_DANE_INCONCLUSIVE] = "DANE newly inconclusive",
  CAUSE(DANE_CAUSE_DNSSEC) = "DANE broke: DNSSEC broke (bogus, or signatures expired)",
  CAUSE(DANE_CAUSE_MX_MOVED) = "DANE broke: the MX moved to hosts without TLSA",
  CAUSE(DANE_CAUSE_KEY_CHANGED) = "DANE broke: the server's key changed, the TLSA set did not "
                                  "(rollover failure)",
  CAUSE(DANE_CAUSE_TLSA_CHANGED) = "DANE broke: the TLSA set changed and matches nothing",
  CAUSE(DANE_CAUSE_OTHER) = "DANE broke: same MX hosts, TLSA set and keys",
  [CHG_STS_ADOPTED] = "MTA-STS newly valid", [CHG_STS_BROKEN] = "MTA-STS no longer valid",
  [CHG_STS_SAME_ID] = "MTA-STS policy changed without a new id (senders keep the old one)",
  [CHG_GRADE_WORSE] = "TLS profile grade worse", [CHG_GRADE_BETTER] = "TLS profile grade better",
};
#undef CAUSE

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
  char state[COMPARE_STATE_MAX + OPS_OBS_MAX + 2];
  compare_state(rec, state, COMPARE_STATE_MAX);
  struct ops_obs o;
  ops_obs_of(rec, jtime_str(jstr(rec, RK_SCANNED_AT)), &o);
  size_t n = strlen(state);
  state[n++] = COMPARE_OPS_SEP;
  ops_obs_str(&o, state + n, sizeof state - n);
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
