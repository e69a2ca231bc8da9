/* One record at a time from a scan's files (see records.h). */
#include "report/records.h"
#include "report/reader.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct feed {
  struct queue q;
  const char *const *paths;
  size_t n;
  int rc;
  uint64_t warnings;
};

static void *read_all(void *arg) {
  struct feed *f = arg;
  for (size_t i = 0; i < f->n && !f->q.abort; i++) {
    uint64_t bytes;
    if (reader_read(f->paths[i], (int)i, &f->q, &bytes, &f->warnings) < 0) {
      f->rc = -1;
      break;
    }
  }
  queue_close(&f->q);
  return NULL;
}

static int blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isspace((unsigned char)p[i])) return 0;
  return 1;
}

static void stop(struct queue *q) {
  pthread_mutex_lock(&q->mu);
  q->abort = 1;
  pthread_cond_broadcast(&q->nonfull);
  pthread_mutex_unlock(&q->mu);
}

/* The records of one batch; 0, the callback's value, or -1 (bad data, said). */
static int batch_records(const char *prog, struct feed *f, struct batch *b, json_tokener *tok,
                         record_fn fn, void *ctx) {
  char *p = b->buf, *end = b->buf + b->len;
  uint64_t line = b->first_line;
  for (; p < end; line++) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = (size_t)((nl ? nl : end) - p);
    char *cur = p;
    p = nl ? nl + 1 : end;
    if (blank(cur, len)) continue;
    if (len > INT32_MAX) return -1;
    json_tokener_reset(tok);
    json_object *o = json_tokener_parse_ex(tok, cur, (int)len);
    int ok = o && json_tokener_get_error(tok) == json_tokener_success &&
             blank(cur + json_tokener_get_parse_end(tok), len - json_tokener_get_parse_end(tok)) &&
             json_object_is_type(o, json_type_object);
    if (!ok) {
      json_object_put(o);
      if (!nl && b->unterminated) {
        fprintf(stderr, "%s: warning: %s:%llu: incomplete last record ignored (an unfinished "
                "scan?)\n", prog, f->paths[b->file], (unsigned long long)line);
        continue;
      }
      fprintf(stderr, "%s: %s:%llu: not a JSON object\n", prog, f->paths[b->file],
              (unsigned long long)line);
      return -1;
    }
    int r = fn(ctx, o);
    json_object_put(o);
    if (r) return r;
  }
  return 0;
}

int records_each(const char *prog, const char *const *paths, size_t n, record_fn fn, void *ctx) {
  struct feed f = {.paths = paths, .n = n};
  queue_init(&f.q, 4);
  json_tokener *tok = json_tokener_new_ex(64);
  pthread_t th;
  if (!tok || pthread_create(&th, NULL, read_all, &f) != 0) {
    fprintf(stderr, "%s: cannot start reading\n", prog);
    exit(1);
  }
  int rc = 0;
  struct batch *b;
  while ((b = queue_pop(&f.q))) {
    if (rc == 0) rc = batch_records(prog, &f, b, tok, fn, ctx);
    if (rc) stop(&f.q);
    batch_free(b);
  }
  pthread_join(th, NULL);
  json_tokener_free(tok);
  queue_destroy(&f.q);
  if (rc == 0 && f.rc < 0) rc = -1;
  return rc;
}
