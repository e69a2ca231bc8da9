/* libunbound's configuration, shared by the scan's context and the anchor checks. */
#include "net/ubconf.h"
#include "net/dnswire.h"

#include <poll.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <uv.h>
#include <string.h>

/* Cache sizes for millions of names: what domains share (MX hosts of hosting providers,
 * their addresses and TLSA, the DNSKEYs of every signed zone on the way) must stay cached
 * for the whole run; per-domain answers are asked once and may be evicted. The rrset cache
 * holds the records themselves and gets half, the message cache (answers pointing into
 * it) a quarter, keys and the negative cache an eighth each. outgoing-range is
 * libunbound's number of UDP sockets: counted in the fd budget. Queries beyond
 * num-queries-per-thread are dropped by libunbound: it must exceed what a full window of
 * domains can have in flight. */
static int sizes(struct ub_ctx *ub, const dns_config_t *cfg, size_t outgoing) {
  size_t mb = cfg->cache_mb ? cfg->cache_mb : 256;
  char msg[32], rrset[32], key[32], neg[32], outr[32], nq[32];
  snprintf(msg, sizeof msg, "%zum", mb / 4 ? mb / 4 : 1);
  snprintf(rrset, sizeof rrset, "%zum", mb / 2 ? mb / 2 : 1);
  snprintf(key, sizeof key, "%zum", mb / 8 ? mb / 8 : 1);
  snprintf(neg, sizeof neg, "%zum", mb / 8 ? mb / 8 : 1);
  snprintf(outr, sizeof outr, "%zu", outgoing);
  snprintf(nq, sizeof nq, "%zu", cfg->max_queries ? cfg->max_queries : 8192);
  int rc;
  if ((rc = ub_ctx_set_option(ub, "num-queries-per-thread:", nq)) != 0 ||
      (rc = ub_ctx_set_option(ub, "outgoing-range:", outr)) != 0 ||
      (rc = ub_ctx_set_option(ub, "msg-cache-size:", msg)) != 0 ||
      (rc = ub_ctx_set_option(ub, "rrset-cache-size:", rrset)) != 0 ||
      (rc = ub_ctx_set_option(ub, "key-cache-size:", key)) != 0 ||
      (rc = ub_ctx_set_option(ub, "neg-cache-size:", neg)) != 0)
    return rc;
  return 0;
}

/* Where queries go. The embedded default never reads /etc/resolv.conf: the machine's
 * resolver may not validate, strip DNSSEC or rate-limit a scan of millions of names. */
static int upstream(struct ub_ctx *ub, const dns_config_t *cfg, char *err, size_t errlen) {
  int rc;
  if (cfg->mode == DNS_MODE_RECURSIVE) {
    if (cfg->root_hints && (rc = ub_ctx_set_option(ub, "root-hints:", cfg->root_hints)) != 0) {
      snprintf(err, errlen, "--root-hints %s: %s", cfg->root_hints, ub_strerror(rc));
      return -1;
    }
    return 0;
  }
  for (size_t i = 0; i < cfg->nresolvers; i++) {
    char fwd[80];
    if (dns_parse_resolver(cfg->resolvers[i], fwd, sizeof fwd) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT",
               cfg->resolvers[i]);
      return -1;
    }
    if ((rc = ub_ctx_set_fwd(ub, fwd)) != 0) {
      snprintf(err, errlen, "resolver %s: %s", cfg->resolvers[i], ub_strerror(rc));
      return -1;
    }
  }
  return 0;
}

int ubconf_apply(struct ub_ctx *ub, const dns_config_t *cfg, size_t outgoing, bool full,
                 char *err, size_t errlen) {
  /* libunbound gives up on a query after 5 sends (SERVFAIL), each after its own estimate
   * of the resolver's round trip, which it learns and lets fall to 50 ms. Against one
   * resolver whose answers take a steady 100 ms, an answer a few milliseconds late (a
   * loaded machine, a busy resolver) was then resent four times and given up in half a
   * second, a SERVFAIL no server sent, well before --timeout-dns (hostile.limits under
   * ASan with 256 fds: _mta-sts TXT sent five times 100 ms apart). A floor of a third of
   * the deadline keeps five sends longer than the deadline, so the deadline decides; at
   * most a second, so that a lost packet is resent soon. */
  char minrtt[32];
  double t = cfg->timeout > 0 ? cfg->timeout : 5;
  long ms = (long)(t * 1000 / 3);
  snprintf(minrtt, sizeof minrtt, "%ld", ms < 50 ? 50 : ms > 1000 ? 1000 : ms);
  /* Servers on loopback (the test world's resolver or root, a local Unbound) must be
   * reachable. libunbound rotates every RRset it hands over (rrset-roundrobin defaults to
   * yes since 1.17): a record's lists (TLSA records, the TXT record chosen) would then
   * depend on chance. The survey keeps the order the zone's server gave. */
  int rc;
  if ((rc = ub_ctx_set_option(ub, "do-not-query-localhost:", "no")) != 0 ||
      (rc = ub_ctx_set_option(ub, "rrset-roundrobin:", "no")) != 0 ||
      (rc = ub_ctx_set_option(ub, "val-permissive-mode:", "no")) != 0 ||
      (rc = ub_ctx_set_option(ub, "infra-cache-min-rtt:", minrtt)) != 0 ||
      (full && (rc = sizes(ub, cfg, outgoing)) != 0)) {
    snprintf(err, errlen, "libunbound option: %s", ub_strerror(rc));
    return -1;
  }
  return upstream(ub, cfg, err, errlen);
}

/* A trust anchor file is mandatory: without one every answer silently comes back
 * "insecure", which would make the whole survey wrong without any error. */
int ubconf_anchor(struct ub_ctx *ub, const char *path, char *owner, size_t cap,
                  char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) { snprintf(err, errlen, "cannot read trust anchor %s: %m", path); return -1; }
  char line[4096];
  bool has_key = false;
  while (!has_key && fgets(line, sizeof line, f))
    if (line[0] != ';' && (strstr(line, "\tDS\t") || strstr(line, " DS ") ||
                           strstr(line, "\tDNSKEY\t") || strstr(line, " DNSKEY ")))
      has_key = true;
  fclose(f);
  if (!has_key) {
    snprintf(err, errlen, "trust anchor %s holds no DS or DNSKEY record", path);
    return -1;
  }
  size_t n = strcspn(line, " \t");
  if (n == 0 || n >= cap) n = 0;      /* a line that starts blank: the root, as unbound reads it */
  memcpy(owner, n ? line : ".", n ? n : 2);
  if (n) owner[n] = '\0';
  int rc = ub_ctx_add_ta_file(ub, path);
  if (rc != 0) {
    snprintf(err, errlen, "trust anchor %s: %s", path, ub_strerror(rc));
    return -1;
  }
  return 0;
}

void ubconf_describe(const dns_config_t *cfg, char *out, size_t cap) {
  if (cfg->mode == DNS_MODE_RECURSIVE) {
    if (cfg->root_hints) snprintf(out, cap, "the root servers of %s", cfg->root_hints);
    else snprintf(out, cap, "libunbound's built-in root servers");
    return;
  }
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < cfg->nresolvers && used < cap; i++) {
    int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", cfg->resolvers[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
}

size_t ubconf_contexts(size_t asked, unsigned cores) {
  size_t n = asked ? asked : cores > UBCONF_AUTO_CONTEXTS ? UBCONF_AUTO_CONTEXTS : cores;
  return n < 1 ? 1 : n > 64 ? 64 : n;
}

static void *thread_noop(void *arg) { return arg; }

/* libunbound starts its resolver thread (default attributes) at the first query; when that
 * fails (a memory limit: ulimit -v) 1.17 may abort() (hostile.more's ubthread) or only log
 * a line and go on with thread id 0: queries then wait forever and ub_ctx_delete dies by
 * SIGSEGV (pthread_kill(0, 0); net/anchor.c).
 * Whether a thread like it can start is asked first, so the failure has our words. */
int ubconf_thread_can_start(void) {
  pthread_t t;
  int rc = pthread_create(&t, NULL, thread_noop, NULL);
  if (rc == 0) pthread_join(t, NULL);
  return rc;
}

static void on_selftest(void *arg, int err, struct ub_result *res) {
  *(int *)arg = err == 0 && res && res->havedata ? 1 : -1;
  if (res) ub_resolve_free(res);
}

/* libunbound's thread may start and then fail to set itself up (out of memory: its log
 * says "bg worker init failed") and exit: every query would then wait forever, recorded
 * as a timeout, and ub_ctx_delete would wait for the thread at the end. A name of our own
 * local data is answered by that thread without the network: wait (5 s at most) for it. */
int ubconf_selftest(struct ub_ctx *ub, int fd) {
  int state = 0, id;
  if (ub_resolve_async(ub, "selftest.mxsurvey.invalid.", 16 /* TXT */, 1, &state, on_selftest, &id) != 0)
    return -1;
  uint64_t end = uv_hrtime() + 5000000000ull;
  for (uint64_t now = uv_hrtime(); state == 0 && now < end; now = uv_hrtime()) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, (int)((end - now) / 1000000 + 1)) > 0) ub_process(ub);
  }
  if (state == 0) ub_cancel(ub, id);
  return state == 1 ? 0 : -1;
}

/* Starts libunbound's thread and finalises its configuration. The file descriptor to
 * poll, -1 with err set, or -2 when the thread is gone (the context must then not be
 * deleted: ub_ctx_delete would wait for it). */
int ubconf_start(struct ub_ctx *ub, FILE *log, const dns_config_t *cfg, char *err, size_t errlen) {
  int rc;
  if (log) ub_ctx_debugout(ub, log);
  if ((rc = ub_ctx_async(ub, 1)) != 0) {
    snprintf(err, errlen, "libunbound async: %s", ub_strerror(rc));
    return -1;
  }
  if ((rc = ubconf_thread_can_start()) != 0) {
    snprintf(err, errlen, "cannot start the resolver's thread: %s (a memory limit such as ulimit -v?)",
             strerror(rc));
    return -1;
  }
  /* libunbound finalises its configuration (reads the trust anchor and the root hints) at
   * the first local data or query: the self-test's name is added now, so that a broken
   * file is an error before any probe. Whether the anchor validates through the servers
   * is the asynchronous check that holds the first query (health_check): it must not
   * block here, and a scan that needs no DNS (only invalid lines) needs no resolver. */
  if ((rc = ub_ctx_data_add(ub, SELFTEST_RR)) != 0) {
    snprintf(err, errlen, "DNS resolver cannot start (%s): check --trust-anchor %s%s%s and --resolver",
             ub_strerror(rc), cfg->trust_anchor, cfg->root_hints ? ", --root-hints " : "",
             cfg->root_hints ? cfg->root_hints : "");
    return -1;
  }
  /* ub_fd finalises the context: configuration errors surface here. */
  int fd = ub_fd(ub);
  if (fd < 0) { snprintf(err, errlen, "libunbound: no file descriptor"); return -1; }
  if (ubconf_selftest(ub, fd) != 0) {
    snprintf(err, errlen, "libunbound's resolver thread did not start (out of memory?)");
    return -2;
  }
  return fd;
}

/* libunbound's log stream (its errors, e.g. "can't create socket: Too many open files"):
 * passed on to stderr as before, and the socket failures counted. Runs in libunbound's
 * thread; the counter is atomic. */
static ssize_t ublog_write(void *cookie, const char *buf, size_t len) {
  atomic_ulong *sockfail = cookie;
  if (memmem(buf, len, "Too many open files", 19)) atomic_fetch_add(sockfail, 1);
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(2, buf + off, len - off);
    if (n <= 0) break;
    off += (size_t)n;
  }
  return (ssize_t)len;
}

FILE *ubconf_log_open(atomic_ulong *sockfail) {
  cookie_io_functions_t io = {.write = ublog_write};
  FILE *f = fopencookie(sockfail, "w", io);
  if (f) setvbuf(f, NULL, _IOLBF, 0);
  return f;
}
