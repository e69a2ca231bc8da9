/* The TLS-RPT check (RFC 8460 §3): the TXT record at _smtp._tls.<domain>, looked up for
 * every domain that can receive mail. Its outcome is the record's tls_rpt object; no
 * verdict depends on it (a report address changes nothing a sender does). */
#include "checks/check.h"
#include "checks/txt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RR_TXT 16

static int rpt_select(const char *const *t, const size_t *l, size_t n, void *out, const char **why) {
  return tlsrpt_txt_select(t, l, n, out, why);
}

static void on_tlsrpt(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  j->tlsrpt_dnssec = ans->dnssec;
  if (ans->outcome == DNS_ERROR) {
    j->tlsrpt_status = TLSRPT_DNS_ERROR;
    j->tlsrpt_reason = job_strdup(ans->reason);
  } else if (ans->outcome != DNS_DATA) {
    j->tlsrpt_status = TLSRPT_NONE;
  } else {
    tlsrpt_t *rpt = calloc(1, sizeof *rpt);
    const char *why = NULL;
    int rc = rpt ? txt_select(ans, "v=TLSRPTv1", rpt_select, rpt, &why) : -1;
    if (!rpt) why = TXT_OOM;
    if (why == TXT_OOM) job_oom(j);
    j->tlsrpt_status = rc > 0 ? TLSRPT_VALID : rc == 0 ? TLSRPT_NONE : TLSRPT_INVALID;
    if (rc < 0) j->tlsrpt_reason = job_strdup(why);
    if (rc > 0) j->tlsrpt = rpt;
    else free(rpt);
  }
  check_done(j, CHECK_TLSRPT);
}

static bool tlsrpt_begin(job_t *j) {
  char name[DOMAIN_MAX + 16];
  snprintf(name, sizeof name, "_smtp._tls.%s", j->domain);
  if (strlen(name) > DNS_QNAME_MAX) {
    /* A domain of more than 242 characters: no record can exist at a name that long. */
    j->tlsrpt_status = TLSRPT_NONE;
    j->tlsrpt_dnssec = DNSSEC_INDETERMINATE;
    j->tlsrpt_reason = strdup("_smtp._tls.<domain> would be longer than 253 octets");
    return false;
  }
  if (job_query(j, name, RR_TXT, on_tlsrpt, j) != 0) {
    j->tlsrpt_status = TLSRPT_DNS_ERROR;
    j->tlsrpt_dnssec = DNSSEC_INDETERMINATE;
    j->tlsrpt_reason = strdup("could not start query");
    return false;
  }
  return true;
}

const check_t check_tlsrpt = {"tls_rpt", CHECK_TLSRPT, tlsrpt_begin, NULL};
