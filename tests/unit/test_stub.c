/* net/stub.c's pure pieces (issue 17 item 3): which message on a query's socket is its
 * reply (id, question), when a truncated reply goes to TCP, the reply as an answer (the
 * DNSSEC table of stub.h), the resolver each send goes to, a failed answer kept for the
 * health checks; and net/anchor.c's probe name and failure texts. */
#include "net/stub.h"
#include "net/anchor.h"
#include "net/blame.h"
#include "testlib.h"

#include <stdint.h>
#include <stdlib.h>

#include "dnsmsg.h"

#define F_QR 0x8000
#define F_TC 0x0200
#define F_AD 0x0020

static uint8_t qw[255];
static size_t qwl;

/* a reply to "www.example." qtype 1 with id, flags (rcode in the low bits), optionally one
 * A record and an OPT with an EDE */
static void reply(msg_t *m, unsigned id, unsigned flags, const char *qname, unsigned qtype,
                  bool a_record, int ede) {
  m->n = 0;
  put16(m, id); put16(m, F_QR | flags); put16(m, 1); put16(m, a_record ? 1 : 0); put16(m, 0);
  put16(m, ede >= 0 ? 1 : 0);
  putname(m, qname);
  put16(m, qtype); put16(m, 1);
  if (a_record) {
    putname(m, qname);
    put16(m, 1); put16(m, 1); put32(m, 300); put16(m, 4); put32(m, 0x7f000101);
  }
  if (ede >= 0) {
    put8(m, 0);
    put16(m, 41); put16(m, 1232); put8(m, 0); put8(m, 0); put16(m, 0x8000);
    put16(m, 6); put16(m, 15); put16(m, 2); put16(m, (unsigned)ede);
  }
}

static enum stub_step classify(const msg_t *m, unsigned id, bool tcp, dns_reply_t *r) {
  return stub_classify(m->b, m->n, (uint16_t)id, qw, qwl, 1, tcp, r);
}

static void test_classify(void) {
  msg_t m;
  dns_reply_t r;
  qwl = (size_t)dns_name_to_wire("www.example.", qw, sizeof qw);
  reply(&m, 0x1234, 0, "www.example", 1, true, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_DELIVER);
  CHECK_INT(r.count, 1);
  dns_reply_free(&r);
  /* another id: a forged or stale datagram, ignored (the query waits on) */
  CHECK_INT(classify(&m, 0x1235, false, &r), STUB_IGNORE);
  /* the id but another question: name, type */
  reply(&m, 0x1234, 0, "www.examplf", 1, true, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_IGNORE);
  reply(&m, 0x1234, 0, "www.example", 28, false, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_IGNORE);
  /* the name's case does not matter (0x20 or a resolver's own case) */
  reply(&m, 0x1234, 0, "WWW.Example", 1, false, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_DELIVER);
  dns_reply_free(&r);
  /* too short for an id; one octet */
  CHECK_INT(stub_classify(m.b, 1, 0x1234, qw, qwl, 1, false, &r), STUB_IGNORE);
  /* truncated over UDP: TCP; truncated over TCP: malformed (no third try) */
  reply(&m, 0x1234, F_TC, "www.example", 1, false, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_RETRY_TCP);
  CHECK(!r.ad && r.tc && r.count == 0);
  reply(&m, 0x1234, F_TC | F_AD, "www.example", 1, false, -1);
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_RETRY_TCP);
  CHECK(r.ad);                                     /* the header is kept */
  CHECK_INT(classify(&m, 0x1234, true, &r), STUB_MALFORMED);
  /* its id and question, the answer cut short: malformed (FORMERR) */
  reply(&m, 0x1234, 0, "www.example", 1, true, -1);
  m.n -= 3;
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_MALFORMED);
  /* a header only (no question) with the id: malformed; the same without QR (a query,
   * not a reply: our own packet looped back) is ignored */
  m.n = 12;
  m.b[5] = 0;   /* qdcount 0 */
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_MALFORMED);
  m.b[2] &= 0x7f;
  CHECK_INT(classify(&m, 0x1234, false, &r), STUB_IGNORE);
}

static void judge(unsigned flags, bool a_record, int ede, dns_answer_t *a, char *reason, size_t cap) {
  msg_t m;
  dns_reply_t r;
  reply(&m, 7, flags, "www.example", 1, a_record, ede);
  CHECK_INT(classify(&m, 7, false, &r), STUB_DELIVER);
  memset(a, 0, sizeof *a);
  stub_judge(&r, a, reason, cap);
  dns_reply_free(&r);   /* a->data pointed into r: only the scalars are read below */
}

static void test_judge(void) {
  dns_answer_t a;
  char reason[DNS_EDE_TEXT_MAX + 64];
  judge(F_AD, true, -1, &a, reason, sizeof reason);
  CHECK_INT(a.outcome, DNS_DATA); CHECK_INT(a.dnssec, DNSSEC_SECURE); CHECK_INT(a.count, 1);
  CHECK(a.reason == NULL);
  judge(0, true, -1, &a, reason, sizeof reason);
  CHECK_INT(a.dnssec, DNSSEC_INSECURE);
  judge(F_AD, false, -1, &a, reason, sizeof reason);
  CHECK_INT(a.outcome, DNS_NODATA);
  judge(3 | F_AD, false, -1, &a, reason, sizeof reason);
  CHECK_INT(a.outcome, DNS_NXDOMAIN); CHECK_INT(a.dnssec, DNSSEC_SECURE);
  /* SERVFAIL with the DNSSEC family of EDE (1-12): bogus, the code named */
  for (int e = 1; e <= 12; e++) {
    judge(2, false, e, &a, reason, sizeof reason);
    CHECK_INT(a.outcome, DNS_ERROR); CHECK_INT(a.dnssec, DNSSEC_BOGUS);
  }
  judge(2, false, 6, &a, reason, sizeof reason);
  CHECK_STR(a.reason, "EDE 6 (DNSSEC Bogus)");
  /* SERVFAIL with EDE 0, 22 (No Reachable Authority), 23 (Network Error) or none, REFUSED */
  int others[] = {0, 13, 14, 22, 23, -1};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    judge(2, false, others[i], &a, reason, sizeof reason);
    CHECK_INT(a.dnssec, DNSSEC_INDETERMINATE); CHECK_STR(a.reason, "SERVFAIL");
  }
  judge(5, false, -1, &a, reason, sizeof reason);
  CHECK_INT(a.outcome, DNS_ERROR); CHECK_STR(a.reason, "REFUSED");
  judge(9, false, -1, &a, reason, sizeof reason);
  CHECK_STR(a.reason, "rcode 9");
}

/* a failed answer kept for the health checks and given back unchanged; blame says check */
static void test_keep(void) {
  dns_answer_t a = {.qname = "x.example", .qtype = 1, .outcome = DNS_ERROR, .dnssec = DNSSEC_BOGUS,
                    .rcode = 2, .ttl = 5, .reason = "EDE 9 (DNSKEY Missing)", .canonname = "y.example"};
  dns_failure_t f = {.answered = true, .rcode = a.rcode, .bogus = a.dnssec == DNSSEC_BOGUS};
  CHECK_INT(dns_blame(&f), DNS_BLAME_CHECK);
  stub_kept_t *k = stub_keep(&a);
  CHECK(k != NULL);
  dns_answer_t b;
  stub_kept_answer(k, "x.example", 1, &b);
  CHECK_INT(b.outcome, DNS_ERROR); CHECK_INT(b.dnssec, DNSSEC_BOGUS); CHECK_INT(b.rcode, 2);
  CHECK_INT(b.ttl, 5); CHECK_STR(b.reason, "EDE 9 (DNSKEY Missing)"); CHECK_STR(b.canonname, "y.example");
  CHECK_INT(b.count, 0);
  free(k);
  a.reason = NULL; a.canonname = NULL;
  k = stub_keep(&a);
  stub_kept_answer(k, "x.example", 1, &b);
  CHECK(b.reason == NULL); CHECK(b.canonname == NULL);
  free(k);
  a.count = 1;   /* an answer with records is never kept */
  CHECK(stub_keep(&a) == NULL);
}

static void test_resolver_for(void) {
  CHECK_INT(stub_resolver_for(0, 1, false), 0);
  CHECK_INT(stub_resolver_for(5, 1, false), 0);
  CHECK_INT(stub_resolver_for(0, 3, false), 0);    /* the first send */
  CHECK_INT(stub_resolver_for(1, 3, false), 1);    /* resends rotate */
  CHECK_INT(stub_resolver_for(4, 3, false), 1);
  CHECK_INT(stub_resolver_for(1, 3, true), 0);     /* TCP: the one that truncated */
  CHECK_INT(stub_resolver_for(3, 3, true), 2);
  CHECK_INT(stub_resolver_for(0, 3, true), 0);
  CHECK_INT(stub_resolver_for(2, 0, false), 0);    /* none: no division by zero */
}

static void test_anchor(void) {
  char n1[DNS_QNAME_MAX + 2], n2[DNS_QNAME_MAX + 2], f[400];
  CHECK_INT(anchor_probe_name(".", n1, sizeof n1), 0);
  CHECK_INT(anchor_probe_name(".", n2, sizeof n2), 0);
  CHECK(strncmp(n1, "mxsurvey-check-", 15) == 0 && n1[15] >= 'a' && n1[15] <= 'z');
  CHECK_INT(strlen(n1), 15 + 15 + 1);
  CHECK(n1[strlen(n1) - 1] == '.');
  CHECK(strcmp(n1, n2) != 0);                      /* random: never a cached name */
  CHECK_INT(anchor_probe_name("example.", n1, sizeof n1), 0);
  CHECK(strstr(n1, ".example.") != NULL);
  CHECK_INT(anchor_probe_name(".", n1, 10), -1);   /* does not fit */
  /* the DNSKEY set: NOERROR, data, secure */
  anchor_answer_failure(false, "", 0, "", true, 0, false, NULL, true, true, f, sizeof f);
  CHECK_STR(f, "");
  anchor_answer_failure(false, "", 0, "", true, 2, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "SERVFAIL");
  anchor_answer_failure(false, "", 0, "", true, 0, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "no DNSKEY records in the answer");
  anchor_answer_failure(false, "", 0, "", true, 0, false, NULL, true, false, f, sizeof f);
  CHECK_STR(f, "the DNSKEY set is not secure");
  anchor_answer_failure(false, "", 0, "", true, 0, true, "no DNSKEY rrset", true, false, f, sizeof f);
  CHECK_STR(f, "bogus: no DNSKEY rrset");
  anchor_answer_failure(false, "", 3, "timeout", false, 0, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "timeout");
  anchor_answer_failure(false, "", 0, "", true, 3, false, NULL, false, true, f, sizeof f);
  CHECK_STR(f, "NXDOMAIN");                        /* the anchor owner must exist */
  /* the probe: a secure NXDOMAIN (or NOERROR, a wildcard) passes */
  anchor_answer_failure(true, "p.", 0, "", true, 3, false, NULL, false, true, f, sizeof f);
  CHECK_STR(f, "");
  anchor_answer_failure(true, "p.", 0, "", true, 0, false, NULL, true, true, f, sizeof f);
  CHECK_STR(f, "");
  anchor_answer_failure(true, "p.", 0, "", true, 2, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "p. (a name no cache holds): SERVFAIL");
  anchor_answer_failure(true, "p.", 0, "", true, 5, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "p. (a name no cache holds): REFUSED");
  anchor_answer_failure(true, "p.", 0, "", true, 3, false, NULL, false, false, f, sizeof f);
  CHECK_STR(f, "p. (a name no cache holds): the denial is not secure");
}

int main(void) {
  test_classify();
  test_judge();
  test_keep();
  test_resolver_for();
  test_anchor();
  TEST_MAIN_END();
}
