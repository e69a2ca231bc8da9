/* The pipeline: a bounded window of domains in flight, one libuv loop.
 *
 *   input (scan/input.c) --admit_line--> job --stages, checks' lookups--> job_advance
 *     --on_job_done--> checks_finish (verdicts) --> record_write --> sink
 *
 * The pipeline, not the job, decides what to read next: a finished job only reports
 * (on_job_done: the one completion callback) and asks for a turn. The turn is a uv_idle
 * callback, so reading more input and ending the scan always run from the loop, with no
 * callback of ours on the stack: a domain that ends inside admit_line (an invalid line)
 * cannot recurse into the reader, and closing the resolvers, the fetcher and the
 * scheduler never frees the object that is calling back.
 *
 * A signal stops the reading; the domains in flight get the grace period; a second
 * signal exits at once after a flush. Our own failure (out of memory, a write error)
 * stops the scan: domains in flight finish unrecorded, since a record written now would
 * blame the domain for it, and --resume would never redo it (status 1 says to resume). */
#include "scan/pipeline.h"
#include "checks/check.h"
#include "record/write.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static scan_t *scan_of(job_env_t *env) { return (scan_t *)((char *)env - offsetof(scan_t, env)); }

void scan_oom(job_env_t *env) {
  if (!env->failed) fprintf(stderr, "mxsurvey: out of memory\n");
  env->failed = true;
}

static bool scan_over(const scan_t *s) {
  return (s->input_done || s->env.failed) && s->active == 0;
}

static void on_turn(uv_idle_t *h);

static void turn_soon(scan_t *s) {
  if (!s->closed) uv_idle_start(&s->turn, on_turn);
}

void pipeline_add(scan_t *s, job_t *j) {
  list_insert_head(&s->jobs, &j->link);
  s->active++;
}

static void pipeline_remove(scan_t *s, job_t *j) {
  list_remove(&j->link);
  s->active--;
}

static void write_job(scan_t *s, const job_t *j) {
  jw_t *w = &s->jw;
  record_write(w, j);
  if (w->oom) {
    fprintf(stderr, "mxsurvey: out of memory writing the record of %s\n", j->domain);
    s->env.failed = true;
  } else if (sink_write(s->sink, w->buf, w->len) != 0) {
    fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
    s->env.failed = true;
  } else {
    s->records++;
  }
}

/* The completion callback of every job (job_env_t.done). */
static void on_job_done(job_t *j) {
  scan_t *s = scan_of(j->env);
  if (!s->env.failed) {
    checks_finish(j);
    write_job(s, j);
  }
  if (j->status == JOB_DNS_ERROR) progress_fail_dns(s->prog);
  pipeline_remove(s, j);
  job_free(j);
  turn_soon(s);
}

static void on_input(input_t *in, ssize_t n);

/* Domains the window may hold beyond --concurrency, as a multiple of it: what bounds the
 * memory of a scan whose congested prefixes hold many domains waiting. */
#define WINDOW_PARKED_MAX 4

/* The window: --concurrency domains, and one more for each probe that waits in the
 * scheduler's queues for a per-address or per-prefix limit while connections are free
 * overall (at most WINDOW_PARKED_MAX x --concurrency more, and no more than --max-probes
 * in all). Without it a window full of one
 * hoster's (or one slow prefix's) domains, each waiting its turn behind --per-prefix,
 * would stop the rest of the scan: the other prefixes' slots stayed empty, and the
 * makespan was the congested prefix's time plus everyone else's (docs/politeness.md, *The
 * window and the busiest prefix*). A waiting probe holds no socket, so the descriptors'
 * split (--max-probes) still holds; the admission order stays the input's. */
static size_t window(const scan_t *s) {
  size_t n = s->cfg->concurrency;
  if (!s->sched) return n;
  sched_stats_t st;
  sched_stats(s->sched, &st);
  if (st.running >= s->cfg->sched.max_probes) return n;   /* waiting for a global slot */
  size_t cap = n * WINDOW_PARKED_MAX;
  size_t w = n + (st.queued < cap ? st.queued : cap);
  /* --concurrency was lowered to the fd limit: beyond it, no more than one domain per
   * probe slot, so the domains' own descriptors (policy fetches) still fit. */
  size_t fds = s->cfg->sched.max_probes > n ? s->cfg->sched.max_probes : n;
  return w < fds ? w : fds;
}

/* Starts jobs while the window has room and lines are buffered; then a read, if none is
 * in flight. Never called from a job's callbacks (see the first comment). */
static void refill(scan_t *s) {
  size_t room = window(s);
  while (!s->input_done && !s->env.failed && s->active < room) {
    size_t len;
    bool complete;
    const char *line = input_line(&s->in, &len, &complete);
    if (line) {
      s->lines++;
      admit_line(s, line, len);
      continue;
    }
    if (s->in.eof) { s->input_done = true; break; }
    if (s->in.reading) break;
    int rc = input_read(&s->in);
    if (rc < 0) {
      fprintf(stderr, "mxsurvey: reading the input: %s\n", uv_strerror(rc));
      s->env.failed = true;
    }
    break;
  }
  if (scan_over(s)) turn_soon(s);
}

static void on_input(input_t *in, ssize_t n) {
  scan_t *s = in->data;
  if (n < 0) {
    fprintf(stderr, "mxsurvey: reading the input: %s\n", uv_strerror((int)n));
    s->env.failed = true;
  }
  refill(s);
}

/* Everything is written: the loop's own handles and the services close, and the loop
 * ends. */
static void scan_close(scan_t *s) {
  s->closed = true;
  uv_close((uv_handle_t *)&s->turn, NULL);
  uv_timer_stop(&s->flush_timer);
  uv_close((uv_handle_t *)&s->flush_timer, NULL);
  uv_close((uv_handle_t *)&s->grace_timer, NULL);
  uv_close((uv_handle_t *)&s->sigint, NULL);
  uv_close((uv_handle_t *)&s->sigterm, NULL);
  uv_close((uv_handle_t *)&s->sighup, NULL);
  dns_close(s->env.dns);
  rdns_close(s->env.rdns);
  fetcher_close(s->env.fetch);
  sched_close(s->sched);
  progress_close(s->prog);
  /* A read still blocked in the thread pool (a pipe with nothing to say after a signal)
   * must not keep the process alive. */
  if (s->in.reading) uv_stop(s->loop);
}

static void on_turn(uv_idle_t *h) {
  scan_t *s = h->data;
  uv_idle_stop(h);
  if (s->closed) return;
  refill(s);
  if (scan_over(s)) scan_close(s);
}

static void on_flush_timer(uv_timer_t *t) {
  scan_t *s = t->data;
  if (!s->env.failed && sink_flush(s->sink) != 0) {
    fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
    s->env.failed = true;
  }
}

/* The grace period is over: what is still in flight is given up (a resumed scan will
 * redo those domains); everything finished is already in the sink. */
static void on_grace_over(uv_timer_t *t) {
  scan_t *s = t->data;
  fprintf(stderr, "mxsurvey: grace period over, %zu domains in flight not recorded\n", s->active);
  uv_stop(s->loop);
}

void pipeline_final_line(const scan_t *s, int rc) {
  if (s->cfg->quiet && !rc) return;
  const observe_stats_t *os = observe_stats(s->env.obs);
  fprintf(stderr, "mxsurvey: %llu records written%s", s->records,
          rc == SCAN_EXIT_INTERRUPTED ? " (interrupted: run again with --resume for the remaining domains)"
          : rc ? " (scan failed: the output is incomplete)" : "");
  if (s->excluded) fprintf(stderr, "; %llu excluded", s->excluded);
  if (s->duplicates) fprintf(stderr, "; %llu duplicate input lines skipped", s->duplicates);
  if (s->resumed) fprintf(stderr, "; %llu domains already in the output skipped", s->resumed);
  fprintf(stderr, "; SMTP probes: %llu started, %llu saved by sharing, %llu by SNI inference\n",
          os->probes, os->shared, os->inferred);
}

static void on_signal(uv_signal_t *h, int signum) {
  scan_t *s = h->data;
  if (s->interrupted) {
    /* Second signal: stop now, but leave a file that reads to the last record, and say
     * how many records it holds, as every run does at its end. A flush that fails leaves
     * records unwritten: that is a failed scan. */
    fprintf(stderr, "mxsurvey: second signal, aborting\n");
    int rc = SCAN_EXIT_INTERRUPTED;
    if (s->env.failed || sink_flush(s->sink) != 0) {
      if (!s->env.failed) fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
      rc = 1;
    }
    pipeline_final_line(s, rc);
    _exit(rc);
  }
  s->interrupted = signum;
  s->input_done = true;          /* no new domains */
  sched_flush_backoff(s->sched); /* a retry minutes away would not finish within the grace */
  fprintf(stderr, "mxsurvey: %s: finishing %zu domains in flight (at most %.0f s); signal again to abort\n",
          strsignal(signum), s->active, s->cfg->grace);
  uv_timer_start(&s->grace_timer, on_grace_over, (uint64_t)(s->cfg->grace * 1000), 0);
  turn_soon(s);                  /* ends the loop at once when nothing is in flight */
}

void pipeline_init(scan_t *s) {
  list_init(&s->jobs);
  s->env.after = checks_after;
  s->env.done = on_job_done;
  s->env.oom = scan_oom;
  uv_timer_init(s->loop, &s->flush_timer);
  s->flush_timer.data = s;
  double fi = s->cfg->flush_interval > 0 ? s->cfg->flush_interval : 2;
  uint64_t every = (uint64_t)(fi * 1000);
  uv_timer_start(&s->flush_timer, on_flush_timer, every, every);
  uv_timer_init(s->loop, &s->grace_timer);
  s->grace_timer.data = s;
  uv_idle_init(s->loop, &s->turn);
  s->turn.data = s;
  uv_signal_init(s->loop, &s->sigint);
  uv_signal_init(s->loop, &s->sigterm);
  uv_signal_init(s->loop, &s->sighup);
  s->sigint.data = s->sigterm.data = s->sighup.data = s;
  uv_signal_start(&s->sigint, on_signal, SIGINT);
  uv_signal_start(&s->sigterm, on_signal, SIGTERM);
  /* SIGHUP is what a scan gets when the operator's ssh session or terminal goes away: its
   * default action would lose every record since the last flush. */
  uv_signal_start(&s->sighup, on_signal, SIGHUP);
  input_init(&s->in, s->loop, fileno(s->cfg->input), on_input, s);
}

void pipeline_start(scan_t *s) { refill(s); }

void pipeline_free_jobs(scan_t *s) {
  while (!list_empty(&s->jobs)) {
    job_t *j = list_first_entry(&s->jobs, job_t, link);
    pipeline_remove(s, j);
    job_free(j);
  }
}
