/* The observation cache (see observe.h). Ownership: the cache owns its entries, an entry
 * its observation and its waiters, an address record its template observation. Entries
 * live in one chained hash table; done entries are also on an LRU list, address records
 * on a FIFO list, both bounded by cache_max. */
#include "scanner/observe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct waiter {
  struct waiter *next;
  smtp_done_cb cb;
  void *arg;
  smtp_result_t res;               /* filled just before the callback */
} waiter_t;

typedef struct entry {
  struct entry *hnext;             /* hash chain */
  struct entry *prev, *next;       /* LRU list (done entries only) */
  observe_t *o;
  uint64_t hash;
  int family;
  uint8_t addr[16];
  bool done;
  waiter_t *waiters, **wtail;      /* in flight: first requester first */
  smtp_result_t obs;               /* done: the observation, unmarked */
  char sni[];
} entry_t;

typedef struct addr_rec {          /* what one address showed, for inference */
  struct addr_rec *hnext;
  struct addr_rec *older, *newer;  /* FIFO */
  uint64_t hash;
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
  entry_t **tab;
  size_t tab_size, nentries;       /* power of two; entries in flight or done */
  entry_t *lru_head, *lru_tail;    /* least recently used first */
  size_t ndone;
  addr_rec_t **atab;
  size_t atab_size, naddrs;
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

static int grow(void ***tab, size_t *size, size_t count, size_t next_off, size_t hash_off) {
  if (*tab && count < *size) return 0;
  size_t nsize = *size ? *size * 2 : 64;
  void **nt = calloc(nsize, sizeof *nt);
  if (!nt) return *tab ? 0 : -1;   /* an overfull table still works, only slower */
  for (size_t i = 0; *tab && i < *size; i++) {
    void *e = (*tab)[i];
    while (e) {
      void **link = (void **)((char *)e + next_off);
      void *next = *link;
      uint64_t h = *(uint64_t *)((char *)e + hash_off);
      *link = nt[h & (nsize - 1)];
      nt[h & (nsize - 1)] = e;
      e = next;
    }
  }
  free(*tab);
  *tab = nt;
  *size = nsize;
  return 0;
}

static entry_t *entry_find(observe_t *o, uint64_t h, int family, const uint8_t *addr, const char *sni) {
  if (!o->tab) return NULL;
  for (entry_t *e = o->tab[h & (o->tab_size - 1)]; e; e = e->hnext)
    if (e->hash == h && same_addr(e->family, e->addr, family, addr) && strcasecmp(e->sni, sni) == 0)
      return e;
  return NULL;
}

static void entry_unlink(observe_t *o, entry_t *e) {
  entry_t **p = &o->tab[e->hash & (o->tab_size - 1)];
  while (*p != e) p = &(*p)->hnext;
  *p = e->hnext;
  o->nentries--;
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
  if (!o->atab) return NULL;
  for (addr_rec_t *a = o->atab[h & (o->atab_size - 1)]; a; a = a->hnext)
    if (a->hash == h && same_addr(a->family, a->addr, family, addr)) return a;
  return NULL;
}

static void addr_free(addr_rec_t *a) {
  smtp_result_free(&a->template);
  free(a->template_sni);
  free(a);
}

static void addr_evict_oldest(observe_t *o) {
  addr_rec_t *a = o->a_oldest;
  addr_rec_t **p = &o->atab[a->hash & (o->atab_size - 1)];
  while (*p != a) p = &(*p)->hnext;
  *p = a->hnext;
  o->a_oldest = a->newer;
  if (o->a_oldest) o->a_oldest->older = NULL; else o->a_newest = NULL;
  o->naddrs--;
  addr_free(a);
}

static addr_rec_t *addr_get(observe_t *o, int family, const uint8_t *addr) {
  uint64_t h = addr_hash(family, addr);
  addr_rec_t *a = addr_find(o, h, family, addr);
  if (a) return a;
  if (o->cfg.cache_max == 0) return NULL;
  while (o->naddrs >= o->cfg.cache_max) addr_evict_oldest(o);
  if (grow((void ***)&o->atab, &o->atab_size, o->naddrs, offsetof(addr_rec_t, hnext),
           offsetof(addr_rec_t, hash)) != 0)
    return NULL;
  a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->hash = h;
  a->family = family;
  memcpy(a->addr, addr, addr_len(family));
  smtp_result_init(&a->template);
  size_t b = h & (o->atab_size - 1);
  a->hnext = o->atab[b];
  o->atab[b] = a;
  a->older = o->a_newest;
  if (o->a_newest) o->a_newest->newer = a; else o->a_oldest = a;
  o->a_newest = a;
  o->naddrs++;
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
    if (o->cfg.cache_max > 0) {
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

  if (grow((void ***)&o->tab, &o->tab_size, o->nentries, offsetof(entry_t, hnext),
           offsetof(entry_t, hash)) != 0)
    return OBSERVE_FAIL;
  size_t n = strlen(sni);
  e = calloc(1, sizeof *e + n + 1);
  if (!e) return OBSERVE_FAIL;
  e->o = o;
  e->hash = h;
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
  size_t b = h & (o->tab_size - 1);
  e->hnext = o->tab[b];
  o->tab[b] = e;
  o->nentries++;
  return OBSERVE_WAIT;
}

/* ---------- life ---------- */

int observe_start_probe(void *probe_arg, int family, const uint8_t addr[16], const char *sni,
                        smtp_done_cb cb, void *cb_arg) {
  const observe_probe_env_t *env = probe_arg;
  /* No judge input: the observation is judged by each requester for its own MX. */
  return smtp_probe_start(env->loop, env->tls, env->opts, family, addr, sni, NULL, NULL, cb, cb_arg);
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
  for (size_t i = 0; o->tab && i < o->tab_size; i++)
    for (entry_t *e = o->tab[i], *n; e; e = n) {
      n = e->hnext;
      if (e->done) entry_free(e);
      else e->o = NULL;   /* its probe still owns it (see on_probe_done) */
    }
  free(o->tab);
  for (addr_rec_t *a = o->a_oldest, *n; a; a = n) {
    n = a->newer;
    addr_free(a);
  }
  free(o->atab);
  free(o);
}

const observe_stats_t *observe_stats(const observe_t *o) { return &o->stats; }

size_t observe_cached(const observe_t *o) { return o->ndone; }
