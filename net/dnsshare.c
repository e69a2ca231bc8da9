/* Identical queries joined, answers kept (see dnsshare.h for the rules and why).
 *
 * One entry per (name, type) asked, in a hashmap keyed by the name's bytes and the type's
 * two octets. An entry is either PENDING (its query is in flight, callers wait on it) or
 * KEPT (a copy of a cacheable answer, until it expires or is evicted). Callers waiting on
 * a kept entry are delivered by a zero timer from the loop's next turn.
 *
 * Ownership: the map owns pointers to entries; an entry leaves the map when its answer is
 * not kept, expires or is evicted (it is then "gone"), and is freed when it is gone, not
 * being delivered (pins) and has nobody waiting. Callbacks may call dnsshare_query (and
 * dns_close, hence dnsshare_close) re-entrantly: every walk snapshots its list first and
 * holds a pin on the entry it delivers from. */
#include "net/dnsshare.h"
#include "lib/hashmap.h"
#include "lib/list.h"

#include <stdlib.h>
#include <string.h>

typedef struct waiter {
  dns_cb cb;
  void *arg;
  struct waiter *next;
} waiter_t;

typedef struct entry {
  dnsshare_t *s;
  char qname[DNS_QNAME_MAX + 1];
  int qtype;
  bool kept, gone;
  unsigned pins;
  waiter_t *head, **tail;   /* waiting callers, in the order they asked */
  list_t kept_link;         /* s->kept, oldest first */
  list_t ready_link;        /* s->ready: kept, with callers to deliver */
  bool in_ready;
  uint64_t expires;         /* loop ms */
  size_t bytes;
  /* the kept answer */
  enum dns_outcome outcome;
  enum dnssec_state dnssec;
  int rcode, ttl;
  char *canonname, *soa_rname;
  dns_sigexp_t sig;
  size_t count;
  uint8_t **data;
  int *len;
} entry_t;

struct dnsshare {
  uv_loop_t *loop;
  hashmap_t map;            /* key -> entry_t * */
  list_t kept, ready;
  uv_timer_t timer;
  bool timer_ok, closed;
  size_t max_bytes;
  dnsshare_send_fn send;
  void *ctx;
  dnsshare_stats_t st;
};

bool dnsshare_cacheable(const dns_answer_t *a) {
  if (a->outcome != DNS_DATA && a->outcome != DNS_NODATA && a->outcome != DNS_NXDOMAIN) return false;
  if (a->dnssec != DNSSEC_SECURE && a->dnssec != DNSSEC_INSECURE) return false;
  if (a->reason) return false;      /* a note on the answer (e.g. a socket failure): ask again */
  if (a->outcome == DNS_DATA && (a->count == 0 || !a->data || !a->len)) return false;
  return a->ttl > 0;
}

static size_t key_make(char *key, const char *name, int qtype) {
  size_t l = strlen(name);
  memcpy(key, name, l);
  key[l] = (char)(qtype >> 8 & 0xff);
  key[l + 1] = (char)(qtype & 0xff);
  return l + 2;
}

static void entry_free(entry_t *e) {
  for (size_t i = 0; e->data && i < e->count; i++) free(e->data[i]);
  free(e->data);
  free(e->len);
  free(e->canonname);
  free(e->soa_rname);
  free(e);
}

static void maybe_free(entry_t *e) {
  if (e->gone && !e->pins && !e->head && !e->in_ready) entry_free(e);
}

/* Out of the map (and of the kept list): later callers make a new entry. */
static void entry_gone(entry_t *e) {
  dnsshare_t *s = e->s;
  if (e->gone) return;
  char key[DNS_QNAME_MAX + 3];
  size_t kl = key_make(key, e->qname, e->qtype);
  hashmap_del(&s->map, key, kl);
  e->gone = true;
  if (e->kept) {
    list_remove(&e->kept_link);
    s->st.bytes -= e->bytes;
  }
}

static char *dup_or_null(const char *p) { return p ? strdup(p) : NULL; }

/* Copies a cacheable answer into e. false: out of memory (nothing kept, e unchanged). */
static bool keep_copy(entry_t *e, const dns_answer_t *a) {
  size_t bytes = sizeof *e;
  uint8_t **data = NULL;
  int *len = NULL;
  char *canon = dup_or_null(a->canonname), *rname = dup_or_null(a->soa_rname);
  bool ok = (!a->canonname || canon) && (!a->soa_rname || rname);
  if (ok && a->outcome == DNS_DATA) {
    data = calloc(a->count, sizeof *data);
    len = calloc(a->count, sizeof *len);
    ok = data && len;
    for (size_t i = 0; ok && i < a->count; i++) {
      size_t n = a->len[i] > 0 ? (size_t)a->len[i] : 0;
      if (!(data[i] = malloc(n ? n : 1))) { ok = false; break; }
      if (n) memcpy(data[i], a->data[i], n);
      len[i] = a->len[i];
      bytes += n + sizeof *data + sizeof *len;
    }
  }
  if (!ok) {
    for (size_t i = 0; data && i < a->count; i++) free(data[i]);
    free(data);
    free(len);
    free(canon);
    free(rname);
    return false;
  }
  e->outcome = a->outcome;
  e->dnssec = a->dnssec;
  e->rcode = a->rcode;
  e->ttl = a->ttl;
  e->canonname = canon;
  e->soa_rname = rname;
  e->sig = a->sig;
  e->count = a->outcome == DNS_DATA ? a->count : 0;
  e->data = data;
  e->len = len;
  e->bytes = bytes + (canon ? strlen(canon) : 0) + (rname ? strlen(rname) : 0);
  return true;
}

static void answer_of(const entry_t *e, dns_answer_t *a) {
  memset(a, 0, sizeof *a);
  a->qname = e->qname;
  a->qtype = e->qtype;
  a->outcome = e->outcome;
  a->dnssec = e->dnssec;
  a->rcode = e->rcode;
  a->canonname = e->canonname;
  a->ttl = e->ttl;
  a->count = e->count;
  a->data = e->data;
  a->len = e->len;
  a->sig = e->sig;
  a->soa_rname = e->soa_rname;
}

/* Calls every waiter of the snapshot w with a; stops (freeing the rest) once closed. */
static void deliver_list(dnsshare_t *s, waiter_t *w, const dns_answer_t *a) {
  while (w) {
    waiter_t *n = w->next;
    if (!s->closed) w->cb(w->arg, a);
    free(w);
    w = n;
  }
}

static waiter_t *take_waiters(entry_t *e) {
  waiter_t *w = e->head;
  e->head = NULL;
  e->tail = &e->head;
  return w;
}

static void evict(dnsshare_t *s) {
  entry_t *e;
  while (s->st.bytes > s->max_bytes && (e = list_first_entry(&s->kept, entry_t, kept_link))) {
    entry_gone(e);
    s->st.evicted++;
    maybe_free(e);
  }
}

/* The shared query's answer. */
static void on_answer(void *arg, const dns_answer_t *a) {
  entry_t *e = arg;
  dnsshare_t *s = e->s;
  waiter_t *w = take_waiters(e);
  if (!s->closed && s->max_bytes && dnsshare_cacheable(a) && keep_copy(e, a)) {
    int ttl = a->ttl > DNSSHARE_TTL_MAX ? DNSSHARE_TTL_MAX : a->ttl;
    e->kept = true;
    e->expires = uv_now(s->loop) + (uint64_t)ttl * 1000;
    list_insert_tail(&s->kept, &e->kept_link);
    s->st.bytes += e->bytes;
    s->st.kept++;
    e->pins++;                /* not evicted while its own callers run */
    evict(s);
    e->pins--;
  } else {
    entry_gone(e);
  }
  e->pins++;
  deliver_list(s, w, a);      /* the resolver's answer itself, to everyone who asked */
  e->pins--;
  maybe_free(e);
}

static void on_timer(uv_timer_t *t) {
  dnsshare_t *s = t->data;
  list_t batch;
  list_init(&batch);
  /* callers that ask during these callbacks are delivered on a later turn */
  while (!list_empty(&s->ready)) {
    entry_t *e = list_pop_entry(&s->ready, entry_t, ready_link);
    list_insert_tail(&batch, &e->ready_link);
  }
  entry_t *e;
  while ((e = list_pop_entry(&batch, entry_t, ready_link))) {
    e->in_ready = false;
    waiter_t *w = take_waiters(e);
    dns_answer_t a;
    answer_of(e, &a);
    e->pins++;
    deliver_list(s, w, &a);
    e->pins--;
    maybe_free(e);
    if (s->closed) {        /* dns_close from a callback: the rest are dropped */
      while ((e = list_pop_entry(&batch, entry_t, ready_link))) {
        e->in_ready = false;
        deliver_list(s, take_waiters(e), NULL);
        maybe_free(e);
      }
    }
  }
}

static int add_waiter(entry_t *e, dns_cb cb, void *arg) {
  waiter_t *w = malloc(sizeof *w);
  if (!w) return -1;
  w->cb = cb;
  w->arg = arg;
  w->next = NULL;
  *e->tail = w;
  e->tail = &w->next;
  return 0;
}

dnsshare_t *dnsshare_new(uv_loop_t *loop, size_t max_bytes, dnsshare_send_fn send, void *ctx) {
  dnsshare_t *s = calloc(1, sizeof *s);
  if (!s || hashmap_init(&s->map, sizeof(entry_t *)) != 0) { free(s); return NULL; }
  s->loop = loop;
  s->max_bytes = max_bytes;
  s->send = send;
  s->ctx = ctx;
  list_init(&s->kept);
  list_init(&s->ready);
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  s->timer_ok = true;
  return s;
}

int dnsshare_query(dnsshare_t *s, const char *name, int rrtype, dns_cb cb, void *arg) {
  size_t l = strlen(name);
  if (s->closed || l > DNS_QNAME_MAX) return -1;
  char key[DNS_QNAME_MAX + 3];
  size_t kl = key_make(key, name, rrtype);
  entry_t **slot = hashmap_get(&s->map, key, kl), *e = slot ? *slot : NULL;
  if (e && e->kept && uv_now(s->loop) >= e->expires) {
    entry_gone(e);              /* expired: asked again */
    maybe_free(e);
    e = NULL;
  }
  if (e) {
    if (add_waiter(e, cb, arg) != 0) return -1;
    s->st.queries++;
    if (e->kept) {
      s->st.hits++;
      if (!e->in_ready) {
        e->in_ready = true;
        list_insert_tail(&s->ready, &e->ready_link);
      }
      if (!uv_is_active((uv_handle_t *)&s->timer)) uv_timer_start(&s->timer, on_timer, 0, 0);
    } else {
      s->st.joined++;
    }
    return 0;
  }
  if (!(e = calloc(1, sizeof *e))) return -1;
  e->s = s;
  memcpy(e->qname, name, l + 1);
  e->qtype = rrtype;
  e->tail = &e->head;
  void *val;
  if (add_waiter(e, cb, arg) != 0 || hashmap_put(&s->map, key, kl, &val) != 1) {
    free(e->head);
    free(e);
    return -1;
  }
  *(entry_t **)val = e;
  if (s->send(s->ctx, name, rrtype, on_answer, e) != 0) {
    entry_gone(e);
    free(take_waiters(e));
    maybe_free(e);
    return -1;
  }
  s->st.queries++;
  s->st.sent++;
  return 0;
}

void dnsshare_close(dnsshare_t *s) {
  if (!s || s->closed) return;
  s->closed = true;
  /* Entries whose query is in flight stay: the query underneath is dropped by dns_close
   * without a callback, so dnsshare_free frees them. */
  entry_t *e;
  while ((e = list_pop_entry(&s->ready, entry_t, ready_link))) {
    e->in_ready = false;
    deliver_list(s, take_waiters(e), NULL);
    maybe_free(e);
  }
  if (s->timer_ok) {
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, NULL);
    s->timer_ok = false;
  }
}

void dnsshare_free(dnsshare_t *s) {
  if (!s) return;
  size_t pos = 0;
  entry_t **v;
  while ((v = hashmap_next(&s->map, &pos, NULL, NULL))) {
    entry_t *e = *v;
    deliver_list(s, take_waiters(e), NULL);
    entry_free(e);
  }
  hashmap_free(&s->map);
  free(s);
}

dnsshare_stats_t dnsshare_stats(const dnsshare_t *s) { return s->st; }
