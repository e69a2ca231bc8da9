/* Resume reader. See resume.h for the contract.
 *
 * Lines are cut as bytes arrive; only the first LINE_HEAD bytes of a line are kept, since
 * the domain is the record's first member and a record may be large. Whether a line is a
 * record of ours is decided by a small state machine fed as the bytes arrive (rec_*), so
 * a record with a long "input" member is judged without holding it. In zstd mode a
 * frame's names wait in 'pending' until ZSTD_decompressStream says the frame is complete
 * (which includes its checksum): a torn frame's domains are never reported, so they are
 * scanned again. */
#include "record/resume.h"
#include "record/keys.h"

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

/* ---------- is this line a record of ours? ----------
 * Our writer (scan.c write_record) starts every record with
 *   {"domain":"<string>",["input":"<string>",]"status":"<token>"
 * followed by ',' or '}', and ends it with '}'. The machine below accepts exactly that
 * prefix, with JSON white space allowed between tokens (ours has none, but a file of our
 * records filtered by another JSON tool, e.g. Python's json.dumps, has it there); the rest
 * of the line is not parsed (only its last byte is checked), so that reading a file of a
 * million records stays cheap. */
enum { RS_LIT, RS_DOMAIN, RS_DOMAIN_ESC, RS_KEY, RS_INPUT, RS_INPUT_ESC, RS_STATUS,
       RS_STATUS_END, RS_DONE, RS_BAD };
#define REC_STATUS_MAX 32          /* longest status token accepted */

typedef struct rec_check {
  uint8_t state, next;            /* next: the state after the literal */
  const char *lit;                /* RS_LIT: what is still expected */
  char prev;                      /* RS_LIT: the byte matched last ('\0': none yet) */
  char key[8];
  uint8_t klen;
  bool had_input;
  uint32_t slen;                  /* characters of the current string */
  char last;                      /* the line's last byte so far */
} rec_check_t;

static void rec_init(rec_check_t *c) {
  memset(c, 0, sizeof *c);
  c->state = RS_LIT;
  c->lit = "{\"" RK_DOMAIN "\":\"";
  c->next = RS_DOMAIN;
}

static void rec_expect(rec_check_t *c, const char *lit, uint8_t next) {
  c->state = RS_LIT;
  c->lit = lit;
  c->next = next;
  c->prev = '"';                  /* every literal after the first follows a closing quote */
  c->slen = 0;
}

static bool rec_ws(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* White space may stand before a structural character, and before the quote that opens a
 * token after one (or at the start of the line); never inside a key. */
static bool rec_ws_allowed(const rec_check_t *c) {
  char want = *c->lit, prev = c->prev;
  if (want == '{' || want == ':' || want == ',') return true;
  return want == '"' && (prev == '\0' || prev == '{' || prev == ':' || prev == ',');
}

static void rec_byte(rec_check_t *c, unsigned char ch) {
  switch (c->state) {
  case RS_LIT:
    if (rec_ws(ch) && rec_ws_allowed(c)) break;
    if (ch != (unsigned char)*c->lit) { c->state = RS_BAD; break; }
    c->prev = (char)ch;
    if (!*++c->lit) { c->state = c->next; c->slen = 0; c->klen = 0; }
    break;
  case RS_DOMAIN:
  case RS_INPUT:
    if (ch < 0x20) c->state = RS_BAD;                 /* raw control bytes: not JSON */
    else if (ch == '\\') c->state++;                  /* RS_DOMAIN_ESC, RS_INPUT_ESC */
    else if (ch != '"') c->slen++;
    else if (c->state == RS_DOMAIN && c->slen == 0) c->state = RS_BAD;   /* no name */
    else rec_expect(c, ",\"", RS_KEY);
    break;
  case RS_DOMAIN_ESC:
  case RS_INPUT_ESC:
    if (!ch || !strchr("\"\\/bfnrtu", ch)) { c->state = RS_BAD; break; }
    c->slen++;
    c->state--;
    break;
  case RS_KEY:
    if (ch != '"') {
      if (c->klen == sizeof c->key - 1) c->state = RS_BAD;
      else c->key[c->klen++] = (char)ch;
      break;
    }
    c->key[c->klen] = '\0';
    if (!c->had_input && strcmp(c->key, RK_INPUT) == 0) {
      c->had_input = true;
      rec_expect(c, ":\"", RS_INPUT);
    } else if (strcmp(c->key, RK_STATUS) == 0) {
      rec_expect(c, ":\"", RS_STATUS);
    } else {
      c->state = RS_BAD;
    }
    break;
  case RS_STATUS:
    if (ch == '"' && c->slen > 0) c->state = RS_STATUS_END;
    else if (c->slen < REC_STATUS_MAX && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) c->slen++;
    else c->state = RS_BAD;
    break;
  case RS_STATUS_END:
    if (rec_ws(ch)) break;
    c->state = ch == ',' || ch == '}' ? RS_DONE : RS_BAD;
    break;
  default:
    break;
  }
}

/* Feeds a piece of the line (without its newline). */
static void rec_feed(rec_check_t *c, const char *p, size_t n) {
  for (size_t i = 0; i < n && c->state != RS_DONE && c->state != RS_BAD; i++)
    rec_byte(c, (unsigned char)p[i]);
  if (n) c->last = p[n - 1];
}

static bool rec_ok(const rec_check_t *c) { return c->state == RS_DONE && c->last == '}'; }

int resume_is_record(const char *line, size_t len) {
  rec_check_t c;
  rec_init(&c);
  if (memchr(line, '\n', len)) return 0;
  rec_feed(&c, line, len);
  return rec_ok(&c);
}

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
  rec_check_t rec;
  /* zstd: names of the current frame, each as a 2-byte length and the bytes */
  char *pending;
  size_t plen, pcap;
  uint64_t plines, pnames;
  bool pforeign;           /* zstd: a whole line of the current frame is not a record */
  bool stopped;            /* the callback or an allocation failed */
  bool refused;            /* not our output: the message is in err */
  bool seen_record;        /* a whole record line of ours was read (zstd: maybe in a torn frame) */
  /* zstd decoding */
  ZSTD_DCtx *d;
  char *out;
  size_t outcap;
  char first[4];           /* the file's first bytes: the magic number, when they are one */
  size_t nfirst;
  bool bad;                /* the data after info->keep does not decode */
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
  static const char key[] = "\"" RK_DOMAIN "\"";
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

/* Refuses the file: not our output, or damaged where no crash tears it. */
static int refuse(reader_t *r, const char *fmt, ...) {
  if (r->err && r->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
  }
  r->refused = true;
  return -1;
}

static const char *fmt_name(const reader_t *r) { return r->zstd ? "zstd" : "NDJSON"; }

/* The current line is complete. */
static int end_line(reader_t *r) {
  bool record = rec_ok(&r->rec);
  const char *name;
  size_t nlen;
  int has = record && resume_domain_of(r->head, r->head_len, &name, &nlen);
  r->head_len = 0;
  r->line_len = 0;
  rec_init(&r->rec);
  if (record) r->seen_record = true;
  if (r->zstd) {
    /* Judged when the frame ends: a torn frame is a tail, a whole one must be ours. */
    if (!record) r->pforeign = true;
    r->plines++;
    if (!has) return 0;
    r->pnames++;
    if (pending_add(r, name, nlen) < 0) return -1;
    return 0;
  }
  /* A crash tears only the last line, which has no newline: a whole line that is not a
   * record means the file is not ours (or was edited); it is never dropped or appended to. */
  if (!record) {
    if (r->info->lines == 0) return refuse(r, "not NDJSON output of mxsurvey: its first line is not an mxsurvey record");
    return refuse(r, "line %llu is not an mxsurvey record: not a torn final line; refusing to touch the file",
                  (unsigned long long)r->info->lines + 1);
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
    rec_feed(&r->rec, p + i, seg);
    /* Nothing of ours yet and the first line is already not a record: whether it is torn
     * or not, nothing here may be dropped; say so at once (a copy of /dev/zero ends). */
    if (r->rec.state == RS_BAD && r->info->lines == 0 && r->plines == 0 && !r->pforeign)
      return refuse(r, "not %s output of mxsurvey: its first line is not an mxsurvey record", fmt_name(r));
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
  r->pforeign = false;
  return 0;
}

static void drop_frame(reader_t *r) {
  r->plen = 0;
  r->plines = r->pnames = 0;
  r->pforeign = false;
  r->head_len = 0;
  r->line_len = 0;
  rec_init(&r->rec);
}

/* A decoding error, or a frame that would not fit in memory: before any record of ours
 * the file is not ours (-1, refused); after one it is the torn tail (0, r->bad). */
static int zstd_damage(reader_t *r, size_t z) {
  if (r->seen_record) {
    r->bad = true;
    return 0;
  }
  static const char magic[4] = { 0x28, (char)0xB5, 0x2F, (char)0xFD };
  if (z == 0)
    refuse(r, "not zstd output of mxsurvey: its first frame holds more names than %u bytes",
           RESUME_FRAME_NAMES_MAX);
  else if (r->nfirst < 4 || memcmp(r->first, magic, 4) != 0)
    refuse(r, "not zstd output of mxsurvey");
  else
    refuse(r, "not zstd output of mxsurvey: its first frame does not decode (%s)",
           ZSTD_getErrorName(z));
  return -1;
}

/* A complete frame (its checksum right, so no crash tore it). Ours always hold whole
 * records and end on a record boundary; one that does not was not written by the sink,
 * and neither keeping it nor dropping it is ours to do. */
static int zstd_frame_end(reader_t *r, uint64_t end) {
  resume_info_t *info = r->info;
  if (r->line_len > 0 || r->head_len > 0 || r->pforeign || r->plines == 0) {
    if (info->frames == 0)
      refuse(r, "not zstd output of mxsurvey: its first frame holds no mxsurvey records");
    else
      refuse(r, "the zstd frame at byte %llu is complete but does not hold mxsurvey records: "
             "not a torn tail; refusing to touch the file", (unsigned long long)info->keep);
    return -1;
  }
  if (commit_frame(r) < 0) return -1;
  info->keep = end;
  return 0;
}

/* Decodes one chunk read at file offset base. -1: stop (refused, failed). */
static int feed_zstd(reader_t *r, const char *in, size_t got, uint64_t base) {
  ZSTD_inBuffer ib = { in, got, 0 };
  bool out_full = false;
  while (!r->bad && (ib.pos < ib.size || out_full)) {
    ZSTD_outBuffer ob = { r->out, r->outcap, 0 };
    size_t z = ZSTD_decompressStream(r->d, &ob, &ib);
    if (ZSTD_isError(z)) {
      /* Damage after a record of ours is a torn tail (a crash tears the frame being
       * written, which may be the first); before any, the file is not ours. */
      if (zstd_damage(r, z) < 0) return -1;
      break;
    }
    out_full = ob.pos == ob.size;
    if (feed(r, r->out, ob.pos, 0) < 0) {
      if (r->stopped || r->refused) return -1;
      if (zstd_damage(r, 0) < 0) return -1;    /* a frame with absurdly many names */
      break;
    }
    if (z == 0 && zstd_frame_end(r, base + ib.pos) < 0) return -1;
  }
  if (r->bad) drop_frame(r);
  return 0;
}

/* After the last read: what is left after info->keep must be a torn tail that follows a
 * record of ours. 0 ok, -1 refused. */
static int read_end(reader_t *r) {
  resume_info_t *info = r->info;
  uint64_t tail = info->size - info->keep;
  if (tail > RESUME_TAIL_MAX) {
    fail(r, "the data after byte %llu %s: not a torn final %s; refusing to drop it",
         (unsigned long long)info->keep,
         r->zstd ? "does not decode" : "holds no newline", r->zstd ? "frame" : "line");
    return -1;
  }
  if (info->keep == 0 && tail > 0 && !r->seen_record) {
    /* Nothing of ours at all: a tail may be dropped only after a record of ours, so that
     * resuming into the wrong file (or one torn inside its first record) never cuts it.
     * In zstd the record may be in the torn first frame itself: its first line (whole,
     * and one of ours) is the evidence; the frame is still dropped, being unchecked. */
    refuse(r, "not %s output of mxsurvey: no whole record line to keep (only a tail that "
           "follows one may be dropped)", fmt_name(r));
    return -1;
  }
  return 0;
}

/* Every chunk of the file through the line reader (plain) or the decoder (zstd). */
static int read_chunks(reader_t *r, resume_read_fn rd, void *ctx, char *in, size_t chunk) {
  resume_info_t *info = r->info;
  for (;;) {
    ssize_t got = rd(ctx, in, chunk);
    if (got < 0) { fail(r, "read: %s", strerror((int)-got)); return -1; }
    if (got == 0) return 0;
    uint64_t base = info->size;
    info->size += (uint64_t)got;
    for (size_t k = 0; r->nfirst < sizeof r->first && k < (size_t)got; k++) r->first[r->nfirst++] = in[k];
    if (!r->zstd) {
      if (feed(r, in, (size_t)got, base) < 0) {
        if (!r->stopped && !r->refused) fail(r, "out of memory");
        return -1;
      }
    } else if (!r->bad && feed_zstd(r, in, (size_t)got, base) < 0) {
      return -1;
    }
    if (info->size - info->keep > RESUME_TAIL_MAX) return 0;
  }
}

/* chunk: the read size (smaller for small in-memory files: the fuzzer runs this often) */
static int read_all(resume_read_fn rd, void *ctx, size_t chunk, bool zstd, resume_name_fn fn,
                    void *arg, resume_info_t *info, char *err, size_t errlen) {
  reader_t *r = calloc(1, sizeof *r);
  char *in = malloc(chunk);
  int rc = -1;
  memset(info, 0, sizeof *info);
  if (err && errlen) err[0] = '\0';
  if (r && zstd) {
    r->outcap = OUT_CHUNK;
    r->out = malloc(r->outcap);
    r->d = ZSTD_createDCtx();
  }
  if (!r || !in || (zstd && (!r->out || !r->d))) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    goto done;
  }
  r->err = err;
  r->errlen = errlen;
  /* The sink's frames need a 2 MiB window at most (level 3); a header asking for more is
   * not ours and must not make us allocate up to the library's 128 MiB default. */
  if (zstd && ZSTD_isError(ZSTD_DCtx_setParameter(r->d, ZSTD_d_windowLogMax, RESUME_WINDOW_LOG_MAX))) {
    fail(r, "zstd: cannot limit the window size");
    goto done;
  }
  r->zstd = zstd;
  r->fn = fn;
  r->arg = arg;
  r->info = info;
  rec_init(&r->rec);
  if (read_chunks(r, rd, ctx, in, chunk) == 0 && read_end(r) == 0) rc = 0;
done:
  if (r) {
    ZSTD_freeDCtx(r->d);
    free(r->out);
    free(r->pending);
  }
  free(in);
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
