/* Progress display and end summary: see progress.h. */
#include "scan/progress.h"
#include "record/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TTY_MS 500          /* terminal refresh */
#define RATE_WINDOW 20      /* samples kept for the recent rate (10 s on a terminal) */

/* Failures are counted by enum and shown by the record's names (record/schema.h), DNS
 * first, then the probe's stages in the dialogue's order. */
#define FIRST_PROBE_STAGE SMTP_STAGE_CONNECT
#define LAST_PROBE_STAGE SMTP_STAGE_QUIT

struct progress {
  uv_loop_t *loop;
  uv_timer_t timer;
  bool timer_on, closed, tty, quiet;
  progress_sample_fn fn;
  void *arg;
  long long total;                 /* input lines, -1 unknown */
  uint64_t t0;
  unsigned long long fails_dns, fails[SMTP_STAGE_COUNT];   /* probes by error stage */
  unsigned long long no_route[2];  /* addresses not attempted: IPv4, IPv6 without a route */
  /* recent rate: a ring of (time, done) samples */
  uint64_t rt[RATE_WINDOW];
  unsigned long long rd[RATE_WINDOW];
  size_t rn, rpos;
  size_t last_len;                 /* of the terminal line, to clear it */
};

long long progress_count_lines(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  off_t off = lseek(fd, 0, SEEK_CUR);
  if (off < 0) return -1;
  static char buf[1 << 16];
  long long n = 0;
  char last = '\n';
  ssize_t r;
  while ((r = pread(fd, buf, sizeof buf, off)) > 0) {
    for (char *p = buf, *e = buf + r; (p = memchr(p, '\n', (size_t)(e - p))); p++) n++;
    last = buf[r - 1];
    off += r;
  }
  if (r < 0) return -1;
  return n + (last != '\n');
}

void progress_fmt_duration(double sec, char *out, size_t cap) {
  if (sec < 0 || sec > 1e8) { snprintf(out, cap, "-"); return; }
  unsigned long s = (unsigned long)(sec + 0.5);
  if (s >= 3600) snprintf(out, cap, "%luh%02lum", s / 3600, s % 3600 / 60);
  else if (s >= 60) snprintf(out, cap, "%lum%02lus", s / 60, s % 60);
  else snprintf(out, cap, "%lus", s);
}

void progress_fail_dns(progress_t *p) {
  if (p) p->fails_dns++;
}

void progress_no_route(progress_t *p, int family) {
  if (p) p->no_route[family == AF_INET ? 0 : 1]++;
}

void progress_fail_probe(progress_t *p, enum smtp_stage stage) {
  if (p && stage >= FIRST_PROBE_STAGE && stage <= LAST_PROBE_STAGE) p->fails[stage]++;
}

/* Appends "name n" (comma-separated) when n is not 0. */
static size_t fmt_fail(char *out, size_t o, size_t cap, const char *name, unsigned long long n) {
  if (!n || o >= cap) return o;
  int w = snprintf(out + o, cap - o, "%s%s %llu", o ? ", " : "", name, n);
  return w < 0 ? cap : o + (size_t)w;
}

static size_t fmt_fails(const progress_t *p, char *out, size_t cap) {
  out[0] = '\0';
  size_t o = fmt_fail(out, 0, cap, stage_name(STAGE_DNS), p->fails_dns);
  for (int s = FIRST_PROBE_STAGE; s <= LAST_PROBE_STAGE; s++)
    o = fmt_fail(out, o, cap, smtp_stage_name((enum smtp_stage)s), p->fails[s]);
  return o < cap ? o : cap - 1;
}

static unsigned long long done_of(const progress_snap_t *s) {
  return s->lines >= s->active ? s->lines - s->active : 0;
}

static void show(progress_t *p) {
  progress_snap_t s;
  p->fn(p->arg, &s);
  uint64_t now = uv_now(p->loop);
  unsigned long long done = done_of(&s);
  /* recent rate over the oldest sample kept */
  p->rt[p->rpos] = now;
  p->rd[p->rpos] = done;
  p->rpos = (p->rpos + 1) % RATE_WINDOW;
  if (p->rn < RATE_WINDOW) p->rn++;
  size_t oldest = p->rn < RATE_WINDOW ? 0 : p->rpos;
  double dt = (double)(now - p->rt[oldest]) / 1000.0;
  double rate = dt > 0 ? (double)(done - p->rd[oldest]) / dt : 0;
  char total[32] = "?", pct[16] = "", eta[16] = "-", fails[256];
  if (p->total >= 0) {
    snprintf(total, sizeof total, "%lld", p->total);
    if (p->total > 0) snprintf(pct, sizeof pct, " (%.1f%%)", 100.0 * (double)done / (double)p->total);
    if (rate > 0 && (unsigned long long)p->total >= done)
      progress_fmt_duration((double)((unsigned long long)p->total - done) / rate, eta, sizeof eta);
  }
  fmt_fails(p, fails, sizeof fails);
  char dns[64], line[600];
  if (s.dns_queued) snprintf(dns, sizeof dns, "%zu + %zu queued", s.dns_inflight, s.dns_queued);
  else snprintf(dns, sizeof dns, "%zu", s.dns_inflight);
  int n = snprintf(line, sizeof line,
                   "%llu/%s%s lines, %.1f/s, ETA %s | dns %s | smtp %zu running, %zu queued, "
                   "%zu backoff | failures: %s",
                   done, total, pct, rate, eta, dns, s.probes.running, s.probes.queued,
                   s.probes.backoff, fails[0] ? fails : "none");
  if (n < 0) return;
  if (p->tty) {
    /* \r, the line, clear to the end of the line */
    fprintf(stderr, "\r%s\033[K", line);
    p->last_len = (size_t)n;
  } else {
    fprintf(stderr, "mxsurvey: progress: %s\n", line);
  }
  fflush(stderr);
}

static void on_tick(uv_timer_t *t) { show(t->data); }

progress_t *progress_new(uv_loop_t *loop, int input_fd, bool quiet, double interval,
                         progress_sample_fn fn, void *arg) {
  progress_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->loop = loop;
  p->fn = fn;
  p->arg = arg;
  p->quiet = quiet;
  p->t0 = uv_now(loop);
  p->tty = isatty(STDERR_FILENO);
  p->total = progress_count_lines(input_fd);
  if (quiet) return p;
  uint64_t every = p->tty ? TTY_MS : (uint64_t)((interval > 0 ? interval : 10) * 1000);
  uv_timer_init(loop, &p->timer);
  p->timer.data = p;
  /* A timer must not keep the loop alive once the scan is over. */
  uv_unref((uv_handle_t *)&p->timer);
  uv_timer_start(&p->timer, on_tick, every, every);
  p->timer_on = true;
  return p;
}

void progress_close(progress_t *p) {
  if (!p || p->closed) return;
  p->closed = true;
  if (p->timer_on) {
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, NULL);
  }
  if (p->tty && p->last_len) {
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
  }
}

void progress_summary(progress_t *p, const progress_snap_t *s) {
  if (!p || p->quiet) return;
  double el = (double)(uv_now(p->loop) - p->t0) / 1000.0;
  char dur[16], fails[256];
  progress_fmt_duration(el, dur, sizeof dur);
  fmt_fails(p, fails, sizeof fails);
  unsigned long long done = done_of(s);
  if (el < 60) snprintf(dur, sizeof dur, "%.1fs", el);
  fprintf(stderr,
          "mxsurvey: summary: %llu input lines, %llu records in %s (%.1f domains/s)\n"
          "mxsurvey: summary: %llu probes, %llu connections (%llu retries)\n"
          "mxsurvey: summary: failures by stage: %s\n",
          s->lines, s->records, dur, el > 0 ? (double)done / el : 0.0,
          s->probes.done, s->probes.connections, s->probes.retries, fails[0] ? fails : "none");
  for (int f = 0; f < 2; f++)
    if (p->no_route[f])
      fprintf(stderr, "mxsurvey: summary: no %s route from this host: %llu addresses not "
              "attempted (--no-route-check tries them)\n", f ? "IPv6" : "IPv4", p->no_route[f]);
}

void progress_free(progress_t *p) { free(p); }
