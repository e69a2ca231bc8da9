/* Resume reader. See resume.h for the contract.
 *
 * Lines are cut as bytes arrive; only the first LINE_HEAD bytes of a line are kept, since
 * the domain is the record's first member and a record may be large. In zstd mode a
 * frame's names wait in 'pending' until ZSTD_decompressStream says the frame is complete
 * (which includes its checksum): a torn frame's domains are never reported, so they are
 * scanned again. */
#include "output/resume.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define LINE_HEAD (RESUME_NAME_MAX + 64)
#define IN_CHUNK (128u * 1024)
#define OUT_CHUNK (32u * 1024)     /* any size works with streaming decompression */

typedef struct reader {
  bool zstd;
  resume_name_fn fn;
  void *arg;
  resume_info_t *info;
  char *err;
  size_t errlen;
  /* the current line */
  char head[LINE_HEAD];
  size_t head_len;
  uint64_t line_len;
  /* zstd: names of the current frame, each as a 2-byte length and the bytes */
  char *pending;
  size_t plen, pcap;
  uint64_t plines, pnames;
  bool stopped;            /* the callback or an allocation failed */
} reader_t;

static int fail(reader_t *r, const char *fmt, ...) {
  if (r->err && r->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static bool ws(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static size_t skip_ws(const char *s, size_t i, size_t n) {
  while (i < n && ws(s[i])) i++;
  return i;
}

int resume_domain_of(const char *line, size_t len, const char **name, size_t *nlen) {
  static const char key[] = "\"domain\"";
  size_t i = skip_ws(line, 0, len);
  if (i >= len || line[i] != '{') return 0;
  i = skip_ws(line, i + 1, len);
  if (len - i < sizeof key - 1 || memcmp(line + i, key, sizeof key - 1) != 0) return 0;
  i = skip_ws(line, i + sizeof key - 1, len);
  if (i >= len || line[i] != ':') return 0;
  i = skip_ws(line, i + 1, len);
  if (i >= len || line[i] != '"') return 0;
  size_t start = ++i;
  while (i < len && line[i] != '"') {
    unsigned char c = (unsigned char)line[i];
    if (c < 0x20) return 0;                 /* raw control bytes: not JSON */
    if (c == '\\') {                         /* JSON's escapes only */
      if (++i >= len || !strchr("\"\\/bfnrtu", line[i]) || line[i] == '\0') return 0;
    }
    if (i - start >= RESUME_NAME_MAX) return 0;
    i++;
  }
  if (i >= len || i == start) return 0;     /* unterminated, or an empty name */
  *name = line + start;
  *nlen = i - start;
  return 1;
}

static int pending_add(reader_t *r, const char *name, size_t len) {
  if (r->plen + 2 + len > RESUME_FRAME_NAMES_MAX) return -1;
  if (r->plen + 2 + len > r->pcap) {
    size_t cap = r->pcap ? r->pcap : 64 * 1024;
    while (cap < r->plen + 2 + len) cap *= 2;
    char *p = realloc(r->pending, cap);
    if (!p) return -1;
    r->pending = p;
    r->pcap = cap;
  }
  r->pending[r->plen] = (char)(len >> 8);
  r->pending[r->plen + 1] = (char)(len & 0xFF);
  memcpy(r->pending + r->plen + 2, name, len);
  r->plen += 2 + len;
  return 0;
}

/* The current line is complete. */
static int end_line(reader_t *r) {
  const char *name;
  size_t nlen;
  int has = resume_domain_of(r->head, r->head_len, &name, &nlen);
  r->head_len = 0;
  r->line_len = 0;
  if (r->zstd) {
    r->plines++;
    if (!has) return 0;
    r->pnames++;
    if (pending_add(r, name, nlen) < 0) return -1;
    return 0;
  }
  r->info->lines++;
  if (!has) return 0;
  r->info->names++;
  if (r->fn(r->arg, name, nlen) < 0) { r->stopped = true; return -1; }
  return 0;
}

/* Feeds record bytes (decompressed, or the plain file). In plain mode 'base' is the file
 * offset of p[0], so that the end of each complete line is known. */
static int feed(reader_t *r, const char *p, size_t n, uint64_t base) {
  size_t i = 0;
  while (i < n) {
    const char *nl = memchr(p + i, '\n', n - i);
    size_t seg = nl ? (size_t)(nl - (p + i)) : n - i;
    size_t room = LINE_HEAD - r->head_len;
    size_t take = seg < room ? seg : room;
    memcpy(r->head + r->head_len, p + i, take);
    r->head_len += take;
    r->line_len += seg;
    i += seg;
    if (!nl) break;
    i++;                                     /* the newline */
    if (end_line(r) < 0) return -1;
    if (!r->zstd) r->info->keep = base + i;
  }
  return 0;
}

/* A frame decoded completely: its names count now. */
static int commit_frame(reader_t *r) {
  size_t i = 0;
  while (i < r->plen) {
    size_t len = ((size_t)(unsigned char)r->pending[i] << 8) | (unsigned char)r->pending[i + 1];
    if (r->fn(r->arg, r->pending + i + 2, len) < 0) { r->stopped = true; return -1; }
    i += 2 + len;
  }
  r->info->lines += r->plines;
  r->info->names += r->pnames;
  r->info->frames++;
  r->plen = 0;
  r->plines = r->pnames = 0;
  return 0;
}

static void drop_frame(reader_t *r) {
  r->plen = 0;
  r->plines = r->pnames = 0;
  r->head_len = 0;
  r->line_len = 0;
}

/* chunk: the read size (smaller for small in-memory files: the fuzzer runs this often) */
static int read_all(resume_read_fn rd, void *ctx, size_t chunk, bool zstd, resume_name_fn fn,
                    void *arg, resume_info_t *info, char *err, size_t errlen) {
  reader_t *r = calloc(1, sizeof *r);
  char *in = malloc(chunk);
  size_t outcap = OUT_CHUNK;
  char *out = zstd ? malloc(outcap) : NULL;
  ZSTD_DCtx *d = zstd ? ZSTD_createDCtx() : NULL;
  char first[4];
  size_t nfirst = 0;
  int rc = -1;
  memset(info, 0, sizeof *info);
  if (err && errlen) err[0] = '\0';
  if (!r || !in || (zstd && (!out || !d))) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    goto done;
  }
  r->err = err;
  r->errlen = errlen;
  /* The sink's frames need a 2 MiB window at most (level 3); a header asking for more is
   * not ours and must not make us allocate up to the library's 128 MiB default. */
  if (zstd && ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, RESUME_WINDOW_LOG_MAX))) {
    fail(r, "zstd: cannot limit the window size");
    goto done;
  }
  r->zstd = zstd;
  r->fn = fn;
  r->arg = arg;
  r->info = info;

  bool bad = false;            /* zstd: the data after 'keep' does not decode */
  for (;;) {
    ssize_t got = rd(ctx, in, chunk);
    if (got < 0) { fail(r, "read: %s", strerror((int)-got)); goto done; }
    if (got == 0) break;
    uint64_t base = info->size;
    info->size += (uint64_t)got;
    for (size_t k = 0; nfirst < sizeof first && k < (size_t)got; k++) first[nfirst++] = in[k];
    if (!zstd) {
      if (feed(r, in, (size_t)got, base) < 0) {
        if (!r->stopped) fail(r, "out of memory");
        goto done;
      }
    } else if (!bad) {
      ZSTD_inBuffer ib = { in, (size_t)got, 0 };
      bool out_full = false;
      while (ib.pos < ib.size || out_full) {
        ZSTD_outBuffer ob = { out, outcap, 0 };
        size_t z = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(z)) { bad = true; break; }
        out_full = ob.pos == ob.size;
        if (feed(r, out, ob.pos, 0) < 0) {
          if (r->stopped) goto done;
          bad = true;                        /* a frame with absurdly many names */
          break;
        }
        if (z == 0) {
          /* The frame is complete. Ours always end on a record boundary; one that does
           * not was not written by the sink: it and what follows are not trusted. */
          if (r->line_len > 0 || r->head_len > 0) { bad = true; break; }
          if (commit_frame(r) < 0) goto done;
          info->keep = base + ib.pos;
        }
      }
      if (bad) drop_frame(r);
    }
    if (info->size - info->keep > RESUME_TAIL_MAX) break;
  }
  uint64_t tail = info->size - info->keep;
  if (tail > RESUME_TAIL_MAX) {
    fail(r, "the data after byte %llu %s: not a torn final %s; refusing to drop it",
         (unsigned long long)info->keep,
         zstd ? "does not decode" : "holds no newline", zstd ? "frame" : "line");
    goto done;
  }
  if (info->keep == 0 && tail > 0) {
    /* Nothing whole at all: only a start that looks like ours may be dropped, so that
     * resuming into the wrong file never truncates it. */
    static const char magic[4] = { 0x28, (char)0xB5, 0x2F, (char)0xFD };
    const char *want = zstd ? magic : "{";
    size_t wl = zstd ? 4 : 1;
    if (nfirst < wl || memcmp(first, want, wl) != 0) {
      fail(r, "not %s output of mxsurvey", zstd ? "zstd" : "NDJSON");
      goto done;
    }
  }
  rc = 0;
done:
  ZSTD_freeDCtx(d);
  free(out);
  free(in);
  if (r) free(r->pending);
  free(r);
  return rc;
}

int resume_read(resume_read_fn rd, void *ctx, bool zstd, resume_name_fn fn, void *arg,
                resume_info_t *info, char *err, size_t errlen) {
  return read_all(rd, ctx, IN_CHUNK, zstd, fn, arg, info, err, errlen);
}

typedef struct mem_src { const char *p; size_t left; } mem_src_t;

static ssize_t mem_read(void *ctx, void *buf, size_t n) {
  mem_src_t *m = ctx;
  if (n > m->left) n = m->left;
  memcpy(buf, m->p, n);
  m->p += n;
  m->left -= n;
  return (ssize_t)n;
}

int resume_read_mem(const void *data, size_t len, bool zstd, resume_name_fn fn, void *arg,
                    resume_info_t *info, char *err, size_t errlen) {
  mem_src_t m = { data, len };
  if (!data) m.left = 0;
  size_t chunk = m.left < IN_CHUNK ? m.left + 1 : IN_CHUNK;
  return read_all(mem_read, &m, chunk, zstd, fn, arg, info, err, errlen);
}

static ssize_t fd_read(void *ctx, void *buf, size_t n) {
  int fd = *(int *)ctx;
  for (;;) {
    ssize_t r = read(fd, buf, n);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int resume_read_fd(int fd, bool zstd, resume_name_fn fn, void *arg,
                   resume_info_t *info, char *err, size_t errlen) {
  return resume_read(fd_read, &fd, zstd, fn, arg, info, err, errlen);
}
