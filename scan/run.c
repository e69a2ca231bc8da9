/* Setting up and tearing down a scan (scan_run, see scan.h): the services (resolvers,
 * fetcher, TLS context, scheduler, observation cache), libuv's thread pool, the output
 * (with --resume: the records already in it), then the pipeline (scan/pipeline.c) runs
 * on the loop until the input is done or a signal's grace period is over.
 *
 * Configuration errors are found here, before the output is created or truncated and
 * before the first query is sent. */
#include "scan/pipeline.h"
#include "record/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void pool_noop(uv_work_t *w) { (void)w; }
static void pool_started(uv_work_t *w, int status) { (void)w; (void)status; }
static void thread_noop(void *arg) { (void)arg; }

/* libuv starts its thread pool at its first use (the first input read) and abort()s,
 * without a word, when a thread cannot be created (a memory limit: ulimit -v). So: check
 * that its threads can start (as many, with its 8 MiB stacks), then start the pool with a
 * no-op work item, both before the output is created or truncated. */
static int start_thread_pool(scan_t *s, char *err, size_t errlen) {
  const char *env = getenv("UV_THREADPOOL_SIZE");
  int n = env ? atoi(env) : 4;                  /* as libuv reads it */
  if (n < 1) n = 1;
  if (n > 1024) n = 1024;
  uv_thread_t t[1024];
  uv_thread_options_t opt = {UV_THREAD_HAS_STACK_SIZE, 8u << 20};
  int rc = 0, started = 0;
  while (started < n && (rc = uv_thread_create_ex(&t[started], &opt, thread_noop, NULL)) == 0) started++;
  for (int i = 0; i < started; i++) uv_thread_join(&t[i]);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start libuv's thread pool (%d threads): %s (a memory limit such as ulimit -v?)",
             n, strerror(-rc));
    return -1;
  }
  if ((rc = uv_queue_work(s->loop, &s->pool_req, pool_noop, pool_started)) != 0) {
    snprintf(err, errlen, "cannot start libuv's thread pool: %s", uv_strerror(rc));
    return -1;
  }
  return 0;
}

/* ---------- output, --resume ---------- */

static int add_recorded(void *arg, const char *name, size_t len) {
  scan_t *s = arg;
  return nameset_add(s->names, name, len, NAME_RECORDED) < 0 ? -1 : 0;
}

/* Without --resume a new output. With it, an existing file is read first: the domains of
 * its whole records go into s->names (start_job skips them), a torn tail is cut off and
 * the new records are appended. A file that does not exist yet starts a new scan. */
static sink_t *open_output(scan_t *s, char *err, size_t errlen) {
  const scan_config_t *cfg = s->cfg;
  if (!cfg->resume) return sink_open(cfg->output, err, errlen);
  /* Without blocking: a FIFO named as the output has no writer to wait for. */
  int fd = open(cfg->output, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (!cfg->quiet) fprintf(stderr, "mxsurvey: %s does not exist yet: starting a new scan\n", cfg->output);
    return sink_open(cfg->output, err, errlen);
  }
  if (fd < 0) {
    snprintf(err, errlen, "cannot read %s: %s", cfg->output, strerror(errno));
    return NULL;
  }
  /* Only a regular file holds records to keep and a tail to cut (/dev/zero never ends). */
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "cannot resume %s: not a regular file", cfg->output);
    close(fd);
    return NULL;
  }
  size_t n = strlen(cfg->output);
  bool zstd = n >= 4 && strcmp(cfg->output + n - 4, ".zst") == 0;
  resume_info_t info;
  char why[400];
  uint64_t t0 = uv_hrtime();
  int rc = resume_read_fd(fd, zstd, add_recorded, s, &info, why, sizeof why);
  close(fd);
  if (rc < 0) {
    snprintf(err, errlen, "cannot resume %s: %s", cfg->output, why[0] ? why : "out of memory");
    return NULL;
  }
  if (!cfg->quiet) {
    fprintf(stderr, "mxsurvey: resuming %s: %llu records (%zu domains) kept, read in %.2f s",
            cfg->output, (unsigned long long)info.lines, nameset_count(s->names),
            (double)(uv_hrtime() - t0) / 1e9);
    if (info.size > info.keep)
      fprintf(stderr, "; torn tail of %llu bytes dropped (its domains are scanned again)",
              (unsigned long long)(info.size - info.keep));
    fprintf(stderr, "\n");
  }
  return sink_open_append(cfg->output, info.keep, err, errlen);
}

/* What the progress display shows: read from the scan's counters, never changing them. */
static void progress_sample(void *arg, progress_snap_t *out) {
  scan_t *s = arg;
  memset(out, 0, sizeof *out);
  out->lines = s->lines;
  out->records = s->records;
  out->active = s->active;
  out->dns_inflight = s->closed ? 0 : dns_inflight(s->env.dns);
  out->dns_queued = s->closed ? 0 : dns_queued(s->env.dns);
  sched_stats(s->sched, &out->probes);
}

/* Which families this host can reach, asked once before the loop runs (polite/route.h). */
static void routes_start(scan_t *s) {
  if (s->cfg->no_route_check) routes_assume(&s->routes);
  else routes_check(&s->routes);
  s->env.routes = &s->routes;
}

/* A family without a route is said once when the scan starts (after its set-up, so that a
 * set-up failure's message stands alone), and its count once in the summary. */
static void routes_say(const scan_t *s) {
  for (int f = 0; f < 2 && !s->cfg->quiet; f++)
    if (!(f ? s->routes.v6 : s->routes.v4))
      fprintf(stderr, "mxsurvey: no route to global %s addresses from this host: those MX "
              "addresses are recorded as not attempted (--no-route-check tries them)\n",
              f ? "IPv6" : "IPv4");
}

/* The trust anchor does not validate through the servers asked (net/dns.h): at the first
 * query, or mid-scan for too long. The scan stops as on a write error: no new domain, the
 * records written are kept (--resume completes them), the domains whose lookups end in
 * this error are not recorded, exit status 1. */
static void on_dns_fatal(void *arg, const char *msg) {
  scan_t *s = arg;
  if (!s->env.failed) fprintf(stderr, "mxsurvey: %s\n", msg);
  s->env.failed = true;
}

/* The services, in order; on failure err says why and what was made is torn down. */
static int services_new(scan_t *s, char *err, size_t errlen) {
  const scan_config_t *cfg = s->cfg;
  job_env_t *e = &s->env;
  e->exclude = cfg->exclude;
  e->policy = cfg->policy;
  routes_start(s);
  e->https_port = cfg->https_port;
  e->t_https = cfg->smtp.t_tls;
  e->horizon_days = cfg->horizon_days;
  e->horizon_dnssec_days = cfg->horizon_dnssec_days;
  s->dns_cfg = cfg->dns;
  s->dns_cfg.on_fatal = on_dns_fatal;
  s->dns_cfg.fatal_arg = s;
  e->dns = dns_new(s->loop, &s->dns_cfg, err, errlen);
  if (!e->dns) return -1;
  if (!cfg->quiet && dns_contexts(e->dns))
    fprintf(stderr, "mxsurvey: DNS: %zu libunbound context%s (--dns-contexts)\n", dns_contexts(e->dns),
            dns_contexts(e->dns) == 1 ? "" : "s");
  /* PTR lookups share the resolvers and a third of the DNS deadline per attempt (c-ares
   * tries twice, doubling it the second time). Without --resolver there is no resolver
   * for c-ares but /etc/resolv.conf's: they go through libunbound then (rdns.h). */
  e->rdns = cfg->dns.mode == DNS_MODE_RECURSIVE
            ? rdns_new_via(s->loop, e->dns, err, errlen)
            : rdns_new(s->loop, cfg->dns.resolvers, cfg->dns.nresolvers, cfg->dns.timeout / 3, err, errlen);
  if (e->rdns) e->fetch = fetcher_new(s->loop, cfg->ca_file, err, errlen);
  if (e->fetch) e->tls = tls_ctx_new(cfg->ca_file, err, errlen);
  if (e->tls && !(s->sched = sched_new(s->loop, &cfg->sched))) snprintf(err, errlen, "out of memory");
  if (s->sched) {
    s->probe_env = (observe_probe_env_t){s->loop, e->tls, &cfg->smtp, s->sched};
    e->obs = observe_new(&cfg->share, NULL, &s->probe_env);
    if (!e->obs) snprintf(err, errlen, "out of memory");
  }
  /* --tls-profile: profiles are kept as long as observations are (once per address). */
  enum profile_mode mode = !cfg->tls_profile || strcmp(cfg->tls_profile, "off") == 0 ? PROFILE_OFF
                           : strcmp(cfg->tls_profile, "full") == 0 ? PROFILE_FULL
                                                                    : PROFILE_BASIC;
  bool profiling = mode != PROFILE_OFF;
  if (e->obs && profiling &&
      !(e->profile = profile_new(s->loop, s->sched, e->tls, &cfg->smtp, mode, cfg->share.cache_max)))
    snprintf(err, errlen, "out of memory");
  if (e->obs && (!profiling || e->profile) && !(s->names = nameset_new()))
    snprintf(err, errlen, "out of memory");
  if (s->names && start_thread_pool(s, err, errlen) == 0) s->sink = open_output(s, err, errlen);
  return s->sink ? 0 : -1;
}

static void services_abandon(scan_t *s) {
  job_env_t *e = &s->env;
  nameset_free(s->names);
  if (e->profile) profile_free(e->profile);
  observe_free(e->obs);
  if (s->sched) sched_close(s->sched);
  if (e->tls) tls_ctx_free(e->tls);
  if (e->rdns) rdns_close(e->rdns);
  if (e->fetch) fetcher_close(e->fetch);
  if (e->dns) dns_close(e->dns);
  uv_run(s->loop, UV_RUN_DEFAULT);
  if (e->rdns) rdns_free(e->rdns);
  sched_free(s->sched);
  fetcher_free(e->fetch);
  if (e->dns) dns_free(e->dns);
  jw_free(&s->jw);
}

static void services_free(scan_t *s) {
  job_env_t *e = &s->env;
  if (e->profile) profile_free(e->profile);
  observe_free(e->obs);
  tls_ctx_free(e->tls);
  rdns_free(e->rdns);
  fetcher_free(e->fetch);
  dns_free(e->dns);
  jw_free(&s->jw);
  nameset_free(s->names);
  sched_free(s->sched);     /* after a grace period, running probes never call back: fine */
  progress_free(s->prog);
}

int scan_run(const scan_config_t *cfg) {
  scan_t s;
  memset(&s, 0, sizeof s);
  char err[512] = "";
  s.cfg = cfg;
  s.loop = uv_default_loop();
  jw_init(&s.jw);
  /* A reader that went away (-o - | head, stderr into a closed pipe or ssh session, an SMTP
   * peer that reset the connection) must be an error at the write that hit it (EPIPE:
   * sink_error names it), not a death by signal that loses the records. */
  signal(SIGPIPE, SIG_IGN);
  if (services_new(&s, err, sizeof err) != 0) {
    fprintf(stderr, "mxsurvey: %s\n", err);
    services_abandon(&s);
    return 1;
  }
  routes_say(&s);
  pipeline_init(&s);
  if (cfg->early_signal && *cfg->early_signal) raise(*cfg->early_signal);
  s.prog = s.env.prog = progress_new(s.loop, s.in.fd, cfg->quiet, cfg->progress_interval,
                                     progress_sample, &s);
  pipeline_start(&s);
  uv_run(s.loop, UV_RUN_DEFAULT);

  int rc = s.env.failed ? 1 : s.interrupted ? SCAN_EXIT_INTERRUPTED : 0;
  if (sink_close_err(s.sink, err, sizeof err) != 0) {
    if (!s.env.failed) fprintf(stderr, "mxsurvey: %s\n", err);
    rc = 1;
  }
  progress_close(s.prog);      /* after an interrupted run the loop did not get that far */
  if (!cfg->quiet) {
    progress_snap_t snap;
    progress_sample(&s, &snap);
    progress_summary(s.prog, &snap);
  }
  pipeline_final_line(&s, rc);
  if (s.in.reading) {
    /* A thread-pool read is still blocked on the input pipe; libuv's exit-time shutdown
     * would wait for it. Everything is written: leave now. */
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
  }
  services_free(&s);
  /* The domains a grace period gave up: the loop no longer runs, so nothing that pointed
   * into them (lookups, probes, fetches) will call back. */
  pipeline_free_jobs(&s);
  if (!s.in.reading && (!s.interrupted || s.closed))
    uv_loop_close(s.loop);   /* after uv_stop, handles or a blocked read remain */
  return rc;
}
