/* Issue 16's counters (see stats_ops.h): conformity.*, rollover.*, outlook.*. Keys and
 * enum strings are record/schema.h's; the figure catalogue that shows them is
 * figures_ops.c. */
#include "report/stats_ops.h"
#include "report/jsonget.h"

#include <stdio.h>
#include <string.h>

const char *const outlook_what_name[OW_COUNT] = {
  [OW_PKIX] = "pkix", [OW_DANE] = "dane", [OW_DNSSEC] = "dnssec", [OW_OTHER] = "other",
};

#define WEEK_S (7 * 86400)

static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static size_t jlen(json_object *a) {
  return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* The boolean member key of o: 1, 0, or -1 when absent (or not a boolean). */
static int jbool3(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  if (!v || !json_object_is_type(v, json_type_boolean)) return -1;
  return json_object_get_boolean(v) ? 1 : 0;
}

/* A record value inside a key or a list: bounded (cap - 1 bytes; key parts get KV_KEY),
 * printable, no separators. */
#define KV_KEY 81
static const char *kv(const char *v, char *buf, size_t cap) {
  if (!v || !*v) return "(none)";
  size_t i = 0;
  for (; v[i] && i + 1 < cap; i++) {
    unsigned char c = (unsigned char)v[i];
    buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  buf[i] = '\0';
  return buf;
}

int cncs_check_index(const char *id) {
  for (int i = 0; id && i < CNCS_CHECK_COUNT; i++)
    if (strcmp(id, schema_cncs_check[i]) == 0) return i;
  return -1;
}

int cncs_result_index(const char *result) {
  for (int i = 0; result && i < CNCS_RESULT_COUNT; i++)
    if (strcmp(result, schema_cncs_result[i]) == 0) return i;
  return -1;
}

void ops_stats_init(struct ops_stats *s) {
  memset(s, 0, sizeof *s);
  rt_init(&s->rollover);
  rt_init_n(&s->opcncs, CNCS_RESULT_COUNT > 2 ? CNCS_RESULT_COUNT : 2);
}

void ops_stats_free(struct ops_stats *s) {
  rt_free(&s->rollover);
  rt_free(&s->opcncs);
}

/* conformity.cncs: per check, its result (once per id: a repeated id is ignored), and
 * the same per operator of the domain. */
static void conformity(struct ops_stats *s, struct rtable *counts, json_object *c,
                       char (*ops)[256], int nops) {
  int pass = jbool3(c, RK_PASS) == 1;
  rt_add3(counts, 1, "conformity.domains", NULL, NULL);
  if (pass) rt_add3(counts, 1, "conformity.pass", NULL, NULL);
  if (jbool3(c, RK_COMPLETE) == 1) rt_add3(counts, 1, "conformity.complete", NULL, NULL);
  int res[CNCS_CHECK_COUNT];
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) res[k] = -2;   /* -2: not in the record */
  json_object *checks = jget(c, RK_CHECKS);
  char b1[KV_KEY], b2[KV_KEY];
  for (size_t i = 0; i < jlen(checks); i++) {
    json_object *e = json_object_array_get_idx(checks, i);
    const char *id = jstr(e, RK_ID), *result = jstr(e, RK_RESULT);
    int k = cncs_check_index(id);
    if (k < 0) {
      rt_add3(counts, 1, "conformity.unknown_check.", kv(id, b1, sizeof b1), NULL);
      continue;
    }
    if (res[k] != -2) continue;
    res[k] = cncs_result_index(result);
    rt_addf(counts, 1, "conformity.check.%s.%s", id, kv(result, b2, sizeof b2));
  }
  for (int o = 0; o < nops; o++) {
    struct rt_entry *e = rt_get(&s->opcncs, ops[o], strlen(ops[o]));
    e->v[0]++;
    e->v[1] += pass;
    for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
      if (res[k] < 0) continue;
      char key[300];
      int n = snprintf(key, sizeof key, "%s\x1f%s", ops[o], schema_cncs_check[k]);
      rt_get(&s->opcncs, key, n > 0 && (size_t)n < sizeof key ? (size_t)n : sizeof key - 1)
        ->v[res[k]]++;
    }
  }
}

static int soon_before(const struct soon_row *a, int64_t breaks, const char *domain) {
  if (a->breaks != breaks) return a->breaks < breaks;
  return strcmp(a->domain, domain) < 0;
}

/* Keeps row among the OUTLOOK_SOONEST earliest (breaks, then domain): a deterministic
 * list whatever the order records or workers arrive in. */
static void soon_insert(struct ops_stats *s, const struct soon_row *row) {
  int at = 0;
  while (at < s->nsoon && soon_before(&s->soon[at], row->breaks, row->domain)) at++;
  if (at < s->nsoon && s->soon[at].breaks == row->breaks &&
      strcmp(s->soon[at].domain, row->domain) == 0)
    return;                                 /* the same domain twice (duplicate lines) */
  if (at >= OUTLOOK_SOONEST) return;
  int n = s->nsoon < OUTLOOK_SOONEST ? s->nsoon : OUTLOOK_SOONEST - 1;
  memmove(&s->soon[at + 1], &s->soon[at], (size_t)(n - at) * sizeof s->soon[0]);
  s->soon[at] = *row;
  if (s->nsoon < OUTLOOK_SOONEST) s->nsoon++;
}

/* What of a warning domain breaks: a PKIX-valid address whose outlook is not, a
 * DANE-valid one whose outlook is not, a signature (dnssec_expires of the record or an MX
 * host) expiring by the horizon (the addresses' outlook.at; without any, by the domain's
 * first break). */
static unsigned what_breaks(json_object *rec, time_t at, time_t breaks) {
  unsigned what = 0;
  time_t limit = at >= 0 ? at : breaks;
  time_t e = jtime_str(jstr(rec, RK_DNSSEC_EXPIRES));
  if (e >= 0 && limit >= 0 && e <= limit) what |= 1u << OW_DNSSEC;
  json_object *mxs = jget(rec, RK_MX);
  for (size_t i = 0; i < jlen(mxs); i++) {
    json_object *mx = json_object_array_get_idx(mxs, i), *addrs = jget(mx, RK_ADDRESSES);
    e = jtime_str(jstr(mx, RK_DNSSEC_EXPIRES));
    if (e >= 0 && limit >= 0 && e <= limit) what |= 1u << OW_DNSSEC;
    for (size_t j = 0; j < jlen(addrs); j++) {
      json_object *a = json_object_array_get_idx(addrs, j), *ol = jget(a, RK_OUTLOOK);
      if (!ol) continue;
      json_object *pkix = jget(jget(jget(a, RK_SMTP), RK_TLS), RK_PKIX);
      if (jbool3(pkix, RK_VALID) == 1 && jbool3(ol, RK_PKIX_VALID) == 0) what |= 1u << OW_PKIX;
      if (eq(jstr(jget(a, RK_DANE), RK_STATUS), dane_status_name(DANE_VALID)) &&
          jbool3(ol, RK_DANE_VALID) == 0)
        what |= 1u << OW_DANE;
    }
  }
  return what ? what : 1u << OW_OTHER;
}

/* The latest addresses[].outlook.at of the record (-1: none), and the horizon it shows. */
static time_t horizon_at(struct ops_stats *s, json_object *rec, time_t scanned) {
  time_t at = -1;
  json_object *mxs = jget(rec, RK_MX);
  for (size_t i = 0; i < jlen(mxs); i++) {
    json_object *addrs = jget(json_object_array_get_idx(mxs, i), RK_ADDRESSES);
    for (size_t j = 0; j < jlen(addrs); j++) {
      time_t t = jtime_str(jstr(jget(json_object_array_get_idx(addrs, j), RK_OUTLOOK), RK_AT));
      if (t > at) at = t;
    }
  }
  if (at >= 0 && scanned >= 0 && at - scanned > s->horizon_s) s->horizon_s = at - scanned;
  return at;
}

static void outlook(struct ops_stats *s, struct rtable *counts, json_object *rec,
                    time_t scanned) {
  json_object *sum = jget(rec, RK_SUMMARY);
  const char *st = jstr(sum, RK_OUTLOOK);
  if (!st) return;                      /* a record before issue 16: no walk over it */
  time_t at = horizon_at(s, rec, scanned);
  char b[KV_KEY];
  rt_add3(counts, 1, "outlook.domains", NULL, NULL);
  rt_add3(counts, 1, "outlook.status.", kv(st, b, sizeof b), NULL);
  if (!eq(st, schema_outlook_status[OUTLOOK_WARN])) return;
  const char *when = jstr(sum, RK_OUTLOOK_BREAKS);
  time_t breaks = jtime_str(when);
  unsigned what = what_breaks(rec, at, breaks);
  for (int w = 0; w < OW_COUNT; w++)
    if (what & (1u << w)) rt_add3(counts, 1, "outlook.what.", outlook_what_name[w], NULL);
  if (breaks < 0 || scanned < 0) {
    rt_add3(counts, 1, "outlook.week.unknown", NULL, NULL);
    return;
  }
  int64_t in = (int64_t)breaks - (int64_t)scanned;
  if (in < 0) {
    rt_add3(counts, 1, "outlook.week.past", NULL, NULL);
  } else {
    int64_t week = in / WEEK_S + 1;
    if (week > OUTLOOK_WEEKS_MAX) {     /* a hostile or absurd date: counted, not a row each */
      rt_add3(counts, 1, "outlook.week.later", NULL, NULL);
    } else {
      rt_addf(counts, 1, "outlook.week.%d", (int)week);
      if (week > s->max_week) s->max_week = (int)week;
    }
  }
  struct soon_row row = {.breaks = breaks, .in_s = in, .what = what};
  const char *dom = jstr(rec, RK_DOMAIN), *reason = jstr(sum, RK_OUTLOOK_REASON);
  char db[sizeof row.domain];
  snprintf(row.domain, sizeof row.domain, "%s", kv(dom, db, sizeof db));
  snprintf(row.when, sizeof row.when, "%.31s", when);
  char rb[sizeof row.reason];
  snprintf(row.reason, sizeof row.reason, "%s", reason ? kv(reason, rb, sizeof rb) : "");
  soon_insert(s, &row);
}

void ops_stats_add(struct ops_stats *s, struct rtable *counts, json_object *rec,
                   time_t scanned, char (*ops)[256], int nops) {
  json_object *c = jget(jget(rec, RK_CONFORMITY), RK_CNCS);
  if (c) conformity(s, counts, c, ops, nops);
  outlook(s, counts, rec, scanned);
}

void ops_stats_host(struct ops_stats *s, json_object *mx, const char *host) {
  json_object *ro = jget(jget(mx, RK_TLSA), RK_ROLLOVER);
  if (!ro) return;
  char b1[KV_KEY], b2[KV_KEY], fact[256];
  /* '1' sorts after '0': when records disagree on a host, ready is kept (rt_keep_max),
   * whatever the order they arrive in. */
  snprintf(fact, sizeof fact, "%c\x1f%s\x1f%s\x1f%c", jbool3(ro, RK_READY) == 1 ? '1' : '0',
           kv(jstr(ro, RK_SCHEME), b1, sizeof b1), kv(jstr(ro, RK_REASON), b2, sizeof b2),
           jlen(jget(ro, RK_UNMATCHED)) ? '1' : '0');
  rt_keep_max(rt_get(&s->rollover, host, strlen(host)), fact);
}

void ops_stats_merge(struct ops_stats *dst, struct ops_stats *src) {
  rt_merge(&dst->rollover, &src->rollover);
  rt_merge(&dst->opcncs, &src->opcncs);
  if (src->horizon_s > dst->horizon_s) dst->horizon_s = src->horizon_s;
  if (src->max_week > dst->max_week) dst->max_week = src->max_week;
  for (int i = 0; i < src->nsoon; i++) soon_insert(dst, &src->soon[i]);
  src->nsoon = 0;
}

void ops_stats_finish(struct ops_stats *s, struct rtable *counts) {
  size_t pos = 0;
  for (struct rt_entry *e; (e = rt_next(&s->rollover, &pos));) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", e->str ? e->str : "");
    char *f[4] = {buf, NULL, NULL, NULL};
    for (int k = 1; k < 4; k++) {
      f[k] = f[k - 1] ? strchr(f[k - 1], '\x1f') : NULL;
      if (f[k]) *f[k]++ = '\0';
    }
    if (!f[3]) continue;
    int ready = buf[0] == '1';
    rt_add3(counts, 1, "rollover.hosts", NULL, NULL);
    rt_add3(counts, 1, ready ? "rollover.ready" : "rollover.not_ready", NULL, NULL);
    rt_add3(counts, 1, ready ? "rollover.scheme_ready." : "rollover.scheme_not_ready.", f[1], NULL);
    if (!ready) rt_add3(counts, 1, "rollover.reason.", f[2], NULL);
    if (f[3][0] == '1') rt_add3(counts, 1, "rollover.unmatched", NULL, NULL);
  }
}
