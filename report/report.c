/* mxsurvey report: the file checks, the two passes (previous scan, then this one) over the
 * worker threads, and output. The command line is cli/report_opts.c's. */
#include "report/report.h"
#include "report/compare.h"
#include "report/figures.h"
#include "report/i18n.h"
#include "report/notify.h"
#include "report/reader.h"
#include "report/render.h"
#include "report/stats.h"
#include "record/schema.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct worker {
  pthread_t th;
  struct queue *q;
  struct stats st;
  struct rtable prevmap;          /* pass over the old scan: domain -> state */
  int old_pass;
  int comparing;                  /* --compare: keep what compare_ops.h fingerprints */
  const psl_ctx_t *psl;
  const struct prevscan *prev;
  struct input_file *files;
  pthread_mutex_t *err_mu;
  char *err;                      /* first fatal error, shared */
  uint64_t *warnings;
};

static int blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isspace((unsigned char)p[i])) return 0;
  return 1;
}

/* Most of a record is data no figure uses: the certificate's SAN list (hundreds of names on
 * a shared host), banners, digests, subjects, TLSA data, timings, reply codes. json-c
 * allocates and frees every key and value, so such members are cut out of the line before
 * the parse, which makes it about twice as fast. A member is cut only when its value is a
 * string, number, boolean, null or an array of plain strings, and only in the compact form
 * the scanner writes; anything else is left for the parser to judge (and the key is then
 * simply ignored). So "mx" and "addresses" lose only their unused forms (the policy's
 * patterns, the summary's count), never the arrays of objects the figures read. The keys
 * are record/schema.h's RK_* (sizeof gives their length at compile time). Fills seg[] with
 * the pieces of the line to keep; returns how many. With --compare the TLSA data and the
 * server keys are kept (compare_ops.h fingerprints them: did the key change, the TLSA set?);
 * "id" is always kept: it names conformity.cncs.checks[] and mta_sts's policy. */
#define MAX_SEGS 512
struct seg {
  const char *p;
  size_t n;
};

#define K(s) {s, sizeof s - 1, 0}
#define KC(s) {s, sizeof s - 1, 1}
struct skip_def {
  const char *k;
  size_t n;
  int compare;   /* kept when comparing */
};
static const struct skip_def SKIP_KEYS[] = {
  K(RK_SAN), K(RK_BANNER), K(RK_STARTTLS_REPLY), K(RK_SUBJECT), K(RK_ISSUER), K(RK_SHA256),
  KC(RK_SPKI_SHA256), K(RK_SIG_ALG), K(RK_NOT_BEFORE), KC(RK_DATA), K(RK_PTR), K(RK_PTR_ERROR),
  K(RK_CURVE), K(RK_DNSSEC_REASON), K(RK_RUA), K(RK_CONNECT_MS), K(RK_BANNER_CODE),
  K(RK_EHLO_CODE), K(RK_EHLO_TLS_CODE), K(RK_FAMILY), K(RK_CHAIN_LEN), K(RK_PREFERENCE),
  K(RK_IMPLICIT), K(RK_MAX_AGE), K(RK_HTTP_STATUS), K(RK_USABLE), K(RK_UNUSABLE_REASON),
  K(RK_TLS_BEST), K(RK_MX_HOSTS), K(RK_INJECTED_BYTES), K(RK_STARTTLS_AGAIN), K(RK_DEPTH),
  K(RK_INPUT), K(RK_CNAME), K(RK_NULL_MX), K(RK_NAME), K(RK_CONNECT), K(RK_MX), K(RK_ADDRESSES),
  /* tls_profile: the cipher classes' suite lists, which handshake showed a certificate
   * ("complete" is kept: conformity.cncs.complete has the same key) */
  K(RK_SUITES), K(RK_ASKED), K(RK_PARTIAL)};
#undef K
#undef KC

/* Called for every key of every record: keys are bucketed by length once, so a key is
 * compared with the two or three skipped keys of its length only. */
#define SKIP_MAXLEN 16
static const struct skip_def *skip_by_len[SKIP_MAXLEN][8];
static pthread_once_t skip_once = PTHREAD_ONCE_INIT;

static void skip_init(void) {
  for (size_t i = 0; i < sizeof SKIP_KEYS / sizeof SKIP_KEYS[0]; i++) {
    size_t n = SKIP_KEYS[i].n, j = 0;
    if (n >= SKIP_MAXLEN) abort();
    while (skip_by_len[n][j]) j++;
    if (j >= 7) abort();
    skip_by_len[n][j] = &SKIP_KEYS[i];
  }
}

static int skip_key(const char *k, size_t n, int comparing) {
  if (n >= SKIP_MAXLEN) return 0;
  for (int j = 0; skip_by_len[n][j]; j++)
    if (memcmp(skip_by_len[n][j]->k, k, n) == 0) return !(comparing && skip_by_len[n][j]->compare);
  return 0;
}

/* The closing quote of the string whose opening quote is at q, or NULL. */
static const char *string_end(const char *q, const char *end) {
  for (const char *c = q + 1; (c = memchr(c, '"', (size_t)(end - c))); c++) {
    const char *b = c;
    while (b > q + 1 && b[-1] == '\\') b--;
    if ((c - b) % 2 == 0) return c;
  }
  return NULL;
}

/* One past the end of the scalar or string array at v, or NULL. */
static const char *value_end(const char *v, const char *end) {
  if (v >= end) return NULL;
  if (*v == '"') {
    const char *c = string_end(v, end);
    return c ? c + 1 : NULL;
  }
  if (*v == '[') {
    const char *c = v + 1;
    while (c < end && (*c == ',' || *c == '"')) {
      if (*c == '"' && !(c = string_end(c, end))) return NULL;
      c++;
    }
    return c < end && *c == ']' ? c + 1 : NULL;
  }
  const char *c = v;
  while (c < end && (isalnum((unsigned char)*c) || *c == '-' || *c == '+' || *c == '.')) c++;
  return c > v && c < end && (*c == ',' || *c == '}') ? c : NULL;
}

static int segments(const char *p, size_t len, struct seg *seg, int comparing) {
  const char *end = p + len, *from = p, *q = p;
  int n = 0;
  while (n < MAX_SEGS - 1 && (q = memchr(q, '"', (size_t)(end - q)))) {
    const char *close = string_end(q, end);
    if (!close) break;
    const char *v = close + 1, *ve;
    /* After a first member was cut, from == q: the last byte kept is the '{'. */
    int first = q == from || q[-1] == '{';
    if (v >= end || *v != ':' || q == p || !skip_key(q + 1, (size_t)(close - q - 1), comparing) ||
        !(ve = value_end(v + 1, end)) || (!first && q[-1] != ',')) {
      q = close + 1;
      continue;
    }
    if (!first) {                /* ,"key":value -> nothing */
      seg[n++] = (struct seg){from, (size_t)(q - 1 - from)};
      from = ve;
    } else {                     /* {"key":value, -> { */
      seg[n++] = (struct seg){from, (size_t)(q - from)};
      from = ve < end && *ve == ',' ? ve + 1 : ve;
    }
    q = from;
  }
  seg[n++] = (struct seg){from, (size_t)(end - from)};
  return n;
}

static void fail(struct worker *w, const char *path, uint64_t line, const char *what) {
  pthread_mutex_lock(w->err_mu);
  if (!w->err[0]) snprintf(w->err, 512, "%s:%llu: %s", path, (unsigned long long)line, what);
  pthread_mutex_unlock(w->err_mu);
  pthread_mutex_lock(&w->q->mu);
  w->q->abort = 1;
  pthread_cond_broadcast(&w->q->nonfull);
  pthread_mutex_unlock(&w->q->mu);
}

static void *work(void *arg) {
  struct worker *w = arg;
  pthread_once(&skip_once, skip_init);
  json_tokener *tok = json_tokener_new_ex(64);
  if (!tok) {
    fprintf(stderr, "mxsurvey report: out of memory\n");
    exit(1);
  }
  struct batch *b;
  while ((b = queue_pop(w->q))) {
    const char *path = w->files[b->file].path;
    char *p = b->buf, *end = b->buf + b->len;
    uint64_t line = b->first_line, n = 0;
    while (p < end && !w->q->abort) {
      char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t len = (size_t)((nl ? nl : end) - p);
      int last = !nl && b->unterminated;
      if (!blank(p, len)) {
        /* One parse_ex call per record: json-c sets up a locale on every call. */
        struct seg seg[MAX_SEGS];
        int ns = segments(p, len, seg, w->comparing);
        size_t plen = 0;
        for (int k = 0; k < ns; k++) {
          memmove(p + plen, seg[k].p, seg[k].n);
          plen += seg[k].n;
        }
        json_tokener_reset(tok);
        json_object *o = json_tokener_parse_ex(tok, p, (int)plen);
        enum json_tokener_error e = json_tokener_get_error(tok);
        const char *tail = o && e == json_tokener_success ? p + json_tokener_get_parse_end(tok) : NULL;
        const char *bad = NULL;
        char why[160];
        if (!o || e != json_tokener_success) {
          snprintf(why, sizeof why, "not JSON (%s)",
                   e == json_tokener_continue ? "record ends early" : json_tokener_error_desc(e));
          bad = why;
        } else if (!blank(tail, (size_t)(p + plen - tail))) {
          bad = "not JSON (data after the record)";
        } else if (!json_object_is_type(o, json_type_object)) {
          bad = "not a JSON object";
        }
        if (bad && last) {
          fprintf(stderr, "mxsurvey report: warning: %s:%llu: incomplete last record ignored "
                  "(an unfinished scan?)\n", path, (unsigned long long)line);
          __atomic_fetch_add(w->warnings, 1, __ATOMIC_RELAXED);
        } else if (bad) {
          fail(w, path, line, bad);
        } else if (w->old_pass) {
          stats_add_record(&w->st, o, w->psl, NULL);
          compare_remember(&w->prevmap, o);
          n++;
        } else {
          stats_add_record(&w->st, o, w->psl, w->prev);
          n++;
        }
        json_object_put(o);
      }
      line++;
      p = nl ? nl + 1 : end;
    }
    __atomic_fetch_add(&w->files[b->file].records, n, __ATOMIC_RELAXED);
    batch_free(b);
  }
  json_tokener_free(tok);
  return NULL;
}

/* One pass over a list of files (one scan). Leaves the merged figures in *out, and with
 * prevmap the merged per-domain states. */
static int pass(struct input_file *files, size_t nfiles, int threads, const psl_ctx_t *psl,
                const struct prevscan *prev, struct stats *out, struct rtable *prevmap,
                uint64_t *warnings) {
  int comparing = prev != NULL || prevmap != NULL;
  struct queue q;
  queue_init(&q, 2 * threads + 2);
  pthread_mutex_t err_mu = PTHREAD_MUTEX_INITIALIZER;
  char err[512] = "";
  struct worker *w = calloc((size_t)threads, sizeof *w);
  if (!w) abort();
  for (int i = 0; i < threads; i++) {
    w[i] = (struct worker){.q = &q, .old_pass = prevmap != NULL,
                           .comparing = comparing, .psl = psl, .prev = prev,
                           .files = files, .err_mu = &err_mu, .err = err, .warnings = warnings};
    stats_init(&w[i].st);
    rt_init(&w[i].prevmap);
    if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0) {
      fprintf(stderr, "mxsurvey report: cannot start a thread\n");
      exit(1);
    }
  }
  int rc = 0;
  for (size_t i = 0; i < nfiles && !q.abort; i++)
    if (reader_read(files[i].path, (int)i, &q, &files[i].bytes, warnings) < 0) {
      rc = -1;
      q.abort = 1;
    }
  queue_close(&q);
  for (int i = 0; i < threads; i++) pthread_join(w[i].th, NULL);
  if (err[0]) {
    fprintf(stderr, "mxsurvey report: %s\n", err);
    rc = -1;
  }
  for (int i = 0; i < threads; i++) {
    if (rc == 0) {
      stats_merge(out, &w[i].st);
      if (prevmap) rt_merge(prevmap, &w[i].prevmap);
    }
    stats_free(&w[i].st);
    rt_free(&w[i].prevmap);
  }
  free(w);
  queue_destroy(&q);
  return rc;
}

/* A report written over a file it reads would destroy a scan (fopen "w" truncates it
 * before a record is read; ">>" stdout appends Markdown to it): refused by device and
 * inode, before anything is opened for writing. 0 ok, -1 with a message. */
static int check_not_read(const char *what, const char *path, const struct report *r,
                          const char *psl_file) {
  struct stat out, st;
  bool to_stdout = !path || strcmp(path, "-") == 0;
  if ((to_stdout ? fstat(STDOUT_FILENO, &out) : stat(path, &out)) != 0 || !S_ISREG(out.st_mode))
    return 0;
  size_t n = r->ninputs + r->nold + 1;
  for (size_t i = 0; i < n; i++) {
    const char *in = i < r->ninputs ? r->inputs[i].path
                   : i < r->ninputs + r->nold ? r->old_inputs[i - r->ninputs].path : psl_file;
    if (stat(in, &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
      fprintf(stderr, "mxsurvey report: the %s %s is the input file %s: refusing to write over what is read\n",
              what, to_stdout ? "(standard output)" : path, in);
      return -1;
    }
  }
  return 0;
}

/* libpsl reads the list by name with no bound: /dev/zero would never end. */
#define PSL_FILE_MAX ((unsigned)REPORT_PSL_MIB << 20)

static int check_psl_file(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;     /* psl_load_file says it cannot load it */
  if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > PSL_FILE_MAX) {
    fprintf(stderr, "mxsurvey report: --psl %s must be a regular file of at most %u MiB\n", path,
            PSL_FILE_MAX >> 20);
    return -1;
  }
  return 0;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The report in its format on out, then the HTML page: 0, or 1 with a message. */
static int write_report(const struct report_request *q, const struct report *r, FILE *out) {
  if (strcmp(q->format, "json") == 0) render_json(r, out);
  else if (strcmp(q->format, "csv") == 0) render_csv(r, out);
  else render_md(r, out);
  if (fflush(out) != 0 || ferror(out)) {
    fprintf(stderr, "mxsurvey report: writing the report: %s\n", strerror(errno));
    return 1;
  }
  if (!q->html) return 0;
  FILE *h = fopen(q->html, "w");
  if (!h) {
    fprintf(stderr, "mxsurvey report: %s: %s\n", q->html, strerror(errno));
    return 1;
  }
  render_html(r, h);
  if (fclose(h) != 0) {
    fprintf(stderr, "mxsurvey report: %s: %s\n", q->html, strerror(errno));
    return 1;
  }
  return 0;
}

/* The notification list, after the report (a second pass over the files, in their order):
 * its texts are the reader's language, so the locale is set only now, when the report's
 * own output is written. */
static int write_notify(const char *path, const struct report *r, const psl_ctx_t *psl) {
  const char **paths = calloc(r->ninputs, sizeof *paths);
  if (!paths) abort();
  for (size_t i = 0; i < r->ninputs; i++) paths[i] = r->inputs[i].path;
  i18n_init();
  int rc = notify_write(path, paths, r->ninputs, psl);
  free(paths);
  return rc;
}

/* The work, once the command line is parsed (cli/report_opts.c): the file checks, the two
 * passes, the output. r comes with its inputs (owned by the caller) and options text. */
int report_run(const struct report_request *q, struct report *r) {
  const char *output = q->output, *html = q->html, *psl_file = q->psl_file;
  int top = q->top, threads = q->threads, quiet = q->quiet;
  if (check_not_read("output", output, r, psl_file) < 0 ||
      (html && check_not_read("--html output", html, r, psl_file) < 0) ||
      (q->notify && check_not_read("--notify output", q->notify, r, psl_file) < 0))
    return 2;
  if (check_psl_file(psl_file) < 0) return 1;

  psl_ctx_t *psl = psl_load_file(psl_file);
  if (!psl) {
    fprintf(stderr, "mxsurvey report: %s: cannot load the Public Suffix List\n", psl_file);
    return 1;
  }
  FILE *out = stdout;
  if (output && strcmp(output, "-") != 0 && !(out = fopen(output, "w"))) {
    fprintf(stderr, "mxsurvey report: %s: %s\n", output, strerror(errno));
    psl_free(psl);
    return 1;
  }

  /* Batches are 2 MiB: keep them in the heap instead of an mmap/munmap (and page faults)
   * per batch. */
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  double t0 = now_s();
  struct stats now, old;
  struct prevscan prev;
  stats_init(&now);
  stats_init(&old);
  rt_init(&prev.map);
  int rc = 0;
  if (r->compare && pass(r->old_inputs, r->nold, threads, psl, NULL, &old, &prev.map, &r->warnings) < 0)
    rc = 1;
  if (rc == 0 &&
      pass(r->inputs, r->ninputs, threads, psl, r->compare ? &prev : NULL, &now, NULL, &r->warnings) < 0)
    rc = 1;
  if (rc == 0) {
    if (r->compare) rt_addf(&now.counts, compare_gone(&prev), "changes.domains_gone");
    stats_finish(&now);
    if (r->compare) stats_finish(&old);
    time_t t = time(NULL);
    strftime(r->generated_at, sizeof r->generated_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    figures_build(r, &now, r->compare ? &old : NULL, (size_t)top);
    rc = write_report(q, r, out);
    if (rc == 0 && q->notify) rc = write_notify(q->notify, r, psl);
    if (!quiet) {
      uint64_t recs = 0, bytes = 0;
      for (size_t i = 0; i < r->ninputs; i++) {
        recs += r->inputs[i].records;
        bytes += r->inputs[i].bytes;
      }
      double s = now_s() - t0;
      fprintf(stderr, "mxsurvey report: %llu records, %llu bytes in %zu file(s), %.2f s, "
              "%.0f records/s, %llu warning(s)\n", (unsigned long long)recs,
              (unsigned long long)bytes, r->ninputs, s, s > 0 ? (double)recs / s : 0.0,
              (unsigned long long)r->warnings);
    }
  }
  if (out != stdout) fclose(out);
  figures_free(r);
  stats_free(&now);
  stats_free(&old);
  rt_free(&prev.map);
  psl_free(psl);
  return rc;
}
