/* The host stage: the A and AAAA records of one MX host (both asked at once), then the
 * host's addresses in canonical order, then the TLSA stage.
 *
 * Canonical order (so that two scans of an unchanged domain give the same record): IPv4
 * before IPv6, each family by address bytes, and the MAX_ADDRS kept per family are the
 * first in that order, not the first the resolver happened to send (a resolver rotates
 * RRsets). The implicit MX (RFC 5321 §5.1) exists only if the domain has an address: when
 * it has none, the domain has no mail (or a DNS error) and no host. */
#include "scan/stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int rdata_cmp(const void *x, const void *y, size_t n) { return memcmp(x, y, n); }
static int rdata4_cmp(const void *x, const void *y) {
  return rdata_cmp(*(const uint8_t *const *)x, *(const uint8_t *const *)y, 4);
}
static int rdata16_cmp(const void *x, const void *y) {
  return rdata_cmp(*(const uint8_t *const *)x, *(const uint8_t *const *)y, 16);
}

/* Adds the answer's addresses of the family, in address order, at most MAX_ADDRS. */
static void host_add_addresses(host_t *h, int family, const dns_answer_t *ans) {
  size_t want = family == AF_INET ? 4 : 16, n = 0;
  const uint8_t *ips[2 * MAX_ADDRS + 1];
  const uint8_t **all = ans->count <= 2 * MAX_ADDRS ? ips : malloc(ans->count * sizeof *all);
  if (!all) { job_oom(h->job); return; }
  for (size_t i = 0; i < ans->count; i++)
    if ((size_t)ans->len[i] == want) all[n++] = ans->data[i];
  qsort(all, n, sizeof *all, family == AF_INET ? rdata4_cmp : rdata16_cmp);
  if (n > MAX_ADDRS) {
    h->addrs_truncated = true;
    n = MAX_ADDRS;
  }
  /* The other family's answer may come later: the array grows (nothing points into it
   * before the probes start, host_addresses_done). */
  if (n > 0) {
    addr_t *grown = realloc(h->addrs, (h->naddrs + n) * sizeof *grown);
    if (!grown) {
      if (all != ips) free(all);
      job_oom(h->job);
      return;
    }
    h->addrs = grown;
    memset(&h->addrs[h->naddrs], 0, n * sizeof *grown);
  }
  for (size_t i = 0; i < n; i++) {
    addr_t *a = &h->addrs[h->naddrs++];
    a->host = h;
    a->family = family;
    memcpy(a->ip, all[i], want);
    a->dnssec = ans->dnssec;
    smtp_result_init(&a->smtp);
    profile_result_init(&a->profile);
  }
  if (all != ips) free(all);
}

/* The host's list in canonical order: IPv4 first (its answer may have come second), each
 * family by address. Nothing points into the list yet: probes start after TLSA. */
static int addr_cmp(const void *x, const void *y) {
  const addr_t *a = x, *b = y;
  if (a->family != b->family) return a->family == AF_INET ? -1 : 1;
  return memcmp(a->ip, b->ip, a->family == AF_INET ? 4 : 16);
}

/* The error of a host without addresses: why there are none. */
static const char *host_no_address_reason(const host_t *h) {
  return h->a.reason ? h->a.reason : h->aaaa.reason ? h->aaaa.reason
       : h->a.outcome == DNS_NXDOMAIN ? "NXDOMAIN" : "no A or AAAA records";
}

static void host_addresses_done(host_t *h) {
  job_t *j = h->job;
  h->have_dnssec = true;
  h->dnssec = dnssec_worst(h->a.dnssec, h->aaaa.dnssec);
  if (h->naddrs) qsort(h->addrs, h->naddrs, sizeof h->addrs[0], addr_cmp);  /* addrs is NULL when none */
  if (h->implicit) {
    j->dnssec = dnssec_worst(j->dnssec, h->dnssec);
    if (h->naddrs == 0) {
      bool err = h->a.outcome == DNS_ERROR || h->aaaa.outcome == DNS_ERROR;
      if (err) job_set_error(j, JOB_DNS_ERROR, STAGE_DNS, h->a.reason ? h->a.reason : h->aaaa.reason);
      else job_set_error(j, JOB_NO_MAIL, STAGE_DNS, "no MX and no address records");
      host_clear(h);
      j->nhosts = 0;
      job_advance(j);
      return;
    }
  }
  if (h->naddrs == 0) {
    if (!(h->error = strdup(host_no_address_reason(h)))) job_oom(j);
    host_finish(h);
    return;
  }
  tlsa_start(h);
}

/* sig: where the answer's RRSIG expiry is kept (issue 16: h->a_sig or h->aaaa_sig). */
static void on_addr(host_t *h, lookup_t *lk, dns_sigexp_t *sig, int family,
                    const dns_answer_t *ans) {
  lk->done = true;
  lk->outcome = ans->outcome;
  lk->dnssec = ans->dnssec;
  if (ans->dnssec == DNSSEC_SECURE && ans->outcome == DNS_DATA) *sig = ans->sig;  /* issue 16 */
  if (ans->outcome == DNS_ERROR) {
    char buf[300];
    snprintf(buf, sizeof buf, "%s%s", ans->dnssec == DNSSEC_BOGUS ? "bogus: " : "",
             ans->reason ? ans->reason : "lookup failed");
    lk->reason = strdup(buf);
  }
  if (ans->canonname && !h->cname) h->cname = strdup(ans->canonname);
  host_add_addresses(h, family, ans);
  if (h->a.done && h->aaaa.done) host_addresses_done(h);
}

static void on_a(void *arg, const dns_answer_t *ans) {
  host_t *h = arg;
  on_addr(h, &h->a, &h->a_sig, AF_INET, ans);
}
static void on_aaaa(void *arg, const dns_answer_t *ans) {
  host_t *h = arg;
  on_addr(h, &h->aaaa, &h->aaaa_sig, AF_INET6, ans);
}

static void lookup_failed(lookup_t *lk) {
  lk->done = true;
  lk->outcome = DNS_ERROR;
  lk->dnssec = DNSSEC_INDETERMINATE;
  lk->reason = strdup("could not start query");
}

void host_start(host_t *h) {
  h->state = HOST_ADDRESSES;
  /* Callbacks never run inside dns_query, so neither lookup can finish the host early. */
  if (job_query(h->job, h->name, RR_A, on_a, h) != 0) lookup_failed(&h->a);
  if (job_query(h->job, h->name, RR_AAAA, on_aaaa, h) != 0) lookup_failed(&h->aaaa);
  if (h->a.done && h->aaaa.done) host_addresses_done(h);
}
