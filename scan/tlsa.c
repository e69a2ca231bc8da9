/* The TLSA stage (RFC 7672 §2.2): the TLSA RRset of one MX host, then its probes.
 *
 * The base domain is the host name, or its securely expanded CNAME target (§2.2.3) when
 * the address records were secure and the target is a host name; a secure "no TLSA" at
 * the expanded name falls back to the original name. A base longer than 244 characters
 * leaves no room for "_25._tcp.": no lookup, and the outcome is unknown (a DANE sender's
 * resolver would fail the same way), not "no TLSA".
 *
 * Every record is kept, in canonical order (usage, selector, mtype, data): DANE must see
 * them all, and a record lists them in an order that does not rotate with the resolver. */
#include "scan/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tlsa_query(host_t *h, const char *base);

static int tlsa_cmp(const void *x, const void *y) {
  const tlsa_rec_t *a = x, *b = y;
  if (a->usage != b->usage) return a->usage < b->usage ? -1 : 1;
  if (a->selector != b->selector) return a->selector < b->selector ? -1 : 1;
  if (a->mtype != b->mtype) return a->mtype < b->mtype ? -1 : 1;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = n ? memcmp(a->data, b->data, n) : 0;
  return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Copies every record of the answer into h; false (and nothing kept) when memory ran out. */
static bool tlsa_keep(host_t *h, const dns_answer_t *ans) {
  h->tlsa = calloc(ans->count, sizeof *h->tlsa);
  if (!h->tlsa) return false;
  for (size_t i = 0; i < ans->count; i++) {
    if (ans->len[i] < 3) continue;   /* cannot even hold usage/selector/mtype */
    size_t len = (size_t)ans->len[i] - 3;
    uint8_t *data = malloc(len ? len : 1);
    if (!data) {
      for (size_t k = 0; k < h->ntlsa; k++) free((void *)h->tlsa[k].data);
      free(h->tlsa);
      h->tlsa = NULL;
      h->ntlsa = 0;
      return false;
    }
    memcpy(data, ans->data[i] + 3, len);
    h->tlsa[h->ntlsa++] = (tlsa_rec_t){ans->data[i][0], ans->data[i][1], ans->data[i][2], data, len};
  }
  qsort(h->tlsa, h->ntlsa, sizeof *h->tlsa, tlsa_cmp);
  return true;
}

/* The TLSA outcome is known without an answer (no name, no query): probe now. */
static void tlsa_unknown(host_t *h, const char *reason) {
  h->tlsa_looked_up = true;
  h->tlsa_outcome = DNS_ERROR;
  h->tlsa_dnssec = DNSSEC_INDETERMINATE;
  free(h->tlsa_reason);
  h->tlsa_reason = strdup(reason);
  probes_start(h);
}

static void on_tlsa(void *arg, const dns_answer_t *ans) {
  host_t *h = arg;
  h->tlsa_looked_up = true;
  if (!h->tlsa_fallback_done && h->cname && strcmp(h->tlsa_base, h->cname) == 0 &&
      ans->dnssec == DNSSEC_SECURE && (ans->outcome == DNS_NODATA || ans->outcome == DNS_NXDOMAIN)) {
    h->tlsa_fallback_done = true;
    tlsa_query(h, h->name);
    return;
  }
  h->tlsa_outcome = ans->outcome;
  h->tlsa_dnssec = ans->dnssec;
  /* issue 16: the TLSA RRset's signatures (DANE rests on them) */
  bool signed_data = ans->dnssec == DNSSEC_SECURE && ans->outcome == DNS_DATA;
  h->tlsa_sig = signed_data ? ans->sig : (dns_sigexp_t){0};
  free(h->tlsa_reason);
  h->tlsa_reason = job_strdup(ans->reason);
  if (ans->count > 0 && !tlsa_keep(h, ans)) {
    /* A partial set could hide the matching record: no verdict from it. */
    h->tlsa_outcome = DNS_ERROR;
    free(h->tlsa_reason);
    h->tlsa_reason = job_strdup("out of memory");
    job_oom(h->job);
  }
  probes_start(h);
}

static void tlsa_query(host_t *h, const char *base) {
  snprintf(h->tlsa_base, sizeof h->tlsa_base, "%s", base);
  snprintf(h->tlsa_name, sizeof h->tlsa_name, "_%d._tcp.%s", 25, base);
  if (strlen(h->tlsa_name) > DNS_QNAME_MAX) {
    tlsa_unknown(h, "TLSA name longer than 253 octets: not queried");
    return;
  }
  if (job_query(h->job, h->tlsa_name, RR_TLSA, on_tlsa, h) != 0)
    tlsa_unknown(h, "could not start query");
}

void tlsa_start(host_t *h) {
  h->state = HOST_TLSA;
  /* A securely expanded alias is tried as TLSA base first; one that is no host name
   * (bytes written \DDD) is not, as no SMTP server can be named by it. */
  bool secure = h->a.dnssec == DNSSEC_SECURE && h->aaaa.dnssec == DNSSEC_SECURE;
  tlsa_query(h, (h->cname && secure && domain_is_hostname(h->cname)) ? h->cname : h->name);
}
