/* The conformity check (checks/cncs.c) rule by rule: the RFC 6125 SAN matcher; each of the
 * thirteen checks passing, failing, not-tested (and not-applicable where it can be) with
 * its exact detail; the servers' doctrine (an address that did not engage is skipped, none
 * engaged is not-tested); the verdict's pass (advisory checks never fail it) and complete;
 * details cut to fit; and the check through the table (check_dane first, as
 * checks_finish orders it).
 *
 * Every model is built by hand (tests/unit/jobfix.h) from a domain that conforms in every
 * point (good()); each test spoils what it is about. */
#include "checks/check.h"
#include "checks/cncs.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

/* The leaf of an address: one dNSName SAN (NULL: none), PKIX-valid unless changed. */
static void fx_cert(tls_result_t *t, const char *san, const char *key_type, char hexbyte) {
  t->have_cert = true;
  t->chain_len = 2;
  if (san) t->cert.sans[t->cert.nsans++] = fx_strdup(san);
  snprintf(t->cert.key_type, sizeof t->cert.key_type, "%s", key_type);
  memset(t->cert.sha256, hexbyte, 64);
  t->cert.sha256[64] = '\0';
}

/* The address loses its TLS observation (job_free frees smtp.tls only with have_tls): call
 * before fx_no_tls or fx_outcome on an address that had a certificate. */
static void drop_tls(addr_t *a) {
  if (a->smtp.have_tls) tls_result_free(&a->smtp.tls);
  memset(&a->smtp.tls, 0, sizeof a->smtp.tls);
  a->smtp.have_tls = false;
}

/* A profile made in mode m: SSLv3 to TLS 1.1 refused, 1.2 and 1.3 accepted; in full mode
 * every class tested, only good accepted. */
static void fx_profile(addr_t *a, enum profile_mode m) {
  profile_result_free(&a->profile);
  a->profile.done = true;
  a->profile.mode = m;
  for (int v = 0; v < PV_COUNT; v++) a->profile.versions[v] = v >= PV_TLS12 ? PVS_ACCEPTED : PVS_REFUSED;
  if (m != PROFILE_FULL) return;
  for (int c = 0; c < TLS_CLASS_COUNT; c++) a->profile.ciphers[c].tested = true;
  a->profile.ciphers[TLS_CLASS_GOOD].accepted = true;
}

static void fx_tlsrpt(job_t *j) {
  j->tlsrpt_status = TLSRPT_VALID;
  j->tlsrpt = calloc(1, sizeof *j->tlsrpt);
  if (!j->tlsrpt) abort();
  snprintf(j->tlsrpt->rua[0], sizeof j->tlsrpt->rua[0], "mailto:tlsrpt@example.pt");
  j->tlsrpt->nrua = 1;
}

/* Two MX hosts with one address each, conforming in every point. */
static job_t *good(void) {
  job_t *j = fx_job(2);
  j->have_dnssec = true;
  j->dnssec = DNSSEC_SECURE;
  for (size_t i = 0; i < 2; i++) {
    host_t *h = &j->hosts[i];
    fx_tlsa(h, 3, 1, 1);
    fx_tlsa(h, 2, 1, 1);
    fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
    h->rollover.state = ROLLOVER_READY;
    snprintf(h->rollover.scheme, sizeof h->rollover.scheme, "3 1 1 + 2 1 1");
    addr_t *a = fx_addr(h, DNSSEC_SECURE);
    fx_dane_obs(a, true, NULL);
    fx_cert(&a->smtp.tls, h->name, "RSA", 'a');
    fx_profile(a, PROFILE_FULL);
  }
  fx_policy(j, MTASTS_MODE_ENFORCE, "mx1.example.pt", "mx2.example.pt");
  snprintf(j->sts_id, sizeof j->sts_id, "20261202");
  fx_tlsrpt(j);
  return j;
}

/* The check as the table runs it: DANE verdicts first, then conformity. */
static const cncs_entry_t *run(job_t *j, enum cncs_check id) {
  check_dane.finish(j);
  check_cncs.finish(j);
  return &j->cncs.checks[id];
}

#define EXPECT(j, id, res, text) do { \
    const cncs_entry_t *e_ = run((j), (id)); \
    CHECK_INT(e_->result, (res)); \
    CHECK_STR(e_->detail, (text)); \
  } while (0)

static void test_san_match(void) {
  CHECK(cncs_san_match("mx1.example.pt", "mx1.example.pt"));
  CHECK(cncs_san_match("MX1.Example.PT", "mx1.example.pt"));
  CHECK(cncs_san_match("mx1.example.pt.", "mx1.example.pt"));
  CHECK(cncs_san_match("mx1.example.pt", "mx1.example.pt."));
  CHECK(!cncs_san_match("mx2.example.pt", "mx1.example.pt"));
  CHECK(!cncs_san_match("example.pt", "mx1.example.pt"));
  CHECK(!cncs_san_match("mx1.example.pt.evil", "mx1.example.pt"));
  CHECK(cncs_san_match("*.example.pt", "mx1.example.pt"));        /* one label */
  CHECK(cncs_san_match("*.EXAMPLE.pt.", "MX1.example.pt"));
  CHECK(!cncs_san_match("*.example.pt", "a.mx1.example.pt"));     /* not two labels */
  CHECK(!cncs_san_match("*.example.pt", "example.pt"));           /* not the apex */
  CHECK(!cncs_san_match("*.example.pt", ".example.pt"));          /* no empty label */
  CHECK(!cncs_san_match("mx*.example.pt", "mx1.example.pt"));     /* partial wildcards */
  CHECK(!cncs_san_match("*x1.example.pt", "mx1.example.pt"));
  CHECK(!cncs_san_match("mx1.*.pt", "mx1.example.pt"));           /* only left-most */
  CHECK(!cncs_san_match("*.*.pt", "mx1.example.pt"));
  CHECK(!cncs_san_match("*.pt", "example.pt"));                   /* too broad */
  CHECK(!cncs_san_match("*", "pt"));
  CHECK(!cncs_san_match("", "mx1.example.pt"));
  CHECK(!cncs_san_match(NULL, "mx1.example.pt"));
  CHECK(!cncs_san_match("mx1..example.pt", "mx1..example.pt"));
  CHECK(!cncs_san_match("192.0.2.1", "mx1.example.pt"));          /* an iPAddress SAN */
  CHECK(!cncs_san_match("*.example.pt", "*.example.pt"));         /* no '*' in a host */
  CHECK(!cncs_san_match("mx1.example.pt", NULL));

  tls_cert_info_t c = {0};
  char a[] = "mail.other.pt", b[] = "*.example.pt";
  c.sans[0] = a;
  c.nsans = 1;
  CHECK_INT(cncs_cert_names(&c, "mx1.example.pt"), 0);
  c.sans_truncated = true;
  CHECK_INT(cncs_cert_names(&c, "mx1.example.pt"), -1);
  c.sans[1] = b;
  c.nsans = 2;
  CHECK_INT(cncs_cert_names(&c, "mx1.example.pt"), 1);
}

static void test_good_and_status(void) {
  job_t *j = good();
  run(j, CNCS_STARTTLS);
  CHECK(j->cncs.have && j->cncs.pass && j->cncs.complete);
  for (int i = 0; i < CNCS_CHECK_COUNT; i++)
    if (i != CNCS_ADV_TESTING_RPT) CHECK_INT(j->cncs.checks[i].result, CNCS_PASS);
  CHECK_INT(j->cncs.checks[CNCS_ADV_TESTING_RPT].result, CNCS_NOT_APPLICABLE);
  CHECK_STR(j->cncs.checks[CNCS_STARTTLS].detail, "TLS at every address (2)");
  CHECK_STR(j->cncs.checks[CNCS_TLS_VERSION].detail, "SSLv3, TLS 1.0 and 1.1 refused at every profiled address (2)");
  CHECK_STR(j->cncs.checks[CNCS_TLS_CIPHER].detail, "no insufficient or phase-out suite at any address (2)");
  CHECK_STR(j->cncs.checks[CNCS_CERT_NAME].detail, "every certificate names its MX host in a SAN (2)");
  CHECK_STR(j->cncs.checks[CNCS_CERT_CHAIN].detail, "every chain validates from what was sent (2)");
  CHECK_STR(j->cncs.checks[CNCS_DNSSEC_DOMAIN].detail, "MX answer of example.pt secure");
  CHECK_STR(j->cncs.checks[CNCS_DNSSEC_MX].detail, "address records secure at every MX host (2)");
  CHECK_STR(j->cncs.checks[CNCS_TLSA].detail, "secure usable TLSA at every MX host with an address (2)");
  CHECK_STR(j->cncs.checks[CNCS_DANE].detail, "DANE valid at every address (2)");
  CHECK_STR(j->cncs.checks[CNCS_TLSA_ROLLOVER].detail, "rollover-ready TLSA at every MX host with TLSA (2)");
  CHECK_STR(j->cncs.checks[CNCS_ADV_MTASTS].detail, "policy id 20261202 in enforce mode");
  CHECK_STR(j->cncs.checks[CNCS_ADV_TLSRPT].detail, "reports to mailto:tlsrpt@example.pt");
  /* only status ok is judged */
  j->status = JOB_DNS_ERROR;
  run(j, CNCS_STARTTLS);
  CHECK(!j->cncs.have && !j->cncs.pass);
  job_free(j);
}

static void test_starttls(void) {
  job_t *j = good();
  addr_t *a = &j->hosts[1].addrs[0];
  drop_tls(a);
  fx_no_tls(a, NULL);
  EXPECT(j, CNCS_STARTTLS, CNCS_FAIL, "mx2.example.pt 192.0.2.1: STARTTLS not offered");
  CHECK(!j->cncs.pass);
  a->smtp.starttls = SMTP_STARTTLS_OFFERED;
  free(a->smtp.err_reason);
  a->smtp.err_reason = fx_strdup("tls: alert handshake failure");
  EXPECT(j, CNCS_STARTTLS, CNCS_FAIL,
         "mx2.example.pt 192.0.2.1: STARTTLS offered, no TLS: tls: alert handshake failure");
  drop_tls(&j->hosts[0].addrs[0]);
  fx_no_tls(&j->hosts[0].addrs[0], NULL);
  EXPECT(j, CNCS_STARTTLS, CNCS_FAIL, "mx1.example.pt 192.0.2.1: STARTTLS not offered (+1 more)");
  /* a server that refused us says nothing: skipped; the other engaged with TLS */
  fx_banner(a, 421);
  fx_outcome(a, SMTP_OUTCOME_REFUSED);
  fx_tls(&j->hosts[0].addrs[0], "TLSv1.3", true, NULL);
  EXPECT(j, CNCS_STARTTLS, CNCS_PASS, "TLS at every address that engaged (1; 1 did not)");
  /* none engaged: not-tested */
  fx_banner(&j->hosts[0].addrs[0], 0);
  fx_outcome(&j->hosts[0].addrs[0], SMTP_OUTCOME_UNREACHABLE);
  EXPECT(j, CNCS_STARTTLS, CNCS_NOT_TESTED, "no MX address engaged (refused, lost or unreachable)");
  CHECK(!j->cncs.complete);
  job_free(j);
  j = fx_job(1);
  EXPECT(j, CNCS_STARTTLS, CNCS_NOT_TESTED, "no MX address");
  job_free(j);
}

static void test_tls_version(void) {
  job_t *j = good();
  addr_t *a = &j->hosts[1].addrs[0];
  a->profile.versions[PV_TLS10] = PVS_ACCEPTED;
  EXPECT(j, CNCS_TLS_VERSION, CNCS_FAIL, "mx2.example.pt 192.0.2.1: TLSv1 accepted");
  a->profile.versions[PV_SSL3] = a->profile.versions[PV_TLS11] = PVS_ACCEPTED;
  EXPECT(j, CNCS_TLS_VERSION, CNCS_FAIL, "mx2.example.pt 192.0.2.1: SSLv3, TLSv1, TLSv1.1 accepted");
  /* a version not learnt leaves it open */
  fx_profile(a, PROFILE_BASIC);
  a->profile.versions[PV_TLS11] = PVS_ERROR;
  a->profile.reasons[PV_TLS11] = fx_strdup("timeout");
  EXPECT(j, CNCS_TLS_VERSION, CNCS_NOT_TESTED, "mx2.example.pt 192.0.2.1: TLSv1.1 not learnt: timeout");
  CHECK(j->cncs.pass && !j->cncs.complete);
  /* an address with TLS and no profile, beside a profiled one */
  profile_result_free(&a->profile);
  EXPECT(j, CNCS_TLS_VERSION, CNCS_NOT_TESTED, "mx2.example.pt 192.0.2.1: not profiled");
  /* --tls-profile off */
  profile_result_free(&j->hosts[0].addrs[0].profile);
  EXPECT(j, CNCS_TLS_VERSION, CNCS_NOT_TESTED, "no address profiled (--tls-profile off)");
  /* no TLS at all: nothing to profile */
  drop_tls(a);
  drop_tls(&j->hosts[0].addrs[0]);
  fx_no_tls(a, NULL);
  fx_no_tls(&j->hosts[0].addrs[0], NULL);
  EXPECT(j, CNCS_TLS_VERSION, CNCS_NOT_TESTED, "no address completed STARTTLS: nothing to profile");
  job_free(j);
}

static void test_tls_cipher(void) {
  job_t *j = good();
  addr_t *a = &j->hosts[0].addrs[0];
  profile_class_res_t *old = &a->profile.ciphers[TLS_CLASS_PHASE_OUT];
  old->accepted = true;
  old->suites[old->nsuites++] = 0x000a;
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_PASS,
         "no insufficient suite; phase-out accepted: mx1.example.pt 192.0.2.1: TLS_RSA_WITH_3DES_EDE_CBC_SHA");
  profile_class_res_t *bad = &a->profile.ciphers[TLS_CLASS_INSUFFICIENT];
  bad->accepted = true;
  bad->suites[bad->nsuites++] = 0x0005;
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_FAIL, "mx1.example.pt 192.0.2.1: insufficient suite TLS_RSA_WITH_RC4_128_SHA accepted");
  bad->suites[0] = 0xfefe;                       /* a code point the table does not name */
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_FAIL, "mx1.example.pt 192.0.2.1: insufficient suite 0xfefe accepted");
  bad->accepted = false;
  bad->nsuites = 0;
  bad->tested = false;
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_NOT_TESTED, "mx1.example.pt 192.0.2.1: insufficient suites not tested");
  fx_profile(a, PROFILE_BASIC);
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_NOT_TESTED, "mx1.example.pt 192.0.2.1: cipher suites not enumerated");
  fx_profile(&j->hosts[1].addrs[0], PROFILE_BASIC);
  EXPECT(j, CNCS_TLS_CIPHER, CNCS_NOT_TESTED, "cipher suites not enumerated (--tls-profile full)");
  job_free(j);
}

static void test_cert_name(void) {
  job_t *j = good();
  tls_result_t *t = &j->hosts[1].addrs[0].smtp.tls;
  free(t->cert.sans[0]);
  t->cert.sans[0] = fx_strdup("mail.hoster.pt");
  EXPECT(j, CNCS_CERT_NAME, CNCS_FAIL, "mx2.example.pt 192.0.2.1: RSA certificate names mail.hoster.pt, not the host");
  t->cert.sans_truncated = true;
  EXPECT(j, CNCS_CERT_NAME, CNCS_NOT_TESTED, "mx2.example.pt 192.0.2.1: more than 64 SANs, none kept names the host");
  free(t->cert.sans[0]);
  t->cert.nsans = 0;
  t->cert.sans_truncated = false;
  EXPECT(j, CNCS_CERT_NAME, CNCS_FAIL, "mx2.example.pt 192.0.2.1: RSA certificate has no DNS name in a SAN");
  t->cert.sans[t->cert.nsans++] = fx_strdup("*.example.pt");
  EXPECT(j, CNCS_CERT_NAME, CNCS_PASS, "every certificate names its MX host in a SAN (2)");
  /* a second certificate of the profile (ECDSA) that names another host; the profile's
   * copy of the probe's certificate counts once */
  profile_result_t *p = &j->hosts[0].addrs[0].profile;
  fx_cert(&p->certs[0].tls, "mx1.example.pt", "RSA", 'a');
  fx_cert(&p->certs[1].tls, "mx9.example.pt", "EC", 'b');
  p->ncerts = 2;
  EXPECT(j, CNCS_CERT_NAME, CNCS_FAIL, "mx1.example.pt 192.0.2.1: EC certificate names mx9.example.pt, not the host");
  job_free(j);
  j = fx_job(1);
  fx_no_tls(fx_addr(&j->hosts[0], DNSSEC_SECURE), NULL);
  EXPECT(j, CNCS_CERT_NAME, CNCS_NOT_TESTED, "no certificate seen (no address completed STARTTLS)");
  EXPECT(j, CNCS_CERT_CHAIN, CNCS_NOT_TESTED, "no certificate seen (no address completed STARTTLS)");
  job_free(j);
}

static void test_cert_chain(void) {
  job_t *j = good();
  tls_result_t *t = &j->hosts[0].addrs[0].smtp.tls;
  t->pkix_valid = false;
  t->chain_len = 1;
  t->pkix_verify_error = TLS_VERIFY_NO_LOCAL_ISSUER;
  snprintf(t->pkix_error, sizeof t->pkix_error, "unable to get local issuer certificate");
  EXPECT(j, CNCS_CERT_CHAIN, CNCS_FAIL, "mx1.example.pt 192.0.2.1: chain incomplete: 1 sent, the issuer of the last is missing");
  /* a self-signed leaf has no chain to send: not a chain failure */
  t->cert.self_signed = true;
  EXPECT(j, CNCS_CERT_CHAIN, CNCS_PASS,
         "chains complete; PKIX fails otherwise at mx1.example.pt 192.0.2.1: unable to get local issuer certificate");
  t->cert.self_signed = false;
  t->pkix_verify_error = 10;                     /* X509_V_ERR_CERT_HAS_EXPIRED */
  snprintf(t->pkix_error, sizeof t->pkix_error, "certificate has expired");
  EXPECT(j, CNCS_CERT_CHAIN, CNCS_PASS, "chains complete; PKIX fails otherwise at mx1.example.pt 192.0.2.1: certificate has expired");
  t->pkix_verify_error = 0;                      /* not judged */
  snprintf(t->pkix_error, sizeof t->pkix_error, "out of memory");
  EXPECT(j, CNCS_CERT_CHAIN, CNCS_NOT_TESTED, "mx1.example.pt 192.0.2.1: PKIX not judged: out of memory");
  job_free(j);
}

static void test_dnssec(void) {
  job_t *j = good();
  j->dnssec = DNSSEC_INSECURE;
  EXPECT(j, CNCS_DNSSEC_DOMAIN, CNCS_FAIL, "MX answer of example.pt insecure");
  j->dnssec = DNSSEC_BOGUS;
  j->dnssec_reason = fx_strdup("signature expired");
  EXPECT(j, CNCS_DNSSEC_DOMAIN, CNCS_FAIL, "MX answer of example.pt bogus: signature expired");
  j->dnssec = DNSSEC_INDETERMINATE;
  j->hosts[0].implicit = true;
  EXPECT(j, CNCS_DNSSEC_DOMAIN, CNCS_FAIL, "address records (implicit MX) of example.pt not validated");
  j->have_dnssec = false;
  EXPECT(j, CNCS_DNSSEC_DOMAIN, CNCS_NOT_TESTED, "DNSSEC state of the address records (implicit MX) not learnt");

  host_t *h = &j->hosts[1];
  h->dnssec = DNSSEC_INSECURE;
  EXPECT(j, CNCS_DNSSEC_MX, CNCS_FAIL, "mx2.example.pt: address records insecure");
  h->dnssec = h->a.dnssec = DNSSEC_BOGUS;
  h->a.reason = fx_strdup("no signatures");
  EXPECT(j, CNCS_DNSSEC_MX, CNCS_FAIL, "mx2.example.pt: address records bogus: no signatures");
  h->dnssec = DNSSEC_SECURE;
  j->hosts[0].have_dnssec = false;
  EXPECT(j, CNCS_DNSSEC_MX, CNCS_NOT_TESTED, "mx1.example.pt: DNSSEC state of its address records not learnt");
  job_free(j);
}

static void test_tlsa(void) {
  job_t *j = good();
  host_t *h = &j->hosts[1];
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_INSECURE, NULL);
  EXPECT(j, CNCS_TLSA, CNCS_FAIL, "mx2.example.pt: TLSA records not DNSSEC-secure");
  fx_tlsa_answer(h, DNS_NXDOMAIN, DNSSEC_SECURE, NULL);
  EXPECT(j, CNCS_TLSA, CNCS_FAIL, "mx2.example.pt: no TLSA records");
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_BOGUS, "validation failure");
  EXPECT(j, CNCS_TLSA, CNCS_FAIL, "mx2.example.pt: TLSA bogus: validation failure");
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_BOGUS, NULL);
  EXPECT(j, CNCS_TLSA, CNCS_FAIL, "mx2.example.pt: TLSA bogus");
  fx_tlsa_answer(h, DNS_ERROR, DNSSEC_INDETERMINATE, "timeout");
  EXPECT(j, CNCS_TLSA, CNCS_NOT_TESTED, "mx2.example.pt: TLSA lookup failed: timeout");
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  for (size_t k = 0; k < h->ntlsa; k++) h->tlsa[k].usage = 1;   /* PKIX-EE: not for SMTP */
  EXPECT(j, CNCS_TLSA, CNCS_FAIL, "mx2.example.pt: no TLSA record usable for SMTP");
  /* a host without addresses has no TLSA lookup: skipped */
  job_free(j);
  j = good();
  host_clear(&j->hosts[1]);
  j->hosts[1].name = fx_strdup("mx2.example.pt");
  EXPECT(j, CNCS_TLSA, CNCS_PASS, "secure usable TLSA at every MX host with an address (1)");
  j->hosts[0].tlsa_looked_up = false;
  EXPECT(j, CNCS_TLSA, CNCS_NOT_TESTED, "no MX host with an address");
  job_free(j);
}

static void test_dane(void) {
  job_t *j = good();
  addr_t *a = &j->hosts[1].addrs[0];
  fx_dane_obs(a, false, "No matching DANE TLSA records");
  EXPECT(j, CNCS_DANE, CNCS_FAIL, "mx2.example.pt 192.0.2.1: No matching DANE TLSA records");
  drop_tls(&j->hosts[0].addrs[0]);
  fx_no_tls(&j->hosts[0].addrs[0], "not offered");
  EXPECT(j, CNCS_DANE, CNCS_FAIL, "mx1.example.pt 192.0.2.1: no TLS under TLSA: not offered (+1 more)");
  fx_tls(&j->hosts[0].addrs[0], "TLSv1.3", true, NULL);
  fx_dane_obs(&j->hosts[0].addrs[0], true, NULL);
  /* an address that did not engage is skipped (summary's doctrine) ... */
  drop_tls(a);
  fx_banner(a, 421);
  fx_outcome(a, SMTP_OUTCOME_REFUSED);
  EXPECT(j, CNCS_DANE, CNCS_PASS, "DANE valid at every address that engaged (1; 1 did not)");
  /* ... unless DNS alone decided its failure */
  for (size_t k = 0; k < j->hosts[1].ntlsa; k++) j->hosts[1].tlsa[k].usage = 0;
  EXPECT(j, CNCS_DANE, CNCS_FAIL, "mx2.example.pt 192.0.2.1: no usable TLSA record for SMTP");
  /* no TLSA at an engaged address: not DANE-valid */
  fx_tlsa_answer(&j->hosts[0], DNS_NXDOMAIN, DNSSEC_SECURE, NULL);
  EXPECT(j, CNCS_DANE, CNCS_FAIL, "mx1.example.pt 192.0.2.1: no TLSA records (+1 more)");
  job_free(j);
  j = good();
  for (size_t i = 0; i < 2; i++) {
    drop_tls(&j->hosts[i].addrs[0]);
    fx_banner(&j->hosts[i].addrs[0], 0);
    fx_outcome(&j->hosts[i].addrs[0], SMTP_OUTCOME_UNREACHABLE);
  }
  EXPECT(j, CNCS_DANE, CNCS_NOT_TESTED, "no MX address engaged (refused, lost or unreachable)");
  job_free(j);
  j = fx_job(1);
  EXPECT(j, CNCS_DANE, CNCS_NOT_TESTED, "no MX address");
  job_free(j);
}

static void test_rollover(void) {
  job_t *j = good();
  rollover_t *r = &j->hosts[0].rollover;
  r->state = ROLLOVER_NOT_READY;
  snprintf(r->scheme, sizeof r->scheme, "3 1 1");
  r->reason = "a single record";
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_FAIL, "mx1.example.pt: not rollover-ready (3 1 1): a single record");
  r->scheme[0] = '\0';
  r->reason = NULL;
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_FAIL, "mx1.example.pt: not rollover-ready");
  r->state = ROLLOVER_UNSET;
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_NOT_TESTED, "mx1.example.pt: rollover not judged (no certificate seen)");
  for (int i = 0; i <= TLSA_MATCH_MAX; i++) fx_tlsa(&j->hosts[0], 3, 1, 1);
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_NOT_TESTED, "mx1.example.pt: rollover not judged (over 64 TLSA records)");
  /* a host without secure usable TLSA is the tlsa check's failure, not this one's */
  fx_tlsa_answer(&j->hosts[0], DNS_NXDOMAIN, DNSSEC_SECURE, NULL);
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_PASS, "rollover-ready TLSA at every MX host with TLSA (1)");
  fx_tlsa_answer(&j->hosts[1], DNS_DATA, DNSSEC_INSECURE, NULL);
  EXPECT(j, CNCS_TLSA_ROLLOVER, CNCS_NOT_APPLICABLE, "no MX host has a secure usable TLSA set");
  CHECK(!j->cncs.pass);                          /* tlsa and dane fail; n/a is no failure */
  CHECK(j->cncs.checks[CNCS_TLSA].result == CNCS_FAIL);
  job_free(j);
}

static void test_advisory(void) {
  job_t *j = good();
  j->sts_policy->mode = MTASTS_MODE_TESTING;
  j->sts_policy->mode_name = "testing";
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_FAIL, "policy in testing mode, not enforce");
  CHECK(j->cncs.pass && j->cncs.complete);       /* advisory: conformity stands */
  CHECK_INT(j->cncs.checks[CNCS_ADV_TESTING_RPT].result, CNCS_PASS);
  CHECK_STR(j->cncs.checks[CNCS_ADV_TESTING_RPT].detail, "policy in testing mode, its failures reported");
  j->tlsrpt_status = TLSRPT_NONE;
  EXPECT(j, CNCS_ADV_TESTING_RPT, CNCS_FAIL,
         "policy in testing mode without a valid TLS-RPT record: nobody reads its failures");
  CHECK(j->cncs.pass);
  CHECK_INT(j->cncs.checks[CNCS_ADV_TLSRPT].result, CNCS_FAIL);
  CHECK_STR(j->cncs.checks[CNCS_ADV_TLSRPT].detail, "no TLS-RPT record at _smtp._tls.example.pt");
  j->tlsrpt_status = TLSRPT_INVALID;
  j->tlsrpt_reason = fx_strdup("no rua");
  EXPECT(j, CNCS_ADV_TLSRPT, CNCS_FAIL, "TLS-RPT record invalid: no rua");
  CHECK_INT(j->cncs.checks[CNCS_ADV_TESTING_RPT].result, CNCS_FAIL);
  j->tlsrpt_status = TLSRPT_DNS_ERROR;
  EXPECT(j, CNCS_ADV_TLSRPT, CNCS_NOT_TESTED, "_smtp._tls TXT lookup failed: no rua");
  CHECK(j->cncs.complete);                       /* advisory: completeness stands too */
  CHECK_INT(j->cncs.checks[CNCS_ADV_TESTING_RPT].result, CNCS_NOT_TESTED);
  j->tlsrpt_status = TLSRPT_UNSET;
  EXPECT(j, CNCS_ADV_TLSRPT, CNCS_NOT_TESTED, "TLS-RPT not looked up");

  j->sts_status = STS_NONE;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_FAIL, "no MTA-STS record at _mta-sts.example.pt");
  CHECK_INT(j->cncs.checks[CNCS_ADV_TESTING_RPT].result, CNCS_NOT_APPLICABLE);
  j->sts_reason = fx_strdup("HTTP 404");
  j->sts_status = STS_FETCH_ERROR;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_FAIL, "policy not fetched: HTTP 404");
  j->sts_status = STS_POLICY_INVALID;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_FAIL, "policy invalid: HTTP 404");
  j->sts_status = STS_TXT_INVALID;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_FAIL, "_mta-sts TXT record invalid: HTTP 404");
  j->sts_status = STS_DNS_ERROR;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_NOT_TESTED, "_mta-sts TXT lookup failed: HTTP 404");
  j->sts_status = STS_UNSET;
  EXPECT(j, CNCS_ADV_MTASTS, CNCS_NOT_TESTED, "MTA-STS not looked up");
  job_free(j);
}

/* A detail is cut to fit, and its " (+N more)" survives the cut; IPv6 addresses print. */
static void test_detail_bounds(void) {
  job_t *j = good();
  char name[251];
  memset(name, 'a', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  memcpy(name + 239, ".example.pt", 11);   /* 250 characters */
  for (size_t i = 0; i < 2; i++) {
    free(j->hosts[i].name);
    j->hosts[i].name = fx_strdup(name);
    j->hosts[i].addrs[0].profile.versions[PV_TLS10] = PVS_ACCEPTED;
  }
  const cncs_entry_t *e = run(j, CNCS_TLS_VERSION);
  CHECK_INT(e->result, CNCS_FAIL);
  CHECK_INT(strlen(e->detail), sizeof e->detail - 1);
  CHECK(strncmp(e->detail, name, 100) == 0);
  CHECK_STR(e->detail + strlen(e->detail) - 10, " (+1 more)");
  job_free(j);

  j = good();
  addr_t *a = &j->hosts[0].addrs[0];
  a->family = AF_INET6;
  memset(a->ip, 0, sizeof a->ip);
  a->ip[0] = 0x20, a->ip[1] = 0x01, a->ip[2] = 0x0d, a->ip[3] = 0xb8, a->ip[15] = 0x25;
  a->profile.versions[PV_TLS11] = PVS_ACCEPTED;
  EXPECT(j, CNCS_TLS_VERSION, CNCS_FAIL, "mx1.example.pt 2001:db8::25: TLSv1.1 accepted");
  job_free(j);
}

/* Through the whole table: every check's finish runs, conformity last. */
static void test_checks_finish(void) {
  job_t *j = fx_job(1);
  j->have_dnssec = true;
  fx_addr(&j->hosts[0], DNSSEC_SECURE);
  fx_tlsa_answer(&j->hosts[0], DNS_NXDOMAIN, DNSSEC_SECURE, NULL);
  checks_finish(j);
  CHECK(j->cncs.have && !j->cncs.pass);
  CHECK_INT(j->cncs.checks[CNCS_STARTTLS].result, CNCS_PASS);
  CHECK_INT(j->cncs.checks[CNCS_TLSA].result, CNCS_FAIL);
  CHECK_STR(j->cncs.checks[CNCS_TLSA].detail, "mx1.example.pt: no TLSA records");
  CHECK_INT(j->cncs.checks[CNCS_DANE].result, CNCS_FAIL);
  CHECK_STR(j->cncs.checks[CNCS_DANE].detail, "mx1.example.pt 192.0.2.1: no TLSA records");
  CHECK_INT(j->cncs.checks[CNCS_TLSA_ROLLOVER].result, CNCS_NOT_APPLICABLE);
  j->status = JOB_NXDOMAIN;
  checks_finish(j);
  CHECK(!j->cncs.have);
  job_free(j);
}

int main(void) {
  test_san_match();
  test_good_and_status();
  test_starttls();
  test_tls_version();
  test_tls_cipher();
  test_cert_name();
  test_cert_chain();
  test_dnssec();
  test_tlsa();
  test_dane();
  test_rollover();
  test_advisory();
  test_detail_bounds();
  test_checks_finish();
  TEST_MAIN_END();
}
