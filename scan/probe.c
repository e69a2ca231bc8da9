/* The probe stage: for every address of a host, its PTR name (informational) and its
 * SMTP/STARTTLS observation, which the observation cache (smtp/observe.h) may share with
 * other domains' requests for the same (address, SNI).
 *
 * Observe, then judge: the handshake verifies nothing; the observation is judged here for
 * this MX name (PKIX) and this host's TLSA records (DANE) with tls_result_judge, since one
 * observation may serve many domains. The SNI is the TLSA base domain where DANE applies,
 * else the MX name. Every connection asks the gate (polite/gate.h) first: a denied
 * address (opt-out, special-purpose, a family this host has no route for) is recorded as
 * not attempted, with the reason.
 *
 * Issue 16: each judged chain is also matched record by record against the host's TLSA
 * set (addr_t.tlsa_match, for checks/rollover.c), and the probe's chain is judged once more
 * at the horizon (addr_t.outlook, for checks/outlook.c). The second verification costs
 * about as much as the first (unit.test_tls_outlook prints both: 0.1 to 0.2 ms of CPU for a
 * two-certificate ECDSA chain, PKIX about two thirds of it, DANE a third);
 * its PKIX part has its own per-chain memo, as the first has, so a provider's chain shared
 * by many domains under one MX name is verified once a minute either way.
 *
 * The host enters HOST_PROBES only after every address's operations are started, so a
 * completion cannot end the host while this loop still walks its addresses. */
#include "scan/stages.h"
#include "scan/progress.h"
#include "checks/dane.h"
#include "checks/outlook.h"
#include "polite/gate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void addr_settle(addr_t *a, unsigned bit) {
  a->wait &= ~bit;
  host_advance(a->host);
}

static void on_ptr(void *arg, const char *name, const char *error) {
  addr_t *a = arg;
  if (name && !(a->ptr = strdup(name))) job_oom(a->host->job);
  a->ptr_error = error;       /* static strings */
  addr_settle(a, ADDR_WAIT_PTR);
}

/* Which of the host's TLSA records match which certificate of t (model/ops.h), for the
 * rollover check: only where the host has TLSA records. */
static void match_tlsa(const host_t *h, const tls_result_t *t, tlsa_match_t *m) {
  memset(m, 0, sizeof *m);
  tls_tlsa_match_t tm;
  if (!h->ntlsa || !t->have_cert || tls_tlsa_match(t, h->tlsa, h->ntlsa, &tm) != 0) return;
  *m = (tlsa_match_t){true, tm.leaf, tm.issuer, ""};
  memcpy(m->spki_sha256, tm.spki_sha256, sizeof m->spki_sha256);
}

/* The probe's chain judged again at the horizon (checks/outlook.h). --horizon 0: the
 * horizon is now, and the verdicts just computed are the answer (no second verification). */
static void judge_outlook(addr_t *a, const tls_dane_in_t *din) {
  host_t *h = a->host;
  job_env_t *env = h->job->env;
  const tls_result_t *t = &a->smtp.tls;
  if (!t->have_cert) return;
  time_t now = time(NULL);
  tls_outlook_t o = {.at = now};
  if (env->horizon_days > 0) {
    tls_result_outlook(env->tls, t, h->name, din, now + (time_t)env->horizon_days * 86400, &o);
  } else {
    o.pkix.valid = t->pkix_valid;
    o.dane_enabled = t->dane_enabled;
    o.dane.valid = t->dane_valid;
  }
  outlook_fill(&a->outlook, t, din != NULL, &o);
}

static void judge_probe(addr_t *a) {
  host_t *h = a->host;
  if (!a->smtp.have_tls) return;
  const char *names[3];
  tls_dane_in_t din;
  const tls_dane_in_t *d = dane_input(h, a, names, &din);
  tls_result_judge(h->job->env->tls, &a->smtp.tls, h->name, d);
  match_tlsa(h, &a->smtp.tls, &a->tlsa_match[0]);
  judge_outlook(a, d);
}

/* The SNI name of an address's probes: the TLSA base domain where DANE applies, else the
 * MX name (the observation and the profile ask with the same one). */
static const char *probe_sni(const host_t *h, const addr_t *a) {
  return dane_applies(h, a) ? h->tlsa_base : h->name;
}

/* Each certificate of the profile judged for this MX name and this host's TLSA, exactly
 * as the probe's own observation (judge_probe): the profile is shared by every domain on
 * the address, the verdicts are this requester's. */
static void judge_profile(addr_t *a) {
  host_t *h = a->host;
  for (size_t i = 0; i < a->profile.ncerts && i < PROFILE_CERTS_MAX; i++) {
    const char *names[3];
    tls_dane_in_t din;
    tls_result_judge(h->job->env->tls, &a->profile.certs[i].tls, h->name,
                     dane_input(h, a, names, &din));
    match_tlsa(h, &a->profile.certs[i].tls, &a->tlsa_match[1 + i]);
  }
}

static void on_profile_done(void *arg) {
  addr_t *a = arg;
  judge_profile(a);
  addr_settle(a, ADDR_WAIT_PROFILE);
}

/* --tls-profile: an address that completed STARTTLS is profiled too (smtp/profile.h),
 * once per address whatever the domain; the host waits for it like for its probe. */
static void profile_start(addr_t *a) {
  job_env_t *env = a->host->job->env;
  if (!env->profile || !a->smtp.have_tls) return;
  a->wait |= ADDR_WAIT_PROFILE;
  const char *leaf = a->smtp.tls.have_cert ? a->smtp.tls.cert.sha256 : NULL;
  int rc = profile_request(env->profile, a->family, a->ip, probe_sni(a->host, a), leaf,
                           &a->profile, on_profile_done, a);
  if (rc == PROFILE_WAIT) return;
  a->wait &= ~ADDR_WAIT_PROFILE;
  if (rc == PROFILE_FAIL) job_oom(a->host->job);
  else judge_profile(a);        /* PROFILE_HIT: filled now */
}

static void on_probe_done(void *arg, smtp_result_t *res) {
  addr_t *a = arg;
  progress_fail_probe(a->host->job->env->prog, res->err_stage);
  a->smtp = *res;               /* the result moves into the record */
  smtp_result_init(res);
  judge_probe(a);
  profile_start(a);             /* before the settle: the host must not end meanwhile */
  addr_settle(a, ADDR_WAIT_PROBE);
}

static void probe_refused(addr_t *a, const char *reason) {
  a->smtp.connect = SMTP_CONNECT_NOT_ATTEMPTED;
  smtp_result_set_error(&a->smtp, SMTP_STAGE_CONNECT, reason);
}

static void probe_start(addr_t *a) {
  host_t *h = a->host;
  job_env_t *env = h->job->env;
  const char *deny;
  enum gate_denial kind = gate_check(env->exclude, env->policy, env->routes, a->family, a->ip, &deny);
  if (kind != GATE_OPEN) {
    if (kind == GATE_NO_ROUTE) progress_no_route(env->prog, a->family);
    probe_refused(a, deny);
    return;
  }
  a->wait |= ADDR_WAIT_PROBE;
  int rc = observe_request(env->obs, a->family, a->ip, probe_sni(h, a), &a->smtp, on_probe_done, a);
  if (rc == OBSERVE_WAIT) return;
  a->wait &= ~ADDR_WAIT_PROBE;
  if (rc == OBSERVE_HIT) {
    progress_fail_probe(env->prog, a->smtp.err_stage);
    judge_probe(a);
    profile_start(a);
  } else {
    probe_refused(a, "could not start probe (out of memory)");
    job_oom(h->job);
  }
}

void probes_start(host_t *h) {
  job_env_t *env = h->job->env;
  for (size_t k = 0; k < h->naddrs; k++) {
    addr_t *a = &h->addrs[k];
    a->wait |= ADDR_WAIT_PTR;
    if (rdns_lookup(env->rdns, a->family, a->ip, on_ptr, a) != 0) {
      a->wait &= ~ADDR_WAIT_PTR;
      a->ptr_error = "could not start PTR lookup";
      job_oom(h->job);
    }
    probe_start(a);
  }
  h->state = HOST_PROBES;
  host_advance(h);
}
