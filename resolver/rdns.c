/* c-ares on the libuv loop for PTR lookups: see rdns.h for why it is shaped this way. */
#include "resolver/rdns.h"
#include "resolver/dns.h"

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

typedef struct rdns_query rdns_query_t;
typedef struct rdns_sock rdns_sock_t;

struct rdns_sock {              /* one uv_poll_t per socket c-ares wants watched */
  uv_poll_t poll;
  rdns_t *r;
  ares_socket_t fd;
  rdns_sock_t *next;
};

struct rdns_query {
  rdns_t *r;
  rdns_cb cb;
  void *arg;
  int family;
  uint8_t addr[16];
  const char *error;            /* static string, NULL on success / no PTR */
  bool have_name;
  char name[RDNS_NAME_MAX + 1];
  rdns_query_t *next;           /* in the completed list */
};

struct rdns {
  uv_loop_t *loop;
  ares_channel ch;
  bool ch_ok;
  bool closing;
  uv_timer_t timer;
  uv_idle_t idle;
  bool handles_ok;
  rdns_sock_t *socks;
  size_t in_ares;               /* queries c-ares has not answered yet */
  size_t pending;               /* callbacks not called yet */
  rdns_query_t *done_head, *done_tail;
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
  rdns_query_t *q = r->done_head;
  r->done_head = q->next;
  if (!r->done_head) r->done_tail = NULL;
  r->pending--;
  q->cb(q->arg, q->have_name ? q->name : NULL, q->error);
  free(q);
}

static void on_idle(uv_idle_t *h) {
  rdns_t *r = h->data;
  /* Pop one at a time: a callback may start lookups or close the resolver. */
  while (r->done_head) deliver_one(r);
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

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  rdns_query_t *q = arg;
  rdns_t *r = q->r;
  r->in_ares--;
  q->error = status_error(status);
  if (status == ARES_SUCCESS) {
    struct hostent *he = NULL;
    int addrlen = q->family == AF_INET ? 4 : 16;
    int rc = ares_parse_ptr_reply(abuf, alen, q->addr, addrlen, q->family, &he);
    if (rc == ARES_SUCCESS && he && he->h_name) {
      size_t len = strlen(he->h_name);
      if (len > 0 && he->h_name[len - 1] == '.') len--;
      if (len > RDNS_NAME_MAX) {
        q->error = "PTR name too long";
      } else if (len > 0) {
        for (size_t i = 0; i < len; i++) q->name[i] = (char)tolower((unsigned char)he->h_name[i]);
        q->name[len] = '\0';
        q->have_name = true;
      }
    } else {
      q->error = status_error(rc);
    }
    if (he) ares_free_hostent(he);
  }
  q->next = NULL;
  if (r->done_tail) r->done_tail->next = q;
  else r->done_head = q;
  r->done_tail = q;
  if (r->handles_ok && !r->closing) uv_idle_start(&r->idle, on_idle);
}

/* ---- sockets and timeouts ---- */

static void on_timer(uv_timer_t *t);

static void arm_timer(rdns_t *r) {
  if (!r->handles_ok || r->closing) return;
  if (r->in_ares == 0) { uv_timer_stop(&r->timer); return; }
  struct timeval maxtv = { 0, RDNS_TICK_MS * 1000 }, tv;
  struct timeval *t = ares_timeout(r->ch, &maxtv, &tv);
  uint64_t ms = (uint64_t)t->tv_sec * 1000 + (uint64_t)t->tv_usec / 1000;
  if (ms == 0) ms = 1;
  uv_timer_start(&r->timer, on_timer, ms, 0);
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
  rdns_sock_t **pp = &r->socks, *s;
  while ((s = *pp) && s->fd != fd) pp = &s->next;
  if (!readable && !writable) {          /* c-ares is about to close the socket */
    if (s) { *pp = s->next; sock_close(s); }
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
    s->next = r->socks;
    r->socks = s;
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
  r->loop = loop;
  if (servers_csv(servers, nservers, csv, cap, err, errlen) != 0) goto fail;

  struct ares_options o;
  memset(&o, 0, sizeof o);
  o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  double ms = timeout * 1000.0;
  o.timeout = ms < 1 ? 1 : ms > 600000 ? 600000 : (int)ms;
  o.tries = 2;
  o.sock_state_cb = on_sock_state;
  o.sock_state_cb_data = r;
  int rc = ares_init_options(&r->ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                                         ARES_OPT_SOCK_STATE_CB);
  if (rc != ARES_SUCCESS) { snprintf(err, errlen, "c-ares: %s", ares_strerror(rc)); goto fail; }
  r->ch_ok = true;
  if (nservers > 0 && (rc = ares_set_servers_ports_csv(r->ch, csv)) != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares servers '%s': %s", csv, ares_strerror(rc));
    goto fail;
  }
  uv_timer_init(loop, &r->timer);
  uv_idle_init(loop, &r->idle);
  r->timer.data = r->idle.data = r;
  r->handles_ok = true;
  free(csv);
  return r;
fail:
  if (r && r->ch_ok) ares_destroy(r->ch);
  free(r);
  free(csv);
  return NULL;
}

int rdns_lookup(rdns_t *r, int family, const uint8_t addr[16], rdns_cb cb, void *arg) {
  char name[80];
  if (!r || r->closing || !cb || rdns_qname(family, addr, name, sizeof name) != 0) return -1;
  rdns_query_t *q = calloc(1, sizeof *q);
  if (!q) return -1;
  q->r = r;
  q->cb = cb;
  q->arg = arg;
  q->family = family;
  memcpy(q->addr, addr, family == AF_INET ? 4 : 16);
  r->pending++;
  r->in_ares++;
  /* on_answer may run right here; it only queues, the idle handle delivers. */
  ares_query(r->ch, name, 1 /* C_IN */, 12 /* T_PTR */, on_answer, q);
  arm_timer(r);
  return 0;
}

size_t rdns_pending(const rdns_t *r) { return r ? r->pending : 0; }

void rdns_close(rdns_t *r) {
  if (!r || r->closing) return;
  r->closing = true;
  /* Every query still in c-ares completes now with ARES_ECANCELLED (queued, not called);
   * ares_destroy then tells on_sock_state about every socket before closing it. */
  ares_cancel(r->ch);
  ares_destroy(r->ch);
  r->ch_ok = false;
  while (r->socks) {
    rdns_sock_t *s = r->socks;
    r->socks = s->next;
    sock_close(s);
  }
  uv_timer_stop(&r->timer);
  uv_idle_stop(&r->idle);
  uv_close((uv_handle_t *)&r->timer, NULL);
  uv_close((uv_handle_t *)&r->idle, NULL);
  while (r->done_head) deliver_one(r);
}

void rdns_free(rdns_t *r) {
  if (!r) return;
  if (r->ch_ok) ares_destroy(r->ch);   /* rdns_close was never called */
  free(r);
}
