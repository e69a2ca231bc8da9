/* libunbound on the libuv loop: see dns.h for why it is shaped this way. */
#include "net/dns.h"
#include "lib/list.h"
#include "lib/tokenbucket.h"
#include "net/deadline.h"
#include "net/stub.h"

#include <ctype.h>
#include <stdatomic.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <unbound.h>

typedef struct dns_query_s dns_query_t;

struct dns {
  uv_loop_t *loop;
  struct ub_ctx *ub;
  stub_t *stub;              /* DNS_MODE_TRUSTED: no libunbound (ub NULL) */
  uv_poll_t poll;
  bool poll_started;
  bool closed;               /* dns_close ran: nothing would ever read an answer */
  double timeout;
  size_t inflight;
  size_t max_inflight;       /* queries handed to libunbound at once (see dns.h) */
  list_t sent;               /* every query in flight, newest first, for cancellation at close */
  /* libunbound's log, written from its thread: counts the sockets it could not open, so a
   * query it could not send is never recorded as one the resolver did not answer. */
  FILE *ublog;
  atomic_ulong sockfail;
  /* --dns-rate */
  tbucket_t tb;
  uv_timer_t rate_timer;
  bool rate_timer_ok;
  list_t held;               /* held back by the rate, FIFO */
  size_t queued;
};

struct dns_query_s {
  dns_t *d;
  list_t link;               /* in d->held until sent, then in d->sent */
  int async_id;
  uint64_t stub_id;          /* DNS_MODE_TRUSTED */
  deadline_t timer;          /* --timeout-dns, from when libunbound has the query */
  dns_cb cb;
  void *arg;
  int qtype;
  bool done;                 /* callback delivered (by answer or timeout) */
  bool ub_pending;           /* libunbound still owns the id */
  unsigned long sockfail;    /* d->sockfail when the query was handed to libunbound */
  char qname[DNS_QNAME_MAX + 1];
};

enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b) {
  static const int rank[] = {0, 1, 3, 2}; /* secure, insecure, bogus, indeterminate */
  return rank[a] >= rank[b] ? a : b;
}

static void query_unlink(dns_query_t *q) {
  list_remove(&q->link);
  q->d->inflight--;
}

static void on_timer_close(uv_handle_t *h) { free(h->data); }

static void on_rate_timer(uv_timer_t *t);

/* A slot became free: queries waiting for one are sent from the loop's next turn, not from
 * inside the callback that freed it (that callback's caller may be tearing down). */
static void kick_queue(dns_t *d) {
  if (!list_empty(&d->held) && d->rate_timer_ok) uv_timer_start(&d->rate_timer, on_rate_timer, 0, 0);
}

/* Whether libunbound failed to open a socket while q was in its hands: then a SERVFAIL or
 * a silence may be ours, and the record says so instead of blaming the resolver. */
#define NOT_SENT "not sent: no socket (too many open files)"
static bool sock_failed(const dns_query_t *q) {
  return atomic_load(&q->d->sockfail) != q->sockfail;
}

/* A query is finished when both its callback has run and libunbound has let go of it. */
static void query_release(dns_query_t *q) {
  if (q->ub_pending || !q->done) return;
  deadline_close(&q->timer, on_timer_close);
}

static void deliver_error(dns_query_t *q, enum dnssec_state st, const char *reason) {
  dns_answer_t a = {0};
  a.qname = q->qname;
  a.qtype = q->qtype;
  a.outcome = DNS_ERROR;
  a.dnssec = st;
  a.rcode = 2;
  a.reason = reason;
  q->cb(q->arg, &a);
}

/* What the answer message says beyond libunbound's fields (issue 16): the RRSIGs of the
 * answer RRset and the zone's SOA contact. libunbound asks its forwarders with the DO bit
 * and encodes answer_packet with the DNSSEC records (libworker's setup_qinfo_edns sets
 * EDNS_DO), so the signatures it validated are there: no second query is needed. A
 * signer too long to be queried again is left out (its DNSKEY set cannot be asked). */
static void answer_extras(const struct ub_result *res, dns_answer_t *a, char *rname, size_t cap) {
  if (!res->answer_packet || res->answer_len <= 0) return;
  const uint8_t *pkt = res->answer_packet;
  size_t len = (size_t)res->answer_len;
  int64_t exp = 0;
  char signer[DNS_NAME_TEXT_MAX];
  if (dns_rrsig_expiry_from_packet(pkt, len, (unsigned)a->qtype, (int64_t)time(NULL), &exp,
                                   signer, sizeof signer) == 1 && exp > 0) {
    a->sig.at = (time_t)exp;
    if (strlen(signer) <= DNS_QNAME_MAX) memcpy(a->sig.signer, signer, strlen(signer) + 1);
  }
  if (dns_soa_rname_from_packet(pkt, len, rname, cap) == 1) a->soa_rname = rname;
}

static void on_answer(void *arg, int err, struct ub_result *res) {
  dns_query_t *q = arg;
  q->ub_pending = false;
  if (q->done) {           /* the deadline already answered for this query */
    if (res) ub_resolve_free(res);
    query_release(q);
    return;
  }
  q->done = true;
  deadline_stop(&q->timer);
  query_unlink(q);
  kick_queue(q->d);
  if (err != 0 || !res) {
    deliver_error(q, DNSSEC_INDETERMINATE, ub_strerror(err));
  } else {
    dns_answer_t a = {0};
    char rcbuf[32], rname[DNS_NAME_TEXT_MAX];
    a.qname = q->qname;
    a.qtype = q->qtype;
    a.rcode = res->rcode;
    a.ttl = res->ttl;
    /* libunbound's canonname is lossy (dname_str: '?' for any byte but LDH, '_' and '*',
     * and cut with '&' at 253 characters): a legal 253-character alias target would come
     * out wrong, and be queried as the TLSA base. The name is read from the answer
     * packet instead, with \DDD escapes; libunbound's text only if that fails. */
    char canon[DNS_NAME_TEXT_MAX];
    if (res->canonname && res->answer_packet &&
        dns_canonname_from_packet(res->answer_packet, (size_t)res->answer_len, canon, sizeof canon) > 0) {
      if (strcasecmp(canon, q->qname) != 0) a.canonname = canon;
    } else if (res->canonname && strcasecmp(res->canonname, res->qname) != 0) {
      size_t l = strlen(res->canonname);
      if (l > 1 && res->canonname[l - 1] == '.') res->canonname[l - 1] = '\0';
      for (char *p = res->canonname; *p; p++) *p = (char)tolower((unsigned char)*p);
      a.canonname = res->canonname;
    }
    if (res->bogus) {
      a.dnssec = DNSSEC_BOGUS;
      a.outcome = DNS_ERROR;
      a.reason = res->why_bogus ? res->why_bogus : "bogus";
    } else if (res->rcode != 0 && res->rcode != 3) {
      a.dnssec = DNSSEC_INDETERMINATE;
      a.outcome = DNS_ERROR;
      static const char *names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
      if (res->rcode == 2 && sock_failed(q)) a.reason = "SERVFAIL (" NOT_SENT ")";
      else if (res->rcode < 6) a.reason = names[res->rcode];
      else { snprintf(rcbuf, sizeof rcbuf, "rcode %d", res->rcode); a.reason = rcbuf; }
    } else {
      answer_extras(res, &a, rname, sizeof rname);
      a.dnssec = res->secure ? DNSSEC_SECURE : DNSSEC_INSECURE;
      if (res->nxdomain) a.outcome = DNS_NXDOMAIN;
      else if (res->havedata) a.outcome = DNS_DATA;
      else a.outcome = DNS_NODATA;
      if (a.outcome == DNS_DATA) {
        size_t n = 0;
        while (res->data[n]) n++;
        a.count = n;
        a.data = (uint8_t **)res->data;
        a.len = res->len;
      }
    }
    q->cb(q->arg, &a);
    ub_resolve_free(res);
  }
  query_release(q);
}

/* DNS_MODE_TRUSTED: the stub's answer, the resolver's word on DNSSEC (net/stub.h). */
static void on_stub_answer(void *arg, const dns_answer_t *ans) {
  dns_query_t *q = arg;
  q->ub_pending = false;
  if (q->done) { query_release(q); return; }
  q->done = true;
  deadline_stop(&q->timer);
  query_unlink(q);
  kick_queue(q->d);
  q->cb(q->arg, ans);
  query_release(q);
}

/* Lets go of what the resolver holds for q: its answer will not come. */
static void resolver_cancel(dns_t *d, dns_query_t *q) {
  if (!q->ub_pending) return;
  if (d->stub) { stub_cancel(d->stub, q->stub_id); q->ub_pending = false; }
  else if (ub_cancel(d->ub, q->async_id) == 0) q->ub_pending = false;
}

static void on_deadline(uv_timer_t *t) {
  dns_query_t *q = t->data;
  if (q->done) return;
  q->done = true;
  query_unlink(q);
  kick_queue(q->d);
  /* ub_cancel: the answer callback will not run, so libunbound no longer holds q. */
  resolver_cancel(q->d, q);
  deliver_error(q, DNSSEC_INDETERMINATE, sock_failed(q) ? NOT_SENT : "timeout");
  query_release(q);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)status; (void)events;
  dns_t *d = p->data;
  ub_process(d->ub);
}

/* libunbound's log stream (its errors, e.g. "can't create socket: Too many open files"):
 * passed on to stderr as before, and the socket failures counted. Runs in libunbound's
 * thread; the counter is atomic. */
static ssize_t ublog_write(void *cookie, const char *buf, size_t len) {
  dns_t *d = cookie;
  if (memmem(buf, len, "Too many open files", 19)) atomic_fetch_add(&d->sockfail, 1);
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(2, buf + off, len - off);
    if (n <= 0) break;
    off += (size_t)n;
  }
  return (ssize_t)len;
}

static void *thread_noop(void *arg) { return arg; }

/* libunbound starts its resolver thread (default attributes) at the first query and
 * abort()s, with only a line in its log, when that fails (a memory limit: ulimit -v).
 * Whether a thread like it can start is asked first, so the failure has our words. */
static int thread_can_start(void) {
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
static int selftest(struct ub_ctx *ub, int fd) {
  if (ub_ctx_data_add(ub, "selftest.mxsurvey.invalid. 0 IN TXT \"ok\"") != 0) return -1;
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

static void on_probe_answer(void *arg, int err, struct ub_result *res) {
  (void)arg; (void)err;
  if (res) ub_resolve_free(res);
}

/* libunbound's options: caches sized for millions of names, sockets within the fd
 * budget, the forwarders. 0 ok, -1 with err set. */
static int ub_configure(dns_t *d, const dns_config_t *cfg, size_t outgoing, char *err, size_t errlen) {
  int rc;
  /* Cache sizes for millions of names: what domains share (MX hosts of hosting providers,
   * their addresses and TLSA, the DNSKEYs of every signed zone on the way) must stay
   * cached for the whole run; per-domain answers are asked once and may be evicted. The
   * rrset cache holds the records themselves and gets half, the message cache (answers
   * pointing into it) a quarter, keys and the negative cache an eighth each. */
  size_t mb = cfg->cache_mb ? cfg->cache_mb : 256;
  char msg[32], rrset[32], key[32], neg[32], outr[32], nq[32];
  snprintf(msg, sizeof msg, "%zum", mb / 4 ? mb / 4 : 1);
  snprintf(rrset, sizeof rrset, "%zum", mb / 2 ? mb / 2 : 1);
  snprintf(key, sizeof key, "%zum", mb / 8 ? mb / 8 : 1);
  snprintf(neg, sizeof neg, "%zum", mb / 8 ? mb / 8 : 1);
  /* outgoing-range is libunbound's number of UDP sockets: counted in the fd budget. */
  snprintf(outr, sizeof outr, "%zu", outgoing);
  /* Queries beyond num-queries-per-thread are dropped by libunbound: it must exceed what a
   * full window of domains can have in flight. */
  snprintf(nq, sizeof nq, "%zu", cfg->max_queries ? cfg->max_queries : 8192);
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
  /* Resolvers on loopback (the test world, a local Unbound) must be reachable. */
  /* libunbound rotates every RRset it hands over (rrset-roundrobin defaults to yes since
   * 1.17): a record's lists (TLSA records, the TXT record chosen) would then depend on
   * chance. The survey keeps the order the zone's server gave. */
  if ((rc = ub_ctx_set_option(d->ub, "do-not-query-localhost:", "no")) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "rrset-roundrobin:", "no")) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "val-permissive-mode:", "no")) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "num-queries-per-thread:", nq)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "infra-cache-min-rtt:", minrtt)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "outgoing-range:", outr)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "msg-cache-size:", msg)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "rrset-cache-size:", rrset)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "key-cache-size:", key)) != 0 ||
      (rc = ub_ctx_set_option(d->ub, "neg-cache-size:", neg)) != 0) {
    snprintf(err, errlen, "libunbound option: %s", ub_strerror(rc));
    return -1;
  }
  if (cfg->nresolvers == 0 && (rc = ub_ctx_resolvconf(d->ub, NULL)) != 0) {
    snprintf(err, errlen, "cannot read /etc/resolv.conf: %s", ub_strerror(rc));
    return -1;
  }
  for (size_t i = 0; i < cfg->nresolvers; i++) {
    char fwd[80];
    if (dns_parse_resolver(cfg->resolvers[i], fwd, sizeof fwd) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT",
               cfg->resolvers[i]);
      return -1;
    }
    if ((rc = ub_ctx_set_fwd(d->ub, fwd)) != 0) {
      snprintf(err, errlen, "resolver %s: %s", cfg->resolvers[i], ub_strerror(rc));
      return -1;
    }
  }
  return 0;
}

/* A trust anchor file is mandatory: without one every answer silently comes back
 * "insecure", which would make the whole survey wrong without any error. */
static int ub_trust_anchor(dns_t *d, const char *path, char *err, size_t errlen) {
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
  int rc = ub_ctx_add_ta_file(d->ub, path);
  if (rc != 0) {
    snprintf(err, errlen, "trust anchor %s: %s", path, ub_strerror(rc));
    return -1;
  }
  return 0;
}

/* Starts libunbound's thread and finalises its configuration. The file descriptor to
 * poll, -1 with err set, or -2 when the thread is gone (the context must then not be
 * deleted: ub_ctx_delete would wait for it). */
static int ub_start(dns_t *d, const char *trust_anchor, char *err, size_t errlen) {
  int rc;
  cookie_io_functions_t io = {.write = ublog_write};
  if ((d->ublog = fopencookie(d, "w", io)) != NULL) {
    setvbuf(d->ublog, NULL, _IOLBF, 0);
    ub_ctx_debugout(d->ub, d->ublog);
  }
  if ((rc = ub_ctx_async(d->ub, 1)) != 0) {
    snprintf(err, errlen, "libunbound async: %s", ub_strerror(rc));
    return -1;
  }
  /* libunbound finalises its configuration (and reads the trust anchor) on the first
   * query: start and cancel one now, so a broken anchor is an error before any probe. */
  int id;
  if ((rc = thread_can_start()) != 0) {
    snprintf(err, errlen, "cannot start the resolver's thread: %s (a memory limit such as ulimit -v?)",
             strerror(rc));
    return -1;
  }
  rc = ub_resolve_async(d->ub, ".", 48 /* DNSKEY */, 1, NULL, on_probe_answer, &id);
  if (rc != 0) {
    snprintf(err, errlen, "DNS resolver cannot start (%s): check --trust-anchor %s and --resolver",
             ub_strerror(rc), trust_anchor);
    return -1;
  }
  ub_cancel(d->ub, id);
  /* ub_fd finalises the context: configuration errors surface here. */
  int fd = ub_fd(d->ub);
  if (fd < 0) { snprintf(err, errlen, "libunbound: no file descriptor"); return -1; }
  if (selftest(d->ub, fd) != 0) {
    snprintf(err, errlen, "libunbound's resolver thread did not start (out of memory?)");
    return -2;
  }
  return fd;
}

/* DNS_MODE_TRUSTED (net/stub.h): only resolvers on loopback unless --resolver-validates-
 * remote, checked before any query is sent; then the resolver must validate. */
static int trusted_new(dns_t *d, uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen) {
  if (cfg->nresolvers == 0) {
    snprintf(err, errlen, "--resolver-validates needs --resolver ADDR");
    return -1;
  }
  for (size_t i = 0; i < cfg->nresolvers; i++) {
    struct sockaddr_storage ss;
    if (stub_addr(cfg->resolvers[i], &ss) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT",
               cfg->resolvers[i]);
      return -1;
    }
    if (!cfg->trust_remote && !stub_addr_loopback(&ss)) {
      snprintf(err, errlen, "--resolver-validates: %s is not on loopback, and the AD bit "
               "crosses the network unauthenticated (anyone on the path can set it; Postfix's "
               "smtp_tls_dane docs say the same): use a validating resolver on this host, "
               "drop --resolver-validates to validate here, or force it with "
               "--resolver-validates-remote", cfg->resolvers[i]);
      return -1;
    }
  }
  int ms = (int)((cfg->timeout > 0 ? cfg->timeout : 10) * 1000);
  for (size_t i = 0; i < cfg->nresolvers; i++)
    if (stub_check_validates(cfg->resolvers[i], ms, err, errlen) != 0) return -1;
  d->stub = stub_new(loop, cfg->resolvers, cfg->nresolvers, err, errlen);
  return d->stub ? 0 : -1;
}

dns_t *dns_new(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen) {
  dns_t *d = calloc(1, sizeof *d);
  if (!d) { snprintf(err, errlen, "out of memory"); return NULL; }
  d->loop = loop;
  list_init(&d->sent);
  list_init(&d->held);
  d->timeout = cfg->timeout > 0 ? cfg->timeout : 10;
  size_t outgoing = cfg->outgoing ? cfg->outgoing : 4096;
  d->max_inflight = cfg->max_inflight ? cfg->max_inflight : outgoing / 2 ? outgoing / 2 : 1;
  atomic_init(&d->sockfail, 0);
  if (cfg->mode == DNS_MODE_TRUSTED) {
    if (trusted_new(d, loop, cfg, err, errlen) != 0) { free(d); return NULL; }
    goto started;
  }
  d->ub = ub_ctx_create();
  if (!d->ub) { snprintf(err, errlen, "cannot create libunbound context"); free(d); return NULL; }
  int fd = -1;
  if (ub_configure(d, cfg, outgoing, err, errlen) == 0 &&
      ub_trust_anchor(d, cfg->trust_anchor, err, errlen) == 0)
    fd = ub_start(d, cfg->trust_anchor, err, errlen);
  if (fd == -2) {
    free(d);          /* not ub_ctx_delete: it would wait for the thread that is gone */
    return NULL;
  }
  if (fd >= 0 && uv_poll_init(loop, &d->poll, fd) != 0) {
    snprintf(err, errlen, "uv_poll_init failed");
    fd = -1;
  }
  if (fd < 0) {
    ub_ctx_delete(d->ub);
    if (d->ublog) fclose(d->ublog);
    free(d);
    return NULL;
  }
  d->poll.data = d;
  uv_poll_start(&d->poll, UV_READABLE, on_poll);
  d->poll_started = true;
started:
  tb_init(&d->tb, cfg->rate, 0, uv_now(loop));
  uv_timer_init(loop, &d->rate_timer);
  d->rate_timer.data = d;
  d->rate_timer_ok = true;
  return d;
}

/* Hands a query to libunbound and starts its deadline. -1 if libunbound refused it. */
static int query_send(dns_t *d, dns_query_t *q) {
  int rc = d->stub ? stub_send(d->stub, q->qname, q->qtype, on_stub_answer, q, &q->stub_id)
                   : ub_resolve_async(d->ub, q->qname, q->qtype, 1 /* IN */, q, on_answer, &q->async_id);
  if (rc != 0) return -1;
  q->ub_pending = true;
  q->sockfail = atomic_load(&d->sockfail);
  list_insert_head(&d->sent, &q->link);
  d->inflight++;
  deadline_start(&q->timer, on_deadline, (uint64_t)(d->timeout * 1000));
  return 0;
}

/* Sends queued queries while libunbound has a free slot and the bucket has tokens; then
 * waits for the next token (a freed slot kicks the queue itself). */
static void drain_queue(dns_t *d) {
  uint64_t now = uv_now(d->loop);
  while (!list_empty(&d->held) && d->inflight < d->max_inflight && tb_take(&d->tb, now)) {
    dns_query_t *q = list_pop_entry(&d->held, dns_query_t, link);
    d->queued--;
    if (query_send(d, q) != 0) {
      /* The caller was told the query started: it gets its one callback. */
      q->done = true;
      deliver_error(q, DNSSEC_INDETERMINATE, "could not start query");
      query_release(q);
    }
  }
  if (!list_empty(&d->held) && d->inflight < d->max_inflight)
    uv_timer_start(&d->rate_timer, on_rate_timer, tb_wait_ms(&d->tb, now), 0);
}

static void on_rate_timer(uv_timer_t *t) { drain_queue(t->data); }

int dns_query(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg) {
  /* After dns_close (perhaps from inside a callback) the poll handle is gone: a query
   * sent now would only end at its deadline, keeping the loop alive meanwhile. */
  if (d->closed) return -1;
  dns_query_t *q = calloc(1, sizeof *q);
  if (!q) return -1;
  size_t l = strlen(name);
  if (l >= sizeof q->qname) { free(q); return -1; }
  memcpy(q->qname, name, l + 1);
  q->d = d;
  q->cb = cb;
  q->arg = arg;
  q->qtype = rrtype;
  deadline_init(d->loop, &q->timer);
  q->timer.timer.data = q;
  if (!list_empty(&d->held) || d->inflight >= d->max_inflight ||
      !tb_take(&d->tb, uv_now(d->loop))) {
    /* Held back by --dns-rate or by libunbound's free slots: sent later, in order, its
     * deadline starting then. */
    list_insert_tail(&d->held, &q->link);
    d->queued++;
    if (d->queued == 1 && d->inflight < d->max_inflight)
      uv_timer_start(&d->rate_timer, on_rate_timer, tb_wait_ms(&d->tb, uv_now(d->loop)), 0);
    return 0;
  }
  if (query_send(d, q) != 0) {
    q->done = true;
    deadline_close(&q->timer, on_timer_close);
    return -1;
  }
  return 0;
}

size_t dns_inflight(const dns_t *d) { return d->inflight; }

size_t dns_queued(const dns_t *d) { return d ? d->queued : 0; }

void dns_close(dns_t *d) {
  d->closed = true;
  dns_query_t *q;
  while ((q = list_first_entry(&d->sent, dns_query_t, link))) {
    q->done = true;
    query_unlink(q);
    resolver_cancel(d, q);
    deadline_stop(&q->timer);
    if (!q->ub_pending) deadline_close(&q->timer, on_timer_close);
  }
  /* never sent: nothing of libunbound's to wait for */
  while ((q = list_pop_entry(&d->held, dns_query_t, link))) {
    q->done = true;
    deadline_close(&q->timer, on_timer_close);
  }
  d->queued = 0;
  if (d->rate_timer_ok) {
    uv_timer_stop(&d->rate_timer);
    uv_close((uv_handle_t *)&d->rate_timer, NULL);
    d->rate_timer_ok = false;
  }
  if (d->stub) stub_close(d->stub);
  if (d->poll_started) {
    uv_poll_stop(&d->poll);
    uv_close((uv_handle_t *)&d->poll, NULL);
    d->poll_started = false;
  }
}

void dns_free(dns_t *d) {
  if (!d) return;
  if (d->stub) stub_free(d->stub);
  if (d->ub) ub_ctx_delete(d->ub);         /* stops libunbound's thread: nothing writes the log now */
  if (d->ublog) fclose(d->ublog);
  free(d);
}
