/* Hand-built domain models for the checks' unit tests (test_check_*.c).
 *
 * The checks' finish functions are pure functions of a job_t, so their tests build the
 * model directly instead of scanning anything: a job with MX hosts, each host with its
 * address lookups, TLSA answer and addresses, each address with the SMTP/TLS observation a
 * probe would have left. Everything is allocated the way the scan stages allocate it, so
 * that job_free (model/job.c), the one place a job is freed, frees it here too and the
 * ASan build checks ownership as well as verdicts.
 *
 * Defaults are the "good" case (DNSSEC-secure lookups, a 220 greeting, TLS 1.3 with a
 * PKIX-valid certificate); each test spoils what it is about. */
#ifndef MXS_TESTS_JOBFIX_H
#define MXS_TESTS_JOBFIX_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/job.h"

static inline char *fx_strdup(const char *s) {
  char *d = strdup(s);
  if (!d) abort();
  return d;
}

/* A job for "example.pt", status ok, with n empty hosts (names mx1.example.pt, ...). */
static inline job_t *fx_job(size_t n) {
  job_t *j = calloc(1, sizeof *j);
  if (!j) abort();
  j->state = JOB_DONE;
  j->status = JOB_OK;
  snprintf(j->domain, sizeof j->domain, "example.pt");
  j->hosts = calloc(n ? n : 1, sizeof *j->hosts);
  if (!j->hosts) abort();
  j->nhosts = n;
  for (size_t i = 0; i < n; i++) {
    host_t *h = &j->hosts[i];
    char name[64];
    snprintf(name, sizeof name, "mx%zu.example.pt", i + 1);
    h->job = j;
    h->state = HOST_DONE;
    h->name = fx_strdup(name);
    h->pref = (int)(10 * (i + 1));
    h->a = (lookup_t){true, DNS_DATA, DNSSEC_SECURE, NULL};
    h->aaaa = (lookup_t){true, DNS_NODATA, DNSSEC_SECURE, NULL};
    h->have_dnssec = true;
    h->dnssec = DNSSEC_SECURE;
    h->tlsa_outcome = DNS_NXDOMAIN;
    h->tlsa_dnssec = DNSSEC_SECURE;
    snprintf(h->tlsa_base, sizeof h->tlsa_base, "%s", name);
    snprintf(h->tlsa_name, sizeof h->tlsa_name, "_25._tcp.%s", name);
  }
  return j;
}

/* Appends one TLSA record (32 octets of data, owned by the host). */
static inline void fx_tlsa(host_t *h, int usage, int selector, int mtype) {
  tlsa_rec_t *t = realloc(h->tlsa, (h->ntlsa + 1) * sizeof *t);
  if (!t) abort();
  h->tlsa = t;
  uint8_t *d = calloc(1, 32);
  if (!d) abort();
  d[0] = (uint8_t)(h->ntlsa + 1);
  t[h->ntlsa++] = (tlsa_rec_t){(uint8_t)usage, (uint8_t)selector, (uint8_t)mtype, d, 32};
  h->tlsa_looked_up = true;
  h->tlsa_outcome = DNS_DATA;
}

/* The TLSA answer's outcome, DNSSEC state and reason. */
static inline void fx_tlsa_answer(host_t *h, enum dns_outcome o, enum dnssec_state s, const char *reason) {
  h->tlsa_looked_up = true;
  h->tlsa_outcome = o;
  h->tlsa_dnssec = s;
  free(h->tlsa_reason);
  h->tlsa_reason = reason ? fx_strdup(reason) : NULL;
}

/* Sets the SMTP greeting of an address: code 0 means no banner at all (no connection).
 * The outcome follows (smtp_outcome_of's rules): 220 engaged (fx_addr's EHLO 250 stands),
 * 4xx/5xx refused, none unreachable; fx_outcome sets another. */
static inline void fx_banner(addr_t *a, int code) {
  free(a->smtp.banner);
  a->smtp.banner = NULL;
  a->smtp.banner_len = 0;
  a->smtp.banner_code = code;
  a->smtp.connect = code ? SMTP_CONNECT_OK : SMTP_CONNECT_TIMEOUT;
  a->smtp.outcome = code == 220 ? SMTP_OUTCOME_ENGAGED
                  : code >= 400 && code <= 599 ? SMTP_OUTCOME_REFUSED : SMTP_OUTCOME_UNREACHABLE;
  if (code) {
    char b[64];
    snprintf(b, sizeof b, "%d mail.example.pt ESMTP", code);
    a->smtp.banner = fx_strdup(b);
    a->smtp.banner_len = strlen(b);
  }
}

/* The dialogue's outcome, where the greeting alone does not say it (lost, not attempted);
 * an address that did not engage has no STARTTLS answer and no TLS. */
static inline void fx_outcome(addr_t *a, enum smtp_outcome o) {
  a->smtp.outcome = o;
  if (o == SMTP_OUTCOME_ENGAGED) return;
  a->smtp.starttls = SMTP_STARTTLS_UNKNOWN;
  a->smtp.have_tls = false;
  a->smtp.tls.version[0] = '\0';
  if (o == SMTP_OUTCOME_NOT_ATTEMPTED) a->smtp.connect = SMTP_CONNECT_NOT_ATTEMPTED;
}

/* TLS completed with protocol version v; pkix: PKIX-valid certificate for the MX name. */
static inline void fx_tls(addr_t *a, const char *v, bool pkix, const char *pkix_error) {
  a->smtp.have_tls = true;
  a->smtp.starttls = SMTP_STARTTLS_OFFERED;
  snprintf(a->smtp.tls.version, sizeof a->smtp.tls.version, "%s", v);
  a->smtp.tls.pkix_valid = pkix;
  snprintf(a->smtp.tls.pkix_error, sizeof a->smtp.tls.pkix_error, "%s", pkix ? "" : pkix_error);
  a->smtp.tls.dane_depth = -1;
}

/* No TLS: STARTTLS not offered (the probe's error reason set as the probe sets it). */
static inline void fx_no_tls(addr_t *a, const char *reason) {
  a->smtp.have_tls = false;
  a->smtp.starttls = SMTP_STARTTLS_NOT_OFFERED;
  a->smtp.tls.version[0] = '\0';
  a->smtp.tls.pkix_valid = false;
  free(a->smtp.err_reason);
  a->smtp.err_reason = reason ? fx_strdup(reason) : NULL;
  a->smtp.err_reason_len = reason ? strlen(reason) : 0;
  a->smtp.err_stage = reason ? SMTP_STAGE_STARTTLS : SMTP_STAGE_NONE;
}

/* DANE verdict of the TLS judge: valid, or not with OpenSSL's error text. */
static inline void fx_dane_obs(addr_t *a, bool valid, const char *err) {
  a->smtp.tls.dane_enabled = true;
  a->smtp.tls.dane_valid = valid;
  snprintf(a->smtp.tls.dane_error, sizeof a->smtp.tls.dane_error, "%s", valid || !err ? "" : err);
  a->smtp.tls.dane_depth = valid ? 0 : -1;
}

/* Appends an IPv4 address 192.0.2.<n> with the DNSSEC state of its records; greeted
 * (220) over TLS 1.3 with a PKIX-valid certificate. */
static inline addr_t *fx_addr(host_t *h, enum dnssec_state s) {
  if (h->naddrs >= 2 * MAX_ADDRS) abort();
  if (!h->addrs && !(h->addrs = calloc(2 * MAX_ADDRS, sizeof *h->addrs))) abort();
  addr_t *a = &h->addrs[h->naddrs++];
  memset(a, 0, sizeof *a);
  smtp_result_init(&a->smtp);
  a->host = h;
  a->family = AF_INET;
  a->ip[0] = 192, a->ip[1] = 0, a->ip[2] = 2, a->ip[3] = (uint8_t)h->naddrs;
  a->dnssec = s;
  fx_banner(a, 220);
  a->smtp.ehlo_code = 250;
  fx_tls(a, "TLSv1.3", true, NULL);
  return a;
}

/* A policy (RFC 8461) with mode m and up to two mx patterns (NULL: none). */
static inline void fx_policy(job_t *j, enum mtasts_mode m, const char *mx1, const char *mx2) {
  free(j->sts_policy);
  j->sts_policy = calloc(1, sizeof *j->sts_policy);
  if (!j->sts_policy) abort();
  j->sts_status = STS_VALID;
  j->sts_policy->mode = m;
  j->sts_policy->mode_name = m == MTASTS_MODE_ENFORCE ? "enforce"
                           : m == MTASTS_MODE_TESTING ? "testing" : "none";
  j->sts_policy->max_age = 86400;
  const char *mx[2] = {mx1, mx2};
  for (size_t k = 0; k < 2; k++)
    if (mx[k]) snprintf(j->sts_policy->mx[j->sts_policy->nmx++], MTASTS_MX_LEN + 1, "%s", mx[k]);
}

#endif
