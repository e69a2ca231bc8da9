/* A string-keyed hash table with a few counters and one optional string per key: the only
 * container the report needs (figure counters, unique MX hosts and addresses, operators,
 * the previous scan's per-domain state). Open addressing, grows by doubling; memory is
 * O(distinct keys). Not thread-safe: each worker has its own, merged at the end. */
#ifndef MXS_REPORT_TABLE_H
#define MXS_REPORT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define RT_NVALS 5

struct rt_entry {
  char *key;             /* NULL: empty slot */
  char *str;             /* optional value string, owned */
  uint32_t hash;         /* kept, with the length, so that growing and merging tables of */
  uint32_t len;          /* millions of keys neither rehash nor touch the keys' memory */
  uint64_t v[RT_NVALS];  /* counters */
};

struct rtable {
  struct rt_entry *e;
  size_t cap, len;
};

void rt_init(struct rtable *t);
void rt_free(struct rtable *t);
/* The entry for key (len bytes), created with zero counters when absent. */
struct rt_entry *rt_get(struct rtable *t, const char *key, size_t len);
struct rt_entry *rt_find(const struct rtable *t, const char *key);
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
/* Adds every counter of src into dst, strings merged as rt_keep_max does, and leaves src
 * empty: keys and strings change owner instead of being copied, so merging the workers'
 * tables of a million MX hosts costs one probe per key. */
void rt_merge(struct rtable *dst, struct rtable *src);

#endif
