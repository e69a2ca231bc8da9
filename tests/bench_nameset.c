/* Figures for the name set (a benchmark, not a test: it prints, it does not judge).
 *
 *   bench_nameset [N]
 *
 * Adds N names like a national scan's (default 2 000 000), looks every one up again and
 * as many absent ones, and prints the times and the bytes held: the before/after check
 * for changes to lib/hashmap, which the name set is a face of. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/nameset.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  nameset_t *s = nameset_new();
  if (!s) return 1;
  char name[64];
  double t0 = now();
  for (long i = 0; i < n; i++) {
    int l = snprintf(name, sizeof name, "dominio-%ld.pt", i * 7919 % n);
    if (nameset_add(s, name, (size_t)l, (uint32_t)i) != 1) { fprintf(stderr, "add %ld\n", i); return 1; }
  }
  double t1 = now();
  long found = 0;
  for (long i = 0; i < n; i++) {
    int l = snprintf(name, sizeof name, "dominio-%ld.pt", i);
    found += nameset_get(s, name, (size_t)l, NULL);
  }
  double t2 = now();
  long absent = 0;
  for (long i = 0; i < n; i++) {
    int l = snprintf(name, sizeof name, "outro-%ld.pt", i);
    absent += !nameset_get(s, name, (size_t)l, NULL);
  }
  double t3 = now();
  printf("%ld names: add %.3f s, lookup %.3f s (%ld found), absent %.3f s (%ld), %.1f MiB\n",
         n, t1 - t0, t2 - t1, found, t3 - t2, absent, (double)nameset_bytes(s) / 1048576.0);
  nameset_free(s);
  return found == n && absent == n ? 0 : 1;
}
