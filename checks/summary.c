/* The summary check: the domain's adoption figures in one object, over every address of
 * every MX host (status ok only). "Partial DANE protects nothing": summary.dane is
 * "valid" only when every address is DANE-valid; "partial" when some are; "invalid" when
 * DANE applies somewhere (secure TLSA and addresses: the statuses that mean a DANE
 * sender would insist on TLS) and nothing is valid; else "none".
 * summary.starttls counts the addresses that answered (sent a banner): "unreachable" when
 * none did, so that a dead MX is not counted as "no STARTTLS". Runs after check_dane. */
#include "checks/check.h"
#include "checks/summary.h"
#include "checks/tlsver.h"

static bool dane_applied(enum dane_status s) {
  return s == DANE_VALID || s == DANE_MISMATCH || s == DANE_UNUSABLE || s == DANE_NO_STARTTLS ||
         s == DANE_TLSA_BOGUS;
}

summary_t summary_compute(const job_t *j) {
  summary_t sum = {0};
  size_t answered = 0, tls_ok = 0, naddr = 0, dane_valid = 0;
  bool dane_secure = false;
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      naddr++;
      if (a->smtp.banner) answered++;
      if (a->smtp.have_tls) {
        tls_ok++;
        const char *v = a->smtp.tls.version;
        if (!sum.tls_best || tls_version_rank(v) > tls_version_rank(sum.tls_best)) sum.tls_best = v;
        if (!sum.tls_worst || tls_version_rank(v) < tls_version_rank(sum.tls_worst)) sum.tls_worst = v;
      }
      if (a->dane.status == DANE_VALID) dane_valid++;
      if (dane_applied(a->dane.status)) dane_secure = true;
    }
  }
  sum.starttls = answered == 0 ? SUM_TLS_UNREACHABLE : tls_ok == answered ? SUM_TLS_ALL
               : tls_ok == 0 ? SUM_TLS_NONE : SUM_TLS_SOME;
  sum.dane = (naddr > 0 && dane_valid == naddr) ? SUM_DANE_VALID
           : dane_valid > 0 ? SUM_DANE_PARTIAL : dane_secure ? SUM_DANE_INVALID : SUM_DANE_NONE;
  sum.mx_hosts = j->nhosts;
  sum.addresses = naddr;
  return sum;
}

static void summary_finish(job_t *j) {
  j->has_summary = j->status == JOB_OK;
  if (j->has_summary) j->summary = summary_compute(j);
}

const check_t check_summary = {"summary", CHECK_SUMMARY, NULL, summary_finish};
