/* The zone keys check's fold (checks/zonekeys.c finish, issue 16): host dnssec_expires is
 * the earliest of its A, AAAA and TLSA RRsets' RRSIGs and of the DNSKEY sets of the zones
 * that signed them; the domain's is the earliest of the MX RRset, its zone's DNSKEY and
 * every host's; the RRset named; ties keep the first considered; a zone whose DNSKEY set
 * was not learnt adds nothing; only status ok domains. The model is built by hand
 * (tests/unit/jobfix.h) as the scan stages and after() leave it. */
#include "checks/check.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

#define NOW ((time_t)1796200000)   /* 2026-12-02 */
#define DAY ((time_t)86400)

static dns_sigexp_t sig(time_t days, const char *signer) {
  dns_sigexp_t s = {0};
  s.at = NOW + days * DAY;
  snprintf(s.signer, sizeof s.signer, "%s", signer);
  return s;
}

static void zone(job_t *j, const char *name, time_t days) {
  struct zonekey *z = &j->zonekeys[j->nzonekeys++];
  z->job = j;
  snprintf(z->zone, sizeof z->zone, "%s", name);
  if (days) z->keys = sig(days, name);
}

static void fold(job_t *j) { check_zonekeys.finish(j); }

int main(void) {
  /* Nothing signed: nothing known. */
  {
    job_t *j = fx_job(1);
    fold(j);
    CHECK_INT(j->dnssec_expires.at, 0);
    CHECK_INT(j->hosts[0].dnssec_expires.at, 0);
    CHECK_STR(j->dnssec_expires.what, "");
    job_free(j);
  }
  /* A TLSA RRset signed to expire in 3 days, everything else in 28: the TLSA is named
   * for the host and for the domain. */
  {
    job_t *j = fx_job(2);
    j->mx_sig = sig(28, "example.pt");
    zone(j, "example.pt", 28);
    for (size_t i = 0; i < 2; i++) {
      j->hosts[i].a_sig = sig(28, "example.pt");
      j->hosts[i].aaaa_sig = sig(28, "example.pt");
    }
    j->hosts[1].tlsa_sig = sig(3, "example.pt");
    fold(j);
    CHECK_INT(j->hosts[0].dnssec_expires.at, NOW + 28 * DAY);
    CHECK_STR(j->hosts[0].dnssec_expires.what, "A mx1.example.pt");   /* a tie: A first */
    CHECK_INT(j->hosts[1].dnssec_expires.at, NOW + 3 * DAY);
    CHECK_STR(j->hosts[1].dnssec_expires.what, "TLSA _25._tcp.mx2.example.pt");
    CHECK_INT(j->dnssec_expires.at, NOW + 3 * DAY);
    CHECK_STR(j->dnssec_expires.what, "TLSA _25._tcp.mx2.example.pt");
    /* Folding again gives the same (finish starts from nothing). */
    fold(j);
    CHECK_STR(j->dnssec_expires.what, "TLSA _25._tcp.mx2.example.pt");
    job_free(j);
  }
  /* The domain's zone DNSKEY set expires in 10 days: the domain names it; a host in
   * another zone does not see it; an MX host's own zone's DNSKEY counts for the host. */
  {
    job_t *j = fx_job(1);
    j->mx_sig = sig(28, "example.pt");
    zone(j, "example.pt", 10);
    zone(j, "hoster.pt", 20);
    free(j->hosts[0].name);
    j->hosts[0].name = fx_strdup("mx.hoster.pt");
    snprintf(j->hosts[0].tlsa_name, sizeof j->hosts[0].tlsa_name, "_25._tcp.mx.hoster.pt");
    j->hosts[0].a_sig = sig(25, "hoster.pt");
    j->hosts[0].tlsa_sig = sig(24, "hoster.pt");
    fold(j);
    CHECK_INT(j->hosts[0].dnssec_expires.at, NOW + 20 * DAY);
    CHECK_STR(j->hosts[0].dnssec_expires.what, "DNSKEY hoster.pt");
    CHECK_INT(j->dnssec_expires.at, NOW + 10 * DAY);
    CHECK_STR(j->dnssec_expires.what, "DNSKEY example.pt");
    job_free(j);
  }
  /* A zone whose DNSKEY answer was not secure (keys.at 0) adds nothing; a host behind a
   * CNAME names its address RRset at the target; an already expired signature is still
   * the earliest (the zone is bogus from then: the outlook says so, not this fold). */
  {
    job_t *j = fx_job(1);
    zone(j, "example.pt", 0);
    j->hosts[0].cname = fx_strdup("real.example.pt");
    j->hosts[0].aaaa_sig = sig(-1, "example.pt");
    j->hosts[0].a_sig = sig(5, "example.pt");
    fold(j);
    CHECK_INT(j->hosts[0].dnssec_expires.at, NOW - DAY);
    CHECK_STR(j->hosts[0].dnssec_expires.what, "AAAA real.example.pt");
    CHECK_INT(j->dnssec_expires.at, NOW - DAY);
    job_free(j);
  }
  /* The MX RRset itself first: MX earlier than every host; MX owner at the CNAME target. */
  {
    job_t *j = fx_job(1);
    j->cname = fx_strdup("mail.example.net");
    j->mx_sig = sig(2, "example.net");
    j->hosts[0].a_sig = sig(4, "example.pt");
    fold(j);
    CHECK_STR(j->dnssec_expires.what, "MX mail.example.net");
    CHECK_INT(j->dnssec_expires.at, NOW + 2 * DAY);
    CHECK_STR(j->hosts[0].dnssec_expires.what, "A mx1.example.pt");
    job_free(j);
  }
  /* Not status ok: no expiry, whatever was kept. */
  {
    job_t *j = fx_job(0);
    j->status = JOB_NO_MAIL;
    j->mx_sig = sig(2, "example.pt");
    fold(j);
    CHECK_INT(j->dnssec_expires.at, 0);
    job_free(j);
  }
  TEST_MAIN_END();
}
