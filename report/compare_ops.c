/* Why DANE broke, and MTA-STS content changed under the same id (see compare_ops.h). The
 * record's keys and strings are record/schema.h's. */
#include "report/compare_ops.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dane_cause_text[DANE_CAUSE_COUNT] = {
  [DANE_CAUSE_DNSSEC] = "DNSSEC bogus or signatures expired",
  [DANE_CAUSE_MX_MOVED] = "MX hosts changed, none has TLSA",
  [DANE_CAUSE_KEY_CHANGED] = "server key changed, TLSA unchanged",
  [DANE_CAUSE_TLSA_CHANGED] = "TLSA set changed, matches nothing",
  [DANE_CAUSE_OTHER] = "MX hosts, TLSA and keys unchanged",
};

static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* FNV-1a, then a finaliser (splitmix64) so that sums of item hashes do not cancel. */
uint64_t ops_hash(const char *s, size_t n, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  h += 0x9e3779b97f4a7c15ULL;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

static int u64cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

uint64_t ops_set_fp(uint64_t *h, size_t n) {
  if (!n) return 0;
  qsort(h, n, sizeof *h, u64cmp);
  uint64_t fp = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || h[i] != h[i - 1]) fp = ops_hash((const char *)&h[i], sizeof h[i], fp);
  return fp ? fp : 1;
}

static size_t jlen(json_object *a) {
  return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static int64_t jint(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

/* Bounds of one domain's items: more MX hosts, records or addresses than these are not
 * fingerprinted (the scanner caps them lower). */
#define OBS_ITEMS 256

struct items {
  uint64_t h[OBS_ITEMS];
  size_t n;
};

static void item(struct items *it, const char *s, size_t n, uint64_t seed) {
  if (it->n < OBS_ITEMS) it->h[it->n++] = ops_hash(s, n, seed);
}

static int expired(const char *t, time_t scanned) {
  time_t e = jtime_str(t);
  return e >= 0 && scanned >= 0 && e <= scanned;
}

/* One address: its DANE status and the key it presented. */
static void obs_address(json_object *a, struct ops_obs *o, struct items *keys) {
  const char *st = jstr(jget(a, RK_DANE), RK_STATUS);
  if (eq(st, dane_status_name(DANE_VALID))) o->valid_addrs++;
  else if (eq(st, dane_status_name(DANE_MISMATCH)) || eq(st, dane_status_name(DANE_UNUSABLE)) ||
           eq(st, dane_status_name(DANE_NO_STARTTLS)) || eq(st, dane_status_name(DANE_TLSA_BOGUS)))
    o->failing_addrs++;
  const char *spki = jstr(jget(jget(jget(a, RK_SMTP), RK_TLS), RK_CERT), RK_SPKI_SHA256);
  if (spki) {
    item(keys, spki, strlen(spki), 3);
    o->spki_known = 1;
  }
}

void ops_obs_of(json_object *rec, time_t scanned, struct ops_obs *o) {
  memset(o, 0, sizeof *o);
  if (!eq(jstr(rec, RK_STATUS), job_status_name(JOB_OK))) return;
  o->have = 1;
  const char *bogus = dnssec_state_name(DNSSEC_BOGUS);
  json_object *sum = jget(rec, RK_SUMMARY);
  o->dane_valid = eq(jstr(sum, RK_DANE), sum_dane_name(SUM_DANE_VALID));
  o->dane_inconclusive = eq(jstr(sum, RK_DANE), sum_dane_name(SUM_DANE_INCONCLUSIVE));
  o->dnssec_broken = eq(jstr(rec, RK_DNSSEC), bogus) ||
                     expired(jstr(rec, RK_DNSSEC_EXPIRES), scanned);
  /* 6 KiB of item hashes on the parser thread's stack (8 MiB): no allocation per record */
  struct items hosts, tlsa, keys, *H = &hosts, *T = &tlsa, *K = &keys;
  H->n = T->n = K->n = 0;
  json_object *mxs = jget(rec, RK_MX);
  for (size_t i = 0; i < jlen(mxs); i++) {
    json_object *mx = json_object_array_get_idx(mxs, i), *t = jget(mx, RK_TLSA);
    const char *host = jstr(mx, RK_HOST);
    if (!host) continue;
    size_t hl = strlen(host);
    item(H, host, hl, 1);
    o->dnssec_broken |= eq(jstr(mx, RK_DNSSEC), bogus) || eq(jstr(t, RK_DNSSEC), bogus) ||
                        expired(jstr(mx, RK_DNSSEC_EXPIRES), scanned);
    json_object *recs = jget(t, RK_RECORDS);
    if (eq(jstr(t, RK_RESULT), dns_outcome_name(DNS_DATA)) && jlen(recs)) o->tlsa_hosts++;
    for (size_t k = 0; k < jlen(recs); k++) {
      json_object *r = json_object_array_get_idx(recs, k);
      const char *data = jstr(r, RK_DATA);
      char buf[700];
      int n = snprintf(buf, sizeof buf, "%.255s %" PRId64 " %" PRId64 " %" PRId64 " %.400s", host,
                       jint(r, RK_USAGE), jint(r, RK_SELECTOR), jint(r, RK_MTYPE),
                       data ? data : "");
      item(T, buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, 2);
    }
    json_object *addrs = jget(mx, RK_ADDRESSES);
    for (size_t j = 0; j < jlen(addrs); j++) obs_address(json_object_array_get_idx(addrs, j), o, K);
  }
  o->hosts_fp = ops_set_fp(H->h, H->n);
  o->tlsa_fp = ops_set_fp(T->h, T->n);
  o->spki_fp = ops_set_fp(K->h, K->n);
  json_object *sts = jget(rec, RK_MTA_STS);
  const char *id = jstr(sts, RK_ID), *sha = jstr(sts, RK_POLICY_SHA256);
  snprintf(o->sts_id, sizeof o->sts_id, "%s", id ? id : "");
  snprintf(o->sts_sha, sizeof o->sts_sha, "%s", sha ? sha : "");
}

/* A text part without spaces or separators ("-" for empty): ids are [A-Za-z0-9] (RFC 8461
 * §3.1), digests hex, but a hostile record may carry anything. */
static void part(char *dst, size_t cap, const char *s) {
  size_t k = 0;
  for (; s[k] && k + 1 < cap; k++) {
    unsigned char c = (unsigned char)s[k];
    dst[k] = c <= 0x20 || c >= 0x7f ? '?' : (char)c;
  }
  dst[k] = '\0';
  if (!k && cap > 1) strcpy(dst, "-");
}

void ops_obs_str(const struct ops_obs *o, char *buf, size_t cap) {
  char id[65], sha[65];
  part(id, sizeof id, o->sts_id);
  part(sha, sizeof sha, o->sts_sha);
  snprintf(buf, cap, "%d %d %d %d %d %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %d %d %d %s %s",
           o->have, o->dane_valid, o->dane_inconclusive, o->valid_addrs, o->failing_addrs,
           o->hosts_fp, o->tlsa_fp, o->spki_fp, o->tlsa_hosts, o->spki_known, o->dnssec_broken,
           id, sha);
}

int ops_obs_parse(const char *s, struct ops_obs *o) {
  memset(o, 0, sizeof *o);
  if (!s) return -1;
  int n = sscanf(s, "%d %d %d %d %d %" SCNx64 " %" SCNx64 " %" SCNx64 " %d %d %d %64s %64s",
                 &o->have, &o->dane_valid, &o->dane_inconclusive, &o->valid_addrs,
                 &o->failing_addrs, &o->hosts_fp, &o->tlsa_fp, &o->spki_fp, &o->tlsa_hosts,
                 &o->spki_known, &o->dnssec_broken, o->sts_id, o->sts_sha);
  if (n != 13) {
    memset(o, 0, sizeof *o);
    return -1;
  }
  if (strcmp(o->sts_id, "-") == 0) o->sts_id[0] = '\0';
  if (strcmp(o->sts_sha, "-") == 0) o->sts_sha[0] = '\0';
  return 0;
}

bool compare_dane_broke(const struct ops_obs *was, const struct ops_obs *now) {
  if (!was->have || !now->have || now->dane_inconclusive) return false;
  if (was->dane_valid && !now->dane_valid) return true;
  return was->valid_addrs > 0 && now->failing_addrs > was->failing_addrs;
}

enum dane_cause compare_dane_cause(const struct ops_obs *was, const struct ops_obs *now) {
  if (now->dnssec_broken) return DANE_CAUSE_DNSSEC;
  if (now->hosts_fp != was->hosts_fp && now->tlsa_hosts == 0) return DANE_CAUSE_MX_MOVED;
  if (now->tlsa_fp == was->tlsa_fp && now->spki_known && was->spki_known &&
      now->spki_fp != was->spki_fp)
    return DANE_CAUSE_KEY_CHANGED;
  if (now->tlsa_fp != was->tlsa_fp) return DANE_CAUSE_TLSA_CHANGED;
  return DANE_CAUSE_OTHER;
}

bool compare_sts_same_id(const struct ops_obs *was, const struct ops_obs *now) {
  return was->sts_id[0] && was->sts_sha[0] && now->sts_sha[0] &&
         strcmp(was->sts_id, now->sts_id) == 0 && strcmp(was->sts_sha, now->sts_sha) != 0;
}
