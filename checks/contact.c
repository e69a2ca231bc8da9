/* The contact check (issue 16): the RNAME of the domain's zone SOA (RFC 1035 §3.3.13, the
 * zone's responsible mailbox), recorded as soa_rname so that a notification list has
 * someone to write to when the domain publishes no TLS-RPT address.
 *
 * One SOA query per domain that can receive mail, at the domain's own name: at the apex
 * the answer holds the SOA, below it the NODATA answer's authority section holds the SOA
 * of the zone the name is in (net/dnswire.c reads either). The text is in presentation
 * form with its escapes (a '.' in the local part stays \046), for the notifier to turn
 * into a mailbox. No verdict rests on it, so an insecure answer is kept too; a bogus one
 * gives nothing (net/dns.c does not read it). */
#include "checks/check.h"

#include <stdlib.h>
#include <string.h>

#define RR_SOA 6

static void on_soa(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  if (ans->soa_rname && !j->soa_rname && !(j->soa_rname = strdup(ans->soa_rname))) job_oom(j);
  check_done(j, CHECK_CONTACT);
}

static bool contact_begin(job_t *j) {
  if (j->status != JOB_OK) return false;
  return job_query(j, j->domain, RR_SOA, on_soa, j) == 0;
}

/* The record has soa_rname for status ok only: an implicit MX that turned out to have no
 * address (no-mail, dns-error) was asked while its status was still ok. */
static void contact_finish(job_t *j) {
  if (j->status == JOB_OK) return;
  free(j->soa_rname);
  j->soa_rname = NULL;
}

const check_t check_contact = {"soa_rname", CHECK_CONTACT, contact_begin, NULL, contact_finish};
