/* The trusted mode's stub resolver (see stub.h). One uv_udp_t per query, bound to port 0
 * (the kernel's random ephemeral port), so that every query has its own source port and
 * a reply can only come to the socket of the query it answers; net/dns.c's window
 * (max_inflight, half of the fd budget's DNS share, cli/scan_cmd.c) bounds the sockets
 * open at once, and a truncated reply replaces the query's UDP socket by one TCP
 * connection, so a query never holds more than one descriptor. */
#include "net/stub.h"
#include "net/dnsextras.h"
#include "lib/list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <poll.h>
#include <unistd.h>

#define STUB_PAYLOAD 1232      /* the DNS flag day 2020 EDNS buffer size */
#define STUB_RESEND_MS 1000    /* UDP resend interval within net/dns.c's deadline */
#define STUB_MAX_RESOLVERS 8

typedef struct stub_q stub_q_t;

struct stub {
  uv_loop_t *loop;
  struct sockaddr_storage addr[STUB_MAX_RESOLVERS];
  size_t naddr;
  list_t queries;            /* in flight */
  uint64_t next_id;
  bool closed;
};

struct stub_q {
  stub_t *s;
  list_t link;
  uint64_t id;
  stub_cb cb;
  void *arg;
  uint16_t msgid;
  int qtype;
  char qname[DNS_QNAME_MAX + 2];
  uint8_t qwire[255];
  size_t qwlen;
  uint8_t msg[12 + 255 + 4 + 11];
  size_t msglen;
  size_t sends;              /* UDP sends so far: the resolver is sends % naddr */
  union { uv_handle_t h; uv_udp_t udp; uv_tcp_t tcp; } io;
  bool tcp, io_open;
  uv_timer_t resend;
  bool resend_open;
  uv_connect_t conn;
  uv_write_t wr;
  uint8_t tcphdr[2];
  uint8_t *tbuf;             /* TCP reply: 2-octet length, then the message */
  size_t tlen, tcap;
  int pending_closes;
  bool ended;                /* out of the list; freed when pending_closes reaches 0 */
};

static void q_free_cb(uv_handle_t *h) {
  stub_q_t *q = h->data;
  if (--q->pending_closes == 0 && q->ended) { free(q->tbuf); free(q); }
}

/* Ends a query: its handles closed, out of the list; freed once libuv let go. */
static void q_end(stub_q_t *q) {
  list_remove(&q->link);
  q->ended = true;
  if (q->resend_open) {
    uv_timer_stop(&q->resend);
    uv_close((uv_handle_t *)&q->resend, q_free_cb);
    q->resend_open = false;
    q->pending_closes++;
  }
  if (q->io_open) {
    uv_close(&q->io.h, q_free_cb);
    q->io_open = false;
    q->pending_closes++;
  }
  if (q->pending_closes == 0) { free(q->tbuf); free(q); }
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr_storage *b) {
  if (a->sa_family != b->ss_family) return false;
  if (a->sa_family == AF_INET) {
    const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
  return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/* What the reply says, as dns.h's answer (see stub.h for the DNSSEC rules); pure. */
void stub_judge(const dns_reply_t *r, dns_answer_t *a, char *reason, size_t cap) {
  a->rcode = r->rcode;
  a->ttl = r->ttl;
  a->canonname = r->aliased ? r->canon : NULL;
  a->reason = NULL;
  a->count = 0;
  a->data = NULL;
  a->len = NULL;
  if (r->rcode == 2 && r->ede >= 1 && r->ede <= 12) {
    a->outcome = DNS_ERROR;
    a->dnssec = DNSSEC_BOGUS;
    snprintf(reason, cap, "EDE %d (%s)%s%s", r->ede, dns_ede_name(r->ede),
             r->ede_text[0] ? ": " : "", r->ede_text);
    a->reason = reason;
  } else if (r->rcode != 0 && r->rcode != 3) {
    static const char *names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
    a->outcome = DNS_ERROR;
    a->dnssec = DNSSEC_INDETERMINATE;
    /* as libunbound's path words it (a forwarder's SERVFAIL is "SERVFAIL" there), so that
     * the records of both modes agree; an EDE outside the DNSSEC family is not kept */
    if (r->rcode >= 0 && r->rcode < 6) a->reason = names[r->rcode];
    else { snprintf(reason, cap, "rcode %d", r->rcode); a->reason = reason; }
  } else {
    a->dnssec = r->ad ? DNSSEC_SECURE : DNSSEC_INSECURE;
    a->outcome = r->rcode == 3 ? DNS_NXDOMAIN : r->count ? DNS_DATA : DNS_NODATA;
    if (a->outcome == DNS_DATA) { a->count = r->count; a->data = r->data; a->len = r->len; }
  }
}

enum stub_step stub_classify(const uint8_t *pkt, size_t len, uint16_t msgid, const uint8_t *qwire,
                             size_t qwlen, unsigned qtype, bool over_tcp, dns_reply_t *r) {
  memset(r, 0, sizeof *r);
  r->ede = -1;
  if (len < 2 || ((unsigned)pkt[0] << 8 | pkt[1]) != msgid) return STUB_IGNORE;
  int rc = dns_reply_parse(pkt, len, qwire, qwlen, qtype, r);
  if (rc == -2) return STUB_IGNORE;
  /* a truncated UDP reply is asked again over TCP; truncated over TCP is malformed */
  if (rc == 0 && r->tc && !over_tcp) { dns_reply_free(r); return STUB_RETRY_TCP; }
  if (rc != 0 || r->tc) { dns_reply_free(r); return STUB_MALFORMED; }
  return STUB_DELIVER;
}

size_t stub_resolver_for(size_t sends, size_t naddr, bool tcp) {
  if (naddr == 0) return 0;
  if (tcp) return (sends ? sends - 1 : 0) % naddr;    /* the one whose reply was truncated */
  return sends % naddr;
}

static void deliver(stub_q_t *q, const dns_reply_t *r, const uint8_t *pkt, size_t len) {
  dns_answer_t a = {0};
  char reason[DNS_EDE_TEXT_MAX + 64], rname[DNS_NAME_TEXT_MAX];
  a.qname = q->qname;
  a.qtype = q->qtype;
  stub_judge(r, &a, reason, sizeof reason);
  if (a.outcome != DNS_ERROR && pkt)
    dns_answer_extras(&a, pkt, len, rname, sizeof rname);   /* DO was set: RRSIGs came */
  /* q ends first (a callback may close the stub, which ends every query); its memory,
   * a.qname, stays until libuv has run the close callbacks */
  stub_cb cb = q->cb;
  void *arg = q->arg;
  q_end(q);
  cb(arg, &a);
}

static void start_tcp(stub_q_t *q);

/* A reply for q: checked, decoded, delivered; a truncated one retried over TCP. Returns
 * false when it is not q's (ignored: a forged or stale packet). */
static bool on_reply(stub_q_t *q, const uint8_t *pkt, size_t len) {
  dns_reply_t r;
  switch (stub_classify(pkt, len, q->msgid, q->qwire, q->qwlen, (unsigned)q->qtype, q->tcp, &r)) {
  case STUB_IGNORE: return false;
  case STUB_RETRY_TCP: start_tcp(q); return true;
  case STUB_MALFORMED: {
    /* the resolver's own message, malformed: FORMERR as it would be from libunbound */
    dns_reply_t e = {.rcode = 1, .ede = -1};
    deliver(q, &e, NULL, 0);
    return true;
  }
  case STUB_DELIVER: break;
  }
  deliver(q, &r, pkt, len);
  dns_reply_free(&r);
  return true;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  static char b[65536];      /* one loop thread; the datagram is parsed before the next */
  (void)h;
  *buf = uv_buf_init(b, sizeof b);
}

static void on_udp(uv_udp_t *u, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
                   unsigned flags) {
  stub_q_t *q = u->data;
  if (n <= 0 || !from || (flags & UV_UDP_PARTIAL)) return;
  bool ours = false;
  for (size_t i = 0; i < q->s->naddr && !ours; i++) ours = same_addr(from, &q->s->addr[i]);
  if (!ours) return;
  on_reply(q, (const uint8_t *)buf->base, (size_t)n);
}

static void on_sent(uv_udp_send_t *req, int status) { (void)status; free(req); }

static int udp_send(stub_q_t *q) {
  uv_udp_send_t *req = malloc(sizeof *req);
  if (!req) return -1;
  uv_buf_t b = uv_buf_init((char *)q->msg, (unsigned)q->msglen);
  const struct sockaddr *to = (const void *)&q->s->addr[stub_resolver_for(q->sends, q->s->naddr, false)];
  q->sends++;
  if (uv_udp_send(req, &q->io.udp, &b, 1, to, on_sent) != 0) { free(req); return -1; }
  return 0;
}

static void on_resend(uv_timer_t *t) {
  stub_q_t *q = t->data;
  if (!q->tcp) udp_send(q);
}

/* ---- TCP (RFC 7766), when the UDP reply was truncated ---- */

static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  stub_q_t *q = h->data;
  if (q->tcap - q->tlen < 4096) {
    size_t nc = q->tcap ? q->tcap * 2 : 4096;
    if (nc > 65537 + 4096) nc = 65537 + 4096;
    uint8_t *nb = nc > q->tcap ? realloc(q->tbuf, nc) : NULL;
    if (nb) { q->tbuf = nb; q->tcap = nc; }
  }
  *buf = uv_buf_init((char *)q->tbuf + q->tlen, (unsigned)(q->tcap - q->tlen));
}

static void tcp_fail(stub_q_t *q) {
  /* nothing read: the deadline (net/dns.c) reports the timeout; stop the socket */
  if (q->io_open) {
    uv_close(&q->io.h, q_free_cb);
    q->io_open = false;
    q->pending_closes++;
  }
}

static void on_tcp_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  stub_q_t *q = st->data;
  if (n < 0) { tcp_fail(q); return; }
  q->tlen += (size_t)n;
  if (q->tlen < 2) return;
  size_t want = (size_t)q->tbuf[0] << 8 | q->tbuf[1];
  if (q->tlen < 2 + want) {
    if (q->tlen == q->tcap) tcp_fail(q);
    return;
  }
  if (!on_reply(q, q->tbuf + 2, want)) tcp_fail(q);
}

static void on_tcp_write(uv_write_t *w, int status) {
  stub_q_t *q = w->data;
  if (status != 0 || !q->io_open) return;
  if (uv_read_start((uv_stream_t *)&q->io.tcp, tcp_alloc, on_tcp_read) != 0) tcp_fail(q);
}

static void on_connect(uv_connect_t *c, int status) {
  stub_q_t *q = c->data;
  if (status != 0 || !q->io_open) { if (status != UV_ECANCELED) tcp_fail(q); return; }
  q->tcphdr[0] = (uint8_t)(q->msglen >> 8);
  q->tcphdr[1] = (uint8_t)q->msglen;
  uv_buf_t b[2] = {uv_buf_init((char *)q->tcphdr, 2), uv_buf_init((char *)q->msg, (unsigned)q->msglen)};
  q->wr.data = q;
  if (uv_write(&q->wr, (uv_stream_t *)&q->io.tcp, b, 2, on_tcp_write) != 0) tcp_fail(q);
}

static void on_udp_closed_for_tcp(uv_handle_t *h) {
  stub_q_t *q = h->data;
  q->pending_closes--;
  if (!q->ended) {
    if (uv_tcp_init(q->s->loop, &q->io.tcp) != 0) return;
    q->io.tcp.data = q;
    q->io_open = true;
    q->conn.data = q;
    const struct sockaddr *to = (const void *)&q->s->addr[stub_resolver_for(q->sends, q->s->naddr, true)];
    if (uv_tcp_connect(&q->conn, &q->io.tcp, to, on_connect) != 0) tcp_fail(q);
  } else if (q->pending_closes == 0) {
    free(q->tbuf);
    free(q);
  }
}

static void start_tcp(stub_q_t *q) {
  q->tcp = true;
  if (q->resend_open) uv_timer_stop(&q->resend);
  uv_udp_recv_stop(&q->io.udp);
  uv_close(&q->io.h, on_udp_closed_for_tcp);
  q->io_open = false;
  q->pending_closes++;
}

/* ---- API ---- */

stub_t *stub_new(uv_loop_t *loop, const char *const *resolvers, size_t n, char *err, size_t errlen) {
  if (n == 0 || n > STUB_MAX_RESOLVERS) {
    snprintf(err, errlen, "trusted-resolver mode needs 1 to %d --resolver", STUB_MAX_RESOLVERS);
    return NULL;
  }
  stub_t *s = calloc(1, sizeof *s);
  if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
  s->loop = loop;
  list_init(&s->queries);
  for (size_t i = 0; i < n; i++) {
    if (stub_addr(resolvers[i], &s->addr[i]) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT", resolvers[i]);
      free(s);
      return NULL;
    }
  }
  s->naddr = n;
  return s;
}

int stub_addr(const char *spec, struct sockaddr_storage *ss) {
  char at[80];
  if (dns_parse_resolver(spec, at, sizeof at) != 0) return -1;
  char *sep = strrchr(at, '@');
  if (!sep) return -1;
  *sep = '\0';
  int port = atoi(sep + 1);
  memset(ss, 0, sizeof *ss);
  if (strchr(at, ':')) return uv_ip6_addr(at, port, (struct sockaddr_in6 *)ss) == 0 ? 0 : -1;
  return uv_ip4_addr(at, port, (struct sockaddr_in *)ss) == 0 ? 0 : -1;
}

bool stub_addr_loopback(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
  const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
  if (IN6_IS_ADDR_LOOPBACK(a)) return true;
  return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
}

static int q_open(stub_q_t *q) {
  stub_t *s = q->s;
  if (uv_udp_init(s->loop, &q->io.udp) != 0) return -1;
  q->io.udp.data = q;
  q->io_open = true;
  struct sockaddr_storage any = {0};
  const struct sockaddr_storage *first = &s->addr[0];
  if (first->ss_family == AF_INET6) uv_ip6_addr("::", 0, (struct sockaddr_in6 *)&any);
  else uv_ip4_addr("0.0.0.0", 0, (struct sockaddr_in *)&any);
  if (uv_udp_bind(&q->io.udp, (const struct sockaddr *)&any, 0) != 0 ||
      uv_udp_recv_start(&q->io.udp, alloc_cb, on_udp) != 0) return -1;
  uv_timer_init(s->loop, &q->resend);
  q->resend.data = q;
  q->resend_open = true;
  if (udp_send(q) != 0) return -1;
  uv_timer_start(&q->resend, on_resend, STUB_RESEND_MS, STUB_RESEND_MS);
  return 0;
}

/* One query's message (a random id) and its question name in wire form, which the
 * replies are matched against (stub_classify): for the loop's queries and the start-up
 * check alike. 0 ok, -1. */
static int query_build(const char *qname, unsigned qtype, uint16_t *mid, uint8_t *msg, size_t cap,
                       size_t *msglen, uint8_t *qwire, size_t qcap, size_t *qwlen) {
  if (getrandom(mid, sizeof *mid, 0) != (ssize_t)sizeof *mid) return -1;
  int ql = dns_name_to_wire(qname, qwire, qcap);
  int ml = dns_query_encode(*mid, qname, qtype, STUB_PAYLOAD, msg, cap);
  if (ql < 0 || ml < 0) return -1;
  *qwlen = (size_t)ql;
  *msglen = (size_t)ml;
  return 0;
}

int stub_send(stub_t *s, const char *qname, int qtype, stub_cb cb, void *arg, uint64_t *id) {
  if (s->closed) return -1;
  stub_q_t *q = calloc(1, sizeof *q);
  if (!q) return -1;
  q->s = s;
  q->cb = cb;
  q->arg = arg;
  q->qtype = qtype;
  size_t l = strlen(qname);
  if (l >= sizeof q->qname) { free(q); return -1; }
  memcpy(q->qname, qname, l + 1);
  if (query_build(qname, (unsigned)qtype, &q->msgid, q->msg, sizeof q->msg, &q->msglen,
                  q->qwire, sizeof q->qwire, &q->qwlen) != 0) { free(q); return -1; }
  list_insert_head(&s->queries, &q->link);
  if (q_open(q) != 0) {
    q->cb = NULL;
    q_end(q);
    return -1;
  }
  q->id = ++s->next_id;
  *id = q->id;
  return 0;
}

void stub_cancel(stub_t *s, uint64_t id) {
  list_t *it;
  for (it = s->queries.next; it != &s->queries; it = it->next) {
    stub_q_t *q = list_entry(it, stub_q_t, link);
    if (q->id == id) { q_end(q); return; }
  }
}

void stub_close(stub_t *s) {
  s->closed = true;
  stub_q_t *q;
  while ((q = list_first_entry(&s->queries, stub_q_t, link))) q_end(q);
}

void stub_free(stub_t *s) { free(s); }

/* Before the scan, outside the loop (as libunbound's selftest in net/dns.c): a blocking
 * socket, resent every STUB_RESEND_MS until timeout_ms. */
int stub_check_validates(const char *resolver, int timeout_ms, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  if (stub_addr(resolver, &ss) != 0) {
    snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT", resolver);
    return -1;
  }
  uint8_t msg[64], qw[255], buf[65536];
  uint16_t mid;
  size_t ml, qwl;
  int built = query_build(".", 48 /* DNSKEY */, &mid, msg, sizeof msg, &ml, qw, sizeof qw, &qwl);
  int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || built != 0) {
    snprintf(err, errlen, "cannot open a socket to the resolver at %s: %m", resolver);
    if (fd >= 0) close(fd);
    return -1;
  }
  socklen_t sl = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  int verdict = 0;               /* 0 no reply yet, 1 validates, -1 does not */
  dns_reply_t r = {.rcode = -1};
  for (int waited = 0; verdict == 0 && waited < timeout_ms; waited += STUB_RESEND_MS) {
    if (sendto(fd, msg, ml, 0, (const struct sockaddr *)&ss, sl) < 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    int slice = timeout_ms - waited < STUB_RESEND_MS ? timeout_ms - waited : STUB_RESEND_MS;
    while (verdict == 0 && poll(&p, 1, slice) > 0) {
      struct sockaddr_storage from;
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (n < 0 || !same_addr((const struct sockaddr *)&from, &ss)) continue;
      /* matched as the loop's replies are; a truncated one still carries the AD bit of the
       * whole answer (its header is kept: stub_classify frees only the records) */
      enum stub_step st = stub_classify(buf, (size_t)n, mid, qw, qwl, 48, false, &r);
      if (st == STUB_IGNORE || st == STUB_MALFORMED) continue;
      verdict = r.rcode == 0 && r.ad && (r.count > 0 || st == STUB_RETRY_TCP) ? 1 : -1;
      dns_reply_free(&r);
    }
  }
  close(fd);
  if (verdict == 1) return 0;
  if (verdict == 0)
    snprintf(err, errlen, "the resolver at %s does not answer (. DNSKEY, %d ms)", resolver, timeout_ms);
  else
    snprintf(err, errlen, "the resolver at %s does not validate (no AD bit on . DNSKEY, rcode %d): "
             "--resolver-validates needs a validating resolver (without it, --resolver forwards "
             "to it and mxsurvey validates)", resolver, r.rcode);
  return -1;
}

/* DNS_MODE_TRUSTED (net/stub.h): only resolvers on loopback unless --resolver-validates-
 * remote, checked before any query is sent; then the resolver must validate. */
stub_t *stub_new_trusted(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen) {
  if (cfg->nresolvers == 0) {
    snprintf(err, errlen, "--resolver-validates needs --resolver ADDR");
    return NULL;
  }
  for (size_t i = 0; i < cfg->nresolvers; i++) {
    struct sockaddr_storage ss;
    if (stub_addr(cfg->resolvers[i], &ss) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT",
               cfg->resolvers[i]);
      return NULL;
    }
    if (!cfg->trust_remote && !stub_addr_loopback(&ss)) {
      snprintf(err, errlen, "--resolver-validates: %s is not on loopback, and the AD bit "
               "crosses the network unauthenticated (anyone on the path can set it; Postfix's "
               "smtp_tls_dane docs say the same): use a validating resolver on this host, "
               "drop --resolver-validates to validate here, or force it with "
               "--resolver-validates-remote", cfg->resolvers[i]);
      return NULL;
    }
  }
  int ms = (int)((cfg->timeout > 0 ? cfg->timeout : 10) * 1000);
  for (size_t i = 0; i < cfg->nresolvers; i++)
    if (stub_check_validates(cfg->resolvers[i], ms, err, errlen) != 0) return NULL;
  return stub_new(loop, cfg->resolvers, cfg->nresolvers, err, errlen);
}

stub_kept_t *stub_keep(const dns_answer_t *a) {
  if (a->count) return NULL;
  stub_kept_t *k = calloc(1, sizeof *k);
  if (!k) return NULL;
  k->outcome = a->outcome;
  k->dnssec = a->dnssec;
  k->rcode = a->rcode;
  k->ttl = a->ttl;
  if (a->reason) snprintf(k->reason, sizeof k->reason, "%s", a->reason);
  if ((k->aliased = a->canonname != NULL)) snprintf(k->canon, sizeof k->canon, "%s", a->canonname);
  return k;
}

void stub_kept_answer(const stub_kept_t *k, const char *qname, int qtype, dns_answer_t *a) {
  memset(a, 0, sizeof *a);
  a->qname = qname;
  a->qtype = qtype;
  a->outcome = k->outcome;
  a->dnssec = k->dnssec;
  a->rcode = k->rcode;
  a->ttl = k->ttl;
  a->reason = k->reason[0] ? k->reason : NULL;
  a->canonname = k->aliased ? k->canon : NULL;
}
