/* The observation cache (see observe.h). Ownership: the cache owns its entries, an entry
 * its observation and its waiters, an address record its template observation. Entries
 * are found through one lib/hashmap (key: family, address, SNI in lower case), address
 * records through another (key: family, address); done entries are also on an LRU list,
 * address records on a FIFO list (lib/list), both bounded by cache_max. */
#include "smtp/observe.h"
#include "lib/hashmap.h"
#include "lib/list.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct waiter {
  list_t link;                     /* in its entry's waiters, first requester first */
  smtp_done_cb cb;
  void *arg;
  smtp_result_t res;               /* filled just before the callback */
} waiter_t;

typedef struct entry {
  list_t lru;                      /* LRU list (done entries only) */
  observe_t *o;
  int family;
  uint8_t addr[16];
  bool done;
  list_t waiters;                  /* in flight: waiter_t */
  smtp_result_t obs;               /* done: the observation, unmarked */
  size_t klen;                     /* the map key, after sni */
  char sni[];                      /* sni, NUL, then the key */
} entry_t;

typedef struct addr_rec {          /* what one address showed, for inference */
  list_t fifo;                     /* oldest first */
  int family;
  uint8_t addr[16];
  size_t klen;
  uint8_t key[17];                 /* the map key */
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
  hashmap_t entries;               /* key -> entry_t *, in flight or done */
  list_t lru;                      /* done entries, least recently used first */
  size_t ndone;
  hashmap_t addrs;                 /* key -> addr_rec_t * */
  list_t afifo;                    /* address records, oldest first */
  observe_stats_t stats;
};

/* ---------- keys ---------- */

static size_t addr_len(int family) { return family == AF_INET ? 4 : 16; }

/* The key of (family, addr[, sni]): the family byte, the address, the SNI name in lower
 * case (DNS names compare without case). Built on the stack, on the heap when the name is
 * unusually long. */
typedef struct okey {
  uint8_t *p;
  size_t len;
  uint8_t buf[320];
} okey_t;

static int key_make(okey_t *k, int family, const uint8_t *addr, const char *sni) {
  size_t al = addr_len(family), sl = sni ? strlen(sni) : 0;
  k->len = 1 + al + sl;
  k->p = k->len <= sizeof k->buf ? k->buf : malloc(k->len);
  if (!k->p) return -1;
  k->p[0] = (uint8_t)family;
  memcpy(k->p + 1, addr, al);
  for (size_t i = 0; i < sl; i++) {
    uint8_t c = (uint8_t)sni[i];
    k->p[1 + al + i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
  }
  return 0;
}

static void key_done(okey_t *k) {
  if (k->p != k->buf) free(k->p);
}

static const uint8_t *entry_key(const entry_t *e) {
  return (const uint8_t *)e->sni + strlen(e->sni) + 1;
}

/* ---------- tables ---------- */

static entry_t *entry_find(observe_t *o, const okey_t *k) {
  entry_t *const *v = hashmap_get(&o->entries, k->p, k->len);
  return v ? *v : NULL;
}

static void entry_unlink(observe_t *o, entry_t *e) {
  hashmap_del(&o->entries, entry_key(e), e->klen);
  if (e->done) {
    list_remove(&e->lru);
    o->ndone--;
  }
}

static void entry_free(entry_t *e) {
  waiter_t *w;
  while ((w = list_pop_entry(&e->waiters, waiter_t, link))) {
    smtp_result_free(&w->res);
    free(w);
  }
  smtp_result_free(&e->obs);
  free(e);
}

static addr_rec_t *addr_find(observe_t *o, int family, const uint8_t *addr) {
  okey_t k;
  key_make(&k, family, addr, NULL);          /* short: never allocates */
  addr_rec_t *const *v = hashmap_get(&o->addrs, k.p, k.len);
  return v ? *v : NULL;
}

static void addr_free(addr_rec_t *a) {
  smtp_result_free(&a->template);
  free(a->template_sni);
  free(a);
}

static void addr_evict_oldest(observe_t *o) {
  addr_rec_t *a = list_pop_entry(&o->afifo, addr_rec_t, fifo);
  hashmap_del(&o->addrs, a->key, a->klen);
  addr_free(a);
}

static addr_rec_t *addr_get(observe_t *o, int family, const uint8_t *addr) {
  addr_rec_t *a = addr_find(o, family, addr);
  if (a) return a;
  if (o->cfg.cache_max == 0) return NULL;
  while (hashmap_count(&o->addrs) >= o->cfg.cache_max) addr_evict_oldest(o);
  a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->family = family;
  memcpy(a->addr, addr, addr_len(family));
  okey_t k;
  key_make(&k, family, addr, NULL);
  memcpy(a->key, k.p, k.len);
  a->klen = k.len;
  smtp_result_init(&a->template);
  void *v;
  if (hashmap_put(&o->addrs, a->key, a->klen, &v) < 0) { free(a); return NULL; }
  memcpy(v, &a, sizeof a);
  list_insert_tail(&o->afifo, &a->fifo);
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
  bool tls_failed = !r->have_tls && r->err_stage == SMTP_STAGE_TLS;
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
  /* Distinct names by their keyed hash (a collision would only delay inference). */
  uint64_t sh = hashmap_hash(&o->entries, entry_key(e), e->klen);
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
  addr_rec_t *a = addr_find(o, family, addr);
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
  list_t ws;                   /* the waiters, taken off the entry */
  list_init(&ws);
  list_splice_tail(&ws, &e->waiters);

  /* Copies for every waiter first: the callbacks may start new requests (the scan pulls
   * new domains), which may evict this very entry. */
  for (list_t *n = list_first(&ws); n; n = list_next(&ws, n)) {
    waiter_t *w = list_entry(n, waiter_t, link);
    if (smtp_result_copy(&w->res, &e->obs) != 0) {
      smtp_result_init(&w->res);
      w->res.connect = SMTP_CONNECT_NOT_ATTEMPTED;
      smtp_result_set_error(&w->res, SMTP_STAGE_CONNECT, "out of memory copying a shared observation");
    }
    w->res.shared = n != list_first(&ws);
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
      list_insert_tail(&o->lru, &e->lru);
      o->ndone++;
      while (o->ndone > o->cfg.cache_max) {
        entry_t *old = list_first_entry(&o->lru, entry_t, lru);
        entry_unlink(o, old);
        entry_free(old);
        o->stats.evicted++;
      }
    } else {
      entry_unlink(o, e);
    }
  }
  if (!keep) entry_free(e);
  waiter_t *w;
  while ((w = list_pop_entry(&ws, waiter_t, link))) {
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
  list_insert_tail(&e->waiters, &w->link);
  return 0;
}

static int request(observe_t *o, const okey_t *k, int family, const uint8_t addr[16],
                   const char *sni, smtp_result_t *out, smtp_done_cb cb, void *arg);

int observe_request(observe_t *o, int family, const uint8_t addr[16], const char *sni,
                    smtp_result_t *out, smtp_done_cb cb, void *arg) {
  o->stats.requests++;
  if (!o->cfg.share) {
    if (o->probe(o->probe_arg, family, addr, sni, cb, arg) != 0) return OBSERVE_FAIL;
    o->stats.probes++;
    return OBSERVE_WAIT;
  }
  okey_t k;
  if (key_make(&k, family, addr, sni) != 0) return OBSERVE_FAIL;
  int rc = request(o, &k, family, addr, sni, out, cb, arg);
  key_done(&k);
  return rc;
}

static int request(observe_t *o, const okey_t *k, int family, const uint8_t addr[16],
                   const char *sni, smtp_result_t *out, smtp_done_cb cb, void *arg) {
  entry_t *e = entry_find(o, k);
  if (e && e->done) {
    if (smtp_result_copy(out, &e->obs) != 0) return OBSERVE_FAIL;
    out->shared = true;
    list_move_tail(&o->lru, &e->lru);
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

  size_t n = strlen(sni);
  e = calloc(1, sizeof *e + n + 1 + k->len);
  if (!e) return OBSERVE_FAIL;
  e->o = o;
  e->family = family;
  memcpy(e->addr, addr, addr_len(family));
  memcpy(e->sni, sni, n + 1);
  memcpy(e->sni + n + 1, k->p, k->len);
  e->klen = k->len;
  list_init(&e->waiters);
  smtp_result_init(&e->obs);
  /* In the map before the probe starts (which cannot be undone), so that nothing can
   * fail after it. */
  void *v;
  if (add_waiter(e, cb, arg) != 0 || hashmap_put(&o->entries, k->p, k->len, &v) < 0) {
    entry_free(e);
    return OBSERVE_FAIL;
  }
  memcpy(v, &e, sizeof e);
  if (o->probe(o->probe_arg, family, addr, sni, on_probe_done, e) != 0) {
    hashmap_del(&o->entries, k->p, k->len);
    entry_free(e);
    return OBSERVE_FAIL;
  }
  o->stats.probes++;
  return OBSERVE_WAIT;
}

/* ---------- life ---------- */

int observe_start_probe(void *probe_arg, int family, const uint8_t addr[16], const char *sni,
                        smtp_done_cb cb, void *cb_arg) {
  const observe_probe_env_t *env = probe_arg;
  /* No judge input: the observation is judged by each requester for its own MX. An offer
   * probe (smtp_probe.h) answers one question about one hello: never an observation to
   * share. */
  if (env->opts->offer) return -1;
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
  hashmap_init(&o->entries, sizeof(entry_t *));
  hashmap_init(&o->addrs, sizeof(addr_rec_t *));
  list_init(&o->lru);
  list_init(&o->afifo);
  return o;
}

void observe_free(observe_t *o) {
  if (!o) return;
  size_t pos = 0;
  entry_t **v;
  while ((v = hashmap_next(&o->entries, &pos, NULL, NULL))) {
    entry_t *e = *v;
    if (e->done) entry_free(e);
    else e->o = NULL;   /* its probe still owns it (see on_probe_done) */
  }
  hashmap_free(&o->entries);
  addr_rec_t *a;
  while ((a = list_pop_entry(&o->afifo, addr_rec_t, fifo))) addr_free(a);
  hashmap_free(&o->addrs);
  free(o);
}

const observe_stats_t *observe_stats(const observe_t *o) { return &o->stats; }

size_t observe_cached(const observe_t *o) { return o->ndone; }
