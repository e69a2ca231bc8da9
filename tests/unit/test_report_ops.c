/* The report's issue 16 classification (report/compare_ops.c), cause by cause: whether DANE
 * broke between two scans and why (DNSSEC, MX moved, key changed under the same TLSA set,
 * TLSA changed), MTA-STS content changed under one id; the observation of a record, its
 * text form, and the set fingerprints' order independence. Also the soonest list's bound
 * and order (report/stats_ops.c). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "report/compare_ops.h"
#include "report/stats_ops.h"
#include "tests/unit/testlib.h"

/* A DANE-valid domain of one MX host, one TLSA set, one key. */
static struct ops_obs base(void) {
  struct ops_obs o;
  memset(&o, 0, sizeof o);
  o.have = 1;
  o.dane_valid = 1;
  o.valid_addrs = 1;
  o.hosts_fp = 11;
  o.tlsa_fp = 22;
  o.spki_fp = 33;
  o.tlsa_hosts = 1;
  o.spki_known = 1;
  return o;
}

static void broke(void) {
  struct ops_obs was = base(), now = base();
  CHECK(!compare_dane_broke(&was, &now));          /* still valid */
  now.dane_valid = 0;
  now.valid_addrs = 0;
  now.failing_addrs = 1;
  CHECK(compare_dane_broke(&was, &now));           /* valid -> invalid */
  now.dane_inconclusive = 1;
  CHECK(!compare_dane_broke(&was, &now));          /* inconclusive: no observation */
  now.dane_inconclusive = 0;
  was.dane_valid = 0;                              /* partial before: one valid, one failing */
  was.failing_addrs = 1;
  CHECK(!compare_dane_broke(&was, &now));          /* as many failing as before */
  now.failing_addrs = 2;
  CHECK(compare_dane_broke(&was, &now));           /* an address newly failing */
  was.valid_addrs = 0;
  CHECK(!compare_dane_broke(&was, &now));          /* never valid: nothing broke */
  was = base();
  now.have = 0;
  CHECK(!compare_dane_broke(&was, &now));          /* no observation (not ok now) */
}

static void causes(void) {
  struct ops_obs was = base(), now = base();
  now.dane_valid = 0;
  now.spki_fp = 34;                                /* the rollover failure */
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_KEY_CHANGED);
  now.spki_known = 0;                              /* no key seen now: not the key */
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_OTHER);
  now = base();
  now.tlsa_fp = 23;                                /* new TLSA, same key */
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_TLSA_CHANGED);
  now.spki_fp = 34;                                /* both changed: the TLSA does not match */
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_TLSA_CHANGED);
  now = base();
  now.dnssec_broken = 1;                           /* DNSSEC first, whatever else changed */
  now.spki_fp = 34;
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_DNSSEC);
  now = base();
  now.hosts_fp = 12;                               /* moved, no TLSA at the new hosts */
  now.tlsa_hosts = 0;
  now.tlsa_fp = 0;
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_MX_MOVED);
  now.tlsa_hosts = 1;                              /* moved to hosts with (other) TLSA */
  now.tlsa_fp = 24;
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_TLSA_CHANGED);
  now = base();
  now.tlsa_hosts = 0;                              /* same hosts, TLSA withdrawn */
  now.tlsa_fp = 0;
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_TLSA_CHANGED);
  now = base();
  CHECK_INT(compare_dane_cause(&was, &now), DANE_CAUSE_OTHER);
}

static void sts(void) {
  struct ops_obs was = base(), now = base();
  strcpy(was.sts_id, "20260101");
  strcpy(now.sts_id, "20260101");
  strcpy(was.sts_sha, "aa");
  strcpy(now.sts_sha, "bb");
  CHECK(compare_sts_same_id(&was, &now));
  strcpy(now.sts_id, "20261201");                  /* a new id: senders refetch */
  CHECK(!compare_sts_same_id(&was, &now));
  strcpy(now.sts_id, "20260101");
  strcpy(now.sts_sha, "aa");                       /* same content */
  CHECK(!compare_sts_same_id(&was, &now));
  strcpy(now.sts_sha, "bb");
  was.sts_sha[0] = '\0';                           /* no digest before: unknown */
  CHECK(!compare_sts_same_id(&was, &now));
  strcpy(was.sts_sha, "aa");
  now.sts_sha[0] = '\0';                           /* no body now */
  CHECK(!compare_sts_same_id(&was, &now));
}

static void text_form(void) {
  struct ops_obs o = base(), p;
  o.failing_addrs = 3;
  o.dnssec_broken = 1;
  o.hosts_fp = 0xfedcba9876543210ULL;
  strcpy(o.sts_id, "abc123");
  char buf[OPS_OBS_MAX];
  ops_obs_str(&o, buf, sizeof buf);
  CHECK(strchr(buf, '\x1f') == NULL && strchr(buf, '\x1e') == NULL);
  CHECK_INT(ops_obs_parse(buf, &p), 0);
  CHECK(p.have == 1 && p.dane_valid == 1 && p.dane_inconclusive == 0 && p.valid_addrs == 1 &&
        p.failing_addrs == 3 && p.tlsa_fp == 22 && p.spki_fp == 33 && p.tlsa_hosts == 1 &&
        p.spki_known == 1 && p.dnssec_broken == 1);
  CHECK_INT(p.hosts_fp == o.hosts_fp, 1);
  CHECK_STR(p.sts_id, "abc123");
  CHECK_STR(p.sts_sha, "");
  CHECK_INT(ops_obs_parse("1 2 3", &p), -1);
  CHECK_INT(p.have, 0);
  CHECK_INT(ops_obs_parse(NULL, &p), -1);
  /* the longest form (every number at its widest, a 64-byte id and digest) parses back */
  o.have = o.dane_valid = o.dane_inconclusive = o.valid_addrs = o.failing_addrs = -2147483647;
  o.tlsa_hosts = o.spki_known = o.dnssec_broken = -2147483647;
  o.hosts_fp = o.tlsa_fp = o.spki_fp = ~0ULL;
  memset(o.sts_id, 'i', 64);
  o.sts_id[64] = '\0';
  memset(o.sts_sha, 'f', 64);
  o.sts_sha[64] = '\0';
  ops_obs_str(&o, buf, sizeof buf);
  CHECK_INT(ops_obs_parse(buf, &p), 0);
  CHECK_INT(p.dnssec_broken, -2147483647);
  CHECK(strlen(p.sts_sha) == 64 && p.sts_sha[63] == 'f');
  o = base();
  /* a hostile id with spaces stays one field */
  strcpy(o.sts_id, "a b");
  ops_obs_str(&o, buf, sizeof buf);
  CHECK_INT(ops_obs_parse(buf, &p), 0);
  CHECK_STR(p.sts_id, "a?b");
}

static void fingerprints(void) {
  uint64_t a[3] = {ops_hash("x", 1, 1), ops_hash("y", 1, 1), ops_hash("z", 1, 1)};
  uint64_t b[4] = {a[2], a[0], a[1], a[0]};      /* other order, a duplicate */
  uint64_t fa = ops_set_fp(a, 3), fb = ops_set_fp(b, 4);
  CHECK(fa == fb);
  uint64_t c[2] = {ops_hash("x", 1, 1), ops_hash("y", 1, 1)};
  CHECK(ops_set_fp(c, 2) != fa);
  CHECK_INT(ops_set_fp(c, 0), 0);
  CHECK(ops_hash("x", 1, 1) != ops_hash("x", 1, 2));   /* seeds keep kinds apart */
}

/* One record's observation: the TLSA data and keys, order-independent, the DNSSEC state. */
static const char *REC =
  "{\"domain\":\"k.pt\",\"status\":\"ok\",\"scanned_at\":\"2026-12-02T08:00:00Z\","
  "\"mta_sts\":{\"status\":\"valid\",\"id\":\"i1\",\"policy_sha256\":\"ab\"},"
  "\"mx\":[{\"host\":\"a.k.pt\",\"dnssec\":\"secure\",\"tlsa\":{\"dnssec\":\"secure\","
  "\"result\":\"records\",\"records\":[{\"usage\":3,\"selector\":1,\"mtype\":1,\"data\":\"aa\"}]},"
  "\"addresses\":[{\"dane\":{\"status\":\"valid\"},\"smtp\":{\"tls\":{\"cert\":"
  "{\"spki_sha256\":\"k1\"}}}}]},"
  "{\"host\":\"b.k.pt\",\"dnssec_expires\":\"%s\",\"tlsa\":{\"result\":\"nodata\"},"
  "\"addresses\":[{\"dane\":{\"status\":\"%s\"}}]}],"
  "\"summary\":{\"dane\":\"%s\"}}";

static void observe(void) {
  char buf[2048];
  struct ops_obs o, p;
  snprintf(buf, sizeof buf, REC, "2027-01-01T00:00:00Z", "mismatch", "partial");
  json_object *r = json_tokener_parse(buf);
  ops_obs_of(r, 1796198400 /* 2026-12-02T08:00:00Z */, &o);
  json_object_put(r);
  CHECK_INT(o.have, 1);
  CHECK_INT(o.dane_valid, 0);
  CHECK_INT(o.valid_addrs, 1);
  CHECK_INT(o.failing_addrs, 1);
  CHECK_INT(o.tlsa_hosts, 1);
  CHECK_INT(o.spki_known, 1);
  CHECK_INT(o.dnssec_broken, 0);
  CHECK_STR(o.sts_id, "i1");
  CHECK_STR(o.sts_sha, "ab");
  /* the expiry before the scan breaks DNSSEC; the rest is the same observation */
  snprintf(buf, sizeof buf, REC, "2026-12-01T00:00:00Z", "mismatch", "partial");
  r = json_tokener_parse(buf);
  ops_obs_of(r, 1796198400, &p);
  json_object_put(r);
  CHECK_INT(p.dnssec_broken, 1);
  CHECK(p.hosts_fp == o.hosts_fp && p.tlsa_fp == o.tlsa_fp && p.spki_fp == o.spki_fp);
  r = json_tokener_parse("{\"status\":\"nxdomain\"}");
  ops_obs_of(r, 0, &p);
  json_object_put(r);
  CHECK_INT(p.have, 0);
}

/* The soonest list: at most OUTLOOK_SOONEST, earliest first, ties by name, duplicates once,
 * the same after a merge whatever went where. */
static void soonest(void) {
  struct ops_stats a, b;
  struct rtable counts;
  ops_stats_init(&a);
  ops_stats_init(&b);
  rt_init(&counts);
  char rec[512];
  for (int i = 30; i >= 1; i--) {   /* d30 breaks last; odd ones to a, even ones to b */
    snprintf(rec, sizeof rec, "{\"domain\":\"d%02d.pt\",\"summary\":{\"outlook\":\"warn\","
             "\"outlook_breaks\":\"2026-12-%02dT08:00:00Z\"}}", i, i + 1 > 31 ? 31 : i + 1);
    json_object *r = json_tokener_parse(rec);
    ops_stats_add(i % 2 ? &a : &b, &counts, r, 1796198400, NULL, 0);
    if (i == 5) ops_stats_add(&a, &counts, r, 1796198400, NULL, 0);   /* a duplicate line */
    json_object_put(r);
  }
  ops_stats_merge(&a, &b);
  CHECK_INT(a.nsoon, OUTLOOK_SOONEST);
  CHECK_STR(a.soon[0].domain, "d01.pt");
  CHECK_STR(a.soon[4].domain, "d05.pt");
  CHECK_STR(a.soon[5].domain, "d06.pt");
  CHECK_STR(a.soon[19].domain, "d20.pt");
  CHECK_INT(a.soon[0].in_s, 0);                  /* 2026-12-02T08:00:00Z: at the scan */
  CHECK_INT(rt_count(&counts, "outlook.week.1"), 7 + 1);   /* d01..d07 and d05's twin */
  CHECK_INT(rt_count(&counts, "outlook.status.warn"), 31);
  rt_free(&counts);
  ops_stats_free(&a);
  ops_stats_free(&b);
}

int main(void) {
  broke();
  causes();
  sts();
  text_form();
  fingerprints();
  observe();
  soonest();
  TEST_MAIN_END();
}
