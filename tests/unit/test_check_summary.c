/* The summary check (checks/summary.c): every summary.starttls value (all, some, none,
 * refused, unreachable) and summary.dane value (valid, partial, invalid, none,
 * inconclusive), counted over the engaged addresses only, summary.inconclusive, which DANE
 * statuses count as failures, tls_best/tls_worst, the counts, and that only a
 * domain with status ok has a summary. The addresses' DANE verdicts are set by hand
 * (summary reads them; check_dane's own tests are test_check_dane.c), once through
 * check_dane.finish as the table runs it. */
#include "checks/check.h"
#include "checks/summary.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

/* An address that greeted but did not get TLS. */
static addr_t *plain_addr(host_t *h) {
  addr_t *a = fx_addr(h, DNSSEC_SECURE);
  fx_no_tls(a, "STARTTLS not offered");
  return a;
}

/* An address that never answered (no banner). */
static addr_t *dead_addr(host_t *h) {
  addr_t *a = fx_addr(h, DNSSEC_SECURE);
  fx_banner(a, 0);
  fx_no_tls(a, NULL);
  a->smtp.err_stage = SMTP_STAGE_CONNECT;
  return a;
}

static void set_dane(job_t *j, enum dane_status s) {
  for (size_t i = 0; i < j->nhosts; i++)
    for (size_t k = 0; k < j->hosts[i].naddrs; k++) j->hosts[i].addrs[k].dane.status = s;
}

static void test_starttls(void) {
  /* all: every address that engaged has TLS; one that did not is left out */
  job_t *j = fx_job(2);
  fx_addr(&j->hosts[0], DNSSEC_SECURE);
  fx_addr(&j->hosts[1], DNSSEC_SECURE);
  set_dane(j, DANE_NO_TLSA);
  summary_t s = summary_compute(j);
  CHECK_INT(s.starttls, SUM_TLS_ALL);
  CHECK_INT(s.inconclusive, 0);
  dead_addr(&j->hosts[1]);
  set_dane(j, DANE_NO_TLSA);
  s = summary_compute(j);
  CHECK_INT(s.starttls, SUM_TLS_ALL);
  CHECK_INT(s.addresses, 3);
  CHECK_INT(s.mx_hosts, 2);
  CHECK_INT(s.inconclusive, 1);
  /* some */
  plain_addr(&j->hosts[0]);
  set_dane(j, DANE_NO_TLSA);
  CHECK_INT(summary_compute(j).starttls, SUM_TLS_SOME);
  job_free(j);

  /* none: engaged, no TLS anywhere */
  j = fx_job(1);
  plain_addr(&j->hosts[0]);
  set_dane(j, DANE_NO_TLSA);
  s = summary_compute(j);
  CHECK_INT(s.starttls, SUM_TLS_NONE);
  CHECK_INT(s.inconclusive, 0);
  job_free(j);

  /* one good MX and one that refuses (421, 554, 5xx to EHLO) or hangs up: "all" with
   * one inconclusive address, never "some" */
  static const struct { int banner; int ehlo; enum smtp_outcome o; } bad[] = {
    {421, 0, SMTP_OUTCOME_REFUSED}, {554, 0, SMTP_OUTCOME_REFUSED},
    {220, 554, SMTP_OUTCOME_REFUSED}, {220, 0, SMTP_OUTCOME_LOST},
    {0, 0, SMTP_OUTCOME_UNREACHABLE}, {0, 0, SMTP_OUTCOME_NOT_ATTEMPTED},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    j = fx_job(2);
    fx_addr(&j->hosts[0], DNSSEC_SECURE);
    addr_t *b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
    fx_banner(b, bad[i].banner);
    b->smtp.ehlo_code = bad[i].ehlo;
    fx_outcome(b, bad[i].o);
    set_dane(j, DANE_NO_TLSA);
    s = summary_compute(j);
    CHECK_INT(s.starttls, SUM_TLS_ALL);
    CHECK_INT(s.inconclusive, 1);
    CHECK_INT(s.addresses, 2);
    /* ... and alone: "refused" when it refused, else "unreachable"; never "none" */
    fx_outcome(&j->hosts[0].addrs[0], bad[i].o);
    s = summary_compute(j);
    CHECK_INT(s.starttls, bad[i].o == SMTP_OUTCOME_REFUSED ? SUM_TLS_REFUSED : SUM_TLS_UNREACHABLE);
    CHECK_INT(s.inconclusive, 2);
    CHECK(s.tls_best == NULL && s.tls_worst == NULL);
    job_free(j);
  }
  /* refused wins over lost and unreachable when nothing engaged */
  j = fx_job(2);
  fx_outcome(fx_addr(&j->hosts[0], DNSSEC_SECURE), SMTP_OUTCOME_LOST);
  dead_addr(&j->hosts[1]);
  set_dane(j, DANE_NO_TLSA);
  CHECK_INT(summary_compute(j).starttls, SUM_TLS_UNREACHABLE);
  fx_banner(&j->hosts[1].addrs[0], 421);
  CHECK_INT(summary_compute(j).starttls, SUM_TLS_REFUSED);
  job_free(j);

  /* unreachable: no address answered, so a dead MX is not "no STARTTLS" */
  j = fx_job(2);
  dead_addr(&j->hosts[0]);
  dead_addr(&j->hosts[0]);
  set_dane(j, DANE_NO_TLSA);
  s = summary_compute(j);
  CHECK_INT(s.starttls, SUM_TLS_UNREACHABLE);
  CHECK_INT(s.addresses, 2);
  CHECK_INT(s.mx_hosts, 2);     /* the host without addresses counts */
  CHECK_INT(s.inconclusive, 2);
  CHECK(s.tls_best == NULL && s.tls_worst == NULL);
  job_free(j);
  /* ... and no address at all */
  j = fx_job(1);
  s = summary_compute(j);
  CHECK_INT(s.starttls, SUM_TLS_UNREACHABLE);
  CHECK_INT(s.dane, SUM_DANE_NONE);
  CHECK_INT(s.addresses, 0);
  CHECK_INT(s.mx_hosts, 1);
  CHECK_INT(s.inconclusive, 0);
  job_free(j);
}

static void test_dane(void) {
  job_t *j = fx_job(2);
  addr_t *a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  addr_t *b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  addr_t *c = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  /* valid only when every engaged address of every MX is */
  set_dane(j, DANE_VALID);
  CHECK_INT(summary_compute(j).dane, SUM_DANE_VALID);
  /* partial: some valid, whatever the other engaged ones are */
  static const enum dane_status others[] = {DANE_MISMATCH, DANE_UNUSABLE, DANE_NO_STARTTLS,
                                            DANE_TLSA_BOGUS, DANE_DNS_ERROR, DANE_NO_TLSA};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    c->dane.status = others[i];
    CHECK_INT(summary_compute(j).dane, SUM_DANE_PARTIAL);
  }
  /* an address that did not engage does not count against "valid" (the TLSA-protected
   * backup MX that is down, the AAAA address this host has no route for) */
  static const enum smtp_outcome gone[] = {SMTP_OUTCOME_REFUSED, SMTP_OUTCOME_LOST,
                                           SMTP_OUTCOME_UNREACHABLE, SMTP_OUTCOME_NOT_ATTEMPTED};
  for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
    fx_outcome(c, gone[i]);
    c->dane.status = DANE_INCONCLUSIVE;
    summary_t s = summary_compute(j);
    CHECK_INT(s.dane, SUM_DANE_VALID);
    CHECK_INT(s.inconclusive, 1);
    /* ... a DNS-decided failure there does (bogus TLSA needs no server to fail) */
    c->dane.status = DANE_TLSA_BOGUS;
    CHECK_INT(summary_compute(j).dane, SUM_DANE_PARTIAL);
  }
  /* no address engaged where DANE applies: "inconclusive", not "invalid" or "none" */
  fx_outcome(a, SMTP_OUTCOME_UNREACHABLE);
  fx_outcome(b, SMTP_OUTCOME_REFUSED);
  set_dane(j, DANE_INCONCLUSIVE);
  CHECK_INT(summary_compute(j).dane, SUM_DANE_INCONCLUSIVE);
  set_dane(j, DANE_NO_TLSA);
  CHECK_INT(summary_compute(j).dane, SUM_DANE_NONE);
  c->dane.status = DANE_TLSA_BOGUS;
  CHECK_INT(summary_compute(j).dane, SUM_DANE_INVALID);
  c->dane.status = DANE_INCONCLUSIVE;
  a->dane.status = DANE_UNUSABLE;
  CHECK_INT(summary_compute(j).dane, SUM_DANE_INVALID);
  /* an engaged address without DANE and a DANE host that is down: "none" (counted over
   * the engaged ones) */
  fx_outcome(a, SMTP_OUTCOME_ENGAGED);
  a->dane.status = DANE_NO_TLSA;
  CHECK_INT(summary_compute(j).dane, SUM_DANE_NONE);
  job_free(j);

  j = fx_job(2);
  a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  (void)fx_addr(&j->hosts[1], DNSSEC_SECURE);
  /* nothing valid: "invalid" where DANE applied (a DANE sender would insist on TLS),
   * "none" where it did not (no-tlsa, and a TLSA lookup error) */
  static const struct { enum dane_status st; enum sum_dane want; } one[] = {
    {DANE_MISMATCH, SUM_DANE_INVALID}, {DANE_UNUSABLE, SUM_DANE_INVALID},
    {DANE_NO_STARTTLS, SUM_DANE_INVALID}, {DANE_TLSA_BOGUS, SUM_DANE_INVALID},
    {DANE_DNS_ERROR, SUM_DANE_NONE}, {DANE_NO_TLSA, SUM_DANE_NONE},
  };
  for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
    set_dane(j, DANE_NO_TLSA);
    b->dane.status = one[i].st;
    CHECK_INT(summary_compute(j).dane, one[i].want);
    /* the same with every address so */
    set_dane(j, one[i].st);
    CHECK_INT(summary_compute(j).dane, one[i].want);
  }
  (void)a;
  job_free(j);
}

/* Through check_dane, as checks_finish runs them: one MX with DANE valid, one without
 * TLSA records: "partial DANE protects nothing"; then the DANE MX's backup, also with
 * TLSA, is down: valid, with one address inconclusive. */
static void test_dane_through_check(void) {
  job_t *j = fx_job(2);
  host_t *h = &j->hosts[0];
  fx_tlsa(h, 3, 1, 1);
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  fx_dane_obs(fx_addr(h, DNSSEC_SECURE), true, NULL);
  fx_addr(&j->hosts[1], DNSSEC_SECURE);
  check_dane.finish(j);
  check_summary.finish(j);
  CHECK(j->has_summary);
  CHECK_INT(j->summary.dane, SUM_DANE_PARTIAL);
  CHECK_INT(j->summary.starttls, SUM_TLS_ALL);
  host_t *h2 = &j->hosts[1];
  fx_tlsa(h2, 3, 1, 1);
  fx_tlsa_answer(h2, DNS_DATA, DNSSEC_SECURE, NULL);
  fx_banner(&h2->addrs[0], 0);
  fx_outcome(&h2->addrs[0], SMTP_OUTCOME_UNREACHABLE);
  check_dane.finish(j);
  check_summary.finish(j);
  CHECK_INT(h2->addrs[0].dane.status, DANE_INCONCLUSIVE);
  CHECK_INT(j->summary.dane, SUM_DANE_VALID);
  CHECK_INT(j->summary.starttls, SUM_TLS_ALL);
  CHECK_INT(j->summary.inconclusive, 1);
  CHECK(CHECK_DANE < CHECK_SUMMARY);
  CHECK(checks_table[CHECK_SUMMARY] == &check_summary);
  CHECK_STR(check_summary.name, "summary");
  CHECK(check_summary.begin == NULL);
  job_free(j);
}

static void test_versions(void) {
  job_t *j = fx_job(2);
  addr_t *a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  addr_t *b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  addr_t *c = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  fx_tls(a, "TLSv1.2", true, NULL);
  fx_tls(b, "TLSv1.3", true, NULL);
  fx_tls(c, "TLSv1", false, "self-signed certificate");
  set_dane(j, DANE_NO_TLSA);
  summary_t s = summary_compute(j);
  CHECK_STR(s.tls_best, "TLSv1.3");
  CHECK_STR(s.tls_worst, "TLSv1");
  /* the names point into the observations */
  CHECK(s.tls_best == b->smtp.tls.version);
  CHECK(s.tls_worst == c->smtp.tls.version);
  /* addresses without TLS take no part */
  fx_no_tls(c, NULL);
  s = summary_compute(j);
  CHECK_STR(s.tls_worst, "TLSv1.2");
  CHECK_INT(s.starttls, SUM_TLS_SOME);
  /* one address: best and worst are the same; SSLv3 and TLS 1.1 are ordered */
  fx_tls(b, "SSLv3", true, NULL);
  fx_tls(c, "TLSv1.1", true, NULL);
  s = summary_compute(j);
  CHECK_STR(s.tls_best, "TLSv1.2");
  CHECK_STR(s.tls_worst, "SSLv3");
  fx_no_tls(b, NULL);
  fx_no_tls(c, NULL);
  s = summary_compute(j);
  CHECK(s.tls_best == s.tls_worst);
  CHECK_STR(s.tls_best, "TLSv1.2");
  job_free(j);
}

/* check_summary.finish: a summary for status ok only. */
static void test_finish(void) {
  static const enum job_status st[] = {JOB_NXDOMAIN, JOB_NO_MAIL, JOB_DNS_ERROR, JOB_INVALID,
                                       JOB_EXCLUDED};
  for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
    job_t *j = fx_job(1);
    fx_addr(&j->hosts[0], DNSSEC_SECURE);
    j->status = st[i];
    j->summary.mx_hosts = 99;
    check_summary.finish(j);
    CHECK(!j->has_summary);
    CHECK_INT(j->summary.mx_hosts, 99);   /* untouched */
    j->status = JOB_OK;
    check_summary.finish(j);
    CHECK(j->has_summary);
    CHECK_INT(j->summary.mx_hosts, 1);
    CHECK_INT(j->summary.addresses, 1);
    job_free(j);
  }
}

int main(void) {
  test_starttls();
  test_dane();
  test_dane_through_check();
  test_versions();
  test_finish();
  TEST_MAIN_END();
}
