/* c-ares on the libuv loop for PTR lookups: see rdns.h for why it is shaped this way. */
#include "net/rdns.h"
#include "net/dns.h"
#include "polite/addrmap.h"
#include "lib/list.h"
#include "net/deadline.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ares.h>

#define RDNS_NAME_MAX 253
#define RDNS_TICK_MS 100
/* Answers kept for addresses shared by many domains (a hosting provider's MX); c-ares 1.18
 * has no cache of its own. Only complete answers (a name, or none) are kept; failures are
 * asked again. At about 300 bytes an entry, 65536 entries are 20 MB. */
#define RDNS_CACHE_MAX 65536

typedef struct rdns_query rdns_query_t;
typedef struct ptr_ent ptr_ent_t;
typedef struct rdns_sock rdns_sock_t;

struct rdns_sock {              /* one uv_poll_t per socket c-ares wants watched */
  uv_poll_t poll;
  rdns_t *r;
  ares_socket_t fd;
  list_t link;                  /* in r->socks, newest first */
};

struct rdns_query {             /* one caller's lookup */
  rdns_t *r;
  rdns_cb cb;
  void *arg;
  const char *error;            /* static string, NULL on success / no PTR */
  bool have_name;
  char name[RDNS_NAME_MAX + 1];
  list_t link;                  /* in the completed list, or in an entry's waiters */
};

struct ptr_ent {                /* one address: a query in c-ares, or a cached answer */
  amnode_t node;
  rdns_t *r;
  int family;
  uint8_t addr[16];
  bool done;
  const char *error;
  bool have_name;
  char name[RDNS_NAME_MAX + 1];
  list_t waiters;               /* lookups coalesced on the query in flight, newest first */
  list_t lru;                   /* in r->lru once answered */
  list_t asking;                /* through dns_t: in r->asking until its answer comes */
};

struct rdns {
  uv_loop_t *loop;
  ares_channel ch;
  bool ch_ok;
  bool closing;
  deadline_t timer;              /* c-ares' timeouts: run after a poll (deadline.h) */
  uv_idle_t idle;
  bool handles_ok;
  list_t socks;                 /* rdns_sock_t */
  size_t in_ares;               /* queries c-ares has not answered yet */
  size_t pending;               /* callbacks not called yet */
  list_t done;                  /* rdns_query_t answered, to deliver in order */
  addrmap_t cache;              /* ptr_ent_t by address */
  bool cache_ok;
  list_t lru;                   /* answered entries, least recently used first */
  size_t ncached;
  unsigned long long hits;
  dns_t *dns;                   /* rdns_new_via: PTR through libunbound, no c-ares */
  list_t asking;                /* ptr_ent_t asked through dns, no answer yet */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_status = ARES_SUCCESS;
static void lib_init(void) { lib_status = ares_library_init(ARES_LIB_INIT_ALL); }

int rdns_qname(int family, const uint8_t addr[16], char *out, size_t cap) {
  int n;
  if (family == AF_INET) {
    n = snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", addr[3], addr[2], addr[1], addr[0]);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
  }
  if (family != AF_INET6 || cap < 74) return -1;
  static const char hex[] = "0123456789abcdef";
  char *p = out;
  for (int i = 15; i >= 0; i--) {
    *p++ = hex[addr[i] & 0x0f];
    *p++ = '.';
    *p++ = hex[addr[i] >> 4];
    *p++ = '.';
  }
  memcpy(p, "ip6.arpa", 9);
  return 0;
}

/* ---- completion queue, drained from the idle handle (or from rdns_close) ---- */

static void deliver_one(rdns_t *r) {
  rdns_query_t *q = list_pop_entry(&r->done, rdns_query_t, link);
  r->pending--;
  q->cb(q->arg, q->have_name ? q->name : NULL, q->error);
  free(q);
}

static void on_idle(uv_idle_t *h) {
  rdns_t *r = h->data;
  /* Pop one at a time: a callback may start lookups or close the resolver. */
  while (!list_empty(&r->done)) deliver_one(r);
  if (!r->closing) uv_idle_stop(&r->idle);
}

static const char *status_error(int status) {
  switch (status) {
  case ARES_SUCCESS: case ARES_ENOTFOUND: case ARES_ENODATA: return NULL;
  case ARES_ETIMEOUT: return "timeout";
  case ARES_ESERVFAIL: return "SERVFAIL";
  case ARES_EREFUSED: return "REFUSED";
  /* c-ares 1.18 retries SERVFAIL/REFUSED/NOTIMP on the next server and, once every try
   * is used up, reports them like an unreachable server. */
  case ARES_ECONNREFUSED: return "server failure";
  case ARES_ECANCELLED: case ARES_EDESTRUCTION: return "cancelled";
  default: return ares_strerror(status);
  }
}

static void queue_done(rdns_t *r, rdns_query_t *q) {
  list_insert_tail(&r->done, &q->link);
  if (r->handles_ok && !r->closing) uv_idle_start(&r->idle, on_idle);
}

static void answer_copy(rdns_query_t *q, const ptr_ent_t *e) {
  q->error = e->error;
  q->have_name = e->have_name;
  if (e->have_name) memcpy(q->name, e->name, sizeof q->name);
}

static void ent_answered(rdns_t *r, ptr_ent_t *e);

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  ptr_ent_t *e = arg;
  rdns_t *r = e->r;
  r->in_ares--;
  e->error = status_error(status);
  if (status == ARES_SUCCESS) {
    struct hostent *he = NULL;
    int addrlen = e->family == AF_INET ? 4 : 16;
    int rc = ares_parse_ptr_reply(abuf, alen, e->addr, addrlen, e->family, &he);
    if (rc == ARES_SUCCESS && he && he->h_name) {
      size_t len = strlen(he->h_name);
      if (len > 0 && he->h_name[len - 1] == '.') len--;
      if (len > RDNS_NAME_MAX) {
        e->error = "PTR name too long";
      } else if (len > 0) {
        for (size_t i = 0; i < len; i++) e->name[i] = (char)tolower((unsigned char)he->h_name[i]);
        e->name[len] = '\0';
        e->have_name = true;
      }
    } else {
      e->error = status_error(rc);
    }
    if (he) ares_free_hostent(he);
  }
  ent_answered(r, e);
}

/* The answer is in e: its waiters are queued and a complete answer is cached. */
static void ent_answered(rdns_t *r, ptr_ent_t *e) {
  rdns_query_t *q;
  while ((q = list_pop_entry(&e->waiters, rdns_query_t, link))) {
    answer_copy(q, e);
    queue_done(r, q);
  }
  /* A complete answer is kept for the next domain on this address; a failure is not. */
  if (e->error || r->closing) {
    addrmap_remove(&r->cache, &e->node);
    free(e);
    return;
  }
  e->done = true;
  list_insert_tail(&r->lru, &e->lru);
  if (++r->ncached > RDNS_CACHE_MAX) {
    ptr_ent_t *old = list_first_entry(&r->lru, ptr_ent_t, lru);
    list_remove(&old->lru);
    addrmap_remove(&r->cache, &old->node);
    free(old);
    r->ncached--;
  }
}

/* Through libunbound (rdns_new_via): the first PTR record's name. Its DNSSEC state does
 * not matter (see rdns.h); the errors are named as c-ares' are. */
static void on_dns_answer(void *arg, const dns_answer_t *a) {
  ptr_ent_t *e = arg;
  rdns_t *r = e->r;
  list_remove(&e->asking);
  if (!r) { free(e); return; }          /* rdns_close gave its waiters "cancelled" */
  r->in_ares--;
  e->error = NULL;
  if (a->outcome == DNS_ERROR) {
    e->error = a->reason && strcmp(a->reason, "timeout") == 0 ? "timeout"
               : a->dnssec == DNSSEC_BOGUS ? "bogus"
               : a->rcode == 5 ? "REFUSED" : a->rcode == 2 ? "SERVFAIL" : "server failure";
  } else if (a->outcome == DNS_DATA && a->count > 0) {
    char name[DNS_NAME_TEXT_MAX];
    int n = dns_name_from_wire(a->data[0], (size_t)a->len[0], name, sizeof name);
    size_t len = n > 0 ? strlen(name) : 0;
    if (len > 0 && name[len - 1] == '.') len--;
    if (len > RDNS_NAME_MAX) {
      e->error = "PTR name too long";
    } else if (len > 0) {
      for (size_t i = 0; i < len; i++) e->name[i] = (char)tolower((unsigned char)name[i]);
      e->name[len] = '\0';
      e->have_name = true;
    }
  }
  ent_answered(r, e);
}

/* ---- sockets and timeouts ---- */

static void on_timer(uv_timer_t *t);

static void arm_timer(rdns_t *r) {
  if (!r->handles_ok || r->closing || r->dns) return;
  if (r->in_ares == 0) { deadline_stop(&r->timer); return; }
  struct timeval maxtv = { 0, RDNS_TICK_MS * 1000 }, tv;
  struct timeval *t = ares_timeout(r->ch, &maxtv, &tv);
  uint64_t ms = (uint64_t)t->tv_sec * 1000 + (uint64_t)t->tv_usec / 1000;
  if (ms == 0) ms = 1;
  deadline_start(&r->timer, on_timer, ms);
}

static void on_timer(uv_timer_t *t) {
  rdns_t *r = t->data;
  ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  arm_timer(r);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  rdns_sock_t *s = h->data;
  rdns_t *r = s->r;
  ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
  if (status < 0) rfd = wfd = s->fd;   /* let c-ares see the error on the socket */
  if (events & UV_READABLE) rfd = s->fd;
  if (events & UV_WRITABLE) wfd = s->fd;
  ares_process_fd(r->ch, rfd, wfd);
  arm_timer(r);
}

static void on_sock_closed(uv_handle_t *h) { free(h->data); }

static void sock_close(rdns_sock_t *s) {
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  rdns_t *r = data;
  rdns_sock_t *s = NULL;
  for (list_t *n = list_first(&r->socks); n && !s; n = list_next(&r->socks, n))
    if (list_entry(n, rdns_sock_t, link)->fd == fd) s = list_entry(n, rdns_sock_t, link);
  if (!readable && !writable) {          /* c-ares is about to close the socket */
    if (s) { list_remove(&s->link); sock_close(s); }
    return;
  }
  if (!s) {
    if (!r->handles_ok) return;
    s = calloc(1, sizeof *s);
    if (!s) return;                     /* the query will time out */
    s->r = r;
    s->fd = fd;
    if (uv_poll_init_socket(r->loop, &s->poll, fd) != 0) { free(s); return; }
    s->poll.data = s;
    list_insert_head(&r->socks, &s->link);
  }
  uv_poll_start(&s->poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0), on_poll);
}

/* ---- public ---- */

static int servers_csv(const char *const *servers, size_t n, char *out, size_t cap,
                       char *err, size_t errlen) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    char spec[INET6_ADDRSTRLEN + 16];
    if (dns_parse_resolver(servers[i], spec, sizeof spec) != 0) {
      snprintf(err, errlen, "bad --resolver '%s': expected IP, IP:PORT or [IPv6]:PORT", servers[i]);
      return -1;
    }
    char *at = strrchr(spec, '@');
    *at = '\0';
    int w = snprintf(out + used, cap - used, strchr(spec, ':') ? "%s[%s]:%s" : "%s%s:%s",
                     i ? "," : "", spec, at + 1);
    if (w < 0 || (size_t)w >= cap - used) { snprintf(err, errlen, "too many resolvers"); return -1; }
    used += (size_t)w;
  }
  return 0;
}

/* What both constructors share: the lists, then (once nothing can fail) the cache and the
 * handles, which rdns_free closes. */
static void rdns_init(rdns_t *r, uv_loop_t *loop) {
  r->loop = loop;
  list_init(&r->socks);
  list_init(&r->done);
  list_init(&r->lru);
  list_init(&r->asking);
}

static void rdns_start(rdns_t *r) {
  addrmap_init(&r->cache);
  r->cache_ok = true;
  deadline_init(r->loop, &r->timer);
  uv_idle_init(r->loop, &r->idle);
  r->timer.timer.data = r->idle.data = r;
  r->handles_ok = true;
}

rdns_t *rdns_new(uv_loop_t *loop, const char *const *servers, size_t nservers, double timeout,
                 char *err, size_t errlen) {
  pthread_once(&lib_once, lib_init);
  if (lib_status != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares init: %s", ares_strerror(lib_status));
    return NULL;
  }
  if (!(timeout > 0)) { snprintf(err, errlen, "rdns: timeout must be positive"); return NULL; }
  size_t cap = nservers * (INET6_ADDRSTRLEN + 16) + 1;
  char *csv = malloc(cap);
  rdns_t *r = calloc(1, sizeof *r);
  if (!csv || !r) { snprintf(err, errlen, "out of memory"); goto fail; }
  rdns_init(r, loop);
  if (servers_csv(servers, nservers, csv, cap, err, errlen) != 0) goto fail;

  struct ares_options o;
  memset(&o, 0, sizeof o);
  o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  double ms = timeout * 1000.0;
  o.timeout = ms < 1 ? 1 : ms > 600000 ? 600000 : (int)ms;
  o.tries = 2;
  o.sock_state_cb = on_sock_state;
  o.sock_state_cb_data = r;
  /* One long-lived UDP socket carries every PTR answer; with thousands of lookups in
   * flight the default 208 KiB buffer overflows between two loop iterations and each lost
   * datagram costs a timeout (the benchmark saw 28 000 drops). The kernel caps this at
   * rmem_max unless the process may raise it. */
  o.socket_receive_buffer_size = 4 << 20;
  int rc = ares_init_options(&r->ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                                         ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF);
  if (rc != ARES_SUCCESS) { snprintf(err, errlen, "c-ares: %s", ares_strerror(rc)); goto fail; }
  r->ch_ok = true;
  if (nservers > 0 && (rc = ares_set_servers_ports_csv(r->ch, csv)) != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares servers '%s': %s", csv, ares_strerror(rc));
    goto fail;
  }
  rdns_start(r);
  free(csv);
  return r;
fail:
  if (r && r->ch_ok) ares_destroy(r->ch);
  free(r);
  free(csv);
  return NULL;
}

rdns_t *rdns_new_via(uv_loop_t *loop, dns_t *dns, char *err, size_t errlen) {
  rdns_t *r = calloc(1, sizeof *r);
  if (!r) { snprintf(err, errlen, "out of memory"); return NULL; }
  rdns_init(r, loop);
  r->dns = dns;
  rdns_start(r);
  return r;
}

int rdns_lookup(rdns_t *r, int family, const uint8_t addr[16], rdns_cb cb, void *arg) {
  char name[80];
  addrkey_t k;
  if (!r || r->closing || !cb || rdns_qname(family, addr, name, sizeof name) != 0 ||
      addrkey_make(&k, family, addr, 128) != 0)
    return -1;
  rdns_query_t *q = calloc(1, sizeof *q);
  if (!q) return -1;
  q->r = r;
  q->cb = cb;
  q->arg = arg;
  ptr_ent_t *e = (ptr_ent_t *)addrmap_find(&r->cache, &k);
  if (e && e->done) {                  /* answered before: delivered from the idle handle */
    r->hits++;
    list_move_tail(&r->lru, &e->lru);
    answer_copy(q, e);
    r->pending++;
    queue_done(r, q);
    return 0;
  }
  if (e) {                             /* the same address is being asked: wait for it */
    r->hits++;
    list_insert_head(&e->waiters, &q->link);
    r->pending++;
    return 0;
  }
  if (!(e = calloc(1, sizeof *e))) { free(q); return -1; }
  e->r = r;
  e->node.key = k;
  e->family = family;
  memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
  list_init(&e->waiters);
  list_init(&e->asking);
  list_insert_head(&e->waiters, &q->link);
  if (addrmap_insert(&r->cache, &e->node) != 0) { free(e); free(q); return -1; }
  r->pending++;
  r->in_ares++;
  if (r->dns) {
    if (dns_query(r->dns, name, 12 /* PTR */, on_dns_answer, e) == 0) {
      list_insert_head(&r->asking, &e->asking);
    } else {                           /* the resolver is closed or stopped: not started */
      r->in_ares--;
      e->error = "server failure";
      ent_answered(r, e);
    }
    return 0;
  }
  /* on_answer may run right here; it only queues, the idle handle delivers. */
  ares_query(r->ch, name, 1 /* C_IN */, 12 /* T_PTR */, on_answer, e);
  arm_timer(r);
  return 0;
}

unsigned long long rdns_cache_hits(const rdns_t *r) { return r ? r->hits : 0; }

static void free_ent(amnode_t *n) { free(n); }

size_t rdns_pending(const rdns_t *r) { return r ? r->pending : 0; }

void rdns_close(rdns_t *r) {
  if (!r || r->closing) return;
  r->closing = true;
  /* Every query still in c-ares completes now with ARES_ECANCELLED (queued, not called);
   * ares_destroy then tells on_sock_state about every socket before closing it. */
  if (r->ch_ok) {
    ares_cancel(r->ch);
    ares_destroy(r->ch);
  }
  r->ch_ok = false;
  /* Through dns_t a lookup cannot be cancelled: its waiters are told "cancelled" now and
   * the entry waits, out of the cache, for the answer dns_close may never give (then
   * rdns_free frees it). */
  for (list_t *n = list_first(&r->asking); n; n = list_next(&r->asking, n)) {
    ptr_ent_t *e = list_entry(n, ptr_ent_t, asking);
    rdns_query_t *q;
    while ((q = list_pop_entry(&e->waiters, rdns_query_t, link))) {
      q->error = "cancelled";
      list_insert_tail(&r->done, &q->link);
    }
    addrmap_remove(&r->cache, &e->node);
    e->r = NULL;
  }
  rdns_sock_t *s;
  while ((s = list_pop_entry(&r->socks, rdns_sock_t, link))) sock_close(s);
  deadline_stop(&r->timer);
  uv_idle_stop(&r->idle);
  deadline_close(&r->timer, NULL);
  uv_close((uv_handle_t *)&r->idle, NULL);
  /* Every query in c-ares has answered (cancelled) above: only cached answers are left. */
  if (r->cache_ok) addrmap_destroy(&r->cache, free_ent);
  r->cache_ok = false;
  list_init(&r->lru);
  r->ncached = 0;
  while (!list_empty(&r->done)) deliver_one(r);
}

void rdns_free(rdns_t *r) {
  if (!r) return;
  /* rdns_close was never called (the loop was stopped at the end of a grace period):
   * ares_destroy answers what c-ares still had (queued, not called), and no callback may
   * run any more, so the lookups not delivered are freed here. */
  if (r->ch_ok) ares_destroy(r->ch);
  ptr_ent_t *e;
  while ((e = list_pop_entry(&r->asking, ptr_ent_t, asking))) {
    if (r->cache_ok && e->r) addrmap_remove(&r->cache, &e->node);
    free(e);
  }
  if (r->cache_ok) addrmap_destroy(&r->cache, free_ent);
  rdns_query_t *q;
  while ((q = list_pop_entry(&r->done, rdns_query_t, link))) free(q);
  free(r);
}
