/* The sender check (checks/sender.c): the six rules of its first comment, for a DANE
 * sender (RFC 7672) and an MTA-STS sender (RFC 8461) each; the preference walk over the
 * MX hosts; the domain-level outcomes (dns-error, nxdomain, no-mail); and the check's
 * finish (the MTA-STS result type's fallback, no sender for invalid or excluded lines).
 * Every model is built by hand (tests/unit/jobfix.h) and judged by check_dane first, as
 * the check table orders it, so a DANE verdict here is the one the record would carry. */
#include "checks/check.h"
#include "checks/sender.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

/* n hosts, each with one secure address greeted over TLS 1.3 with a PKIX-valid
 * certificate, no TLSA: DANE does not apply anywhere. */
static job_t *plain(size_t n) {
  job_t *j = fx_job(n);
  for (size_t i = 0; i < n; i++) fx_addr(&j->hosts[i], DNSSEC_SECURE);
  return j;
}

/* Secure TLSA with one usable record: DANE applies to the host's secure addresses. */
static void dane_on(host_t *h) {
  fx_tlsa(h, 3, 1, 1);
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
}

static sender_verdict_t judge(job_t *j, enum policy_kind pol) {
  check_dane.finish(j);
  return sender_judge(j, pol);
}

/* Expects action, result type and mx (NULL: none) of pol's verdict. */
#define EXPECT(j, pol, act, rt, mxname) do { \
    sender_verdict_t ev_ = judge((j), (pol)); \
    CHECK_INT(ev_.action, (act)); \
    CHECK_INT(ev_.result_type, (rt)); \
    if ((mxname) == NULL) CHECK(ev_.mx == NULL); \
    else CHECK_STR(ev_.mx, (const char *)(mxname)); \
  } while (0)

static const enum policy_kind both[2] = {POL_DANE, POL_STS};

static void test_verify_result_type(void) {
  CHECK_INT(sender_verify_result_type(NULL), RT_VALIDATION_FAILURE);
  CHECK_INT(sender_verify_result_type(""), RT_VALIDATION_FAILURE);
  CHECK_INT(sender_verify_result_type("Hostname mismatch"), RT_CERT_HOST_MISMATCH);
  CHECK_INT(sender_verify_result_type("certificate has expired"), RT_CERT_EXPIRED);
  CHECK_INT(sender_verify_result_type("No matching DANE TLSA records"), RT_CERT_NOT_TRUSTED);
  CHECK_INT(sender_verify_result_type("self-signed certificate"), RT_CERT_NOT_TRUSTED);
  CHECK_INT(sender_verify_result_type("unable to get local issuer certificate"), RT_CERT_NOT_TRUSTED);
  CHECK_INT(sender_verify_result_type("certificate untrusted"), RT_CERT_NOT_TRUSTED);
  CHECK_INT(sender_verify_result_type("certificate signature failure"), RT_VALIDATION_FAILURE);
}

/* Rule 1: a bogus or failed address lookup (host without addresses), or a tlsa-bogus /
 * dns-error address, is "dnssec-invalid": the host is not used. */
static void test_rule1_dnssec(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = fx_job(1);
    host_t *h = &j->hosts[0];
    h->a = (lookup_t){true, DNS_ERROR, DNSSEC_BOGUS, fx_strdup("bogus: signature expired")};
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    free(h->a.reason);
    h->a = (lookup_t){true, DNS_NODATA, DNSSEC_SECURE, NULL};
    h->aaaa = (lookup_t){true, DNS_ERROR, DNSSEC_INDETERMINATE, fx_strdup("SERVFAIL")};
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    /* a bogus state without an error outcome counts too */
    h->aaaa.outcome = DNS_NODATA;
    h->aaaa.dnssec = DNSSEC_BOGUS;
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    job_free(j);

    /* tlsa-bogus and dns-error addresses, even ones that did not greet */
    j = plain(1);
    h = &j->hosts[0];
    dane_on(h);
    fx_tlsa_answer(h, DNS_ERROR, DNSSEC_BOGUS, "bogus");
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    fx_banner(&h->addrs[0], 0);
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    fx_banner(&h->addrs[0], 220);
    fx_tlsa_answer(h, DNS_ERROR, DNSSEC_INDETERMINATE, "timeout");
    CHECK_INT(judge(j, pol).result_type, RT_DNSSEC_INVALID);
    CHECK_INT(h->addrs[0].dane.status, DANE_DNS_ERROR);
    /* a failed address ends the host: a good address after it is not tried */
    fx_addr(h, DNSSEC_INSECURE);
    CHECK_INT(h->addrs[1].dnssec, DNSSEC_INSECURE);
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    /* the TLSA error with insecure addresses is no-tlsa: opportunistic delivery */
    h->addrs[0].dnssec = DNSSEC_INSECURE;
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
    job_free(j);
  }
}

/* Rule 2: an address that did not engage (no EHLO reply) cannot take the message: the
 * next address, then the next host; nothing reachable and nothing failed is "defer"
 * without a type. A server that greeted 220 and then hung up is one of them: an
 * opportunistic sender cannot deliver there either. */
static void test_rule2_unreachable(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = plain(2);
    host_t *h1 = &j->hosts[0], *h2 = &j->hosts[1];
    fx_addr(h1, DNSSEC_SECURE);
    fx_banner(&h1->addrs[0], 0);     /* no connection */
    fx_no_tls(&h1->addrs[0], NULL);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
    fx_banner(&h1->addrs[1], 421);   /* greeted, but not with 220 */
    CHECK_INT(sender_host_outcome(j, h1, pol, &(enum result_type){RT_NONE}), -1);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_NONE, "mx2.example.pt");
    fx_banner(&h2->addrs[0], 554);
    EXPECT(j, pol, ACT_DEFER, RT_NONE, NULL);
    fx_banner(&h2->addrs[0], 220);   /* greeted, then lost before EHLO was answered */
    fx_outcome(&h2->addrs[0], SMTP_OUTCOME_LOST);
    EXPECT(j, pol, ACT_DEFER, RT_NONE, NULL);
    fx_outcome(&h2->addrs[0], SMTP_OUTCOME_ENGAGED);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_NONE, "mx2.example.pt");
    job_free(j);
    /* the same with DANE: a lost or refused address is skipped, not "starttls-not-supported" */
    j = plain(1);
    h1 = &j->hosts[0];
    dane_on(h1);
    fx_outcome(&h1->addrs[0], SMTP_OUTCOME_LOST);
    h1->addrs[0].dane.status = DANE_INCONCLUSIVE;
    EXPECT(j, pol, ACT_DEFER, RT_NONE, NULL);
    job_free(j);
  }
}

/* Rule 3: where DANE applies it decides, for both senders. */
static void test_rule3_dane(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = plain(1);
    host_t *h = &j->hosts[0];
    addr_t *a = &h->addrs[0];
    dane_on(h);
    fx_dane_obs(a, true, NULL);
    /* valid: authenticated, even with an enforce policy that does not list the host and a
     * certificate that fails PKIX (RFC 8461 §2: DANE takes precedence) */
    fx_policy(j, MTASTS_MODE_ENFORCE, "other.example", NULL);
    fx_tls(a, "TLSv1.3", false, "unable to get local issuer certificate");
    EXPECT(j, pol, ACT_DELIVER, RT_NONE, "mx1.example.pt");
    /* mismatch: the result type from the DANE error text */
    fx_dane_obs(a, false, "No matching DANE TLSA records");
    EXPECT(j, pol, ACT_DEFER, RT_CERT_NOT_TRUSTED, NULL);
    CHECK_INT(a->dane.status, DANE_MISMATCH);
    fx_dane_obs(a, false, "certificate has expired");
    EXPECT(j, pol, ACT_DEFER, RT_CERT_EXPIRED, NULL);
    fx_dane_obs(a, false, NULL);
    EXPECT(j, pol, ACT_DEFER, RT_VALIDATION_FAILURE, NULL);
    /* a valid address after a mismatched one delivers */
    addr_t *b = fx_addr(h, DNSSEC_SECURE);
    fx_dane_obs(b, true, NULL);
    EXPECT(j, pol, ACT_DELIVER, RT_NONE, "mx1.example.pt");
    /* no STARTTLS where DANE applies */
    fx_no_tls(a, "STARTTLS not offered");
    fx_no_tls(b, NULL);
    EXPECT(j, pol, ACT_DEFER, RT_STARTTLS_NOT_SUPPORTED, NULL);
    CHECK_INT(a->dane.status, DANE_NO_STARTTLS);
    job_free(j);
  }
}

/* Rule 4: secure TLSA without a usable record: TLS is mandatory, nothing authenticates. */
static void test_rule4_unusable(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = plain(1);
    host_t *h = &j->hosts[0];
    addr_t *a = &h->addrs[0];
    fx_tlsa(h, 1, 1, 1);   /* PKIX-EE: not for SMTP */
    fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
    /* with TLS: delivered unauthenticated, "tlsa-invalid", whatever the STS policy says */
    fx_policy(j, MTASTS_MODE_ENFORCE, "other.example", NULL);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_TLSA_INVALID, "mx1.example.pt");
    CHECK_INT(a->dane.status, DANE_UNUSABLE);
    /* without TLS: the host fails */
    fx_no_tls(a, "STARTTLS not offered");
    EXPECT(j, pol, ACT_DEFER, RT_STARTTLS_NOT_SUPPORTED, NULL);
    /* a second address with TLS still delivers (tlsa-invalid) */
    fx_addr(h, DNSSEC_SECURE);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_TLSA_INVALID, "mx1.example.pt");
    job_free(j);
  }
}

/* Rule 5, MTA-STS sender with an enforce policy, DANE not applying. The same models
 * under a DANE sender deliver opportunistically. */
static void test_rule5_sts_enforce(void) {
  job_t *j = plain(1);
  host_t *h = &j->hosts[0];
  addr_t *a = &h->addrs[0];
  fx_policy(j, MTASTS_MODE_ENFORCE, "mail.example.org", "*.example.pt");
  /* all good: deliver, authenticated (the wildcard as the parser stores it) */
  EXPECT(j, POL_STS, ACT_DELIVER, RT_NONE, "mx1.example.pt");
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  /* the host is not in the policy */
  fx_policy(j, MTASTS_MODE_ENFORCE, "mail.example.org", "*.mx1.example.pt");
  EXPECT(j, POL_STS, ACT_DEFER, RT_VALIDATION_FAILURE, NULL);
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  fx_policy(j, MTASTS_MODE_ENFORCE, "MX1.example.pt.", NULL);
  EXPECT(j, POL_STS, ACT_DELIVER, RT_NONE, "mx1.example.pt");
  /* no TLS */
  fx_no_tls(a, "STARTTLS not offered");
  EXPECT(j, POL_STS, ACT_DEFER, RT_STARTTLS_NOT_SUPPORTED, NULL);
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  /* PKIX failures, named from OpenSSL's verify error */
  static const struct { const char *err; enum result_type rt; } pkix[] = {
    {"hostname mismatch", RT_CERT_HOST_MISMATCH},
    {"certificate has expired", RT_CERT_EXPIRED},
    {"self-signed certificate", RT_CERT_NOT_TRUSTED},
    {"unable to get local issuer certificate", RT_CERT_NOT_TRUSTED},
    {"certificate signature failure", RT_VALIDATION_FAILURE},
    {"", RT_VALIDATION_FAILURE},
  };
  for (size_t i = 0; i < sizeof pkix / sizeof pkix[0]; i++) {
    fx_tls(a, "TLSv1.3", false, pkix[i].err);
    EXPECT(j, POL_STS, ACT_DEFER, pkix[i].rt, NULL);
    EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  }
  /* TLS older than 1.2 (RFC 8461 §4.2); 1.2 is enough */
  fx_tls(a, "TLSv1.1", true, NULL);
  EXPECT(j, POL_STS, ACT_DEFER, RT_VALIDATION_FAILURE, NULL);
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  fx_tls(a, "TLSv1", true, NULL);
  EXPECT(j, POL_STS, ACT_DEFER, RT_VALIDATION_FAILURE, NULL);
  fx_tls(a, "TLSv1.2", true, NULL);
  EXPECT(j, POL_STS, ACT_DELIVER, RT_NONE, "mx1.example.pt");
  /* a failing address, then a good one: the host delivers, no type */
  fx_no_tls(a, NULL);
  fx_addr(h, DNSSEC_SECURE);
  EXPECT(j, POL_STS, ACT_DELIVER, RT_NONE, "mx1.example.pt");
  /* DANE applies to the first address (no STARTTLS: fails), not to the second, whose
   * address records are insecure: the STS rules judge the second, and it delivers */
  h->addrs[1].dnssec = DNSSEC_INSECURE;
  dane_on(h);
  EXPECT(j, POL_STS, ACT_DELIVER, RT_NONE, "mx1.example.pt");
  CHECK_INT(h->addrs[0].dane.status, DANE_NO_STARTTLS);
  CHECK_INT(h->addrs[1].dane.status, DANE_NO_TLSA);
  /* the DANE sender delivers opportunistically through the second, naming the failure */
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_STARTTLS_NOT_SUPPORTED, "mx1.example.pt");
  job_free(j);
}

/* Rule 5, the other half: testing mode, mode none and no policy are opportunistic. */
static void test_rule5_opportunistic(void) {
  static const enum mtasts_mode modes[] = {MTASTS_MODE_TESTING, MTASTS_MODE_NONE};
  for (size_t m = 0; m < 2; m++) {
    job_t *j = plain(1);
    addr_t *a = &j->hosts[0].addrs[0];
    fx_policy(j, modes[m], "other.example", NULL);
    fx_no_tls(a, NULL);
    EXPECT(j, POL_STS, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
    fx_tls(a, "TLSv1", false, "hostname mismatch");
    EXPECT(j, POL_STS, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
    /* valid in every way: still not "deliver" without enforce */
    fx_tls(a, "TLSv1.3", true, NULL);
    EXPECT(j, POL_STS, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
    job_free(j);
  }
  job_t *j = plain(1);   /* no policy at all */
  fx_no_tls(&j->hosts[0].addrs[0], NULL);
  for (int p = 0; p < 2; p++) EXPECT(j, both[p], ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  job_free(j);
}

/* Rule 6: nothing took the message: defer, or no-route when no host had an address and
 * nothing failed. */
static void test_rule6_defer_no_route(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = fx_job(2);          /* two hosts without addresses, lookups fine */
    j->hosts[0].a.outcome = DNS_NXDOMAIN;
    j->hosts[1].a.outcome = DNS_NODATA;
    EXPECT(j, pol, ACT_NO_ROUTE, RT_NONE, NULL);
    CHECK_INT(sender_host_outcome(j, &j->hosts[0], pol, &(enum result_type){RT_NONE}), -1);
    /* the second host's lookup failed: defer, dnssec-invalid */
    j->hosts[1].aaaa.outcome = DNS_ERROR;
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    job_free(j);

    /* one host without address, one that is unreachable: defer, no type */
    j = fx_job(2);
    fx_banner(fx_addr(&j->hosts[1], DNSSEC_SECURE), 0);
    EXPECT(j, pol, ACT_DEFER, RT_NONE, NULL);
    job_free(j);

    /* no hosts at all (status ok): no route */
    j = fx_job(0);
    EXPECT(j, pol, ACT_NO_ROUTE, RT_NONE, NULL);
    job_free(j);
  }
}

/* The preference walk: the first host that takes the message decides the mx, the first
 * failure seen decides the result type. */
static void test_preference_walk(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    /* DANE mismatch on the first host, DANE valid on the second */
    job_t *j = plain(3);
    host_t *h1 = &j->hosts[0], *h2 = &j->hosts[1], *h3 = &j->hosts[2];
    dane_on(h1);
    dane_on(h2);
    fx_dane_obs(&h1->addrs[0], false, "certificate has expired");
    fx_dane_obs(&h2->addrs[0], true, NULL);
    EXPECT(j, pol, ACT_DELIVER, RT_CERT_EXPIRED, "mx2.example.pt");
    /* the second fails too (differently), the third has no DANE: opportunistic for the
     * DANE sender, keeping the first failure */
    fx_no_tls(&h2->addrs[0], NULL);
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_CERT_EXPIRED, "mx3.example.pt");
    /* all three fail: defer with the first failure */
    dane_on(h3);
    fx_dane_obs(&h3->addrs[0], false, "hostname mismatch");
    EXPECT(j, pol, ACT_DEFER, RT_CERT_EXPIRED, NULL);
    /* an unreachable first host leaves no type: the second's failure is the first */
    fx_banner(&h1->addrs[0], 0);
    EXPECT(j, pol, ACT_DEFER, RT_STARTTLS_NOT_SUPPORTED, NULL);
    /* a host with an unusable TLSA RRset after a failure: tlsa-invalid is not the first */
    fx_banner(&h1->addrs[0], 220);
    h3->tlsa[0].usage = 0;   /* PKIX-TA: unusable for SMTP */
    EXPECT(j, pol, ACT_DELIVER_UNAUTH, RT_CERT_EXPIRED, "mx3.example.pt");
    job_free(j);
  }

  /* MTA-STS enforce: the first host offers no TLS, the second delivers */
  job_t *j = plain(2);
  fx_policy(j, MTASTS_MODE_ENFORCE, "*.example.pt", NULL);
  fx_no_tls(&j->hosts[0].addrs[0], NULL);
  EXPECT(j, POL_STS, ACT_DELIVER, RT_STARTTLS_NOT_SUPPORTED, "mx2.example.pt");
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  /* a bogus first host, then an expired certificate: the first failure is dnssec-invalid */
  job_t *k = plain(3);
  fx_policy(k, MTASTS_MODE_ENFORCE, "*.example.pt", NULL);
  host_t *b = &k->hosts[0];
  dane_on(b);
  fx_tlsa_answer(b, DNS_ERROR, DNSSEC_BOGUS, "bogus");
  fx_tls(&k->hosts[1].addrs[0], "TLSv1.3", false, "certificate has expired");
  EXPECT(k, POL_STS, ACT_DELIVER, RT_DNSSEC_INVALID, "mx3.example.pt");
  EXPECT(k, POL_DANE, ACT_DELIVER_UNAUTH, RT_DNSSEC_INVALID, "mx2.example.pt");
  job_free(k);
  job_free(j);
}

/* The domain's status: an MX lookup that failed defers, no MX route otherwise. */
static void test_job_status(void) {
  for (int p = 0; p < 2; p++) {
    enum policy_kind pol = both[p];
    job_t *j = plain(1);
    j->status = JOB_DNS_ERROR;
    EXPECT(j, pol, ACT_DEFER, RT_DNSSEC_INVALID, NULL);
    j->status = JOB_NXDOMAIN;
    EXPECT(j, pol, ACT_NO_ROUTE, RT_NONE, NULL);
    j->status = JOB_NO_MAIL;
    j->null_mx = true;
    EXPECT(j, pol, ACT_NO_ROUTE, RT_NONE, NULL);
    job_free(j);
  }
}

/* check_sender.finish: both verdicts, the MTA-STS fallback, none for invalid/excluded. */
static void test_finish(void) {
  CHECK_STR(check_sender.name, "sender");
  CHECK(checks_table[CHECK_SENDER] == &check_sender);
  CHECK(check_sender.begin == NULL);
  /* the table runs dane before sender */
  CHECK(CHECK_DANE < CHECK_SENDER && CHECK_MTASTS < CHECK_SENDER);

  job_t *j = plain(1);
  j->sts_status = STS_FETCH_ERROR;
  j->sts_result_type = RT_STS_WEBPKI_INVALID;
  check_dane.finish(j);
  check_sender.finish(j);
  CHECK(j->has_sender);
  CHECK_INT(j->sender[POL_DANE].action, ACT_DELIVER_UNAUTH);
  CHECK_INT(j->sender[POL_DANE].result_type, RT_NONE);
  CHECK_INT(j->sender[POL_STS].action, ACT_DELIVER_UNAUTH);
  CHECK_INT(j->sender[POL_STS].result_type, RT_STS_WEBPKI_INVALID);
  CHECK_STR(j->sender[POL_STS].mx, "mx1.example.pt");
  /* a result type of the sender's own is kept */
  fx_policy(j, MTASTS_MODE_ENFORCE, "*.example.pt", NULL);
  j->sts_result_type = RT_STS_POLICY_INVALID;
  fx_no_tls(&j->hosts[0].addrs[0], NULL);
  check_sender.finish(j);
  CHECK_INT(j->sender[POL_STS].action, ACT_DEFER);
  CHECK_INT(j->sender[POL_STS].result_type, RT_STARTTLS_NOT_SUPPORTED);
  /* the domain's dns-error also judged here */
  j->status = JOB_DNS_ERROR;
  check_sender.finish(j);
  CHECK(j->has_sender);
  CHECK_INT(j->sender[POL_DANE].action, ACT_DEFER);
  CHECK_INT(j->sender[POL_STS].result_type, RT_DNSSEC_INVALID);
  j->status = JOB_NO_MAIL;
  check_sender.finish(j);
  CHECK(j->has_sender);
  CHECK_INT(j->sender[POL_STS].action, ACT_NO_ROUTE);
  CHECK_INT(j->sender[POL_STS].result_type, RT_STS_POLICY_INVALID);  /* the fallback */
  /* no sender for a line that is no domain, or an excluded one */
  static const enum job_status none[] = {JOB_INVALID, JOB_EXCLUDED};
  for (size_t i = 0; i < 2; i++) {
    j->status = none[i];
    j->sender[POL_DANE] = (sender_verdict_t){ACT_DEFER, RT_NONE, NULL};
    check_sender.finish(j);
    CHECK(!j->has_sender);
    CHECK_INT(j->sender[POL_DANE].action, ACT_DEFER);   /* untouched */
  }
  job_free(j);
}

/* The whole table as the pipeline runs it (checks_finish): sender sees the verdicts of
 * dane and mta_sts computed in the same pass, from the observations alone. */
static void test_checks_finish(void) {
  job_t *j = plain(2);
  host_t *h1 = &j->hosts[0];
  dane_on(h1);
  fx_dane_obs(&h1->addrs[0], false, "No matching DANE TLSA records");
  fx_policy(j, MTASTS_MODE_ENFORCE, "mx2.example.pt", NULL);
  h1->addrs[0].dane.status = DANE_VALID;   /* stale: dane runs before sender */
  checks_finish(j);
  CHECK_INT(h1->addrs[0].dane.status, DANE_MISMATCH);
  CHECK(!h1->sts_match);
  CHECK(j->hosts[1].sts_match && j->hosts[1].sts_cert_ok);
  CHECK(j->has_summary);
  CHECK_INT(j->summary.dane, SUM_DANE_INVALID);
  CHECK(j->has_sender);
  CHECK_INT(j->sender[POL_DANE].action, ACT_DELIVER_UNAUTH);
  CHECK_INT(j->sender[POL_DANE].result_type, RT_CERT_NOT_TRUSTED);
  CHECK_STR(j->sender[POL_DANE].mx, "mx2.example.pt");
  CHECK_INT(j->sender[POL_STS].action, ACT_DELIVER);
  CHECK_INT(j->sender[POL_STS].result_type, RT_CERT_NOT_TRUSTED);
  CHECK_STR(j->sender[POL_STS].mx, "mx2.example.pt");
  job_free(j);
}

/* Recorded as the code stands (see the report of issue 14's check tests): rule 1 says a
 * bogus or failed address lookup keeps the sender off the host, but sender.c applies it
 * only to a host left without any address; a bogus A lookup beside a secure AAAA answer
 * leaves the host usable through its IPv6 addresses. Records must not change here; a fix
 * changes this test on purpose. */
static void test_rule1_partial_lookup(void) {
  job_t *j = plain(1);
  host_t *h = &j->hosts[0];
  h->addrs[0].family = AF_INET6;
  h->a = (lookup_t){true, DNS_ERROR, DNSSEC_BOGUS, fx_strdup("bogus: signature expired")};
  h->aaaa = (lookup_t){true, DNS_DATA, DNSSEC_SECURE, NULL};
  EXPECT(j, POL_DANE, ACT_DELIVER_UNAUTH, RT_NONE, "mx1.example.pt");
  job_free(j);

  /* Also as it stands: across hosts the first failure names the result, but within one
   * host each failing address overwrites it, so the last address's failure is reported
   * (a DANE mismatch, then no STARTTLS: "starttls-not-supported"). */
  j = plain(1);
  h = &j->hosts[0];
  dane_on(h);
  fx_dane_obs(&h->addrs[0], false, "certificate has expired");
  fx_no_tls(fx_addr(h, DNSSEC_SECURE), NULL);
  EXPECT(j, POL_DANE, ACT_DEFER, RT_STARTTLS_NOT_SUPPORTED, NULL);
  job_free(j);
}

int main(void) {
  test_verify_result_type();
  test_rule1_dnssec();
  test_rule2_unreachable();
  test_rule3_dane();
  test_rule4_unusable();
  test_rule5_sts_enforce();
  test_rule5_opportunistic();
  test_rule6_defer_no_route();
  test_preference_walk();
  test_job_status();
  test_finish();
  test_checks_finish();
  test_rule1_partial_lookup();
  TEST_MAIN_END();
}
