/* Record sink: plain or zstd-framed NDJSON. See sink.h for the contract.
 *
 * Output goes through write(2) rather than stdio so that every failure (ENOSPC, EIO, a
 * closed pipe) is seen at the call that caused it, with errno intact, instead of being
 * lost in a FILE buffer until an fclose nobody checks. */
#include "record/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <zstd.h>

#define SINK_PLAIN_BUF (64u * 1024)
#define SINK_ZSTD_LEVEL 3

struct sink {
  int fd;
  bool own_fd;              /* false for stdout: not ours to close */
  bool failed;              /* sticky: after an I/O error nothing more is written */
  char *path;               /* for messages */
  ZSTD_CCtx *cctx;          /* NULL for plain output */
  size_t frame_in;          /* uncompressed bytes in the current zstd frame */
  char *buf;                /* plain: pending bytes; zstd: compressed output */
  size_t len, cap;
  unsigned long long count;
  char err[512];
};

static void set_err(sink_t *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->err, sizeof s->err, fmt, ap);
  va_end(ap);
}

static int fail_errno(sink_t *s, const char *op, int e) {
  set_err(s, "%s %s: %s", op, s->path, strerror(e));
  s->failed = true;
  return -1;
}

static int write_all(sink_t *s, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(s->fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail_errno(s, "write", errno);
    }
    if (w == 0) return fail_errno(s, "write", EIO);   /* cannot progress: do not spin */
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int drain(sink_t *s) {
  if (s->len == 0) return 0;
  int rc = write_all(s, s->buf, s->len);
  s->len = 0;
  return rc;
}

/* Feeds input to the compressor; mode ZSTD_e_end also closes the frame. Compressed output
 * is written out whenever the output buffer has anything, so memory stays bounded. */
static int zfeed(sink_t *s, const char *data, size_t n, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in = { data, n, 0 };
  for (;;) {
    ZSTD_outBuffer out = { s->buf, s->cap, 0 };
    size_t left = ZSTD_compressStream2(s->cctx, &out, &in, mode);
    if (ZSTD_isError(left)) {
      set_err(s, "zstd %s: %s", s->path, ZSTD_getErrorName(left));
      s->failed = true;
      return -1;
    }
    s->len = out.pos;
    if (drain(s) < 0) return -1;
    if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return 0;
  }
}

static int end_frame(sink_t *s) {
  if (s->frame_in == 0) return 0;     /* no empty frames */
  s->frame_in = 0;
  return zfeed(s, NULL, 0, ZSTD_e_end);
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* keep < 0: create or truncate; otherwise open the existing file, cut it to keep bytes
 * (a torn tail) and append after them. */
static sink_t *open_sink(const char *path, long long keep, char *err, size_t errlen) {
  bool to_stdout = !path || strcmp(path, "-") == 0;
  if (to_stdout && keep >= 0) {
    if (err && errlen) snprintf(err, errlen, "cannot append to standard output");
    return NULL;
  }
  sink_t *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  s->fd = -1;
  s->path = strdup(to_stdout ? "<stdout>" : path);
  if (!s->path) goto nomem;
  if (!to_stdout && ends_with(path, ".zst")) {
    s->cctx = ZSTD_createCCtx();
    if (!s->cctx) goto nomem;
    size_t r = ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, SINK_ZSTD_LEVEL);
    /* Checksums let a reader tell a torn frame from a complete one. */
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_checksumFlag, 1);
    if (ZSTD_isError(r)) {
      if (err && errlen) snprintf(err, errlen, "zstd %s: %s", path, ZSTD_getErrorName(r));
      sink_close_err(s, NULL, 0);
      return NULL;
    }
    s->cap = ZSTD_CStreamOutSize();
  } else {
    s->cap = SINK_PLAIN_BUF;
  }
  s->buf = malloc(s->cap);
  if (!s->buf) goto nomem;
  if (to_stdout) {
    s->fd = STDOUT_FILENO;
  } else {
    int flags = keep < 0 ? O_CREAT | O_WRONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC;
    s->fd = open(path, flags, 0644);
    if (s->fd < 0) {
      if (err && errlen) snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
      sink_close_err(s, NULL, 0);
      return NULL;
    }
    s->own_fd = true;
    /* Two scans writing one file interleave their frames into garbage: a scan started
     * (or resumed) while another still runs is refused before it truncates anything.
     * The lock goes with the descriptor. Files where locks do not apply (/dev/full, some
     * network file systems) are written without one. */
    if (flock(s->fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
      if (err && errlen) snprintf(err, errlen, "%s is being written by another process", path);
      sink_close_err(s, NULL, 0);
      return NULL;
    }
    /* A new scan starts from nothing; appended frames must follow the last whole one, not
     * a torn tail: `zstd -d` stops at the first frame it cannot decode. Character devices
     * and pipes cannot be truncated and need not be. */
    struct stat st;
    bool regular = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && (ftruncate(s->fd, (off_t)(keep < 0 ? 0 : keep)) < 0 ||
                    lseek(s->fd, 0, SEEK_END) < 0)) {
      if (err && errlen) snprintf(err, errlen, "cannot truncate %s to %lld bytes: %s", path,
                                  keep < 0 ? 0 : keep,
                                  strerror(errno));
      sink_close_err(s, NULL, 0);
      return NULL;
    }
  }
  return s;

nomem:
  if (err && errlen) snprintf(err, errlen, "cannot open %s: out of memory", path ? path : "-");
  if (s) sink_close_err(s, NULL, 0);
  return NULL;
}

sink_t *sink_open(const char *path, char *err, size_t errlen) {
  return open_sink(path, -1, err, errlen);
}

sink_t *sink_open_append(const char *path, unsigned long long keep, char *err, size_t errlen) {
  if (keep > (unsigned long long)LLONG_MAX) {
    if (err && errlen) snprintf(err, errlen, "cannot append to %s: offset too large", path);
    return NULL;
  }
  return open_sink(path, (long long)keep, err, errlen);
}

int sink_write(sink_t *s, const char *line, size_t len) {
  if (!s || s->failed) return -1;
  if (!line) {
    if (len) return -1;
    line = "";
  }
  /* A newline would split the record in two for every NDJSON reader: refuse this record
   * (a caller bug), but keep the sink usable for the others. */
  if (memchr(line, '\n', len)) {
    set_err(s, "record contains a newline; not written");
    return -1;
  }
  if (s->cctx) {
    if (zfeed(s, line, len, ZSTD_e_continue) < 0 || zfeed(s, "\n", 1, ZSTD_e_continue) < 0)
      return -1;
    s->frame_in += len + 1;
    /* Frames end on record boundaries, so each frame decompresses to whole lines. */
    if (s->frame_in >= SINK_FRAME_BYTES && end_frame(s) < 0) return -1;
  } else {
    if (s->len + len + 1 > s->cap) {
      if (drain(s) < 0) return -1;
      if (len + 1 > s->cap) {
        /* Larger than the buffer: write directly, in order. */
        if (write_all(s, line, len) < 0 || write_all(s, "\n", 1) < 0) return -1;
        s->count++;
        return 0;
      }
    }
    memcpy(s->buf + s->len, line, len);
    s->buf[s->len + len] = '\n';
    s->len += len + 1;
  }
  s->count++;
  return 0;
}

int sink_flush(sink_t *s) {
  if (!s || s->failed) return -1;
  if (s->cctx) return end_frame(s);
  return drain(s);
}

int sink_close_err(sink_t *s, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!s) return -1;
  int rc = 0;
  if (s->buf && s->fd >= 0 && sink_flush(s) < 0) rc = -1;
  if (s->failed) rc = -1;
  if (s->own_fd && s->fd >= 0) {
    /* On Linux the descriptor is gone even when close reports EINTR, so that one is not
     * an error; anything else (EIO, NFS's delayed ENOSPC/EDQUOT) means lost data. */
    if (close(s->fd) < 0 && errno != EINTR) {
      if (!s->failed) fail_errno(s, "close", errno);
      rc = -1;
    }
  }
  if (rc < 0 && err && errlen) snprintf(err, errlen, "%s", s->err);
  ZSTD_freeCCtx(s->cctx);
  free(s->buf);
  free(s->path);
  free(s);
  return rc;
}

int sink_close(sink_t *s) {
  if (!s) return -1;
  /* An error that arises here (final flush, close) cannot be read with sink_error() after
   * the free, and a short output file must never be silent: say it on stderr. Errors the
   * caller already got a -1 for were theirs to report. */
  bool had_failed = s->failed;
  char err[sizeof s->err];
  int rc = sink_close_err(s, err, sizeof err);
  if (rc < 0 && !had_failed && err[0]) fprintf(stderr, "mxsurvey: %s\n", err);
  return rc;
}

const char *sink_error(const sink_t *s) {
  return s && s->err[0] ? s->err : NULL;
}

unsigned long long sink_count(const sink_t *s) {
  return s ? s->count : 0;
}
