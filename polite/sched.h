/* The probe scheduler: every SMTP connection of a scan goes through here, so that the
 * scan is polite to the servers it measures and fits in its file descriptors.
 *
 * A probe is admitted (smtp_probe_start) only when every limit allows it: a token bucket
 * of new connections per second, a cap of connections in flight overall, a cap per
 * address and per /24 (IPv4) or /48 (IPv6), and a minimum interval between connection
 * starts to one address. A probe whose greeting is a 4xx (421 "too busy") or whose
 * connection is closed or reset before any greeting is retried after a back-off, going
 * through the limits again. Each probe is a small state machine:
 *
 *   QUEUED (in its address's FIFO, waiting for tokens and slots) -> RUNNING
 *   RUNNING -> BACKOFF (retryable failure, attempts left) -> QUEUED
 *   RUNNING -> DONE (the caller's callback, exactly once)
 *
 * Admission is O(1) amortised: per-address state (a FIFO of queued probes) and per-prefix
 * state live in hash tables and are freed when idle; an address that may start a probe
 * sits in its prefix's queue, a prefix that may start one in a global ready queue; the
 * address interval and the back-offs are FIFOs ordered by due time (each has a fixed
 * delay), watched by a single timer. Nothing ever scans the whole queue.
 *
 * A stalled server (tarpit) holds its slots only until the probe's stage timeout ends the
 * probe: slots are released on the probe's one completion path. */
#ifndef MXS_POLITE_SCHED_H
#define MXS_POLITE_SCHED_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "smtp/smtp_probe.h"

typedef struct sched_config {
  double rate;            /* new connections per second; 0: unlimited */
  double burst;           /* token bucket depth; 0: tb_default_burst(rate) */
  unsigned per_ip;        /* connections in flight to one address (>= 1) */
  double ip_interval;     /* seconds between connection starts to one address */
  unsigned per_prefix;    /* connections in flight to one /24 or /48 (>= 1) */
  size_t max_probes;      /* connections in flight overall (>= 1) */
  unsigned retries;       /* further attempts after a retryable failure (<= SMTP_RETRY_MAX) */
  double retry_delay;     /* seconds before the first retry; doubles for each further one */
} sched_config_t;

typedef struct sched_stats {
  size_t running, queued, backoff;    /* probes in each state now */
  size_t addrs, prefixes;             /* live per-address / per-prefix entries */
  unsigned long long connections;     /* connection attempts started */
  unsigned long long retries;         /* of which retries */
  unsigned long long done;            /* probes completed (callbacks made) */
} sched_stats_t;

typedef struct sched sched_t;

sched_t *sched_new(uv_loop_t *loop, const sched_config_t *cfg);

/* The same parameters and contract as smtp_probe_start(), with the scheduler in front:
 * cb is called exactly once, later (never from inside this call); the result carries
 * `attempts` and `retry_reasons` when the probe was retried. opts is copied; tls and sni
 * must stay valid until cb, and so must the bytes of an offer (opts->offer, the probe's
 * offer mode: the copy holds the pointer, and every retry sends them again). An offer
 * probe is limited, retried and excluded like any other. 0 ok; -1 (out of memory, bad
 * family, a bad offer: smtp_opts_offer_ok): cb is not called. */
int sched_probe(sched_t *s, uv_loop_t *loop, tls_ctx_t *tls, const smtp_opts_t *opts,
                int family, const uint8_t addr[16], const char *sni,
                smtp_done_cb cb, void *arg);

void sched_stats(const sched_t *s, sched_stats_t *out);
/* The scan is being interrupted: every probe waiting for a retry calls back now with its
 * last failed attempt (which a retry would only have repeated), so its domain can still be
 * recorded within the grace period. Queued and running probes go on. */
void sched_flush_backoff(sched_t *s);
/* Closes the timer. Probes still queued or backing off are dropped without a callback
 * (the scan is being abandoned); running ones still call back. sched_free after the loop
 * has run the close callback and every running probe has completed. */
void sched_close(sched_t *s);
void sched_free(sched_t *s);

/* ---- pure helpers (unit-tested) ---- */

/* Why a finished attempt should be tried again, or NULL: a 4xx greeting (the banner
 * line), or a connection closed/reset after connect and before any greeting. */
const char *sched_retry_reason(const smtp_result_t *r);
/* Milliseconds to wait before attempt number `failed + 1`: base, 2 x base, 4 x base ... */
uint64_t sched_backoff_ms(double base_seconds, unsigned failed);

/* File descriptor budget: raises RLIMIT_NOFILE's soft limit to the hard limit and returns
 * the resulting limit (or the current one if it cannot be raised). */
size_t sched_raise_nofile(void);
/* The smallest fd limit mxsurvey runs with: the split's fixed reserve (64), 16 DNS sockets
 * and a few dozen probes. */
#define SCHED_NOFILE_MIN 128
/* Splits an fd limit between SMTP probes and libunbound's outgoing sockets, keeping a
 * reserve for everything else (input, output, c-ares, libcurl, the loop). */
void sched_fd_split(size_t nofile, size_t *max_probes, size_t *dns_outgoing);

#endif
