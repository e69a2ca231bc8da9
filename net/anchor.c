/* The trust anchor check: see anchor.h.
 *
 * Its context's thread is libunbound's, started by the first ub_resolve_async. When that
 * pthread_create fails (RLIMIT_AS: its 8 MiB stack), libunbound 1.17 only logs it and
 * goes on with a thread id of 0; ub_ctx_delete then calls pthread_kill(0, 0), which
 * glibc answers with SIGSEGV (hostile.more's lowmem scan with 2 contexts died so). When
 * the thread starts but fails to set itself up, it exits without a word and
 * ub_ctx_delete waits for it forever. So a thread like it must be able to start first
 * (ubconf_thread_can_start; glibc then reuses the joined thread's stack), and the check
 * also asks the self-test's local name (net/ubconf.h): a context whose thread never
 * answered it is never deleted (leaked, as net/dns.c does with such a scan context). */
#include "net/anchor.h"
#include "net/ubconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include <sys/random.h>

/* The queries of one check: [0] the anchor owner's DNSKEY set; [1] when a resolver's
 * cache stands between us and the servers (forward and trusted modes), a random name
 * under the owner (anchor_probe_name). */
typedef struct anchor_q {
  struct anchor_check *c;
  int id;
  bool pending;              /* libunbound still owns the query */
  bool answered;
} anchor_q_t;

struct anchor_check {
  struct ub_ctx *ub;
  uv_poll_t poll;
  uv_timer_t timer;
  int handles;               /* open uv handles; the last close frees */
  anchor_q_t q[2];
  int nq;
  bool finished;             /* cb called or cancelled */
  anchor_cb cb;
  void *arg;
  double timeout;
  char probe[DNS_QNAME_MAX + 2];
  char failure[400];         /* "" while every answer was secure */
  int alive;                 /* 0 no thread yet, -1 started but silent, 1 it answered */
  int selftest_id;
};

static void on_closed(uv_handle_t *h) {
  anchor_check_t *c = h->data;
  if (--c->handles > 0) return;
  /* Stops its thread, after the poll handle is gone; a thread that never answered may not
   * exist (the design comment): its context is left alone. */
  if (c->alive == 1) ub_ctx_delete(c->ub);
  free(c);
}

/* The handles are closed once the thread has proved alive, or at the grace timer. */
static void close_handles(anchor_check_t *c) {
  if (uv_is_closing((uv_handle_t *)&c->poll)) return;
  uv_poll_stop(&c->poll);
  uv_timer_stop(&c->timer);
  uv_close((uv_handle_t *)&c->poll, on_closed);
  uv_close((uv_handle_t *)&c->timer, on_closed);
}

static void on_selftest(void *arg, int err, struct ub_result *res) {
  anchor_check_t *c = arg;
  (void)err;
  c->alive = 1;              /* whatever the answer: only the thread writes answers */
  if (res) ub_resolve_free(res);
}

/* After the check finished without the self-test's answer: the thread had a second. */
static void on_grace(uv_timer_t *t) { close_handles(t->data); }

static void finish_queries(anchor_check_t *c) {
  for (int i = 0; i < c->nq; i++) {
    if (c->q[i].pending) ub_cancel(c->ub, c->q[i].id);
    c->q[i].pending = false;
  }
}

int anchor_probe_name(const char *owner, char *out, size_t cap) {
  uint8_t r[8];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return -1;
  bool root = strcmp(owner, ".") == 0;
  /* a letter first: not the root zone's first NSEC span (before "aaa."), which a
   * resolver with aggressive NSEC (RFC 8198, Unbound's default) surely holds */
  int n = snprintf(out, cap, "mxsurvey-check-%c%02x%02x%02x%02x%02x%02x%02x%s%s", 'a' + r[0] % 26,
                   r[1], r[2], r[3], r[4], r[5], r[6], r[7], root ? "" : ".", root ? "." : owner);
  return n > 0 && (size_t)n < cap && strlen(out) <= DNS_QNAME_MAX ? 0 : -1;
}

static void finish(anchor_check_t *c, bool call) {
  if (c->finished) return;
  c->finished = true;
  finish_queries(c);
  if (call) c->cb(c->arg, c->failure[0] ? c->failure : NULL);
  if (c->alive == 1) close_handles(c);
  else uv_timer_start(&c->timer, on_grace, 1000, 0);
}

/* What is wrong with one answer, or "" (anchor_answer_failure, anchor.h). */
void anchor_answer_failure(bool probe, const char *probe_name, int err, const char *errtext,
                           bool have, int rcode, bool bogus, const char *why_bogus,
                           bool havedata, bool secure, char *out, size_t cap) {
  static const char *rc_names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
  char what[DNS_QNAME_MAX + 80] = "";
  if (probe) snprintf(what, sizeof what, "%s (a name no cache holds): ", probe_name);
  if (err != 0 || !have)
    snprintf(out, cap, "%s%s", what, errtext);
  else if (bogus)
    snprintf(out, cap, "%sbogus: %s", what, why_bogus ? why_bogus : "no reason given");
  else if (rcode != 0 && !(probe && rcode == 3))
    snprintf(out, cap, "%s%s", what, rcode >= 0 && rcode < 6 ? rc_names[rcode] : "an error rcode");
  else if (!probe && !havedata)
    snprintf(out, cap, "no DNSKEY records in the answer");
  else if (!secure)
    snprintf(out, cap, probe ? "%sthe denial is not secure" : "the DNSKEY set is not secure", what);
  else
    out[0] = '\0';
}

static void on_answer(void *arg, int err, struct ub_result *res) {
  anchor_q_t *q = arg;
  anchor_check_t *c = q->c;
  q->pending = false;
  q->answered = true;
  c->alive = 1;
  char f[sizeof c->failure];
  bool probe = q == &c->q[1];
  anchor_answer_failure(probe, c->probe, err, ub_strerror(err), res != NULL, res ? res->rcode : 0,
                        res && res->bogus, res ? res->why_bogus : NULL, res && res->havedata,
                        res && res->secure, f, sizeof f);
  if (!c->failure[0]) snprintf(c->failure, sizeof c->failure, "%s", f);   /* the first */
  if (res) ub_resolve_free(res);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)status; (void)events;
  anchor_check_t *c = p->data;
  ub_process(c->ub);
  bool all = true;
  for (int i = 0; i < c->nq; i++) all = all && c->q[i].answered;
  if (all || c->failure[0]) finish(c, true);
  if (c->finished && c->alive == 1) close_handles(c);
}

static void on_timeout(uv_timer_t *t) {
  anchor_check_t *c = t->data;
  snprintf(c->failure, sizeof c->failure, "no answer within %g s", c->timeout);
  finish(c, true);
}

/* The context, configured like the scan's, the query sent. 0 ok, -1 with err set. */
static int check_ctx(anchor_check_t *c, const dns_config_t *cfg, const char *owner,
                     char *err, size_t errlen) {
  char own[DNS_QNAME_MAX + 2];
  if (!(c->ub = ub_ctx_create())) { snprintf(err, errlen, "cannot create libunbound context"); return -1; }
  int rc;
  if (ubconf_apply(c->ub, cfg, 0, false, err, errlen) != 0 ||
      ubconf_anchor(c->ub, cfg->trust_anchor, own, sizeof own, err, errlen) != 0)
    return -1;
  /* A forwarder answers the DNSKEY set from its cache, where it stays for its TTL (two
   * days at the root), after it lost its uplink: a random name under the owner must be
   * fetched from the servers now, and its denial validated. */
  c->nq = cfg->mode == DNS_MODE_RECURSIVE ? 1 : 2;
  if (c->nq == 2 && anchor_probe_name(owner, c->probe, sizeof c->probe) != 0) {
    snprintf(err, errlen, "cannot make a probe name under %s", owner);
    return -1;
  }
  if ((rc = ub_ctx_async(c->ub, 1)) != 0 || (rc = ub_ctx_data_add(c->ub, SELFTEST_RR)) != 0) {
    snprintf(err, errlen, "libunbound: %s", ub_strerror(rc));
    return -1;
  }
  if ((rc = ubconf_thread_can_start()) != 0) {
    snprintf(err, errlen, "libunbound's thread cannot start: %s (a memory limit such as ulimit -v?)",
             strerror(rc));
    return -1;
  }
  /* The first query starts the thread; when it fails there is none (libunbound undoes
   * it). Once it succeeded the thread may not exist: not deleted unless it answers. */
  if ((rc = ub_resolve_async(c->ub, "selftest.mxsurvey.invalid.", 16 /* TXT */, 1, c, on_selftest,
                             &c->selftest_id)) != 0) {
    snprintf(err, errlen, "libunbound: %s", ub_strerror(rc));
    return -1;
  }
  c->alive = -1;
  for (int i = 0; i < c->nq; i++) {
    c->q[i].c = c;
    if ((rc = ub_resolve_async(c->ub, i ? c->probe : owner, i ? 1 /* A */ : 48 /* DNSKEY */, 1,
                               &c->q[i], on_answer, &c->q[i].id)) != 0) {
      snprintf(err, errlen, "libunbound: %s", ub_strerror(rc));
      finish_queries(c);
      return -1;
    }
    c->q[i].pending = true;
  }
  return 0;
}

anchor_check_t *anchor_check_start(uv_loop_t *loop, const dns_config_t *cfg, const char *owner,
                                   double timeout, anchor_cb cb, void *arg, char *err, size_t errlen) {
  anchor_check_t *c = calloc(1, sizeof *c);
  if (!c) { snprintf(err, errlen, "out of memory"); return NULL; }
  c->cb = cb;
  c->arg = arg;
  c->timeout = timeout;
  int fd = -1;
  if (check_ctx(c, cfg, owner, err, errlen) == 0 && (fd = ub_fd(c->ub)) < 0)
    snprintf(err, errlen, "libunbound: no file descriptor");
  if (fd < 0 || uv_poll_init(loop, &c->poll, fd) != 0) {
    if (fd >= 0) snprintf(err, errlen, "uv_poll_init failed");
    if (c->ub && c->alive != -1) ub_ctx_delete(c->ub);
    free(c);
    return NULL;
  }
  uv_timer_init(loop, &c->timer);
  c->poll.data = c->timer.data = c;
  c->handles = 2;
  uv_poll_start(&c->poll, UV_READABLE, on_poll);
  uv_timer_start(&c->timer, on_timeout, (uint64_t)(timeout * 1000), 0);
  return c;
}

void anchor_check_cancel(anchor_check_t *c) {
  if (c) finish(c, false);
}
