/* The DANE check (RFC 7672): one verdict per MX address, from the host's TLSA lookup,
 * the address records' DNSSEC state and the TLS observation that tls_result_judge has
 * judged against the TLSA records with OpenSSL's DANE code.
 *
 * Why per address and not per host: a DANE sender authenticates the connection it makes,
 * and an MX name's addresses may be different machines with different certificates; a
 * domain is only protected when every address of every MX is (summary.dane, "partial DANE
 * protects nothing"). The order of the tests below is RFC 7672's:
 *  - a bogus TLSA RRset is a DNSSEC failure whatever else holds (§2.2: the sender must
 *    not deliver);
 *  - a TLSA lookup that failed counts only where DANE could have applied: with insecure
 *    address records no TLSA lookup is made by a DANE sender at all (§2.2.2), so it is
 *    "no-tlsa", not "dns-error";
 *  - no TLSA, insecure TLSA or insecure addresses: DANE does not apply ("no-tlsa");
 *  - secure TLSA with no record usable for SMTP (§3.1.3: PKIX-TA/PKIX-EE are not used by
 *    SMTP, unknown parameters are ignored): "unusable" — TLS is still mandatory;
 *  - a server that did not engage (refused, hung up, unreachable, not attempted: no EHLO
 *    reply) has shown nothing of its STARTTLS or certificate: "inconclusive", never
 *    "no-starttls", so that a throttling or dead MX does not count as broken DANE;
 *  - then the observation: no TLS ("no-starttls"), a record matched ("valid"), or not. */
#include "checks/dane.h"
#include "checks/check.h"

bool dane_usable_any(const host_t *h) {
  for (size_t i = 0; i < h->ntlsa; i++)
    if (!tlsa_unusable_reason(&h->tlsa[i])) return true;
  return false;
}

bool dane_applies(const host_t *h, const addr_t *a) {
  return h->tlsa_outcome == DNS_DATA && h->tlsa_dnssec == DNSSEC_SECURE && dane_usable_any(h) &&
         a->dnssec == DNSSEC_SECURE;
}

/* Names accepted for DANE-TA (RFC 7672 §3.2.2): the MX host as published, the next-hop
 * domain and its CNAME expansion; the TLSA base domain is the primary reference name. */
const tls_dane_in_t *dane_input(const host_t *h, const addr_t *a, const char *names[3],
                                tls_dane_in_t *din) {
  if (!dane_applies(h, a)) return NULL;
  const job_t *j = h->job;
  size_t nn = 0;
  names[nn++] = h->name;
  names[nn++] = j->domain;
  if (j->cname) names[nn++] = j->cname;
  *din = (tls_dane_in_t){h->tlsa_base, names, nn, h->tlsa, h->ntlsa};
  return din;
}

static dane_verdict_t verdict(enum dane_status s, const char *reason) {
  return (dane_verdict_t){s, reason};
}

/* The rules before any observation (RFC 7672 §2.2, §3.1.3), shared by the address's
 * verdict and each certificate's: true with *v set when one of them decides. */
static bool dane_dns_verdict(const host_t *h, const addr_t *a, dane_verdict_t *v) {
  if (h->tlsa_dnssec == DNSSEC_BOGUS) *v = verdict(DANE_TLSA_BOGUS, h->tlsa_reason);
  else if (h->tlsa_outcome == DNS_ERROR)
    *v = a->dnssec != DNSSEC_SECURE ? verdict(DANE_NO_TLSA, "address records not DNSSEC-secure")
                                    : verdict(DANE_DNS_ERROR, h->tlsa_reason);
  else if (h->tlsa_outcome != DNS_DATA) *v = verdict(DANE_NO_TLSA, "no TLSA records");
  else if (h->tlsa_dnssec != DNSSEC_SECURE)
    *v = verdict(DANE_NO_TLSA, "TLSA records not DNSSEC-secure");
  else if (a->dnssec != DNSSEC_SECURE)
    *v = verdict(DANE_NO_TLSA, "address records not DNSSEC-secure");
  else if (!dane_usable_any(h)) *v = verdict(DANE_UNUSABLE, "no usable TLSA record for SMTP");
  else return false;
  return true;
}

/* Valid or mismatch, from a judged observation. */
static dane_verdict_t tls_verdict(const tls_result_t *t) {
  if (t->dane_valid) return verdict(DANE_VALID, NULL);
  return verdict(DANE_MISMATCH, t->dane_error[0] ? t->dane_error : "no TLSA record matched");
}

dane_verdict_t dane_cert_status(const host_t *h, const addr_t *a, const tls_result_t *cert) {
  dane_verdict_t v;
  if (dane_dns_verdict(h, a, &v)) return v;
  return tls_verdict(cert);
}

dane_verdict_t dane_judge(const host_t *h, const addr_t *a) {
  dane_verdict_t v;
  if (dane_dns_verdict(h, a, &v)) return v;
  if (a->smtp.outcome != SMTP_OUTCOME_ENGAGED)
    return verdict(DANE_INCONCLUSIVE, a->smtp.err_reason ? a->smtp.err_reason : "no EHLO reply");
  if (!a->smtp.have_tls)
    return verdict(DANE_NO_STARTTLS, a->smtp.err_reason ? a->smtp.err_reason : "no TLS");
  return tls_verdict(&a->smtp.tls);
}

static void dane_finish(job_t *j) {
  for (size_t i = 0; i < j->nhosts; i++) {
    host_t *h = &j->hosts[i];
    for (size_t k = 0; k < h->naddrs; k++) {
      addr_t *a = &h->addrs[k];
      a->dane = dane_judge(h, a);
      for (size_t c = 0; c < a->profile.ncerts && c < PROFILE_CERTS_MAX; c++)
        a->cert_dane[c] = dane_cert_status(h, a, &a->profile.certs[c].tls);
    }
  }
}

const check_t check_dane = {"dane", CHECK_DANE, NULL, NULL, dane_finish};
