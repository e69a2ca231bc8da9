/* A domain's findings from its record (see finding.h). Record strings are hostile: they are
 * borrowed as they are, and whoever prints them bounds and cleans them (explain.c, notify.c). */
#include "report/finding.h"
#include "report/jsonget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int jbool(json_object *o, const char *key, int *v) {
  json_object *b = jget(o, key);
  if (!b || !json_object_is_type(b, json_type_boolean)) return 0;
  *v = json_object_get_boolean(b);
  return 1;
}

static size_t jlen(json_object *a) {
  return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

struct acc {
  struct finding *out;
  int n, cap;
};

static struct finding *add(struct acc *a, enum advice_id id, enum finding_kind k) {
  if (a->n >= a->cap) return NULL;
  struct finding *f = &a->out[a->n++];
  memset(f, 0, sizeof *f);
  f->id = id;
  f->kind = k;
  return f;
}

/* A timestamp string of the record's form, or NULL (hostile records: anything else). */
static const char *stamp(json_object *o, const char *key) {
  const char *s = jstr(o, key);
  return s && strlen(s) < 32 ? s : NULL;
}

static void cncs_findings(json_object *rec, struct acc *a) {
  json_object *checks = jget(jget(jget(rec, RK_CONFORMITY), RK_CNCS), RK_CHECKS);
  for (size_t i = 0; i < jlen(checks); i++) {
    json_object *c = json_object_array_get_idx(checks, i);
    int id = advice_lookup(jstr(c, RK_ID));
    const char *res = jstr(c, RK_RESULT);
    if (id < 0 || id >= CNCS_CHECK_COUNT || !res) continue;
    enum finding_kind k;
    if (strcmp(res, schema_cncs_result[CNCS_PASS]) == 0) k = FK_PASS;
    else if (strcmp(res, schema_cncs_result[CNCS_FAIL]) == 0)
      k = advice_advisory((enum advice_id)id) ? FK_ADVISORY : FK_FAIL;
    else if (strcmp(res, schema_cncs_result[CNCS_NOT_TESTED]) == 0) k = FK_NOT_TESTED;
    else k = FK_NOT_APPLICABLE;
    struct finding *f = add(a, (enum advice_id)id, k);
    if (f) f->detail = jstr(c, RK_DETAIL);
  }
}

/* The horizon the scan judged against: the latest addresses[].outlook.at; without one, a
 * warning summary's outlook_breaks (then only what breaks by then counts). */
struct horizon {
  char at[32];
  int inclusive;           /* from outlook_breaks: that instant itself breaks */
};

static void horizon_of(json_object *rec, struct horizon *hz) {
  char *h = hz->at;
  json_object *mx = jget(rec, RK_MX);
  for (size_t i = 0; i < jlen(mx); i++) {
    json_object *addrs = jget(json_object_array_get_idx(mx, i), RK_ADDRESSES);
    for (size_t k = 0; k < jlen(addrs); k++) {
      const char *at = stamp(jget(json_object_array_get_idx(addrs, k), RK_OUTLOOK), RK_AT);
      if (at && strcmp(at, h) > 0) snprintf(h, 32, "%s", at);
    }
  }
  json_object *sum = jget(rec, RK_SUMMARY);
  const char *st = jstr(sum, RK_OUTLOOK), *b = stamp(sum, RK_OUTLOOK_BREAKS);
  if (!h[0] && st && strcmp(st, schema_outlook_status[OUTLOOK_WARN]) == 0 && b) {
    snprintf(h, 32, "%s", b);
    hz->inclusive = 1;
  }
}

int finding_horizon(json_object *rec, char *buf) {
  struct horizon hz = {"", 0};
  horizon_of(rec, &hz);
  snprintf(buf, 32, "%s", hz.inclusive ? "" : hz.at);
  return buf[0] != 0;
}

/* Whether an expiry time falls before the horizon. */
static int before(const struct horizon *hz, const char *t) {
  if (!t || !hz->at[0]) return 0;
  int c = strcmp(t, hz->at);
  return c < 0 || (c == 0 && hz->inclusive);
}

/* One warning per (kind, MX host): the earliest date of its addresses, the reason of it. */
static void host_warn(struct acc *a, enum advice_id id, const char *host, const char *breaks,
                      const char *reason) {
  for (int i = 0; i < a->n; i++) {
    struct finding *f = &a->out[i];
    if (f->id != id || strcmp(f->host, host) != 0) continue;
    if (breaks && (!f->breaks[0] || strcmp(breaks, f->breaks) < 0)) {
      snprintf(f->breaks, sizeof f->breaks, "%s", breaks);
      f->detail = reason;
    }
    return;
  }
  struct finding *f = add(a, id, FK_WARN);
  if (!f) return;
  snprintf(f->host, sizeof f->host, "%s", host);
  if (breaks) snprintf(f->breaks, sizeof f->breaks, "%s", breaks);
  f->detail = reason;
}

/* Which of an address's outlook reasons tells of a verdict: DANE's mention TLSA or DANE,
 * else the first (the certificate that expires). */
static const char *reason_for(json_object *reasons, int dane) {
  const char *first = NULL;
  for (size_t i = 0; i < jlen(reasons); i++) {
    json_object *r = json_object_array_get_idx(reasons, i);
    const char *s = json_object_is_type(r, json_type_string) ? json_object_get_string(r) : NULL;
    if (!s) continue;
    if (!first) first = s;
    if (dane && (strstr(s, "DANE") || strstr(s, "TLSA") || strstr(s, "trust anchor"))) return s;
  }
  return first;
}

static void address_warnings(struct acc *a, const char *host, json_object *ad) {
  json_object *o = jget(ad, RK_OUTLOOK);
  if (!o) return;
  const char *breaks = stamp(o, RK_BREAKS);
  json_object *reasons = jget(o, RK_REASONS);
  int now = 0, later = 1;
  if (jbool(jget(jget(jget(ad, RK_SMTP), RK_TLS), RK_PKIX), RK_VALID, &now) && now &&
      jbool(o, RK_PKIX_VALID, &later) && !later)
    host_warn(a, ADV_OUTLOOK_PKIX, host, breaks, reason_for(reasons, 0));
  const char *dane = jstr(jget(ad, RK_DANE), RK_STATUS);
  later = 1;
  if (dane && strcmp(dane, schema_dane_status[DANE_VALID]) == 0 &&
      jbool(o, RK_DANE_VALID, &later) && !later)
    host_warn(a, ADV_OUTLOOK_DANE, host, breaks, reason_for(reasons, 1));
}

static void outlook_findings(json_object *rec, struct acc *a) {
  struct horizon hz = {"", 0};
  horizon_of(rec, &hz);
  json_object *mx = jget(rec, RK_MX);
  int dnssec_host_warned = 0;
  for (size_t i = 0; i < jlen(mx); i++) {
    json_object *m = json_object_array_get_idx(mx, i);
    const char *host = jstr(m, RK_HOST);
    if (!host || strlen(host) >= 256) continue;
    json_object *addrs = jget(m, RK_ADDRESSES);
    for (size_t k = 0; k < jlen(addrs); k++)
      address_warnings(a, host, json_object_array_get_idx(addrs, k));
    const char *exp = stamp(m, RK_DNSSEC_EXPIRES);
    if (before(&hz, exp)) {
      host_warn(a, ADV_OUTLOOK_DNSSEC, host, exp, jstr(m, RK_DNSSEC_EXPIRES_RRSET));
      dnssec_host_warned = 1;
    }
  }
  /* The domain's own earliest signature, unless it is one an MX host's warning names. */
  const char *exp = stamp(rec, RK_DNSSEC_EXPIRES), *rrset = jstr(rec, RK_DNSSEC_EXPIRES_RRSET);
  int same = 0;
  for (int i = 0; dnssec_host_warned && i < a->n; i++)
    if (a->out[i].id == ADV_OUTLOOK_DNSSEC && exp && strcmp(a->out[i].breaks, exp) == 0 &&
        (!rrset || (a->out[i].detail && strcmp(a->out[i].detail, rrset) == 0)))
      same = 1;
  if (before(&hz, exp) && !same)
    host_warn(a, ADV_OUTLOOK_DNSSEC, "", exp, rrset);
}

/* Severity, then (warnings) the date, then the check's own order: a stable total order. */
static int cmp(const void *x, const void *y) {
  const struct finding *a = x, *b = y;
  if (a->kind != b->kind) return (int)a->kind - (int)b->kind;
  if (a->kind == FK_WARN) {
    int c = strcmp(a->breaks[0] ? a->breaks : "~", b->breaks[0] ? b->breaks : "~");
    if (c) return c;
  }
  if (a->id != b->id) return (int)a->id - (int)b->id;
  return strcmp(a->host, b->host);
}

int findings_of(json_object *rec, struct finding *out, int cap) {
  struct acc a = {out, 0, cap};
  cncs_findings(rec, &a);
  outlook_findings(rec, &a);
  qsort(out, (size_t)a.n, sizeof *out, cmp);
  return a.n;
}
