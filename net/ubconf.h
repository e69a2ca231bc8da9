/* libunbound contexts set up the same way wherever one is made: the scan's (net/dns.c)
 * and the trust anchor checks' (net/anchor.c), so that a check asks exactly the servers,
 * with exactly the anchor, that the scan's queries use. */
#ifndef MXS_NET_UBCONF_H
#define MXS_NET_UBCONF_H
#include "net/dnstypes.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <unbound.h>

/* The options (full: the scan's cache sizes, sockets and query slots; otherwise
 * libunbound's defaults), then where queries go by cfg->mode: RECURSIVE iterates from the
 * root (--root-hints, or libunbound's built-in hints; never /etc/resolv.conf), FORWARD
 * (and TRUSTED until net/stub.c takes it) forwards to cfg->resolvers. 0 ok, -1 with err. */
int ubconf_apply(struct ub_ctx *ub, const dns_config_t *cfg, size_t outgoing, bool full,
                 char *err, size_t errlen);
/* Adds the trust anchor file (refused when it holds no DS or DNSKEY record) and reads the
 * owner name of its first such record into owner ("." for the root). 0 ok, -1 with err. */
int ubconf_anchor(struct ub_ctx *ub, const char *path, char *owner, size_t cap,
                  char *err, size_t errlen);
/* "127.0.0.1:5353" (the resolvers, comma-separated) or "the root servers of FILE" /
 * "libunbound's built-in root servers": for messages. */
void ubconf_describe(const dns_config_t *cfg, char *out, size_t cap);

/* How many scan contexts (--dns-contexts, net/dns.c): asked, at most 64; 0 (the default)
 * one per core of cores, at most UBCONF_AUTO_CONTEXTS; never 0. Pure. */
#define UBCONF_AUTO_CONTEXTS 8
size_t ubconf_contexts(size_t asked, unsigned cores);

/* libunbound starts its resolver thread (default attributes) at the first query and, when
 * that fails, abort()s or goes on with thread id 0 (ub_ctx_delete then dies by SIGSEGV):
 * 0 when a thread like it can start, else the error number. */
int ubconf_thread_can_start(void);
/* The self-test's local data (add it with ub_ctx_data_add: that also finalises the
 * configuration), and the test: 0 when libunbound's thread answered it within 5 s. */
#define SELFTEST_RR "selftest.mxsurvey.invalid. 0 IN TXT \"ok\""
int ubconf_selftest(struct ub_ctx *ub, int fd);

/* Starts libunbound's thread (its log to log, when given) and finalises the configuration.
 * The file descriptor to poll, -1 with err set, or -2 when the thread is gone (the context
 * must then not be deleted: ub_ctx_delete would wait for it). */
int ubconf_start(struct ub_ctx *ub, FILE *log, const dns_config_t *cfg, char *err, size_t errlen);

/* A stream for libunbound's log (ub_ctx_debugout): written on to stderr, and every
 * "Too many open files" counted in *sockfail (atomic: libunbound's thread writes). NULL
 * when it cannot be made. */
FILE *ubconf_log_open(atomic_ulong *sockfail);

#endif
