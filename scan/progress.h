/* Progress of a long scan on stderr, and the summary at its end.
 *
 * On a terminal: one line rewritten in place twice a second. Otherwise (a log file, a
 * pipe, systemd): one line every `interval` seconds. Quiet: nothing. The display only
 * reads counters through a sample callback; it never changes the scan. */
#ifndef MXS_SCAN_PROGRESS_H
#define MXS_SCAN_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include "polite/sched.h"
#include "smtp/smtp_probe.h"

typedef struct progress_snap {
  unsigned long long lines;        /* input lines read */
  unsigned long long records;      /* records written */
  size_t active;                   /* domains in flight */
  size_t dns_inflight, dns_queued; /* validating queries sent / held by --dns-rate */
  sched_stats_t probes;
} progress_snap_t;

typedef void (*progress_sample_fn)(void *arg, progress_snap_t *out);

typedef struct progress progress_t;

/* input_fd: when it is a regular file its remaining lines are counted now (a quick read
 * pass with pread: the file offset does not move), so done/total and an ETA can be shown;
 * for a pipe the total is unknown. NULL on OOM (then every call below is a no-op). */
progress_t *progress_new(uv_loop_t *loop, int input_fd, bool quiet, double interval,
                         progress_sample_fn fn, void *arg);
/* Counts a failure: a domain's MX lookup (shown as "dns"), or a probe's, by its error
 * stage (SMTP_STAGE_CONNECT .. SMTP_STAGE_QUIT, shown by their record names: "connect",
 * "banner", "ehlo", "starttls", "tls", "ehlo-tls", "quit"; others are not counted). */
void progress_fail_dns(progress_t *p);
void progress_fail_probe(progress_t *p, enum smtp_stage stage);
/* Counts an address not attempted because this host has no route for its family
 * (polite/route.h); the summary names the family once. */
void progress_no_route(progress_t *p, int family);
/* Stops the display and clears the terminal line. Idempotent. */
void progress_close(progress_t *p);
/* The end-of-run summary (several lines on stderr). */
void progress_summary(progress_t *p, const progress_snap_t *snap);
void progress_free(progress_t *p);

/* ---- pure helpers (unit-tested) ---- */

/* Lines in fd from offset on (a last line without '\n' counts), or -1 if unknown. */
long long progress_count_lines(int fd);
/* "1h02m", "4m05s", "12s", "-" for unknown (< 0). */
void progress_fmt_duration(double seconds, char *out, size_t cap);

#endif
