/* The observation cache (see observe.h). Ownership: the cache owns its entries, an entry
 * its observation and its waiters, an address record its template observation. Entries
 * live in one chained hash table; done entries are also on an LRU list, address records
 * on a FIFO list, both bounded by cache_max. */
#include "smtp/observe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A chained hash table of nodes embedded as the first member of their items. */
typedef struct hnode {
  struct hnode *next;
  uint64_t hash;
} hnode_t;

typedef struct htab {
  hnode_t **b;
  size_t size, count;              /* size: a power of two */
} htab_t;

typedef struct waiter {
  struct waiter *next;
  smtp_done_cb cb;
  void *arg;
  smtp_result_t res;               /* filled just before the callback */
} waiter_t;

typedef struct entry {
  hnode_t node;                    /* first: the table's link */
  struct entry *prev, *next;       /* LRU list (done entries only) */
  observe_t *o;
  int family;
  uint8_t addr[16];
  bool done;
  waiter_t *waiters, **wtail;      /* in flight: first requester first */
  smtp_result_t obs;               /* done: the observation, unmarked */
  char sni[];
} entry_t;

typedef struct addr_rec {          /* what one address showed, for inference */
  hnode_t node;                    /* first: the table's link */
  struct addr_rec *older, *newer;  /* FIFO */
  int family;
  uint8_t addr[16];
  bool conflict;                   /* two leaves, or a TLS failure among successes */
  bool have_leaf;
  char leaf[65];
  int nsni;                        /* distinct names seen (up to infer_min) */
  uint64_t sni_hash[OBSERVE_INFER_MAX];
  bool have_template;
  smtp_result_t template;          /* the latest TLS observation with that leaf */
  char *template_sni;
} addr_rec_t;

struct observe {
  observe_config_t cfg;
  observe_probe_fn probe;
  void *probe_arg;
  htab_t entries;                  /* in flight or done */
  entry_t *lru_head, *lru_tail;    /* least recently used first */
  size_t ndone;
  htab_t addrs;
  addr_rec_t *a_oldest, *a_newest;
  observe_stats_t stats;
};

/* ---------- keys ---------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 1099511628211ULL; }
  return h;
}

static size_t addr_len(int family) { return family == AF_INET ? 4 : 16; }

static uint64_t addr_hash(int family, const uint8_t addr[16]) {
  uint8_t f = (uint8_t)family;
  return fnv(fnv(14695981039346656037ULL, &f, 1), addr, addr_len(family));
}

/* SNI names compare without case (DNS names). */
static uint64_t sni_hash(uint64_t h, const char *sni) {
  for (; *sni; sni++) {
    uint8_t c = (uint8_t)*sni;
    if (c >= 'A' && c <= 'Z') c = (uint8_t)(c - 'A' + 'a');
    h = fnv(h, &c, 1);
  }
  return h;
}

static bool same_addr(int fa, const uint8_t *a, int fb, const uint8_t *b) {
  return fa == fb && memcmp(a, b, addr_len(fa)) == 0;
}

/* ---------- tables ---------- */

/* Doubles the table once it holds as many items as buckets. An allocation failure
 * leaves it as it was: overfull works, only slower (the first one must succeed). */
static int htab_reserve(htab_t *t) {
  if (t->b && t->count < t->size) return 0;
  size_t nsize = t->size ? t->size * 2 : 64;
  hnode_t **nb = calloc(nsize, sizeof *nb);
  if (!nb) return t->b ? 0 : -1;
  for (size_t i = 0; t->b && i < t->size; i++)
    for (hnode_t *n = t->b[i], *next; n; n = next) {
      next = n->next;
      n->next = nb[n->hash & (nsize - 1)];
      nb[n->hash & (nsize - 1)] = n;
    }
  free(t->b);
  t->b = nb;
  t->size = nsize;
  return 0;
}

/* After htab_reserve. */
static void htab_insert(htab_t *t, hnode_t *n, uint64_t hash) {
  n->hash = hash;
  hnode_t **head = &t->b[hash & (t->size - 1)];
  n->next = *head;
  *head = n;
  t->count++;
}

static void htab_remove(htab_t *t, hnode_t *n) {
  hnode_t **p = &t->b[n->hash & (t->size - 1)];
  while (*p != n) p = &(*p)->next;
  *p = n->next;
  t->count--;
}

static hnode_t *htab_bucket(const htab_t *t, uint64_t hash) {
  return t->b ? t->b[hash & (t->size - 1)] : NULL;
}

static entry_t *entry_find(observe_t *o, uint64_t h, int family, const uint8_t *addr, const char *sni) {
  for (hnode_t *n = htab_bucket(&o->entries, h); n; n = n->next) {
    entry_t *e = (entry_t *)n;
    if (n->hash == h && same_addr(e->family, e->addr, family, addr) && strcasecmp(e->sni, sni) == 0)
      return e;
  }
  return NULL;
}

static void entry_unlink(observe_t *o, entry_t *e) {
  htab_remove(&o->entries, &e->node);
  if (e->done) {
    if (e->prev) e->prev->next = e->next; else o->lru_head = e->next;
    if (e->next) e->next->prev = e->prev; else o->lru_tail = e->prev;
    o->ndone--;
  }
}

static void lru_append(observe_t *o, entry_t *e) {
  e->next = NULL;
  e->prev = o->lru_tail;
  if (o->lru_tail) o->lru_tail->next = e; else o->lru_head = e;
  o->lru_tail = e;
}

static void lru_touch(observe_t *o, entry_t *e) {
  if (o->lru_tail == e) return;
  if (e->prev) e->prev->next = e->next; else o->lru_head = e->next;
  e->next->prev = e->prev;
  lru_append(o, e);
}

static void entry_free(entry_t *e) {
  for (waiter_t *w = e->waiters, *n; w; w = n) {
    n = w->next;
    smtp_result_free(&w->res);
    free(w);
  }
  smtp_result_free(&e->obs);
  free(e);
}

static addr_rec_t *addr_find(observe_t *o, uint64_t h, int family, const uint8_t *addr) {
  for (hnode_t *n = htab_bucket(&o->addrs, h); n; n = n->next) {
    addr_rec_t *a = (addr_rec_t *)n;
    if (n->hash == h && same_addr(a->family, a->addr, family, addr)) return a;
  }
  return NULL;
}

static void addr_free(addr_rec_t *a) {
  smtp_result_free(&a->template);
  free(a->template_sni);
  free(a);
}

static void addr_evict_oldest(observe_t *o) {
  addr_rec_t *a = o->a_oldest;
  htab_remove(&o->addrs, &a->node);
  o->a_oldest = a->newer;
  if (o->a_oldest) o->a_oldest->older = NULL; else o->a_newest = NULL;
  addr_free(a);
}

static addr_rec_t *addr_get(observe_t *o, int family, const uint8_t *addr) {
  uint64_t h = addr_hash(family, addr);
  addr_rec_t *a = addr_find(o, h, family, addr);
  if (a) return a;
  if (o->cfg.cache_max == 0) return NULL;
  while (o->addrs.count >= o->cfg.cache_max) addr_evict_oldest(o);
  if (htab_reserve(&o->addrs) != 0) return NULL;
  a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->family = family;
  memcpy(a->addr, addr, addr_len(family));
  smtp_result_init(&a->template);
  htab_insert(&o->addrs, &a->node, h);
  a->older = o->a_newest;
  if (o->a_newest) o->a_newest->newer = a; else o->a_oldest = a;
  o->a_newest = a;
  return a;
}

/* ---------- inference ---------- */

bool observe_may_infer(int infer_min, int nsni, bool conflict) {
  return infer_min > 0 && !conflict && nsni >= infer_min;
}

/* Learns from one finished observation of (addr, sni). */
static void addr_learn(observe_t *o, const entry_t *e) {
  const smtp_result_t *r = &e->obs;
  bool tls_ok = r->have_tls && r->tls.have_cert;
  /* A handshake that failed after STARTTLS was accepted may depend on the name; failures
   * before TLS (connect, banner, EHLO) say nothing about names and teach nothing. */
  bool tls_failed = !r->have_tls && r->err_stage && strcmp(r->err_stage, "tls") == 0;
  if (!tls_ok && !tls_failed) return;
  addr_rec_t *a = addr_get(o, e->family, e->addr);
  if (!a || a->conflict) return;
  if (tls_failed || (a->have_leaf && strcmp(a->leaf, r->tls.cert.sha256) != 0)) {
    a->conflict = true;            /* for good: this address answers per name */
    smtp_result_free(&a->template);
    a->have_template = false;
    return;
  }
  a->have_leaf = true;
  snprintf(a->leaf, sizeof a->leaf, "%s", r->tls.cert.sha256);
  uint64_t sh = sni_hash(14695981039346656037ULL, e->sni);
  bool seen = false;
  for (int i = 0; i < a->nsni && !seen; i++) seen = a->sni_hash[i] == sh;
  if (!seen && a->nsni < o->cfg.infer_min && a->nsni < OBSERVE_INFER_MAX) a->sni_hash[a->nsni++] = sh;
  /* Keep the latest observation as the one to reuse. */
  smtp_result_t copy;
  char *sni = strdup(e->sni);
  if (!sni || smtp_result_copy(&copy, r) != 0) { free(sni); return; }
  smtp_result_free(&a->template);
  free(a->template_sni);
  a->template = copy;
  a->template_sni = sni;
  a->have_template = true;
}

/* An inferred answer for a name never probed on this address, or false. */
static bool try_infer(observe_t *o, int family, const uint8_t *addr, smtp_result_t *out) {
  if (o->cfg.infer_min <= 0) return false;
  addr_rec_t *a = addr_find(o, addr_hash(family, addr), family, addr);
  if (!a || !a->have_template || !observe_may_infer(o->cfg.infer_min, a->nsni, a->conflict))
    return false;
  if (smtp_result_copy(out, &a->template) != 0) return false;
  out->inferred = true;
  out->shared = false;
  free(out->inferred_from);
  out->inferred_from = strdup(a->template_sni);
  if (!out->inferred_from) { smtp_result_free(out); return false; }
  return true;
}

/* ---------- requests ---------- */

static void on_probe_done(void *arg, smtp_result_t *res) {
  entry_t *e = arg;
  observe_t *o = e->o;
  e->obs = *res;
  smtp_result_init(res);
  waiter_t *ws = e->waiters;
  e->waiters = NULL;
  e->wtail = &e->waiters;

  /* Copies for every waiter first: the callbacks may start new requests (the scan pulls
   * new domains), which may evict this very entry. */
  for (waiter_t *w = ws; w; w = w->next) {
    if (smtp_result_copy(&w->res, &e->obs) != 0) {
      smtp_result_init(&w->res);
      w->res.connect = "not-attempted";
      smtp_result_set_error(&w->res, "connect", "out of memory copying a shared observation");
    }
    w->res.shared = w != ws;
  }
  bool keep = false;
  if (o != NULL) {             /* NULL: the cache was freed while this probe ran */
    if (o->cfg.infer_min > 0) addr_learn(o, e);
    /* A chain this large is a hostile or broken server's (real chains are 2-8 KiB):
     * shared with the requests already waiting, never kept, so such servers cannot fill
     * the cache's memory (cache_max entries of up to 100 KiB each). */
    bool small = !e->obs.have_tls || tls_result_chain_bytes(&e->obs.tls) <= OBSERVE_KEEP_CHAIN_MAX;
    if (o->cfg.cache_max > 0 && small) {
      keep = true;
      e->done = true;
      lru_append(o, e);
      o->ndone++;
      while (o->ndone > o->cfg.cache_max) {
        entry_t *old = o->lru_head;
        entry_unlink(o, old);
        entry_free(old);
        o->stats.evicted++;
      }
    } else {
      entry_unlink(o, e);
    }
  }
  if (!keep) entry_free(e);
  for (waiter_t *w = ws, *n; w; w = n) {
    n = w->next;
    w->cb(w->arg, &w->res);
    smtp_result_free(&w->res);   /* whatever the callback left behind */
    free(w);
  }
}

static int add_waiter(entry_t *e, smtp_done_cb cb, void *arg) {
  waiter_t *w = calloc(1, sizeof *w);
  if (!w) return -1;
  w->cb = cb;
  w->arg = arg;
  smtp_result_init(&w->res);
  *e->wtail = w;
  e->wtail = &w->next;
  return 0;
}

int observe_request(observe_t *o, int family, const uint8_t addr[16], const char *sni,
                    smtp_result_t *out, smtp_done_cb cb, void *arg) {
  o->stats.requests++;
  if (!o->cfg.share) {
    if (o->probe(o->probe_arg, family, addr, sni, cb, arg) != 0) return OBSERVE_FAIL;
    o->stats.probes++;
    return OBSERVE_WAIT;
  }
  uint64_t h = sni_hash(addr_hash(family, addr), sni);
  entry_t *e = entry_find(o, h, family, addr, sni);
  if (e && e->done) {
    if (smtp_result_copy(out, &e->obs) != 0) return OBSERVE_FAIL;
    out->shared = true;
    lru_touch(o, e);
    o->stats.shared++;
    return OBSERVE_HIT;
  }
  if (e) {
    if (add_waiter(e, cb, arg) != 0) return OBSERVE_FAIL;
    o->stats.shared++;
    return OBSERVE_WAIT;
  }
  if (try_infer(o, family, addr, out)) {
    o->stats.inferred++;
    return OBSERVE_HIT;
  }

  if (htab_reserve(&o->entries) != 0) return OBSERVE_FAIL;
  size_t n = strlen(sni);
  e = calloc(1, sizeof *e + n + 1);
  if (!e) return OBSERVE_FAIL;
  e->o = o;
  e->family = family;
  memcpy(e->addr, addr, addr_len(family));
  memcpy(e->sni, sni, n + 1);
  e->wtail = &e->waiters;
  smtp_result_init(&e->obs);
  if (add_waiter(e, cb, arg) != 0) { free(e); return OBSERVE_FAIL; }
  if (o->probe(o->probe_arg, family, addr, sni, on_probe_done, e) != 0) {
    entry_free(e);
    return OBSERVE_FAIL;
  }
  o->stats.probes++;
  htab_insert(&o->entries, &e->node, h);
  return OBSERVE_WAIT;
}

/* ---------- life ---------- */

int observe_start_probe(void *probe_arg, int family, const uint8_t addr[16], const char *sni,
                        smtp_done_cb cb, void *cb_arg) {
  const observe_probe_env_t *env = probe_arg;
  /* No judge input: the observation is judged by each requester for its own MX. */
  return sched_probe(env->sched, env->loop, env->tls, env->opts, family, addr, sni, cb, cb_arg);
}

observe_t *observe_new(const observe_config_t *cfg, observe_probe_fn fn, void *probe_arg) {
  observe_t *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->cfg = *cfg;
  if (o->cfg.infer_min > OBSERVE_INFER_MAX) o->cfg.infer_min = OBSERVE_INFER_MAX;
  if (o->cfg.infer_min < 0 || !o->cfg.share) o->cfg.infer_min = 0;
  o->probe = fn ? fn : observe_start_probe;
  o->probe_arg = probe_arg;
  return o;
}

void observe_free(observe_t *o) {
  if (!o) return;
  for (size_t i = 0; i < o->entries.size; i++)
    for (hnode_t *n = o->entries.b[i], *next; n; n = next) {
      next = n->next;
      entry_t *e = (entry_t *)n;
      if (e->done) entry_free(e);
      else e->o = NULL;   /* its probe still owns it (see on_probe_done) */
    }
  free(o->entries.b);
  for (addr_rec_t *a = o->a_oldest, *n; a; a = n) {
    n = a->newer;
    addr_free(a);
  }
  free(o->addrs.b);
  free(o);
}

const observe_stats_t *observe_stats(const observe_t *o) { return &o->stats; }

size_t observe_cached(const observe_t *o) { return o->ndone; }
