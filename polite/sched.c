/* The probe scheduler: see sched.h for the design. Ownership: the scheduler owns every
 * sprobe_t from sched_probe until the caller's callback, and every address and prefix
 * entry; an address entry lives while it has queued or running probes or its interval
 * has not elapsed, a prefix entry while an address entry refers to it. */
#include "polite/sched.h"
#include "polite/addrmap.h"
#include "lib/list.h"
#include "lib/tokenbucket.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define REASON_MAX 200          /* a retry reason is the first line of a reply, bounded */

enum sp_state { SP_QUEUED, SP_RUNNING, SP_BACKOFF };

typedef struct pfx pfx_t;
typedef struct ipent ipent_t;
typedef struct sprobe sprobe_t;

struct pfx {                    /* one /24 or /48 */
  amnode_t node;
  unsigned running;
  size_t naddrs;                /* address entries pointing here */
  list_t aq;                    /* addresses that may start a probe, FIFO */
  bool in_ready;
  list_t ready_link;            /* in s->ready */
};

struct ipent {                  /* one address */
  amnode_t node;
  pfx_t *pfx;
  unsigned running;
  list_t q;                     /* queued probes, FIFO */
  bool in_aq;                   /* in pfx->aq */
  list_t aq_link;
  bool cooling;                 /* the interval since last_start has not elapsed */
  uint64_t last_start;
  list_t cool_link;             /* in s->cool */
};

struct sprobe {
  sched_t *s;
  enum sp_state state;
  list_t link;                  /* in an address FIFO or a back-off FIFO */
  uint64_t due;                 /* back-off end */
  ipent_t *ip;                  /* QUEUED and RUNNING only */
  /* smtp_probe_start's arguments */
  uv_loop_t *loop;
  tls_ctx_t *tls;
  smtp_opts_t opts;
  int family;
  uint8_t addr[16];
  const char *sni;
  smtp_done_cb cb;
  void *arg;
  /* attempts */
  unsigned attempts;
  char *reasons[SMTP_RETRY_MAX];
  size_t nreasons;
  smtp_result_t *last;          /* the failed attempt a BACKOFF probe waits to repeat */
};

struct sched {
  uv_loop_t *loop;
  sched_config_t cfg;
  uint64_t interval_ms;
  tbucket_t tb;
  addrmap_t addrs, prefixes;
  list_t ready;                          /* prefixes that may start a probe (pfx_t) */
  list_t cool;                           /* by last_start: interval FIFO (ipent_t) */
  list_t backoff[SMTP_RETRY_MAX + 1];    /* by number of failed attempts: due-time FIFOs */
  uv_timer_t timer;
  bool timer_ok, closed, pumping;
  size_t running, queued, nbackoff;
  unsigned long long connections, nretries, done;
};

/* ---------------- pure helpers ---------------- */

const char *sched_retry_reason(const smtp_result_t *r) {
  if (r->banner && r->banner_code >= 400 && r->banner_code <= 499) return r->banner;
  if (r->connect == SMTP_CONNECT_OK && !r->banner && r->err_stage == SMTP_STAGE_BANNER &&
      r->peer_closed && r->err_reason)
    return r->err_reason;
  return NULL;
}

uint64_t sched_backoff_ms(double base_seconds, unsigned failed) {
  double ms = base_seconds * 1000.0;
  for (unsigned i = 1; i < failed && i < 20; i++) ms *= 2;
  return ms < 0 ? 0 : (uint64_t)ms;
}

size_t sched_raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max;
    struct rlimit nr = {want, rl.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &nr) == 0) rl.rlim_cur = want;
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000) return 1000000;
  return (size_t)rl.rlim_cur;
}

void sched_fd_split(size_t nofile, size_t *max_probes, size_t *dns_outgoing) {
  /* Reserve: stdio, input, output, libunbound's pipe, c-ares, libcurl's policy fetches
   * (one connection per MTA-STS domain in flight), the loop's own descriptors. */
  size_t reserve = 64 + nofile / 16;
  /* An eighth: libunbound queues a query that finds no free port (it is not lost), and
   * the benchmark's 2000-domain window never had more than 2 600 sockets open; the rest
   * goes to probes, 16 186 with the hard limit of 20 000 here. */
  size_t out = nofile / 8;
  if (out > 4096) out = 4096;         /* forwarding to one resolver needs no more ports */
  if (out < 16) out = 16;
  size_t probes = nofile > reserve + out + 16 ? nofile - reserve - out : 16;
  *max_probes = probes;
  *dns_outgoing = out;
}

/* ---------------- queues ---------------- */

static sprobe_t *fifo_first(const list_t *f) { return list_first_entry(f, sprobe_t, link); }
static sprobe_t *fifo_pop(list_t *f) { return list_pop_entry(f, sprobe_t, link); }

static ipent_t *cool_first(const sched_t *s) { return list_first_entry(&s->cool, ipent_t, cool_link); }

static void cool_unlink(ipent_t *ip) {
  list_remove(&ip->cool_link);
  ip->cooling = false;
}

static void cool_append(sched_t *s, ipent_t *ip) {
  list_move_tail(&s->cool, &ip->cool_link);
  ip->cooling = true;
}

/* A prefix goes to the ready queue when one of its addresses may start and it has a free
 * slot; it is freed when no address refers to it. */
static void pfx_settle(sched_t *s, pfx_t *p) {
  if (!list_empty(&p->aq) && !p->in_ready && p->running < s->cfg.per_prefix) {
    p->in_ready = true;
    list_insert_tail(&s->ready, &p->ready_link);
  } else if (p->naddrs == 0) {
    addrmap_remove(&s->prefixes, &p->node);
    free(p);
  }
}

/* An address goes to its prefix's queue when it has a queued probe, a free slot and its
 * interval has elapsed; it is freed when it has nothing queued or running and its
 * interval has elapsed. */
static void ip_settle(sched_t *s, ipent_t *ip) {
  pfx_t *p = ip->pfx;
  if (!list_empty(&ip->q) && !ip->in_aq && ip->running < s->cfg.per_ip && !ip->cooling) {
    ip->in_aq = true;
    list_insert_tail(&p->aq, &ip->aq_link);
  } else if (list_empty(&ip->q) && ip->running == 0 && !ip->cooling) {
    addrmap_remove(&s->addrs, &ip->node);
    free(ip);
    p->naddrs--;
  }
  pfx_settle(s, p);
}

static ipent_t *ip_get(sched_t *s, int family, const uint8_t addr[16]) {
  addrkey_t k;
  if (addrkey_make(&k, family, addr, 128) != 0) return NULL;
  amnode_t *n = addrmap_find(&s->addrs, &k);
  if (n) return (ipent_t *)n;
  addrkey_t pk;
  addrkey_make(&pk, family, addr, family == AF_INET ? 24 : 48);
  pfx_t *p = (pfx_t *)addrmap_find(&s->prefixes, &pk);
  if (!p) {
    if (!(p = calloc(1, sizeof *p))) return NULL;
    p->node.key = pk;
    list_init(&p->aq);
    if (addrmap_insert(&s->prefixes, &p->node) != 0) { free(p); return NULL; }
  }
  ipent_t *ip = calloc(1, sizeof *ip);
  if (!ip || (ip->node.key = k, addrmap_insert(&s->addrs, &ip->node)) != 0) {
    free(ip);
    if (p->naddrs == 0) { addrmap_remove(&s->prefixes, &p->node); free(p); }
    return NULL;
  }
  ip->pfx = p;
  list_init(&ip->q);
  p->naddrs++;
  return ip;
}

/* QUEUED: into its address's FIFO. -1 on OOM. */
static int sp_enqueue(sched_t *s, sprobe_t *sp) {
  ipent_t *ip = ip_get(s, sp->family, sp->addr);
  if (!ip) return -1;
  sp->ip = ip;
  sp->state = SP_QUEUED;
  list_insert_tail(&ip->q, &sp->link);
  s->queued++;
  ip_settle(s, ip);
  return 0;
}

/* ---------------- running ---------------- */

static void pump(sched_t *s);
static void rearm(sched_t *s);

static void on_wake(uv_timer_t *t) { pump(t->data); }

/* The next pump runs from the loop, never inside sched_probe. */
static void kick(sched_t *s) {
  if (s->timer_ok && !s->closed && !s->pumping) uv_timer_start(&s->timer, on_wake, 0, 0);
}

static void sp_free(sprobe_t *sp) {
  for (size_t i = 0; i < sp->nreasons; i++) free(sp->reasons[i]);
  if (sp->last) smtp_result_free(sp->last);
  free(sp->last);
  free(sp);
}

/* DONE: the result (with the attempts) goes to the caller, who then owns it. */
static void sp_deliver(sched_t *s, sprobe_t *sp, smtp_result_t *res) {
  res->attempts = sp->attempts;
  for (size_t i = 0; i < sp->nreasons && res->nretry_reasons < SMTP_RETRY_MAX; i++) {
    res->retry_reasons[res->nretry_reasons++] = sp->reasons[i];
    sp->reasons[i] = NULL;
  }
  sp->nreasons = 0;
  s->done++;
  smtp_done_cb cb = sp->cb;
  void *arg = sp->arg;
  sp_free(sp);
  cb(arg, res);
}

static char *first_line(const char *text) {
  size_t n = strcspn(text, "\r\n");
  if (n > REASON_MAX) n = REASON_MAX;
  char *r = malloc(n + 1);
  if (r) { memcpy(r, text, n); r[n] = '\0'; }
  return r;
}

static void on_attempt_done(void *arg, smtp_result_t *res) {
  sprobe_t *sp = arg;
  sched_t *s = sp->s;
  ipent_t *ip = sp->ip;
  ip->running--;
  ip->pfx->running--;
  s->running--;
  sp->ip = NULL;
  bool retry = false;
  const char *why = sched_retry_reason(res);
  if (why && sp->attempts <= s->cfg.retries && sp->nreasons < SMTP_RETRY_MAX && !s->closed) {
    char *line = first_line(why);
    smtp_result_t *keep = line ? malloc(sizeof *keep) : NULL;
    if (!keep) free(line);
    if (keep) {                 /* BACKOFF */
      sp->reasons[sp->nreasons++] = line;
      if (sp->last) { smtp_result_free(sp->last); free(sp->last); }
      *keep = *res;             /* kept in case the scan ends before the retry */
      sp->last = keep;
      smtp_result_init(res);
      sp->state = SP_BACKOFF;
      sp->due = uv_now(s->loop) + sched_backoff_ms(s->cfg.retry_delay, sp->attempts);
      list_insert_tail(&s->backoff[sp->attempts], &sp->link);
      s->nbackoff++;
      retry = true;
    }
  }
  ip_settle(s, ip);             /* may free ip and its prefix */
  if (!retry) sp_deliver(s, sp, res);
  pump(s);
}

/* RUNNING: the connection starts now. false if it could not (out of memory). */
static bool sp_start(sched_t *s, sprobe_t *sp, uint64_t now) {
  ipent_t *ip = sp->ip;
  sp->state = SP_RUNNING;
  sp->attempts++;
  ip->running++;
  ip->pfx->running++;
  s->running++;
  s->connections++;
  if (sp->attempts > 1) s->nretries++;
  ip->last_start = now;
  if (s->interval_ms > 0) cool_append(s, ip);
  return smtp_probe_start(sp->loop, sp->tls, &sp->opts, sp->family, sp->addr, sp->sni,
                          on_attempt_done, sp) == 0;
}

static void fail_result(smtp_result_t *res, const char *why) {
  smtp_result_init(res);
  res->connect = SMTP_CONNECT_NOT_ATTEMPTED;
  smtp_result_set_error(res, SMTP_STAGE_CONNECT, why);
}

static void pump(sched_t *s) {
  if (s->closed || s->pumping) return;
  s->pumping = true;
  /* The loop's cached time may be a long iteration old; a start recorded too early would
   * let the next one to that address come too soon. */
  uv_update_time(s->loop);
  uint64_t now = uv_now(s->loop);
  /* Intervals that have elapsed. */
  ipent_t *c;
  while ((c = cool_first(s)) && c->last_start + s->interval_ms <= now) {
    cool_unlink(c);
    ip_settle(s, c);
  }
  /* Back-offs that are over: the probe queues again behind the limits. */
  for (unsigned l = 1; l <= SMTP_RETRY_MAX; l++) {
    while (fifo_first(&s->backoff[l]) && fifo_first(&s->backoff[l])->due <= now) {
      sprobe_t *sp = fifo_pop(&s->backoff[l]);
      s->nbackoff--;
      if (sp_enqueue(s, sp) != 0) {
        smtp_result_t res;      /* the callee owns it from here */
        fail_result(&res, "could not queue retry (out of memory)");
        sp_deliver(s, sp, &res);
      }
      if (s->closed) { s->pumping = false; return; }
    }
  }
  /* Admission: one probe per ready prefix in turn, while the global limits allow. */
  while (!list_empty(&s->ready) && s->running < s->cfg.max_probes && !s->closed) {
    if (!tb_take(&s->tb, now)) break;
    pfx_t *p = list_pop_entry(&s->ready, pfx_t, ready_link);
    p->in_ready = false;
    ipent_t *ip = list_pop_entry(&p->aq, ipent_t, aq_link);
    ip->in_aq = false;
    sprobe_t *sp = fifo_pop(&ip->q);
    s->queued--;
    bool started = sp_start(s, sp, now);
    ip_settle(s, ip);           /* ip has a running probe: it stays */
    if (!started) {             /* reported like any failed probe, through the callback */
      smtp_result_t res;
      fail_result(&res, "could not start probe (out of memory)");
      on_attempt_done(sp, &res);
    }
  }
  s->pumping = false;
  rearm(s);
}

/* One timer for everything the scheduler waits on: the next token, the end of the oldest
 * interval, the end of the oldest back-off of each level. */
static void rearm(sched_t *s) {
  if (!s->timer_ok || s->closed) return;
  uint64_t now = uv_now(s->loop), due = UINT64_MAX;
  if (!list_empty(&s->ready) && s->running < s->cfg.max_probes) {
    uint64_t w = tb_wait_ms(&s->tb, now);
    due = now + (w ? w : 1);
  }
  if (cool_first(s)) {
    uint64_t d = cool_first(s)->last_start + s->interval_ms;
    if (d < due) due = d;
  }
  for (unsigned l = 1; l <= SMTP_RETRY_MAX; l++) {
    const sprobe_t *b = fifo_first(&s->backoff[l]);
    if (b && b->due < due) due = b->due;
  }
  if (due == UINT64_MAX) { uv_timer_stop(&s->timer); return; }
  uv_timer_start(&s->timer, on_wake, due > now ? due - now : 0, 0);
}

/* ---------------- public ---------------- */

sched_t *sched_new(uv_loop_t *loop, const sched_config_t *cfg) {
  sched_t *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->loop = loop;
  s->cfg = *cfg;
  list_init(&s->ready);
  list_init(&s->cool);
  for (unsigned l = 0; l <= SMTP_RETRY_MAX; l++) list_init(&s->backoff[l]);
  if (s->cfg.per_ip < 1) s->cfg.per_ip = 1;
  if (s->cfg.per_prefix < 1) s->cfg.per_prefix = 1;
  if (s->cfg.max_probes < 1) s->cfg.max_probes = 1;
  if (s->cfg.retries > SMTP_RETRY_MAX) s->cfg.retries = SMTP_RETRY_MAX;
  s->interval_ms = cfg->ip_interval > 0 ? (uint64_t)(cfg->ip_interval * 1000.0 + 0.5) : 0;
  tb_init(&s->tb, cfg->rate, cfg->burst, uv_now(loop));
  addrmap_init(&s->addrs);
  addrmap_init(&s->prefixes);
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  s->timer_ok = true;
  return s;
}

int sched_probe(sched_t *s, uv_loop_t *loop, tls_ctx_t *tls, const smtp_opts_t *opts,
                int family, const uint8_t addr[16], const char *sni,
                smtp_done_cb cb, void *arg) {
  if (!s || s->closed || (family != AF_INET && family != AF_INET6)) return -1;
  if (!smtp_opts_offer_ok(opts)) return -1;   /* refused now rather than at each start */
  sprobe_t *sp = calloc(1, sizeof *sp);
  if (!sp) return -1;
  sp->s = s;
  sp->loop = loop;
  sp->tls = tls;
  sp->opts = *opts;
  sp->family = family;
  memcpy(sp->addr, addr, family == AF_INET ? 4 : 16);
  sp->sni = sni;
  sp->cb = cb;
  sp->arg = arg;
  if (sp_enqueue(s, sp) != 0) { free(sp); return -1; }
  kick(s);
  return 0;
}

void sched_flush_backoff(sched_t *s) {
  if (!s || s->closed) return;
  for (unsigned l = 1; l <= SMTP_RETRY_MAX; l++) {
    sprobe_t *sp;
    while ((sp = fifo_pop(&s->backoff[l]))) {
      s->nbackoff--;
      /* The last failure is the result; its reason was not followed by a retry. */
      free(sp->reasons[--sp->nreasons]);
      smtp_result_t res = *sp->last;
      free(sp->last);
      sp->last = NULL;
      sp_deliver(s, sp, &res);
      if (s->closed) return;
    }
  }
  rearm(s);
}

void sched_stats(const sched_t *s, sched_stats_t *out) {
  memset(out, 0, sizeof *out);
  if (!s) return;
  out->running = s->running;
  out->queued = s->queued;
  out->backoff = s->nbackoff;
  out->addrs = addrmap_count(&s->addrs);
  out->prefixes = addrmap_count(&s->prefixes);
  out->connections = s->connections;
  out->retries = s->nretries;
  out->done = s->done;
}

void sched_close(sched_t *s) {
  if (!s || s->closed) return;
  s->closed = true;
  if (s->timer_ok) {
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, NULL);
  }
}

static void free_ip(amnode_t *n) {
  ipent_t *ip = (ipent_t *)n;
  sprobe_t *sp;
  while ((sp = fifo_pop(&ip->q))) sp_free(sp);
  free(ip);
}

static void free_pfx(amnode_t *n) { free(n); }

void sched_free(sched_t *s) {
  if (!s) return;
  for (unsigned l = 0; l <= SMTP_RETRY_MAX; l++) {
    sprobe_t *sp;
    while ((sp = fifo_pop(&s->backoff[l]))) sp_free(sp);
  }
  addrmap_destroy(&s->addrs, free_ip);
  addrmap_destroy(&s->prefixes, free_pfx);
  free(s);
}
