/* SMTP/TLS observations shared between domains.
 *
 * A probe observes what one address says to one SNI name: the SMTP dialogue, the TLS
 * parameters and the certificate chain. None of that depends on the domain that asked,
 * so the observation cache keys it by (family, address, SNI) and hands every requester
 * its own copy (strings duplicated, the chain shared by reference counts). Verdicts that
 * do depend on the domain (PKIX for the MX name, DANE for the TLSA RRset) are computed by
 * the caller on its copy (tls_result_judge).
 *
 * An entry is in flight (later requesters wait on it, each gets its callback exactly
 * once) or done (kept for later requesters, at most cache_max done entries, least
 * recently used evicted first). Marks on the copy: 'shared' when the observation was made
 * for an earlier request; 'inferred' + 'inferred_from' when it was made for another SNI
 * name (see infer_min).
 *
 * Inference (infer_min > 0): once an address has completed TLS for infer_min distinct SNI
 * names and shown the same leaf certificate (SHA-256) for all of them, a request for a new
 * SNI on that address reuses the latest of those observations instead of probing. An
 * address that ever shows two different leaf certificates, or fails a TLS handshake that
 * others completed, is never inferred again.
 *
 * Memory: a done entry holds the key (~100 bytes), one smtp_result_t (1.4 KiB, plus its
 * strings: banner, replies, leaf subject/issuer/SANs, typically 0.3-1 KiB) and a reference
 * to the chain as DER (typically 2-4 KiB, shared with every copy still alive): about 4-6
 * KiB, so the default 16384 entries cost 65-100 MiB. An observation whose chain is over
 * OBSERVE_KEEP_CHAIN_MAX bytes is given to the requests waiting for it but never kept. Inference keeps one such observation per
 * address, at most cache_max addresses (oldest first out). */
#ifndef MXS_SMTP_OBSERVE_H
#define MXS_SMTP_OBSERVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "smtp/smtp_probe.h"
#include "polite/sched.h"

typedef struct observe observe_t;

typedef struct observe_config {
  bool share;          /* false: every request is its own probe (nothing cached) */
  size_t cache_max;    /* done entries kept, and addresses remembered for inference */
  int infer_min;       /* 0: no inference; else the distinct SNI names needed */
} observe_config_t;

#define OBSERVE_CACHE_DEFAULT 16384
#define OBSERVE_INFER_MAX 64
#define OBSERVE_KEEP_CHAIN_MAX (16 * 1024)

typedef struct observe_stats {
  unsigned long long requests;
  unsigned long long probes;      /* probes started */
  unsigned long long shared;      /* requests answered by another request's probe */
  unsigned long long inferred;    /* requests answered by another SNI's observation */
  unsigned long long evicted;
} observe_stats_t;

/* The probe function: the same contract as smtp_probe_start. Tests
 * replace it; the default one, observe_start_probe, hands every probe to the scheduler
 * (polite/sched.h), which alone calls smtp_probe_start. */
typedef int (*observe_probe_fn)(void *probe_arg, int family, const uint8_t addr[16],
                                const char *sni, smtp_done_cb cb, void *cb_arg);

typedef struct observe_probe_env {
  uv_loop_t *loop;
  tls_ctx_t *tls;
  const smtp_opts_t *opts;
  sched_t *sched;               /* every connection goes through the scheduler's limits */
} observe_probe_env_t;

/* probe_arg for observe_start_probe is an observe_probe_env_t that outlives the cache. */
int observe_start_probe(void *probe_arg, int family, const uint8_t addr[16], const char *sni,
                        smtp_done_cb cb, void *cb_arg);

observe_t *observe_new(const observe_config_t *cfg, observe_probe_fn fn, void *probe_arg);
/* Frees the cache. Entries still in flight stay with their probes (reachable from the
 * loop, as any probe is after an interrupted scan): if the loop runs them after all,
 * their waiters still get their callbacks, and the entries are freed then. */
void observe_free(observe_t *o);

enum observe_rc { OBSERVE_FAIL = -1, OBSERVE_WAIT = 0, OBSERVE_HIT = 1 };

/* Asks for the observation of (family, addr, sni).
 *   OBSERVE_HIT:  *out is filled now (owned by the caller); cb is never called.
 *   OBSERVE_WAIT: cb(arg, res) is called exactly once later; res is the caller's.
 *   OBSERVE_FAIL: the probe could not start (out of memory); cb is never called. */
int observe_request(observe_t *o, int family, const uint8_t addr[16], const char *sni,
                    smtp_result_t *out, smtp_done_cb cb, void *arg);

const observe_stats_t *observe_stats(const observe_t *o);
size_t observe_cached(const observe_t *o);   /* done entries held now */

/* The inference rule on one address's history, exposed for tests: may an address that
 * completed TLS for nsni distinct names, all with one leaf (conflict false), be inferred? */
bool observe_may_infer(int infer_min, int nsni, bool conflict);

#endif
