/* The TLS-RPT check (RFC 8460 §3): the TXT record at _smtp._tls.<domain>, looked up for
 * every domain that can receive mail. Its outcome is the record's tls_rpt object; no
 * verdict depends on it (a report address changes nothing a sender does). */
#include "checks/check.h"
#include "checks/txt.h"
#include "checks/tlsrpt_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  int rc = txt_query(j, "_smtp._tls", on_tlsrpt);
  if (rc > 0) return true;
  j->tlsrpt_status = rc == 0 ? TLSRPT_NONE : TLSRPT_DNS_ERROR;
  j->tlsrpt_dnssec = DNSSEC_INDETERMINATE;
  /* A domain of more than 242 characters: no record can exist at a name that long. */
  j->tlsrpt_reason = strdup(rc == 0 ? "_smtp._tls.<domain> would be longer than 253 octets"
                                    : "could not start query");
  return false;
}

const check_t check_tlsrpt = {"tls_rpt", CHECK_TLSRPT, tlsrpt_begin, NULL, NULL};
