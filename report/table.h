/* A string-keyed table with a few counters and one optional string per key: the only
 * container the report needs (figure counters, unique MX hosts and addresses, operators,
 * the previous scan's per-domain state). A typed face on lib/hashmap, which holds the
 * keys, the hashing and the probing; memory is O(distinct keys). Not thread-safe for
 * writing: each worker has its own, merged at the end; concurrent rt_find on a table
 * nobody writes is fine. Entries never move (the report never deletes), so an rt_entry
 * pointer and its key stay valid until rt_free or rt_merge. */
#ifndef MXS_REPORT_TABLE_H
#define MXS_REPORT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/hashmap.h"

/* Counters per entry: RT_NVALS in a table made by rt_init, up to RT_NVALS_MAX with
 * rt_init_n (the operator table has eleven columns; the million-entry host table need not
 * carry them). */
#define RT_NVALS 5
#define RT_NVALS_MAX 11

struct rt_entry {
  const char *key;       /* NUL-terminated, held by the table */
  char *str;             /* optional value string, owned */
  uint64_t v[];          /* counters: the table's nvals of them */
};

struct rtable {
  hashmap_t m;           /* key -> struct rt_entry and its counters */
  size_t nvals;
};

void rt_init(struct rtable *t);
/* A table whose entries have nvals counters (at most RT_NVALS_MAX). */
void rt_init_n(struct rtable *t, size_t nvals);
void rt_free(struct rtable *t);
/* The entry for key (len bytes), created with zero counters when absent. Out of memory
 * ends the process (the report cannot go on without a figure). */
struct rt_entry *rt_get(struct rtable *t, const char *key, size_t len);
struct rt_entry *rt_find(const struct rtable *t, const char *key);
size_t rt_len(const struct rtable *t);
/* Every entry, in the order of insertion: start with *pos = 0; NULL at the end. */
struct rt_entry *rt_next(const struct rtable *t, size_t *pos);
/* Counter 0 of the key built from fmt, plus n. */
void rt_addf(struct rtable *t, uint64_t n, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* Counter 0 of the key a + b + c (NULL parts are left out; bounded to 255 bytes), plus n.
 * The fast path for figure counters: no format parsing. */
void rt_add3(struct rtable *t, uint64_t n, const char *a, const char *b, const char *c);
uint64_t rt_count(const struct rtable *t, const char *key);
/* Replaces e->str by s when e->str is absent or s sorts after it: a deterministic choice
 * between observations, whatever the order records arrive in. */
void rt_keep_max(struct rt_entry *e, const char *s);
/* Adds every counter of src into dst (both with the same number of counters), strings merged as rt_keep_max does, and leaves src
 * empty: strings change owner instead of being copied; into an empty dst, src's table
 * itself changes owner. */
void rt_merge(struct rtable *dst, struct rtable *src);

#endif
