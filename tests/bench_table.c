/* Figures for the report's table (a benchmark, not a test: it prints, it does not judge).
 *
 *   bench_table
 *
 * The three ways the report uses report/table, in CPU seconds: 2 M distinct MX host names
 * (rt_get and a counter), the same 2 M found again (rt_find), 10 M figure counters over a
 * few hundred keys (rt_add3, where the hash dominates), and merging a worker's table of
 * 1 M keys, half of them new (rt_merge). The before/after check for lib/hashmap. */
#include <stdio.h>
#include <time.h>

#include "report/table.h"

static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
  struct rtable t, c, u;
  rt_init(&t);
  rt_init(&c);
  rt_init(&u);
  char k[64], v[16];
  double t0 = cpu();
  for (long i = 0; i < 2000000; i++) {
    int n = snprintf(k, sizeof k, "mx%ld.hosting-%ld.pt", i, i % 5000);
    rt_get(&t, k, (size_t)n)->v[0]++;
  }
  double t1 = cpu();
  unsigned long long found = 0;
  for (long i = 0; i < 2000000; i++) {
    snprintf(k, sizeof k, "mx%ld.hosting-%ld.pt", i, i % 5000);
    const struct rt_entry *e = rt_find(&t, k);
    found += e ? e->v[0] : 0;
  }
  double t2 = cpu();
  static const char *const vals[] = {"ok", "nxdomain", "TLSv1.3", "TLSv1.2", "secure",
                                     "insecure", "valid", "none"};
  for (long i = 0; i < 10000000; i++) {
    snprintf(v, sizeof v, "%ld", i % 40);
    rt_add3(&c, 1, "transport.address_tls_version.", vals[i & 7], v);
  }
  double t3 = cpu();
  for (long i = 0; i < 1000000; i++) {
    int n = snprintf(k, sizeof k, "mx%ld.hosting-%ld.pt", i + 1000000, i % 5000);
    rt_get(&u, k, (size_t)n)->v[1]++;
  }
  double t4 = cpu();
  rt_merge(&t, &u);
  double t5 = cpu();
  printf("2M rt_get %.3f s, 2M rt_find %.3f s (%llu found), 10M rt_add3 %.3f s, "
         "rt_merge of 1M %.3f s (CPU)\n", t1 - t0, t2 - t1, found, t3 - t2, t5 - t4);
  rt_free(&t);
  rt_free(&c);
  rt_free(&u);
  return found == 2000000 ? 0 : 1;
}
