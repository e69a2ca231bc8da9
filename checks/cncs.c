/* The conformity check: the domain against the points of the CNCS recommendation on
 * STARTTLS and DANE for e-mail that a scan can see (model/ops.h enum cncs_check), plus the
 * companions of the CaptainDNS guides as advisory checks that never fail conformity.
 * docs/conformity.md maps each id to the text it comes from.
 *
 * Runs last in the finish order (checks/checks.c): it reads the observations and the
 * verdicts of dane, rollover, summary, mta_sts and tls_rpt, and is pure like every
 * finish. Each check says pass, fail, not-tested (the scan could not see it: no profile,
 * no server engaged) or not-applicable, with a short detail naming the first thing that
 * failed and where ("mx2.example.pt 192.0.2.7: TLSv1 accepted (+1 more)"), so that a
 * CERT's notice can name it.
 *
 * The servers' doctrine is checks/summary.c's: only an address that engaged (EHLO
 * answered) says anything about STARTTLS, its certificate or DANE. An address that
 * refused us, hung up or could not be reached is skipped, never a failure; when no address
 * engaged, the server checks are not-tested. DNS verdicts (dnssec-*, tlsa) need no server. */
#include "checks/cncs.h"
#include "checks/check.h"
#include "checks/dane.h"
#include "checks/san.h"
#include "tls/suites.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DETAIL_CAP sizeof(((cncs_entry_t *)0)->detail)
#define WHERE_CAP (DOMAIN_MAX + INET6_ADDRSTRLEN + 2)

/* What one rule saw over its items (addresses, certificates, hosts). */
typedef struct tally {
  size_t judged;                 /* items the rule judged (passed or failed) */
  size_t failed;
  size_t open;                   /* items it should have judged and could not */
  size_t skipped;                /* items that say nothing (did not engage) */
  char fail[DETAIL_CAP];         /* the first failure */
  char why_open[DETAIL_CAP];     /* the first item not judged */
  char note[DETAIL_CAP];         /* the detail of a pass */
} tally_t;

__attribute__((format(printf, 2, 3))) static void t_fail(tally_t *t, const char *fmt, ...) {
  t->judged++;
  if (t->failed++ > 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->fail, sizeof t->fail, fmt, ap);
  va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void t_open(tally_t *t, const char *fmt, ...) {
  if (t->open++ > 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->why_open, sizeof t->why_open, fmt, ap);
  va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void put(cncs_entry_t *e, enum cncs_result r,
                                                      const char *fmt, ...) {
  e->result = r;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->detail, sizeof e->detail, fmt, ap);
  va_end(ap);
}

/* snprintf that may cut (a detail is a short text): vsnprintf, which no warning second-guesses. */
__attribute__((format(printf, 3, 4))) static void clip(char *dst, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
}

/* text, with " (+N more)" kept whole however long text is. */
static void with_more(char *dst, size_t cap, const char *text, size_t more) {
  char suffix[32] = "";
  if (more) snprintf(suffix, sizeof suffix, " (+%zu more)", more);
  size_t room = cap - 1 - strlen(suffix);
  snprintf(dst, cap, "%.*s%s", (int)room, text, suffix);
}

/* The rule's verdict: any failure fails; nothing judged and nothing open is not-tested
 * with none; an item not judged leaves it not-tested; else a pass. */
static void settle(cncs_entry_t *e, const tally_t *t, const char *none) {
  if (t->failed) {
    e->result = CNCS_FAIL;
    with_more(e->detail, sizeof e->detail, t->fail, t->failed - 1);
  } else if (t->open) {
    e->result = CNCS_NOT_TESTED;
    with_more(e->detail, sizeof e->detail, t->why_open, t->open - 1);
  } else if (t->judged == 0) {
    put(e, CNCS_NOT_TESTED, "%s", none);
  } else {
    put(e, CNCS_PASS, "%s", t->note);
  }
}

/* "mx2.example.pt 192.0.2.7" */
static void where(const host_t *h, const addr_t *a, char out[WHERE_CAP]) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (!inet_ntop(a->family, a->ip, ip, sizeof ip)) snprintf(ip, sizeof ip, "?");
  snprintf(out, WHERE_CAP, "%s %s", h->name, ip);
}

static bool engaged(const addr_t *a) { return a->smtp.outcome == SMTP_OUTCOME_ENGAGED; }

/* ---- starttls ---- */

static void rule_starttls(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  char w[WHERE_CAP];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      if (!engaged(a)) { t.skipped++; continue; }
      if (a->smtp.have_tls) { t.judged++; continue; }
      where(h, a, w);
      if (a->smtp.starttls != SMTP_STARTTLS_OFFERED)
        t_fail(&t, "%s: STARTTLS not offered", w);
      else
        t_fail(&t, "%s: STARTTLS offered, no TLS: %.60s", w,
               a->smtp.err_reason ? a->smtp.err_reason : "handshake failed");
    }
  }
  if (t.skipped)
    clip(t.note, sizeof t.note, "TLS at every address that engaged (%zu; %zu did not)",
             t.judged, t.skipped);
  else
    clip(t.note, sizeof t.note, "TLS at every address (%zu)", t.judged);
  settle(e, &t, t.skipped ? "no MX address engaged (refused, lost or unreachable)"
                          : "no MX address");
}

/* ---- tls-version (the TLS profile) ---- */

/* OpenSSL's names, as the observations (checks/tlsver.h) spell them. */
static const char *const legacy_name[] = {[PV_SSL3] = "SSLv3", [PV_TLS10] = "TLSv1",
                                          [PV_TLS11] = "TLSv1.1"};

/* One profiled address: the legacy versions it accepts into acc, else the first one not
 * learnt (*open, its reason *why). */
static void legacy_of(const profile_result_t *p, char *acc, size_t cap, const char **open,
                      const char **why) {
  acc[0] = '\0';
  *open = *why = NULL;
  for (int v = PV_SSL3; v <= PV_TLS11; v++) {
    if (p->versions[v] == PVS_ACCEPTED) {
      size_t n = strlen(acc);
      snprintf(acc + n, cap - n, "%s%s", n ? ", " : "", legacy_name[v]);
    } else if (p->versions[v] != PVS_REFUSED && !*open) {
      *open = legacy_name[v];
      *why = p->reasons[v] ? p->reasons[v] : p->partial ? p->partial : "not offered";
    }
  }
}

static void rule_tls_version(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  size_t profiled = 0;
  char w[WHERE_CAP], acc[32];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      where(h, a, w);
      if (!a->profile.done) {
        /* the profile is made for addresses that completed STARTTLS */
        if (a->smtp.have_tls) t_open(&t, "%s: not profiled", w);
        continue;
      }
      profiled++;
      const char *open, *why;
      legacy_of(&a->profile, acc, sizeof acc, &open, &why);
      if (acc[0]) t_fail(&t, "%s: %s accepted", w, acc);
      else if (open) t_open(&t, "%s: %s not learnt: %.60s", w, open, why);
      else t.judged++;
    }
  }
  if (profiled == 0 && t.open) {
    put(e, CNCS_NOT_TESTED, "no address profiled (--tls-profile off)");
    return;
  }
  clip(t.note, sizeof t.note, "SSLv3, TLS 1.0 and 1.1 refused at every profiled address (%zu)",
           t.judged);
  settle(e, &t, "no address completed STARTTLS: nothing to profile");
}

/* ---- tls-cipher (the full profile's classes) ---- */

static void suite_text(const profile_class_res_t *c, char *out, size_t cap) {
  const char *name = c->nsuites ? tls_suite_name(c->suites[0]) : NULL;
  if (name) snprintf(out, cap, "%s", name);
  else if (c->nsuites) snprintf(out, cap, "0x%04x", c->suites[0]);
  else snprintf(out, cap, "a suite");
}

static void rule_tls_cipher(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  size_t full = 0;
  char w[WHERE_CAP], s[64];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      if (!a->profile.done && !a->smtp.have_tls) continue;
      where(h, a, w);
      if (!a->profile.done || a->profile.mode != PROFILE_FULL) {
        t_open(&t, "%s: cipher suites not enumerated", w);
        continue;
      }
      full++;
      const profile_class_res_t *bad = &a->profile.ciphers[TLS_CLASS_INSUFFICIENT];
      const profile_class_res_t *old = &a->profile.ciphers[TLS_CLASS_PHASE_OUT];
      if (bad->accepted) {
        suite_text(bad, s, sizeof s);
        t_fail(&t, "%s: insufficient suite %s accepted", w, s);
      } else if (!bad->tested) {
        t_open(&t, "%s: insufficient suites not tested", w);
      } else {
        t.judged++;
        if (old->accepted && !t.note[0]) {
          suite_text(old, s, sizeof s);
          clip(t.note, sizeof t.note, "no insufficient suite; phase-out accepted: %s: %s", w, s);
        }
      }
    }
  }
  if (full == 0 && t.open) {
    put(e, CNCS_NOT_TESTED, "cipher suites not enumerated (--tls-profile full)");
    return;
  }
  if (!t.note[0])
    clip(t.note, sizeof t.note, "no insufficient or phase-out suite at any address (%zu)", t.judged);
  settle(e, &t, "no address completed STARTTLS: nothing to profile");
}

/* ---- the certificates an address presented ---- */

/* The probe's leaf, then each further certificate of the profile (distinct by SHA-256). */
static size_t certs_of(const addr_t *a, const tls_result_t *out[1 + PROFILE_CERTS_MAX]) {
  size_t n = 0;
  if (a->smtp.have_tls && a->smtp.tls.have_cert) out[n++] = &a->smtp.tls;
  for (size_t c = 0; c < a->profile.ncerts && c < PROFILE_CERTS_MAX; c++) {
    const tls_result_t *r = &a->profile.certs[c].tls;
    bool seen = !r->have_cert;
    for (size_t k = 0; k < n && !seen; k++) seen = strcmp(out[k]->cert.sha256, r->cert.sha256) == 0;
    if (!seen) out[n++] = r;
  }
  return n;
}

int cncs_cert_names(const tls_cert_info_t *c, const char *host) {
  for (size_t i = 0; i < c->nsans; i++)
    if (cncs_san_match(c->sans[i], host)) return 1;
  return c->sans_truncated ? -1 : 0;
}

static void rule_cert_name(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  char w[WHERE_CAP];
  const tls_result_t *certs[1 + PROFILE_CERTS_MAX];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      size_t n = certs_of(a, certs);
      if (n) where(h, a, w);
      for (size_t c = 0; c < n; c++) {
        const tls_cert_info_t *ci = &certs[c]->cert;
        int named = cncs_cert_names(ci, h->name);
        if (named > 0) t.judged++;
        else if (named < 0) t_open(&t, "%s: more than %d SANs, none kept names the host", w, TLS_SAN_MAX);
        else if (ci->nsans) t_fail(&t, "%s: %s certificate names %.60s, not the host", w, ci->key_type, ci->sans[0]);
        else t_fail(&t, "%s: %s certificate has no DNS name in a SAN", w, ci->key_type);
      }
    }
  }
  clip(t.note, sizeof t.note, "every certificate names its MX host in a SAN (%zu)", t.judged);
  settle(e, &t, "no certificate seen (no address completed STARTTLS)");
}

/* ---- cert-chain ---- */

static void rule_cert_chain(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  char w[WHERE_CAP], other[DETAIL_CAP] = "";
  const tls_result_t *certs[1 + PROFILE_CERTS_MAX];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      size_t n = certs_of(a, certs);
      if (n) where(h, a, w);
      for (size_t c = 0; c < n; c++) {
        const tls_result_t *r = certs[c];
        if (r->pkix_valid) {
          t.judged++;
        } else if (r->pkix_verify_error == 0) {
          t_open(&t, "%s: PKIX not judged: %.60s", w, r->pkix_error);
        } else if (r->pkix_verify_error == TLS_VERIFY_NO_LOCAL_ISSUER && !r->cert.self_signed) {
          t_fail(&t, "%s: chain incomplete: %d sent, the issuer of the last is missing", w,
                 r->chain_len);
        } else {
          /* a chain that was built whole: PKIX failed for another reason */
          t.judged++;
          if (!other[0]) clip(other, sizeof other, "%s: %.60s", w, r->pkix_error);
        }
      }
    }
  }
  if (other[0]) clip(t.note, sizeof t.note, "chains complete; PKIX fails otherwise at %s", other);
  else clip(t.note, sizeof t.note, "every chain validates from what was sent (%zu)", t.judged);
  settle(e, &t, "no certificate seen (no address completed STARTTLS)");
}

/* ---- DNSSEC ---- */

static const char *dnssec_word(enum dnssec_state s) {
  return s == DNSSEC_INSECURE ? "insecure" : s == DNSSEC_BOGUS ? "bogus" : "not validated";
}

static void rule_dnssec_domain(const job_t *j, cncs_entry_t *e) {
  const char *what = j->nhosts && j->hosts[0].implicit ? "address records (implicit MX)"
                                                       : "MX answer";
  if (!j->have_dnssec) put(e, CNCS_NOT_TESTED, "DNSSEC state of the %s not learnt", what);
  else if (j->dnssec == DNSSEC_SECURE) put(e, CNCS_PASS, "%s of %s secure", what, j->domain);
  else if (j->dnssec == DNSSEC_BOGUS && j->dnssec_reason)
    put(e, CNCS_FAIL, "%s of %s bogus: %.80s", what, j->domain, j->dnssec_reason);
  else put(e, CNCS_FAIL, "%s of %s %s", what, j->domain, dnssec_word(j->dnssec));
}

static void rule_dnssec_mx(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    if (!h->have_dnssec) t_open(&t, "%s: DNSSEC state of its address records not learnt", h->name);
    else if (h->dnssec == DNSSEC_SECURE) t.judged++;
    else {
      const char *why = h->a.dnssec == DNSSEC_BOGUS ? h->a.reason : h->aaaa.reason;
      if (h->dnssec == DNSSEC_BOGUS && why) t_fail(&t, "%s: address records bogus: %.60s", h->name, why);
      else t_fail(&t, "%s: address records %s", h->name, dnssec_word(h->dnssec));
    }
  }
  clip(t.note, sizeof t.note, "address records secure at every MX host (%zu)", t.judged);
  settle(e, &t, "no MX host");
}

/* ---- TLSA, DANE, rollover ---- */

static bool tlsa_secure_usable(const host_t *h) {
  return h->tlsa_outcome == DNS_DATA && h->tlsa_dnssec == DNSSEC_SECURE && dane_usable_any(h);
}

static void rule_tlsa(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    /* TLSA is looked up for every host with an address (scan/tlsa.c) */
    if (!h->tlsa_looked_up) { t.skipped++; continue; }
    const char *why = h->tlsa_reason ? h->tlsa_reason : "", *sep = h->tlsa_reason ? ": " : "";
    if (h->tlsa_dnssec == DNSSEC_BOGUS) t_fail(&t, "%s: TLSA bogus%s%.60s", h->name, sep, why);
    else if (h->tlsa_outcome == DNS_ERROR)
      t_open(&t, "%s: TLSA lookup failed%s%.60s", h->name, sep, why);
    else if (h->tlsa_outcome != DNS_DATA) t_fail(&t, "%s: no TLSA records", h->name);
    else if (h->tlsa_dnssec != DNSSEC_SECURE) t_fail(&t, "%s: TLSA records not DNSSEC-secure", h->name);
    else if (!dane_usable_any(h)) t_fail(&t, "%s: no TLSA record usable for SMTP", h->name);
    else t.judged++;
  }
  clip(t.note, sizeof t.note, "secure usable TLSA at every MX host with an address (%zu)", t.judged);
  settle(e, &t, "no MX host with an address");
}

/* summary.c's rule: DNS alone decided these, with or without the server */
static bool dane_dns_failed(enum dane_status s) { return s == DANE_UNUSABLE || s == DANE_TLSA_BOGUS; }

static void rule_dane(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  char w[WHERE_CAP];
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      if (!engaged(a) && !dane_dns_failed(a->dane.status)) { t.skipped++; continue; }
      if (a->dane.status == DANE_VALID) { t.judged++; continue; }
      where(h, a, w);
      const char *why = a->dane.reason ? a->dane.reason : "not DANE-valid";
      if (a->dane.status == DANE_NO_STARTTLS) t_fail(&t, "%s: no TLS under TLSA: %.60s", w, why);
      else t_fail(&t, "%s: %.80s", w, why);
    }
  }
  if (t.skipped)
    clip(t.note, sizeof t.note, "DANE valid at every address that engaged (%zu; %zu did not)",
             t.judged, t.skipped);
  else
    clip(t.note, sizeof t.note, "DANE valid at every address (%zu)", t.judged);
  settle(e, &t, t.skipped ? "no MX address engaged (refused, lost or unreachable)"
                          : "no MX address");
}

static void rule_rollover(const job_t *j, cncs_entry_t *e) {
  tally_t t = {0};
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    if (!tlsa_secure_usable(h)) { t.skipped++; continue; }
    const rollover_t *r = &h->rollover;
    if (r->state == ROLLOVER_READY) t.judged++;
    else if (r->state == ROLLOVER_NOT_READY)
      t_fail(&t, "%s: not rollover-ready%s%s%s%s%.60s", h->name, r->scheme[0] ? " (" : "",
             r->scheme, r->scheme[0] ? ")" : "", r->reason ? ": " : "", r->reason ? r->reason : "");
    else if (h->ntlsa > TLSA_MATCH_MAX)
      t_open(&t, "%s: rollover not judged (over %d TLSA records)", h->name, TLSA_MATCH_MAX);
    else t_open(&t, "%s: rollover not judged (no certificate seen)", h->name);
  }
  if (t.judged + t.failed + t.open == 0) {
    put(e, CNCS_NOT_APPLICABLE, "no MX host has a secure usable TLSA set");
    return;
  }
  clip(t.note, sizeof t.note, "rollover-ready TLSA at every MX host with TLSA (%zu)", t.judged);
  settle(e, &t, "");
}

/* ---- advisory: MTA-STS and TLS-RPT ---- */

static bool sts_mode(const job_t *j, enum mtasts_mode m) {
  return j->sts_status == STS_VALID && j->sts_policy && j->sts_policy->mode == m;
}

static void rule_adv_mtasts(const job_t *j, cncs_entry_t *e) {
  const char *why = j->sts_reason ? j->sts_reason : "";
  switch (j->sts_status) {
  case STS_VALID:
    if (sts_mode(j, MTASTS_MODE_ENFORCE)) put(e, CNCS_PASS, "policy id %s in enforce mode", j->sts_id);
    else put(e, CNCS_FAIL, "policy in %s mode, not enforce",
             j->sts_policy && j->sts_policy->mode_name ? j->sts_policy->mode_name : "no");
    break;
  case STS_NONE: put(e, CNCS_FAIL, "no MTA-STS record at _mta-sts.%s", j->domain); break;
  case STS_FETCH_ERROR: put(e, CNCS_FAIL, "policy not fetched: %.80s", why); break;
  case STS_POLICY_INVALID: put(e, CNCS_FAIL, "policy invalid: %.80s", why); break;
  case STS_TXT_INVALID: put(e, CNCS_FAIL, "_mta-sts TXT record invalid: %.80s", why); break;
  case STS_DNS_ERROR: put(e, CNCS_NOT_TESTED, "_mta-sts TXT lookup failed: %.80s", why); break;
  default: put(e, CNCS_NOT_TESTED, "MTA-STS not looked up"); break;
  }
}

static void rule_adv_tlsrpt(const job_t *j, cncs_entry_t *e) {
  const char *why = j->tlsrpt_reason ? j->tlsrpt_reason : "";
  switch (j->tlsrpt_status) {
  case TLSRPT_VALID:
    put(e, CNCS_PASS, "reports to %.100s", j->tlsrpt && j->tlsrpt->nrua ? j->tlsrpt->rua[0] : "?");
    break;
  case TLSRPT_NONE: put(e, CNCS_FAIL, "no TLS-RPT record at _smtp._tls.%s", j->domain); break;
  case TLSRPT_INVALID: put(e, CNCS_FAIL, "TLS-RPT record invalid: %.80s", why); break;
  case TLSRPT_DNS_ERROR: put(e, CNCS_NOT_TESTED, "_smtp._tls TXT lookup failed: %.80s", why); break;
  default: put(e, CNCS_NOT_TESTED, "TLS-RPT not looked up"); break;
  }
}

static void rule_adv_testing_rpt(const job_t *j, cncs_entry_t *e) {
  if (!sts_mode(j, MTASTS_MODE_TESTING))
    put(e, CNCS_NOT_APPLICABLE, "no MTA-STS policy in testing mode");
  else if (j->tlsrpt_status == TLSRPT_VALID)
    put(e, CNCS_PASS, "policy in testing mode, its failures reported");
  else if (j->tlsrpt_status == TLSRPT_NONE || j->tlsrpt_status == TLSRPT_INVALID)
    put(e, CNCS_FAIL, "policy in testing mode without a valid TLS-RPT record: nobody reads its failures");
  else
    put(e, CNCS_NOT_TESTED, "policy in testing mode, TLS-RPT not learnt");
}

/* ---- the check ---- */

void cncs_compute(const job_t *j, cncs_t *out) {
  memset(out, 0, sizeof *out);
  if (j->status != JOB_OK) return;
  out->have = true;
  cncs_entry_t *c = out->checks;
  rule_starttls(j, &c[CNCS_STARTTLS]);
  rule_tls_version(j, &c[CNCS_TLS_VERSION]);
  rule_tls_cipher(j, &c[CNCS_TLS_CIPHER]);
  rule_cert_name(j, &c[CNCS_CERT_NAME]);
  rule_cert_chain(j, &c[CNCS_CERT_CHAIN]);
  rule_dnssec_domain(j, &c[CNCS_DNSSEC_DOMAIN]);
  rule_dnssec_mx(j, &c[CNCS_DNSSEC_MX]);
  rule_tlsa(j, &c[CNCS_TLSA]);
  rule_dane(j, &c[CNCS_DANE]);
  rule_rollover(j, &c[CNCS_TLSA_ROLLOVER]);
  rule_adv_mtasts(j, &c[CNCS_ADV_MTASTS]);
  rule_adv_tlsrpt(j, &c[CNCS_ADV_TLSRPT]);
  rule_adv_testing_rpt(j, &c[CNCS_ADV_TESTING_RPT]);
  /* pass and complete rest on the recommendation's own points; the advisory ones inform */
  out->pass = out->complete = true;
  for (int i = 0; i < CNCS_FIRST_ADVISORY; i++) {
    if (c[i].result == CNCS_FAIL) out->pass = false;
    if (c[i].result == CNCS_NOT_TESTED) out->complete = false;
  }
}

static void cncs_finish(job_t *j) { cncs_compute(j, &j->cncs); }

const check_t check_cncs = {"conformity", CHECK_CNCS, NULL, NULL, cncs_finish};
