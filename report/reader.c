/* zstd or plain NDJSON into batches of complete lines. */
#include "report/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define BATCH_SIZE (2u << 20)
#define MAX_LINE (256u << 20)   /* a record longer than this is not one of ours */
#define READ_SIZE (1u << 20)

void queue_init(struct queue *q, int max) {
  memset(q, 0, sizeof *q);
  list_init(&q->batches);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->nonempty, NULL);
  pthread_cond_init(&q->nonfull, NULL);
  q->max = max;
}

void queue_destroy(struct queue *q) {
  struct batch *b;
  while ((b = list_pop_entry(&q->batches, struct batch, link))) batch_free(b);
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->nonempty);
  pthread_cond_destroy(&q->nonfull);
}

void queue_push(struct queue *q, struct batch *b) {
  pthread_mutex_lock(&q->mu);
  while (q->n >= q->max && !q->abort) pthread_cond_wait(&q->nonfull, &q->mu);
  if (q->abort) {
    pthread_mutex_unlock(&q->mu);
    batch_free(b);
    return;
  }
  list_insert_tail(&q->batches, &b->link);
  q->n++;
  pthread_cond_signal(&q->nonempty);
  pthread_mutex_unlock(&q->mu);
}

struct batch *queue_pop(struct queue *q) {
  pthread_mutex_lock(&q->mu);
  while (list_empty(&q->batches) && !q->closed) pthread_cond_wait(&q->nonempty, &q->mu);
  struct batch *b = list_pop_entry(&q->batches, struct batch, link);
  if (b) {
    q->n--;
    pthread_cond_signal(&q->nonfull);
  }
  pthread_mutex_unlock(&q->mu);
  return b;
}

void queue_close(struct queue *q) {
  pthread_mutex_lock(&q->mu);
  q->closed = 1;
  pthread_cond_broadcast(&q->nonempty);
  pthread_cond_broadcast(&q->nonfull);
  pthread_mutex_unlock(&q->mu);
}

void batch_free(struct batch *b) {
  if (!b) return;
  free(b->buf);
  free(b);
}

static struct batch *batch_new(int file, uint64_t first_line) {
  struct batch *b = calloc(1, sizeof *b);
  if (b) b->buf = malloc(BATCH_SIZE);
  if (!b || !b->buf) {
    fprintf(stderr, "mxsurvey report: out of memory\n");
    exit(1);
  }
  b->cap = BATCH_SIZE;
  b->file = file;
  b->first_line = first_line;
  return b;
}

static uint64_t count_lines(const char *p, size_t n) {
  uint64_t c = 0;
  const char *end = p + n;
  while ((p = memchr(p, '\n', (size_t)(end - p)))) {
    c++;
    p++;
  }
  return c;
}

struct cutter {
  struct queue *q;
  struct batch *cur;
  const char *path;
};

/* Makes room in the current batch: hands its complete lines to the queue and keeps the
 * unfinished last line; a line longer than the batch makes the batch grow. */
static int make_room(struct cutter *c) {
  struct batch *b = c->cur;
  if (b->cap - b->len >= 65536) return 0;
  char *nl = b->len ? memrchr(b->buf, '\n', b->len) : NULL;
  if (!nl) {
    if (b->cap >= MAX_LINE) {
      fprintf(stderr, "mxsurvey report: %s:%llu: line longer than %u MiB\n", c->path,
              (unsigned long long)b->first_line, MAX_LINE >> 20);
      return -1;
    }
    char *nb = realloc(b->buf, b->cap * 2);
    if (!nb) {
      fprintf(stderr, "mxsurvey report: out of memory\n");
      exit(1);
    }
    b->buf = nb;
    b->cap *= 2;
    return 0;
  }
  size_t keep = b->len - (size_t)(nl + 1 - b->buf);
  struct batch *next = batch_new(b->file, b->first_line + count_lines(b->buf, b->len - keep));
  if (keep > next->cap) abort();  /* keep < 64 KiB or the batch would have grown */
  memcpy(next->buf, nl + 1, keep);
  next->len = keep;
  b->len -= keep;
  queue_push(c->q, b);
  c->cur = next;
  return 0;
}

int reader_read(const char *path, int idx, struct queue *q, uint64_t *bytes, uint64_t *warnings) {
  int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "mxsurvey report: %s: %s\n", path, strerror(errno));
    return -1;
  }
  struct stat st;
  *bytes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
  char *in = malloc(READ_SIZE);
  ZSTD_DStream *zs = NULL;
  struct cutter c = {q, batch_new(idx, 1), path};
  int rc = -1, first = 1, zstd = 0;
  size_t zret = 0;  /* 0: at a frame boundary */
  if (!in) goto out;
  for (;;) {
    if (q->abort) goto out;
    ssize_t n = read(fd, in, READ_SIZE);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fprintf(stderr, "mxsurvey report: %s: %s\n", path, strerror(errno));
      goto out;
    }
    if (n == 0) break;
    if (first) {
      first = 0;
      zstd = n >= 4 && (unsigned char)in[0] == 0x28 && (unsigned char)in[1] == 0xb5 &&
             (unsigned char)in[2] == 0x2f && (unsigned char)in[3] == 0xfd;
      if (zstd && !(zs = ZSTD_createDStream())) goto out;
    }
    if (!zstd) {
      size_t off = 0;
      while (off < (size_t)n) {
        if (make_room(&c) < 0) goto out;
        size_t k = c.cur->cap - c.cur->len;
        if (k > (size_t)n - off) k = (size_t)n - off;
        memcpy(c.cur->buf + c.cur->len, in + off, k);
        c.cur->len += k;
        off += k;
      }
      continue;
    }
    ZSTD_inBuffer ib = {in, (size_t)n, 0};
    while (ib.pos < ib.size) {
      if (make_room(&c) < 0) goto out;
      ZSTD_outBuffer ob = {c.cur->buf + c.cur->len, c.cur->cap - c.cur->len, 0};
      zret = ZSTD_decompressStream(zs, &ob, &ib);
      c.cur->len += ob.pos;
      if (ZSTD_isError(zret)) {
        fprintf(stderr, "mxsurvey report: %s:%llu: corrupt zstd data: %s\n", path,
                (unsigned long long)(c.cur->first_line + count_lines(c.cur->buf, c.cur->len)),
                ZSTD_getErrorName(zret));
        goto out;
      }
    }
  }
  if (zstd) {  /* drain what the decoder still holds */
    for (;;) {
      if (make_room(&c) < 0) goto out;
      ZSTD_inBuffer ib = {in, 0, 0};
      ZSTD_outBuffer ob = {c.cur->buf + c.cur->len, c.cur->cap - c.cur->len, 0};
      size_t r = ZSTD_decompressStream(zs, &ob, &ib);
      c.cur->len += ob.pos;
      if (ZSTD_isError(r) || ob.pos == 0) break;
    }
    if (zret != 0) {
      fprintf(stderr, "mxsurvey report: warning: %s: last zstd frame is incomplete (an "
              "unfinished scan?); read up to the last complete record\n", path);
      (*warnings)++;
    }
  }
  struct batch *b = c.cur;
  c.cur = NULL;
  if (b->len && b->buf[b->len - 1] != '\n') b->unterminated = 1;
  if (b->len) queue_push(q, b);
  else batch_free(b);
  rc = 0;
out:
  batch_free(c.cur);
  ZSTD_freeDStream(zs);
  free(in);
  if (fd > 0) close(fd);
  return rc;
}
