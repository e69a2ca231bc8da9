/* The scan pipeline: domains in, one JSON record per domain out.
 *
 * A bounded window of domains is in flight at once; each domain is a small state machine
 * (MX -> per host A/AAAA -> TLSA -> per address STARTTLS probe -> record) driven by
 * callbacks on one libuv loop. */
#ifndef MXS_SCAN_SCAN_H
#define MXS_SCAN_SCAN_H
#include <signal.h>
#include <stdio.h>
#include "net/dns.h"
#include "polite/addrpolicy.h"
#include "polite/exclude.h"
#include "smtp/smtp_probe.h"
#include "smtp/observe.h"
#include "polite/sched.h"

typedef struct scan_config {
  dns_config_t dns;
  const char *ca_file;          /* NULL: system trust store */
  smtp_opts_t smtp;
  const addrpolicy_t *policy;
  int no_route_check;           /* attempt global addresses of unrouted families (polite/route.h) */
  size_t concurrency;           /* domains in flight */
  FILE *input;                  /* domain list, one per line */
  const char *output;           /* "-" or NULL: stdout; *.zst: zstd frames */
  double flush_interval;        /* seconds between output flushes */
  int quiet;
  double grace;                 /* seconds in-flight domains get after SIGINT/SIGTERM */
  int https_port;               /* port of MTA-STS policy hosts (443) */
  observe_config_t share;       /* SMTP/TLS observations shared between domains */
  const char *tls_profile;      /* --tls-profile: "off" (or NULL), "basic", "full" (smtp/profile.h) */
  sched_config_t sched;         /* connection limits, retries (polite/sched.h) */
  double progress_interval;     /* seconds between progress lines when stderr is no terminal */
  int horizon_days;             /* --horizon: days after scan time the outlook judges at */
  /* --resume and --exclude-file */
  int resume;                   /* output is a file: keep its whole records, skip their domains */
  const exclude_t *exclude;     /* NULL: nothing excluded */
  /* SIGINT/SIGTERM noted by the caller's own handler before the scan installed its
   * handlers (main.c, while opening the input): delivered again once they are. NULL: none. */
  volatile sig_atomic_t *early_signal;
} scan_config_t;

#define SCAN_EXIT_INTERRUPTED 3

/* Runs the whole scan. Returns a process exit status: 0 ok, 1 runtime failure (message on
 * stderr), SCAN_EXIT_INTERRUPTED after SIGINT/SIGTERM (the first signal stops reading
 * input and gives in-flight domains cfg->grace seconds; a second one exits at once after
 * flushing the output). Configuration errors (resolver, trust anchor, CA file, output) are found before
 * the first query is sent. */
int scan_run(const scan_config_t *cfg);

#endif
