/* The sender check: what a DANE sender (RFC 7672) and an MTA-STS sender (RFC 8461) would
 * do with a message for the domain, as the MX hosts were observed.
 *
 * The sender walks the MX hosts in preference order (the model's order) and, within a
 * host, its addresses; the first that authenticates (or, where the policy allows it,
 * takes mail unauthenticated) decides. A failure is remembered (the first result type
 * seen, RFC 8460 §4.3 names) and the next host is tried, as an MTA does. The six rules,
 * for both kinds of sender:
 *  1. a bogus or failed address or TLSA lookup is a DNSSEC failure: the sender must not
 *     use that host (RFC 7672 §2.1, §2.2) — result "dnssec-invalid";
 *  2. an address that did not engage (no EHLO reply: refused, hung up, unreachable, not
 *     attempted) cannot take the message: next address;
 *  3. where DANE applies it decides, for both senders (RFC 8461 §2): valid delivers
 *     authenticated; a mismatch or missing STARTTLS fails;
 *  4. secure TLSA without a usable record: TLS is mandatory but cannot authenticate
 *     (RFC 7672 §3.1.3) — delivered unauthenticated over TLS ("tlsa-invalid");
 *  5. without DANE, an MTA-STS sender with an enforce policy requires the host to match
 *     the policy's mx patterns, STARTTLS, a PKIX-valid certificate for the MX name and
 *     TLS 1.2 or better (RFC 8461 §4.1, §4.2); a DANE sender and an MTA-STS sender
 *     without an enforce policy deliver opportunistically;
 *  6. nothing took the message: "defer" (the sender queues and retries), or "no-route"
 *     when no host had an address and nothing failed.
 * A domain whose MX lookup failed is deferred with "dnssec-invalid"; a domain that
 * receives no mail has no route. */
#include "checks/sender.h"
#include "checks/check.h"
#include "checks/tlsver.h"
#include "checks/mtasts_parse.h"

#include <string.h>
#include <strings.h>

enum result_type sender_verify_result_type(const char *err) {
  if (!err || !*err) return RT_VALIDATION_FAILURE;
  if (strcasestr(err, "hostname mismatch")) return RT_CERT_HOST_MISMATCH;
  if (strcasestr(err, "expired")) return RT_CERT_EXPIRED;
  if (strcasestr(err, "no matching DANE") || strcasestr(err, "self-signed") ||
      strcasestr(err, "unable to get") || strcasestr(err, "untrusted"))
    return RT_CERT_NOT_TRUSTED;
  return RT_VALIDATION_FAILURE;
}

static bool sts_enforced(const job_t *j, enum policy_kind pol) {
  return pol == POL_STS && j->sts_policy && j->sts_policy->mode == MTASTS_MODE_ENFORCE;
}

static bool sts_matches(const job_t *j, const host_t *h) {
  for (size_t k = 0; k < j->sts_policy->nmx; k++)
    if (mtasts_mx_match(j->sts_policy->mx[k], h->name)) return true;
  return false;
}

/* Rule 5 for one reachable address without DANE: 1 authenticated, 0 failed (*why). */
static int sts_address(const smtp_result_t *r, bool match, enum result_type *why) {
  if (!match) { *why = RT_VALIDATION_FAILURE; return 0; }
  if (!r->have_tls) { *why = RT_STARTTLS_NOT_SUPPORTED; return 0; }
  if (!r->tls.pkix_valid) { *why = sender_verify_result_type(r->tls.pkix_error); return 0; }
  if (tls_version_rank(r->tls.version) < tls_version_rank("TLSv1.2")) {
    *why = RT_VALIDATION_FAILURE;
    return 0;
  }
  return 1;
}

/* An address lookup that is bogus or failed is a DNSSEC failure, not "no host". */
static bool address_lookup_failed(const host_t *h) {
  return h->a.dnssec == DNSSEC_BOGUS || h->aaaa.dnssec == DNSSEC_BOGUS ||
         h->a.outcome == DNS_ERROR || h->aaaa.outcome == DNS_ERROR;
}

int sender_host_outcome(const job_t *j, const host_t *h, enum policy_kind pol, enum result_type *why) {
  if (h->naddrs == 0) {
    if (address_lookup_failed(h)) { *why = RT_DNSSEC_INVALID; return 0; }
    return -1;
  }
  bool enforce = sts_enforced(j, pol);
  bool match = enforce && sts_matches(j, h);
  int result = -1;
  for (size_t k = 0; k < h->naddrs; k++) {
    const addr_t *a = &h->addrs[k];
    const smtp_result_t *r = &a->smtp;
    enum dane_status ds = a->dane.status;
    if (ds == DANE_TLSA_BOGUS || ds == DANE_DNS_ERROR) { *why = RT_DNSSEC_INVALID; return 0; }
    if (r->outcome != SMTP_OUTCOME_ENGAGED) continue;        /* rule 2 */
    switch (ds) {                                           /* rules 3 and 4 */
    case DANE_VALID: return 1;
    case DANE_MISMATCH: *why = sender_verify_result_type(r->tls.dane_error); result = 0; continue;
    case DANE_NO_STARTTLS: *why = RT_STARTTLS_NOT_SUPPORTED; result = 0; continue;
    case DANE_UNUSABLE:
      *why = r->have_tls ? RT_TLSA_INVALID : RT_STARTTLS_NOT_SUPPORTED;
      if (r->have_tls) return 2;
      result = 0;
      continue;
    default: break;
    }
    if (!enforce) return 2;                                 /* rule 5: opportunistic */
    if (sts_address(r, match, why) == 1) return 1;
    result = 0;
  }
  return result;
}

sender_verdict_t sender_judge(const job_t *j, enum policy_kind pol) {
  sender_verdict_t v = {ACT_NO_ROUTE, RT_NONE, NULL};
  if (j->status == JOB_DNS_ERROR) {
    v.action = ACT_DEFER;
    v.result_type = RT_DNSSEC_INVALID;
    return v;
  }
  if (j->status != JOB_OK) return v;
  bool any_addr = false;
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    any_addr |= h->naddrs > 0;
    enum result_type why = RT_NONE;
    int o = sender_host_outcome(j, h, pol, &why);
    if (o > 0) {
      v.action = o == 1 ? ACT_DELIVER : ACT_DELIVER_UNAUTH;
      v.mx = h->name;
      if (o == 2 && why != RT_NONE && v.result_type == RT_NONE) v.result_type = why;
      return v;
    }
    if (o == 0 && v.result_type == RT_NONE) v.result_type = why;
  }
  v.action = (!any_addr && v.result_type == RT_NONE) ? ACT_NO_ROUTE : ACT_DEFER;   /* rule 6 */
  return v;
}

static void sender_finish(job_t *j) {
  j->has_sender = j->status != JOB_INVALID && j->status != JOB_EXCLUDED;
  if (!j->has_sender) return;
  j->sender[POL_DANE] = sender_judge(j, POL_DANE);
  /* A policy that could not be fetched or parsed is reported, and a sender without a
   * cached policy goes on as if there were none (RFC 8461 §3.3, §5). */
  j->sender[POL_STS] = sender_judge(j, POL_STS);
  if (j->sender[POL_STS].result_type == RT_NONE) j->sender[POL_STS].result_type = j->sts_result_type;
}

const check_t check_sender = {"sender", CHECK_SENDER, NULL, NULL, sender_finish};
