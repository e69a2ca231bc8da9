/* The pipeline's state, shared by the files of scan/ that make it up (not a public
 * interface: the public one is scan.h). scan/run.c sets it up and tears it down,
 * scan/pipeline.c runs the window of domains, scan/admit.c turns input lines into jobs. */
#ifndef MXS_SCAN_PIPELINE_H
#define MXS_SCAN_PIPELINE_H
#include "scan/scan.h"
#include "scan/input.h"
#include "scan/progress.h"
#include "model/job.h"
#include "polite/route.h"
#include "lib/nameset.h"
#include "record/json.h"
#include "record/sink.h"

typedef struct scan {
  const scan_config_t *cfg;
  uv_loop_t *loop;
  job_env_t env;                   /* the services jobs use; env.failed: the scan failed */
  dns_config_t dns_cfg;            /* cfg->dns with the fatal-fault hook (scan/run.c) */
  observe_probe_env_t probe_env;
  routes_t routes;                 /* families this host can reach (env.routes points here) */
  sched_t *sched;                  /* every SMTP connection goes through it */
  progress_t *prog;
  sink_t *sink;
  uv_timer_t flush_timer;
  uv_signal_t sigint, sigterm, sighup;
  uv_timer_t grace_timer;
  uv_idle_t turn;                  /* the pipeline's turn: refill, or end (pipeline.c) */
  int interrupted;                 /* the first SIGINT/SIGTERM/SIGHUP received, or 0 */
  size_t active;                   /* jobs in flight */
  list_t jobs;                     /* ... listed: freed at the end if a grace period cut them off */
  bool input_done;
  bool closed;                     /* the loop's own handles are closing: scan is over */
  input_t in;
  uv_work_t pool_req;              /* starts libuv's thread pool early (scan.c) */
  unsigned long long lines, records;
  /* names: every normalised input name seen (NAME_SEEN) and every domain already in the
   * output when resuming (NAME_RECORDED); see admit.c */
  nameset_t *names;
  unsigned long long duplicates;   /* input lines repeating a name already seen */
  unsigned long long resumed;      /* input names skipped: already in the output */
  unsigned long long excluded;     /* records with status "excluded" */
  jw_t jw;
} scan_t;

#define NAME_SEEN 1u          /* the name occurred earlier in this run's input */
#define NAME_RECORDED 2u      /* the output being resumed already has its record */

/* admit.c: one input line; becomes a job in the window, or is skipped. */
void admit_line(scan_t *s, const char *line, size_t len);

/* pipeline.c */
void pipeline_init(scan_t *s);     /* handles and callbacks, before the loop runs */
void pipeline_start(scan_t *s);    /* first refill */
void pipeline_add(scan_t *s, job_t *j);
void pipeline_free_jobs(scan_t *s);   /* after the loop: what a grace period gave up */
/* The line mxsurvey always ends with, for exit status rc. */
void pipeline_final_line(const scan_t *s, int rc);
void scan_oom(job_env_t *env);

#endif
