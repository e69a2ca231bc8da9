/* String-keyed table of counters: see table.h. The hashing, probing and key storage are
 * lib/hashmap's; this file only gives the report its counters-and-string value, the
 * key-building shortcuts and the merge. Its keys come from scan records, which carry names
 * chosen by whoever controls DNS: hence the keyed hash of lib/hashmap. The walk order
 * (insertion order) reaches no output: every list the report prints is sorted. */
#include "report/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
  fprintf(stderr, "mxsurvey report: out of memory\n");
  exit(1);
}

static char *xstrdup(const char *s) {
  char *p = strdup(s);
  if (!p) oom();
  return p;
}

void rt_init_n(struct rtable *t, size_t nvals) {
  if (nvals > RT_NVALS_MAX) abort();
  t->nvals = nvals;
  hashmap_init(&t->m, sizeof(struct rt_entry) + nvals * sizeof(uint64_t));
}

void rt_init(struct rtable *t) { rt_init_n(t, RT_NVALS); }

void rt_free(struct rtable *t) {
  size_t pos = 0;
  struct rt_entry *e;
  while ((e = hashmap_next(&t->m, &pos, NULL, NULL))) free(e->str);
  hashmap_free(&t->m);
}

struct rt_entry *rt_get(struct rtable *t, const char *key, size_t len) {
  if (len > HASHMAP_KEY_MAX) len = HASHMAP_KEY_MAX;
  void *v;
  int rc = hashmap_put(&t->m, key, len, &v);
  if (rc < 0) oom();
  struct rt_entry *e = v;
  if (rc == 1) e->key = hashmap_key(&t->m, e, NULL);
  return e;
}

struct rt_entry *rt_find(const struct rtable *t, const char *key) {
  return hashmap_get(&t->m, key, strlen(key));
}

size_t rt_len(const struct rtable *t) { return hashmap_count(&t->m); }

struct rt_entry *rt_next(const struct rtable *t, size_t *pos) {
  return hashmap_next(&t->m, pos, NULL, NULL);
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
  e->str = xstrdup(s);
}

void rt_merge(struct rtable *dst, struct rtable *src) {
  if (dst->nvals != src->nvals) abort();
  if (rt_len(dst) == 0) {  /* the first worker's table becomes the result as it is */
    hashmap_free(&dst->m);
    dst->m = src->m;
    hashmap_init(&src->m, sizeof(struct rt_entry) + src->nvals * sizeof(uint64_t));
    return;
  }
  size_t pos = 0, len;
  const char *key;
  struct rt_entry *s;
  while ((s = hashmap_next(&src->m, &pos, &key, &len))) {
    struct rt_entry *d = rt_get(dst, key, len);
    for (size_t k = 0; k < dst->nvals; k++) d->v[k] += s->v[k];
    if (s->str && (!d->str || strcmp(s->str, d->str) > 0)) {
      free(d->str);
      d->str = s->str;
    } else {
      free(s->str);
    }
  }
  hashmap_free(&src->m);
}
