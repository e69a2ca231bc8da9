/* The TLS profile service (see profile.h). Ownership: the service owns its entries; an
 * entry owns its result (every string in it), its waiters, its copy of the SNI name and
 * the bytes of the offer in flight (valid until the offer's callback: sched_probe). One
 * map (lib/hashmap, key: family byte and address) finds in-flight and done entries; done
 * entries are also on an LRU list bounded by cache_max, as in smtp/observe.c. The steps of
 * one entry run one after another, planned by the phases (smtp/profile_plan.h): the
 * callback of one starts the next. */
#include "smtp/profile_plan.h"
#include "lib/hashmap.h"
#include "lib/list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

typedef struct pwaiter {
  list_t link;                 /* in its entry's waiters, first requester first */
  profile_result_t *out;
  profile_cb cb;
  void *arg;
  char *sni;                   /* the requester's name (NULL: none) */
  char leaf[65];               /* its probe's leaf SHA-256, "" unknown */
} pwaiter_t;

/* The key: family byte and address; for a certificate part made for one name, also a
 * separator byte and the name in lower case. */
#define PKEY_MAX (1 + 16 + 1 + HELLO_MAX_SNI)

typedef struct pentry {
  list_t lru;                  /* done entries only */
  profile_t *p;                /* NULL once the service is freed (see profile_free) */
  int family;
  uint8_t addr[16];
  uint8_t key[PKEY_MAX];
  size_t klen;
  bool done;
  bool certs_only;             /* the certificate part for one name (profile_serves) */
  list_t waiters;
  profile_result_t res;
  profile_run_t run;           /* the plan: which phase, what it learnt (res) */
  pstep_t step;                /* in flight */
  char *sni;                   /* NULL: none */
  uint8_t hello[PROFILE_HELLO_MAX];
} pentry_t;

struct profile {
  uv_loop_t *loop;
  sched_t *sched;
  tls_ctx_t *tls;
  enum profile_mode mode;
  smtp_opts_t opts;
  size_t cache_max;
  hashmap_t entries;           /* key -> pentry_t * */
  list_t lru;                  /* done entries, least recently used first */
  size_t ndone;
};

/* ---------- results ---------- */

void profile_result_init(profile_result_t *r) { memset(r, 0, sizeof *r); }

void profile_result_free(profile_result_t *r) {
  for (int v = 0; v < PV_COUNT; v++) free(r->reasons[v]);
  for (int k = 0; k < PCK_COUNT; k++) free(r->cert_reasons[k]);
  for (size_t i = 0; i < r->ncerts && i < PROFILE_CERTS_MAX; i++) tls_result_free(&r->certs[i].tls);
  free(r->partial);
  profile_result_init(r);
}

static int dup_str(char **dst, const char *src) {
  *dst = NULL;
  if (!src) return 0;
  *dst = strdup(src);
  return *dst ? 0 : -1;
}

int profile_result_copy(profile_result_t *dst, const profile_result_t *src) {
  *dst = *src;
  /* every pointer of dst is src's until replaced: empty them first, so that a failure
   * half-way frees only dst's own */
  dst->partial = NULL;
  memset(dst->reasons, 0, sizeof dst->reasons);
  memset(dst->cert_reasons, 0, sizeof dst->cert_reasons);
  dst->ncerts = 0;
  int bad = dup_str(&dst->partial, src->partial);
  for (int v = 0; v < PV_COUNT; v++) bad |= dup_str(&dst->reasons[v], src->reasons[v]);
  for (int k = 0; k < PCK_COUNT; k++) bad |= dup_str(&dst->cert_reasons[k], src->cert_reasons[k]);
  for (size_t i = 0; i < src->ncerts && i < PROFILE_CERTS_MAX && !bad; i++) {
    dst->certs[i].asked = src->certs[i].asked;
    if (tls_result_copy(&dst->certs[i].tls, &src->certs[i].tls) != 0) bad = 1;
    else dst->ncerts = i + 1;
  }
  if (bad) {
    profile_result_free(dst);
    return -1;
  }
  return 0;
}

/* ---------- entries ---------- */

static size_t addr_len(int family) { return family == AF_INET ? 4 : 16; }

static size_t key_make(uint8_t key[17], int family, const uint8_t *addr) {
  key[0] = (uint8_t)family;
  memcpy(key + 1, addr, addr_len(family));
  return 1 + addr_len(family);
}

static size_t key_make_sni(uint8_t key[PKEY_MAX], int family, const uint8_t *addr,
                           const char *sni) {
  size_t n = key_make(key, family, addr);
  key[n++] = 0xff;
  for (size_t i = 0; sni && sni[i] && i < HELLO_MAX_SNI; i++)
    key[n++] = (uint8_t)(sni[i] >= 'A' && sni[i] <= 'Z' ? sni[i] - 'A' + 'a' : sni[i]);
  return n;
}

static void waiter_free(pwaiter_t *w) {
  free(w->sni);
  free(w);
}

static void entry_free(pentry_t *e) {
  pwaiter_t *w;
  while ((w = list_pop_entry(&e->waiters, pwaiter_t, link))) waiter_free(w);
  profile_result_free(&e->res);
  free(e->sni);
  free(e);
}

static void entry_unlink(profile_t *p, pentry_t *e) {
  hashmap_del(&p->entries, e->key, e->klen);
  if (e->done) {
    list_remove(&e->lru);
    p->ndone--;
  }
}

/* Connections one offer made: every attempt connected, except a probe never attempted. */
static unsigned connections_of(const smtp_result_t *r) {
  if (r->connect == SMTP_CONNECT_NOT_ATTEMPTED) return 0;
  return r->attempts ? r->attempts : 1;
}

static int certs_request(profile_t *p, const pentry_t *base, const char *sni,
                         const char *leaf, profile_result_t *out, profile_cb cb, void *arg);

/* The profile is complete (or ended): every waiter gets its copy, then its callback; a
 * waiter whose name saw another certificate moves to the certificate part for its name
 * (certs_request), and is called back from there. */
static void finish(pentry_t *e) {
  profile_t *p = e->p;
  profile_run_finish(&e->run);
  e->res.done = true;
  list_t ws, moved;
  list_init(&ws);
  list_init(&moved);
  list_splice_tail(&ws, &e->waiters);
  /* Copies first: a callback may make new requests, which may evict this entry. */
  bool first = true;
  for (list_t *n = list_first(&ws); n;) {
    pwaiter_t *w = list_entry(n, pwaiter_t, link);
    n = list_next(&ws, n);
    if (p && !profile_serves(&e->res, e->sni, w->sni, w->leaf[0] ? w->leaf : NULL)) {
      int rc = certs_request(p, e, w->sni, w->leaf, w->out, w->cb, w->arg);
      if (rc == PROFILE_WAIT) {          /* called back by the certificate part */
        list_remove(&w->link);
        list_insert_tail(&moved, &w->link);
        continue;
      }
      if (rc == PROFILE_HIT) continue;   /* filled; called back below */
    }                                    /* (out of memory: the address's copy) */
    if (profile_result_copy(w->out, &e->res) != 0) profile_result_init(w->out);
    else w->out->shared = !first;
    first = false;
  }
  bool keep = false;
  if (p) {
    if (p->cache_max > 0) {
      keep = true;
      e->done = true;
      list_insert_tail(&p->lru, &e->lru);
      p->ndone++;
      while (p->ndone > p->cache_max) {
        pentry_t *old = list_first_entry(&p->lru, pentry_t, lru);
        entry_unlink(p, old);
        entry_free(old);
      }
    } else {
      entry_unlink(p, e);
    }
  }
  if (!keep) entry_free(e);
  pwaiter_t *w;
  while ((w = list_pop_entry(&moved, pwaiter_t, link))) waiter_free(w);
  while ((w = list_pop_entry(&ws, pwaiter_t, link))) {
    w->cb(w->arg);
    waiter_free(w);
  }
}

static void on_step_done(void *arg, smtp_result_t *r);

static void fill_random(uint8_t random[32]) {
  if (getrandom(random, 32, GRND_NONBLOCK) == 32) return;
  uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)random;
  for (int i = 0; i < 32; i++) {
    t = t * 6364136223846793005ULL + 1442695040888963407ULL;
    random[i] = (uint8_t)(t >> 56);
  }
}

/* Starts e->step: 0, or -1 when it could not start (no callback then). */
static int start_step(pentry_t *e) {
  profile_t *p = e->p;
  const pstep_t *s = &e->step;
  smtp_opts_t o = p->opts;
  if (s->handshake) {
    if (!p->tls) return -1;   /* no context: the handshakes cannot be made */
    o.keys = (enum tls_keys)(TLS_KEYS_RSA + s->cert_kind);
    return sched_probe(p->sched, p->loop, p->tls, &o, e->family, e->addr, e->sni,
                       on_step_done, e);
  }
  uint8_t random[32];
  fill_random(random);
  size_t len = profile_step_hello(s, e->sni, random, e->hello, sizeof e->hello);
  if (len == 0) return -1;
  o.offer = e->hello;
  o.offer_len = len;
  o.offer_ske = s->want_ske;
  return sched_probe(p->sched, p->loop, NULL, &o, e->family, e->addr, NULL, on_step_done, e);
}

/* The next step, or the end. */
static void advance(pentry_t *e) {
  while (profile_run_next(&e->run, &e->step)) {
    if (!e->p) {
      profile_run_abandon(&e->run, "interrupted");
      break;
    }
    if (start_step(e) == 0) return;
    profile_run_abandon(&e->run, "could not start a probe (out of memory)");
    break;
  }
  finish(e);
}

static void on_step_done(void *arg, smtp_result_t *r) {
  pentry_t *e = arg;
  e->res.connections += connections_of(r);
  profile_run_consume(&e->run, &e->step, r);   /* false: the run is over (abandoned) */
  smtp_result_free(r);
  advance(e);
}

/* ---------- requests ---------- */

static int add_waiter(pentry_t *e, const char *sni, const char *leaf, profile_result_t *out,
                      profile_cb cb, void *arg) {
  pwaiter_t *w = calloc(1, sizeof *w);
  if (!w) return -1;
  if (sni && *sni && dup_str(&w->sni, sni) != 0) {
    free(w);
    return -1;
  }
  if (leaf) snprintf(w->leaf, sizeof w->leaf, "%s", leaf);
  w->out = out;
  w->cb = cb;
  w->arg = arg;
  list_insert_tail(&e->waiters, &w->link);
  return 0;
}

static bool name_eq(const char *a, const char *b) {
  if (!a || !*a || !b || !*b) return (!a || !*a) && (!b || !*b);
  return strcasecmp(a, b) == 0;
}

bool profile_serves(const profile_result_t *r, const char *made_sni, const char *sni,
                    const char *leaf) {
  if (name_eq(made_sni, sni) || !leaf || !*leaf || r->ncerts == 0) return true;
  for (size_t i = 0; i < r->ncerts && i < PROFILE_CERTS_MAX; i++)
    if (r->certs[i].tls.have_cert && strcmp(r->certs[i].tls.cert.sha256, leaf) == 0) return true;
  return false;
}

static int hit(profile_t *p, pentry_t *e, profile_result_t *out) {
  profile_result_t copy;
  if (profile_result_copy(&copy, &e->res) != 0) return PROFILE_FAIL;   /* out untouched */
  *out = copy;
  out->shared = true;
  list_remove(&e->lru);               /* most recently used now */
  list_insert_tail(&p->lru, &e->lru);
  return PROFILE_HIT;
}

static pentry_t *entry_new(profile_t *p, int family, const uint8_t addr[16], const char *sni) {
  pentry_t *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->p = p;
  e->family = family;
  memcpy(e->addr, addr, addr_len(family));
  e->klen = key_make(e->key, family, addr);   /* certs_request gives its own */
  list_init(&e->waiters);
  profile_result_init(&e->res);
  if (sni && *sni && dup_str(&e->sni, sni) != 0) {
    free(e);
    return NULL;
  }
  profile_run_init(&e->run, &e->res, p->mode, e->sni);
  return e;
}

/* A new entry under key, with its first waiter, its first step started: PROFILE_WAIT,
 * or PROFILE_FAIL (nothing left behind). */
static int entry_start(profile_t *p, pentry_t *e, const char *sni, const char *leaf,
                       profile_result_t *out, profile_cb cb, void *arg) {
  void *v;
  if (add_waiter(e, sni, leaf, out, cb, arg) != 0 || hashmap_put(&p->entries, e->key, e->klen, &v) < 0) {
    entry_free(e);
    return PROFILE_FAIL;
  }
  memcpy(v, &e, sizeof e);
  if (!profile_run_next(&e->run, &e->step) || start_step(e) != 0) {
    hashmap_del(&p->entries, e->key, e->klen);
    entry_free(e);
    return PROFILE_FAIL;
  }
  profile_result_init(out);
  return PROFILE_WAIT;
}

/* The certificate part for sni on base's address: found (hit or wait) or made, starting
 * from a copy of base's result without its certificates. */
static int certs_request(profile_t *p, const pentry_t *base, const char *sni,
                         const char *leaf, profile_result_t *out, profile_cb cb, void *arg) {
  uint8_t key[PKEY_MAX];
  size_t klen = key_make_sni(key, base->family, base->addr, sni);
  pentry_t *const *found = hashmap_get(&p->entries, key, klen);
  if (found && (*found)->done) return hit(p, *found, out);
  if (found) {
    if (add_waiter(*found, sni, leaf, out, cb, arg) != 0) return PROFILE_FAIL;
    profile_result_init(out);
    return PROFILE_WAIT;
  }
  pentry_t *e = entry_new(p, base->family, base->addr, sni);
  if (!e) return PROFILE_FAIL;
  memcpy(e->key, key, klen);
  e->klen = klen;
  e->certs_only = true;
  profile_result_t *r = &e->res;
  /* the base's result without its certificate part: a shallow view, then one deep copy */
  profile_result_t view = base->res;
  view.ncerts = 0;
  memset(view.cert_kinds, 0, sizeof view.cert_kinds);      /* PVS_UNTESTED */
  memset(view.cert_reasons, 0, sizeof view.cert_reasons);
  if (profile_result_copy(r, &view) != 0) {
    entry_free(e);
    return PROFILE_FAIL;
  }
  r->done = r->shared = false;
  r->connections = 0;
  r->certs_by_name = true;
  /* a partial from the address's run stays: what it did not learn is still unknown */
  profile_run_init(&e->run, r, p->mode, e->sni);
  e->run.phase = PP_CERTS;
  e->run.one_phase = true;
  return entry_start(p, e, sni, leaf, out, cb, arg);
}

int profile_request(profile_t *p, int family, const uint8_t addr[16], const char *sni,
                    const char *leaf, profile_result_t *out, profile_cb cb, void *arg) {
  if (family != AF_INET && family != AF_INET6) return PROFILE_FAIL;
  uint8_t key[PKEY_MAX];
  size_t klen = key_make(key, family, addr);
  pentry_t *const *found = hashmap_get(&p->entries, key, klen);
  if (found && (*found)->done) {
    pentry_t *e = *found;
    if (profile_serves(&e->res, e->sni, sni, leaf)) return hit(p, e, out);
    return certs_request(p, e, sni, leaf, out, cb, arg);
  }
  if (found) {
    if (add_waiter(*found, sni, leaf, out, cb, arg) != 0) return PROFILE_FAIL;
    profile_result_init(out);
    return PROFILE_WAIT;
  }
  pentry_t *e = entry_new(p, family, addr, sni);
  if (!e) return PROFILE_FAIL;
  return entry_start(p, e, sni, leaf, out, cb, arg);
}

/* ---------- life ---------- */

profile_t *profile_new(uv_loop_t *loop, sched_t *sched, tls_ctx_t *tls,
                       const smtp_opts_t *opts, enum profile_mode mode, size_t cache_max) {
  if (mode != PROFILE_BASIC && mode != PROFILE_FULL) return NULL;
  profile_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->loop = loop;
  p->sched = sched;
  p->tls = tls;
  p->mode = mode;
  p->opts = *opts;
  p->opts.offer = NULL;
  p->opts.offer_len = 0;
  p->opts.offer_ske = false;
  p->opts.keys = TLS_KEYS_ANY;
  p->cache_max = cache_max;
  if (hashmap_init(&p->entries, sizeof(pentry_t *)) != 0) {
    free(p);
    return NULL;
  }
  list_init(&p->lru);
  return p;
}

void profile_free(profile_t *p) {
  if (!p) return;
  size_t pos = 0;
  pentry_t **v;
  while ((v = hashmap_next(&p->entries, &pos, NULL, NULL))) {
    pentry_t *e = *v;
    if (e->done) entry_free(e);
    else e->p = NULL;   /* its probe still owns it: it ends as "interrupted" */
  }
  hashmap_free(&p->entries);
  free(p);
}
