/* The report's counting table (growth, merge by moving entries), the operator table's
 * top-N selection, and the expiry arithmetic of stats (days counted without timegm). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/figures.h"
#include "report/report.h"
#include "report/stats.h"
#include "report/table.h"
#include "tests/unit/testlib.h"

static void table_merge(void) {
  struct rtable a, b;
  rt_init(&a);
  rt_init(&b);
  char k[32];
  /* a: k0..k59999, b: k30000..k89999: growth past many doublings and 30 000 shared keys */
  for (int i = 0; i < 60000; i++) {
    int n = snprintf(k, sizeof k, "k%d", i);
    rt_get(&a, k, (size_t)n)->v[0] += 1;
    n = snprintf(k, sizeof k, "k%d", i + 30000);
    struct rt_entry *e = rt_get(&b, k, (size_t)n);
    e->v[0] += 2;
    e->v[4] = 7;
  }
  rt_keep_max(rt_get(&a, "k5", 2), "bbb");
  rt_keep_max(rt_get(&a, "k30001", 6), "zzz");
  rt_keep_max(rt_get(&b, "k30001", 6), "aaa");   /* a's larger string stays */
  rt_keep_max(rt_get(&b, "k30002", 6), "mmm");   /* b's string moves over */
  rt_keep_max(rt_get(&b, "k30002", 6), "lll");   /* smaller: ignored */
  CHECK_INT(rt_len(&a), 60000);
  rt_merge(&a, &b);
  CHECK_INT(rt_len(&a), 90000);
  CHECK_INT(rt_len(&b), 0);
  CHECK_INT(hashmap_bytes(&b.m), 0);   /* nothing left behind */
  CHECK_INT(rt_count(&a, "k0"), 1);
  CHECK_INT(rt_count(&a, "k29999"), 1);
  CHECK_INT(rt_count(&a, "k30000"), 3);
  CHECK_INT(rt_count(&a, "k59999"), 3);
  CHECK_INT(rt_count(&a, "k60000"), 2);
  CHECK_INT(rt_count(&a, "k89999"), 2);
  CHECK_INT(rt_count(&a, "k90000"), 0);
  CHECK_INT(rt_find(&a, "k89999")->v[4], 7);
  CHECK_STR(rt_find(&a, "k5")->str, "bbb");
  CHECK_STR(rt_find(&a, "k30001")->str, "zzz");
  CHECK_STR(rt_find(&a, "k30002")->str, "mmm");
  uint64_t total = 0;
  size_t pos = 0;
  for (struct rt_entry *e; (e = rt_next(&a, &pos));) total += e->v[0];
  CHECK_INT(total, 60000 + 2 * 60000);
  rt_free(&b);  /* an emptied table frees like any other */

  /* into an empty table: taken over as it is */
  struct rtable c;
  rt_init(&c);
  rt_merge(&c, &a);
  CHECK_INT(rt_len(&c), 90000);
  CHECK_INT(rt_count(&c, "k45000"), 3);
  CHECK_INT(rt_len(&a), 0);
  rt_free(&a);
  rt_free(&c);

  /* keys are bytes with a length: prefixes and 8-byte boundaries are distinct keys */
  struct rtable d;
  rt_init(&d);
  const char *keys[] = {"", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh\0", "x\0y"};
  size_t lens[] = {0, 1, 7, 8, 9, 9, 3};
  for (int i = 0; i < 7; i++) rt_get(&d, keys[i], lens[i])->v[0] = (uint64_t)i + 1;
  for (int i = 0; i < 7; i++) CHECK_INT(rt_get(&d, keys[i], lens[i])->v[0], i + 1);
  CHECK_INT(rt_len(&d), 7);
  rt_free(&d);
}

/* Operators with 1..N domains, in a scrambled order; the top rows must be the largest,
 * ties broken by name, whatever --top is. */
static void operator_top(void) {
  struct stats now;
  stats_init(&now);
  char name[64];
  for (int i = 0; i < 5000; i++) {
    int j = (i * 7919) % 5000;  /* 7919 is prime to 5000: a permutation */
    int n = snprintf(name, sizeof name, "op%04d.pt", j);
    struct rt_entry *e = rt_get(&now.ops, name, (size_t)n);
    e->v[0] = (uint64_t)(j / 2);  /* pairs of equal counts: op4998 and op4999 have 2499 */
    e->v[1] = (uint64_t)j;
  }
  size_t tops[] = {1, 3, 20, 5000, 9999};
  for (size_t t = 0; t < sizeof tops / sizeof tops[0]; t++) {
    struct report r;
    memset(&r, 0, sizeof r);
    figures_build(&r, &now, NULL, tops[t]);
    size_t want = tops[t] < 5000 ? tops[t] : 5000;
    CHECK_INT(r.nops, want);
    CHECK_INT(r.ops_total, 5000);
    int ordered = 1;
    for (size_t i = 0; i < r.nops; i++) {
      /* rank i: count 2499 - i/2, and within a pair the smaller name first */
      int j = 4998 - 2 * (int)(i / 2) + (int)(i % 2);
      snprintf(name, sizeof name, "op%04d.pt", j);
      if (strcmp(r.ops[i].name, name) != 0 || r.ops[i].v[0] != (uint64_t)(j / 2) ||
          r.ops[i].v[1] != (uint64_t)j) {
        fprintf(stderr, "top %zu row %zu: %s %llu, expected %s\n", tops[t], i, r.ops[i].name,
                (unsigned long long)r.ops[i].v[0], name);
        ordered = 0;
        break;
      }
    }
    CHECK(ordered);
    figures_free(&r);
  }
  stats_free(&now);
}

static uint64_t count_after(const char *scanned, const char *not_after, const char *key) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"domain\":\"x.pt\",\"status\":\"ok\",\"scanned_at\":\"%s\",\"summary\":{\"starttls\":"
           "\"all\"},\"mx\":[{\"host\":\"mx.x.pt\",\"addresses\":[{\"ip\":\"192.0.2.1\",\"smtp\":"
           "{\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"cert\":"
           "{\"not_after\":\"%s\"},\"pkix\":{\"valid\":true}}}}]}]}",
           scanned, not_after);
  json_object *rec = json_tokener_parse(buf);
  CHECK(rec != NULL);
  struct stats s;
  stats_init(&s);
  stats_add_record(&s, rec, NULL, NULL);
  uint64_t n = rt_count(&s.counts, key);
  stats_free(&s);
  json_object_put(rec);
  return n;
}

static void expiry(void) {
  /* 2028 is a leap year: 30 days after 2028-02-10 is 2028-03-11 */
  CHECK_INT(count_after("2028-02-10T00:00:00Z", "2028-03-11T00:00:00Z", "certs.expiring_30d"), 1);
  CHECK_INT(count_after("2028-02-10T00:00:00Z", "2028-03-11T00:00:01Z", "certs.expiring_30d"), 0);
  /* 2100 is not: 30 days after 2100-02-10 is 2100-03-12 */
  CHECK_INT(count_after("2100-02-10T00:00:00Z", "2100-03-12T00:00:00Z", "certs.expiring_30d"), 1);
  CHECK_INT(count_after("2100-02-10T00:00:00Z", "2100-03-12T00:00:01Z", "certs.expiring_30d"), 0);
  /* across a year end, and a second before the scan is expired */
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2027-01-14T12:00:00Z", "certs.expiring_30d"), 1);
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2026-12-15T11:59:59Z", "certs.expired"), 1);
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2026-12-15T12:00:00Z", "certs.expired"), 0);
  /* dates that are not RFC 3339 count as unknown: neither expired nor expiring */
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2026-13-01T00:00:00Z", "certs.expired"), 0);
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2026-13-01T00:00:00Z", "certs.expiring_30d"), 0);
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "2026-12-1xT00:00:00Z", "certs.expired"), 0);
  CHECK_INT(count_after("2026-12-15T12:00:00Z", "1999-12-31T23:59:59Z", "certs.expired"), 1);
}

int main(void) {
  table_merge();
  operator_top();
  expiry();
  TEST_MAIN_END();
}
