/* The DANE check (checks/dane.c, RFC 7672): every dane.status value, the order of its
 * tests (a bogus TLSA RRset wins over everything; a TLSA lookup error with insecure
 * addresses is "no-tlsa"), dane_applies and the TLS judge's input (dane_input), and the
 * check's finish over a whole job. Models are built by hand (tests/unit/jobfix.h). */
#include "checks/check.h"
#include "checks/dane.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

/* A host whose TLSA RRset is secure with one usable record (3 1 1) and one secure address
 * that completed TLS and matched: the valid case every test spoils. */
static job_t *good(host_t **hp, addr_t **ap) {
  job_t *j = fx_job(1);
  host_t *h = &j->hosts[0];
  fx_tlsa(h, 3, 1, 1);
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  addr_t *a = fx_addr(h, DNSSEC_SECURE);
  fx_dane_obs(a, true, NULL);
  *hp = h;
  *ap = a;
  return j;
}

static void test_valid(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_VALID);
  CHECK(v.reason == NULL);
  /* 2 1 1 (DANE-TA) is usable too */
  h->tlsa[0].usage = 2;
  CHECK_INT(dane_judge(h, a).status, DANE_VALID);
  job_free(j);
}

static void test_mismatch(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  fx_dane_obs(a, false, "no matching DANE TLSA records");
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_MISMATCH);
  CHECK_STR(v.reason, "no matching DANE TLSA records");
  /* the judge gave no text: a reason of our own */
  fx_dane_obs(a, false, NULL);
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_MISMATCH);
  CHECK_STR(v.reason, "no TLSA record matched");
  job_free(j);
}

static void test_unusable(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  /* PKIX-TA and PKIX-EE (RFC 7672 §3.1.3), a SHA-512 record with 32 octets, an unknown
   * selector: none usable for SMTP */
  h->tlsa[0].usage = 0;
  fx_tlsa(h, 1, 1, 1);
  fx_tlsa(h, 3, 1, 2);
  fx_tlsa(h, 3, 2, 1);
  CHECK(!dane_usable_any(h));
  CHECK(!dane_applies(h, a));
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_UNUSABLE);
  CHECK_STR(v.reason, "no usable TLSA record for SMTP");
  /* unusable whatever the TLS observation: TLS is still mandatory, judged by sender */
  fx_no_tls(a, "STARTTLS not offered");
  CHECK_INT(dane_judge(h, a).status, DANE_UNUSABLE);
  /* ... and whether or not the server engaged: DNS alone decides it */
  fx_outcome(a, SMTP_OUTCOME_UNREACHABLE);
  CHECK_INT(dane_judge(h, a).status, DANE_UNUSABLE);
  fx_outcome(a, SMTP_OUTCOME_ENGAGED);
  /* one usable record after the unusable ones: DANE applies (every record is seen) */
  fx_tls(a, "TLSv1.3", true, NULL);
  fx_dane_obs(a, true, NULL);
  fx_tlsa(h, 3, 1, 1);
  CHECK(dane_usable_any(h));
  CHECK_INT(dane_judge(h, a).status, DANE_VALID);
  job_free(j);
}

static void test_no_starttls(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  fx_no_tls(a, "STARTTLS not offered");
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_STARTTLS);
  CHECK_STR(v.reason, "STARTTLS not offered");
  fx_no_tls(a, NULL);
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_STARTTLS);
  CHECK_STR(v.reason, "no TLS");
  /* no EHLO reply (refused, lost, unreachable, not attempted): the server showed nothing
   * of its STARTTLS, so "inconclusive" with the probe's reason, never no-starttls */
  static const enum smtp_outcome gone[] = {SMTP_OUTCOME_REFUSED, SMTP_OUTCOME_LOST,
                                           SMTP_OUTCOME_UNREACHABLE, SMTP_OUTCOME_NOT_ATTEMPTED};
  for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
    fx_outcome(a, gone[i]);
    v = dane_judge(h, a);
    CHECK_INT(v.status, DANE_INCONCLUSIVE);
    CHECK_STR(v.reason, "no EHLO reply");
  }
  fx_banner(a, 421);
  fx_no_tls(a, "421 4.7.0 too many connections");
  fx_outcome(a, SMTP_OUTCOME_REFUSED);
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_INCONCLUSIVE);
  CHECK_STR(v.reason, "421 4.7.0 too many connections");
  job_free(j);
}

static void test_tlsa_bogus(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_BOGUS, "bogus: signature expired");
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_TLSA_BOGUS);
  CHECK_STR(v.reason, "bogus: signature expired");
  CHECK(!dane_applies(h, a));
  /* bogus wins over insecure addresses ... */
  a->dnssec = DNSSEC_INSECURE;
  CHECK_INT(dane_judge(h, a).status, DANE_TLSA_BOGUS);
  /* ... over a lookup that has data, over no TLS, over a matched certificate */
  h->tlsa_outcome = DNS_DATA;
  fx_no_tls(a, NULL);
  CHECK_INT(dane_judge(h, a).status, DANE_TLSA_BOGUS);
  fx_tls(a, "TLSv1.3", true, NULL);
  fx_dane_obs(a, true, NULL);
  a->dnssec = DNSSEC_SECURE;
  CHECK_INT(dane_judge(h, a).status, DANE_TLSA_BOGUS);
  /* ... and over unusable records and NXDOMAIN */
  h->tlsa[0].usage = 1;
  CHECK_INT(dane_judge(h, a).status, DANE_TLSA_BOGUS);
  h->tlsa_outcome = DNS_NXDOMAIN;
  CHECK_INT(dane_judge(h, a).status, DANE_TLSA_BOGUS);
  job_free(j);
}

static void test_dns_error(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_INDETERMINATE, "SERVFAIL");
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_DNS_ERROR);
  CHECK_STR(v.reason, "SERVFAIL");
  CHECK(!dane_applies(h, a));
  /* a TLSA lookup error with insecure addresses: a DANE sender makes no TLSA lookup
   * there (RFC 7672 §2.2.2), so DANE does not apply */
  a->dnssec = DNSSEC_INSECURE;
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_TLSA);
  CHECK_STR(v.reason, "address records not DNSSEC-secure");
  a->dnssec = DNSSEC_INDETERMINATE;
  CHECK_INT(dane_judge(h, a).status, DANE_NO_TLSA);
  /* the error is judged before the observation: no TLS does not change it */
  a->dnssec = DNSSEC_SECURE;
  fx_no_tls(a, NULL);
  CHECK_INT(dane_judge(h, a).status, DANE_DNS_ERROR);
  job_free(j);
}

static void test_no_tlsa(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  /* reason 1: no TLSA records (NXDOMAIN, NODATA) */
  fx_tlsa_answer(h, DNS_NXDOMAIN, DNSSEC_SECURE, NULL);
  dane_verdict_t v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_TLSA);
  CHECK_STR(v.reason, "no TLSA records");
  fx_tlsa_answer(h, DNS_NODATA, DNSSEC_INSECURE, NULL);
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_TLSA);
  CHECK_STR(v.reason, "no TLSA records");
  CHECK(!dane_applies(h, a));
  /* reason 2: records, but not DNSSEC-secure (checked before the addresses) */
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_INSECURE, NULL);
  a->dnssec = DNSSEC_INSECURE;
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_TLSA);
  CHECK_STR(v.reason, "TLSA records not DNSSEC-secure");
  CHECK(!dane_applies(h, a));
  /* reason 3: secure TLSA, insecure address records (RFC 7672 §2.2) */
  h->tlsa_dnssec = DNSSEC_SECURE;
  v = dane_judge(h, a);
  CHECK_INT(v.status, DANE_NO_TLSA);
  CHECK_STR(v.reason, "address records not DNSSEC-secure");
  CHECK(!dane_applies(h, a));
  /* no-tlsa comes before the usability of the records and before the observation */
  h->tlsa[0].usage = 0;
  fx_no_tls(a, NULL);
  CHECK_INT(dane_judge(h, a).status, DANE_NO_TLSA);
  job_free(j);
}

static void test_applies(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  CHECK(dane_usable_any(h));
  CHECK(dane_applies(h, a));
  h->tlsa_dnssec = DNSSEC_INDETERMINATE;
  CHECK(!dane_applies(h, a));
  h->tlsa_dnssec = DNSSEC_SECURE;
  a->dnssec = DNSSEC_BOGUS;
  CHECK(!dane_applies(h, a));
  a->dnssec = DNSSEC_SECURE;
  h->tlsa_outcome = DNS_NODATA;
  CHECK(!dane_applies(h, a));
  h->tlsa_outcome = DNS_DATA;
  /* no record at all */
  h->ntlsa = 0;
  CHECK(!dane_usable_any(h));
  CHECK(!dane_applies(h, a));
  h->ntlsa = 1;
  CHECK(dane_applies(h, a));
  job_free(j);
}

static void test_input(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  fx_tlsa(h, 2, 0, 1);
  /* the MX name is an alias: the TLSA base is its canonical name (RFC 7672 §2.2.2) */
  snprintf(h->tlsa_base, sizeof h->tlsa_base, "smtp.provider.example");
  const char *names[3] = {NULL, NULL, NULL};
  tls_dane_in_t din;
  const tls_dane_in_t *in = dane_input(h, a, names, &din);
  CHECK(in == &din);
  CHECK_STR(in->base, "smtp.provider.example");
  CHECK(in->names == names);
  CHECK_INT(in->nnames, 2);
  CHECK_STR(names[0], "mx1.example.pt");
  CHECK_STR(names[1], "example.pt");
  CHECK(in->recs == h->tlsa);
  CHECK_INT(in->nrecs, 2);
  /* the domain's CNAME is a third name (RFC 7672 §3.2.2) */
  j->cname = fx_strdup("example.net");
  in = dane_input(h, a, names, &din);
  CHECK(in != NULL);
  CHECK_INT(in->nnames, 3);
  CHECK_STR(names[2], "example.net");
  /* every record goes to the judge, unusable ones included (it skips them) */
  h->tlsa[1].usage = 1;
  in = dane_input(h, a, names, &din);
  CHECK(in != NULL);
  CHECK_INT(in->nrecs, 2);
  /* DANE does not apply: no input */
  a->dnssec = DNSSEC_INSECURE;
  CHECK(dane_input(h, a, names, &din) == NULL);
  a->dnssec = DNSSEC_SECURE;
  h->tlsa[0].usage = 0;
  CHECK(dane_input(h, a, names, &din) == NULL);
  job_free(j);
}

/* check_dane.finish judges every address of every host, each on its own. */
static void test_finish(void) {
  job_t *j = fx_job(2);
  host_t *h1 = &j->hosts[0], *h2 = &j->hosts[1];
  fx_tlsa(h1, 3, 1, 1);
  fx_tlsa_answer(h1, DNS_DATA, DNSSEC_SECURE, NULL);
  addr_t *a1 = fx_addr(h1, DNSSEC_SECURE), *a2 = fx_addr(h1, DNSSEC_SECURE),
         *a3 = fx_addr(h1, DNSSEC_INSECURE);
  fx_dane_obs(a1, true, NULL);
  fx_dane_obs(a2, false, "no matching DANE TLSA records");
  fx_addr(h2, DNSSEC_SECURE);
  addr_t *b = &h2->addrs[0];
  b->dane.status = DANE_VALID;   /* stale: must be overwritten */
  CHECK_STR(check_dane.name, "dane");
  CHECK_INT(check_dane.id, CHECK_DANE);
  CHECK(check_dane.begin == NULL);
  CHECK(checks_table[CHECK_DANE] == &check_dane);
  check_dane.finish(j);
  CHECK_INT(a1->dane.status, DANE_VALID);
  CHECK_INT(a2->dane.status, DANE_MISMATCH);
  CHECK_STR(a2->dane.reason, "no matching DANE TLSA records");
  CHECK_INT(a3->dane.status, DANE_NO_TLSA);
  CHECK_INT(b->dane.status, DANE_NO_TLSA);
  CHECK_STR(b->dane.reason, "no TLSA records");
  /* the reason of a bogus RRset points into the model */
  fx_tlsa_answer(h2, DNS_ERROR, DNSSEC_BOGUS, "bogus: no signatures");
  check_dane.finish(j);
  CHECK_INT(b->dane.status, DANE_TLSA_BOGUS);
  CHECK(b->dane.reason == h2->tlsa_reason);
  job_free(j);
}

/* DANE per certificate (the TLS profile's certs): the address's DNS rules first, then this
 * certificate's own judgement, whatever the address's observation said; and the finish
 * fills one verdict per profiled certificate. */
static void test_cert_status(void) {
  host_t *h;
  addr_t *a;
  job_t *j = good(&h, &a);
  tls_result_t ec = {.dane_enabled = true, .dane_valid = true, .dane_depth = 0};
  tls_result_t rsa = {.dane_enabled = true, .dane_valid = false, .dane_depth = -1};
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_VALID);
  CHECK(dane_cert_status(h, a, &ec).reason == NULL);
  CHECK_INT(dane_cert_status(h, a, &rsa).status, DANE_MISMATCH);
  CHECK_STR(dane_cert_status(h, a, &rsa).reason, "no TLSA record matched");
  snprintf(rsa.dane_error, sizeof rsa.dane_error, "no matching DANE TLSA records");
  dane_verdict_t v = dane_cert_status(h, a, &rsa);
  CHECK_STR(v.reason, "no matching DANE TLSA records");
  CHECK(v.reason == rsa.dane_error);            /* points into the observation */
  /* the address's own observation does not matter: only this certificate's */
  fx_dane_obs(a, false, "no matching DANE TLSA records");
  a->smtp.outcome = SMTP_OUTCOME_LOST;
  CHECK_INT(dane_judge(h, a).status, DANE_INCONCLUSIVE);
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_VALID);
  /* the DNS rules, in the address's order */
  a->dnssec = DNSSEC_INSECURE;
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_NO_TLSA);
  CHECK_STR(dane_cert_status(h, a, &ec).reason, "address records not DNSSEC-secure");
  a->dnssec = DNSSEC_SECURE;
  h->tlsa[0].usage = 1;                          /* PKIX-EE: not for SMTP */
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_UNUSABLE);
  h->tlsa[0].usage = 3;
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_INSECURE, NULL);
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_NO_TLSA);
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_SECURE, "timeout");
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_DNS_ERROR);
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_BOGUS, "bogus");
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_TLSA_BOGUS);
  fx_tlsa_answer(h, DNS_NODATA, DNSSEC_SECURE, NULL);
  CHECK_INT(dane_cert_status(h, a, &ec).status, DANE_NO_TLSA);
  CHECK_STR(dane_cert_status(h, a, &ec).reason, "no TLSA records");
  /* the finish: one verdict per certificate of the profile */
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  a->smtp.outcome = SMTP_OUTCOME_ENGAGED;
  a->profile.done = true;
  a->profile.ncerts = 2;
  a->profile.certs[0].tls = ec;
  a->profile.certs[1].tls = rsa;
  a->cert_dane[2].status = DANE_DNS_ERROR;       /* past ncerts: untouched */
  check_dane.finish(j);
  CHECK_INT(a->cert_dane[0].status, DANE_VALID);
  CHECK_INT(a->cert_dane[1].status, DANE_MISMATCH);
  CHECK(a->cert_dane[1].reason == a->profile.certs[1].tls.dane_error);
  CHECK_INT(a->cert_dane[2].status, DANE_DNS_ERROR);
  CHECK_INT(a->dane.status, DANE_MISMATCH);      /* the address's own, as before */
  job_free(j);
}

int main(void) {
  test_cert_status();
  test_valid();
  test_mismatch();
  test_unusable();
  test_no_starttls();
  test_tlsa_bogus();
  test_dns_error();
  test_no_tlsa();
  test_applies();
  test_input();
  test_finish();
  TEST_MAIN_END();
}
