/* The summary check: the domain's adoption figures in one object, over every address of
 * every MX host (status ok only).
 *
 * Only a server that engaged (EHLO answered: smtp.outcome "engaged") says anything about
 * STARTTLS or DANE. A server that refused us (421 "too many connections", 554 to unknown
 * clients), hung up, never answered or was not tried is inconclusive: counting it as "no
 * STARTTLS" or as the missing part of "partial DANE" would publish a wrong adoption figure
 * and send a CERT's notice to the wrong operator. This follows the DANE survey's
 * definition: correct TLSA at every MX host *that accepts connections*.
 *  - summary.starttls over the engaged addresses: "all", "some", "none" have TLS (the
 *    handshake completed); with no engaged address "refused" when some address refused,
 *    else "unreachable";
 *  - summary.dane over the engaged addresses, and over any address whose DANE failure DNS
 *    alone decides (tlsa-bogus, unusable: no server can mend those, so they count whether
 *    or not it answered): "valid" when every one of them is DANE-valid (at least one),
 *    "partial" when some are; "invalid" when none is and DANE failed at one of them;
 *    "inconclusive" when no address engaged yet DANE applies to some (TLSA published and
 *    secure, so only the servers could tell); else "none";
 *  - summary.inconclusive counts the addresses that did not engage;
 *  - summary.legacy_tls (with --tls-profile): some address accepts SSLv3, TLS 1.0 or 1.1;
 *  - summary.tls_grade (with --tls-profile): the worst grade of the graded addresses
 *    (check_tls_grade, which runs first); absent when no address was graded.
 * "Partial DANE protects nothing" still holds among the servers that answered. Runs after
 * check_dane and check_tls_grade. */
#include "checks/check.h"
#include "checks/summary.h"
#include "checks/tlsver.h"

static bool dane_failed(enum dane_status s) {
  return s == DANE_MISMATCH || s == DANE_UNUSABLE || s == DANE_NO_STARTTLS || s == DANE_TLSA_BOGUS;
}

/* A failure that DNS decided, with or without the server. */
static bool dane_dns_failed(enum dane_status s) { return s == DANE_UNUSABLE || s == DANE_TLSA_BOGUS; }

static enum sum_starttls starttls_of(size_t engaged, size_t tls_ok, size_t refused) {
  if (engaged == 0) return refused ? SUM_TLS_REFUSED : SUM_TLS_UNREACHABLE;
  return tls_ok == engaged ? SUM_TLS_ALL : tls_ok == 0 ? SUM_TLS_NONE : SUM_TLS_SOME;
}

summary_t summary_compute(const job_t *j) {
  summary_t sum = {0};
  size_t engaged = 0, refused = 0, tls_ok = 0, naddr = 0, dane_counted = 0, dane_valid = 0;
  bool dane_fail = false, dane_open = false;
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      const addr_t *a = &h->addrs[k];
      naddr++;
      /* --tls-profile: what the profile's own connections showed (made only for an
       * address that completed STARTTLS) */
      if (a->profile.done) {
        sum.have_legacy = true;
        const enum profile_vstate *pv = a->profile.versions;
        if (pv[PV_SSL3] == PVS_ACCEPTED || pv[PV_TLS10] == PVS_ACCEPTED || pv[PV_TLS11] == PVS_ACCEPTED)
          sum.legacy_tls = true;
      }
      if (a->grade.have) {
        sum.tls_grade = sum.have_grade ? tls_class_worst(sum.tls_grade, a->grade.grade)
                                       : a->grade.grade;
        sum.have_grade = true;
      }
      /* dane.status of an address that did not engage is "inconclusive" or one that DNS
       * decided (check_dane), so the DANE counts need no outcome test of their own. */
      if (dane_failed(a->dane.status)) dane_fail = true;
      if (a->dane.status == DANE_INCONCLUSIVE) dane_open = true;
      if (a->smtp.outcome != SMTP_OUTCOME_ENGAGED) {
        sum.inconclusive++;
        refused += a->smtp.outcome == SMTP_OUTCOME_REFUSED;
        dane_counted += dane_dns_failed(a->dane.status);
        continue;
      }
      engaged++;
      dane_counted++;
      if (a->dane.status == DANE_VALID) dane_valid++;
      if (a->smtp.have_tls) {
        tls_ok++;
        const char *v = a->smtp.tls.version;
        if (!sum.tls_best || tls_version_rank(v) > tls_version_rank(sum.tls_best)) sum.tls_best = v;
        if (!sum.tls_worst || tls_version_rank(v) < tls_version_rank(sum.tls_worst)) sum.tls_worst = v;
      }
    }
  }
  sum.starttls = starttls_of(engaged, tls_ok, refused);
  sum.dane = (dane_counted > 0 && dane_valid == dane_counted) ? SUM_DANE_VALID
           : dane_valid > 0 ? SUM_DANE_PARTIAL
           : dane_fail ? SUM_DANE_INVALID
           : (engaged == 0 && dane_open) ? SUM_DANE_INCONCLUSIVE : SUM_DANE_NONE;
  sum.mx_hosts = j->nhosts;
  sum.addresses = naddr;
  return sum;
}

static void summary_finish(job_t *j) {
  j->has_summary = j->status == JOB_OK;
  if (j->has_summary) j->summary = summary_compute(j);
}

const check_t check_summary = {"summary", CHECK_SUMMARY, NULL, NULL, summary_finish};
