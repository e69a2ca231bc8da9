/* String-keyed hash table (FNV-1a, linear probing). */
#include "report/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t sz) {
  void *p = calloc(n, sz);
  if (!p) {
    fprintf(stderr, "mxsurvey report: out of memory\n");
    exit(1);
  }
  return p;
}

static char *xstrndup(const char *s, size_t n) {
  char *p = xcalloc(1, n + 1);
  memcpy(p, s, n);
  return p;
}

/* Eight bytes a step: every figure counter is a lookup of a 20-40 byte key, so a byte-wise
 * hash was a tenth of the report's time. Not keyed: the table walk order, and so nothing
 * in the output, may differ between runs. */
static uint32_t hash(const char *s, size_t n) {
  const uint64_t m = 0xbf58476d1ce4e5b9ULL;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
  for (; n >= 8; s += 8, n -= 8) {
    memcpy(&w, s, 8);
    h = (h ^ w) * m;
    h ^= h >> 31;
  }
  w = 0;
  memcpy(&w, s, n);
  h = (h ^ w) * m;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  return (uint32_t)(h ^ (h >> 32));
}

void rt_init(struct rtable *t) {
  t->cap = 64;
  t->len = 0;
  t->e = xcalloc(t->cap, sizeof *t->e);
}

void rt_free(struct rtable *t) {
  for (size_t i = 0; i < t->cap; i++) {
    free(t->e[i].key);
    free(t->e[i].str);
  }
  free(t->e);
  t->e = NULL;
  t->cap = t->len = 0;
}

static struct rt_entry *slot(struct rt_entry *e, size_t cap, const char *key, size_t len,
                             uint32_t h) {
  size_t i = h & (cap - 1);
  while (e[i].key && (e[i].hash != h || e[i].len != len || memcmp(e[i].key, key, len) != 0))
    i = (i + 1) & (cap - 1);
  return &e[i];
}

/* Keys are distinct: each entry goes to the first free slot from its stored hash. */
static void grow(struct rtable *t) {
  size_t ncap = t->cap * 2;
  struct rt_entry *ne = xcalloc(ncap, sizeof *ne);
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->e[i].key) continue;
    size_t j = t->e[i].hash & (ncap - 1);
    while (ne[j].key) j = (j + 1) & (ncap - 1);
    ne[j] = t->e[i];
  }
  free(t->e);
  t->e = ne;
  t->cap = ncap;
}

static struct rt_entry *get_h(struct rtable *t, const char *key, size_t len, uint32_t h) {
  if ((t->len + 1) * 4 > t->cap * 3) grow(t);
  struct rt_entry *e = slot(t->e, t->cap, key, len, h);
  if (!e->key) {
    e->key = xstrndup(key, len);
    e->hash = h;
    e->len = (uint32_t)len;
    t->len++;
  }
  return e;
}

struct rt_entry *rt_get(struct rtable *t, const char *key, size_t len) {
  if (len > UINT32_MAX) len = UINT32_MAX;
  return get_h(t, key, len, hash(key, len));
}

struct rt_entry *rt_find(const struct rtable *t, const char *key) {
  if (!t->e) return NULL;
  size_t len = strlen(key);
  struct rt_entry *e = slot(t->e, t->cap, key, len, hash(key, len));
  return e->key ? e : NULL;
}

uint64_t rt_count(const struct rtable *t, const char *key) {
  struct rt_entry *e = rt_find(t, key);
  return e ? e->v[0] : 0;
}

void rt_addf(struct rtable *t, uint64_t n, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (len < 0) return;
  if ((size_t)len >= sizeof buf) len = sizeof buf - 1;
  rt_get(t, buf, (size_t)len)->v[0] += n;
}

void rt_add3(struct rtable *t, uint64_t n, const char *a, const char *b, const char *c) {
  char buf[256];
  size_t len = 0;
  const char *parts[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    if (!parts[i]) continue;
    size_t k = strlen(parts[i]);
    if (k > sizeof buf - 1 - len) k = sizeof buf - 1 - len;
    memcpy(buf + len, parts[i], k);
    len += k;
  }
  buf[len] = '\0';
  rt_get(t, buf, len)->v[0] += n;
}

void rt_keep_max(struct rt_entry *e, const char *s) {
  if (e->str && strcmp(e->str, s) >= 0) return;
  free(e->str);
  e->str = xstrndup(s, strlen(s));
}

/* Room for n keys without growing on the way. */
static void reserve(struct rtable *t, size_t n) {
  while ((n + 1) * 4 > t->cap * 3) grow(t);
}

void rt_merge(struct rtable *dst, struct rtable *src) {
  if (dst->len == 0) {  /* the first worker's table becomes the result as it is */
    free(dst->e);
    *dst = *src;
    src->e = NULL;
    src->cap = src->len = 0;
    return;
  }
  reserve(dst, dst->len + src->len);
  for (size_t i = 0; i < src->cap; i++) {
    struct rt_entry *s = &src->e[i];
    if (!s->key) continue;
    struct rt_entry *d = slot(dst->e, dst->cap, s->key, s->len, s->hash);
    if (!d->key) {
      *d = *s;
      dst->len++;
      continue;
    }
    for (int k = 0; k < RT_NVALS; k++) d->v[k] += s->v[k];
    if (s->str && (!d->str || strcmp(s->str, d->str) > 0)) {
      free(d->str);
      d->str = s->str;
    } else {
      free(s->str);
    }
    free(s->key);
  }
  free(src->e);
  src->e = NULL;
  src->cap = src->len = 0;
}
