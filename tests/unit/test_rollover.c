/* The rollover check (checks/rollover.c): every branch of "ready" — a next key published,
 * the issuing CA published, a single record, several records for the same key, a stale
 * record beside the current one, two certificates (RSA and ECDSA) each with its own record,
 * a certificate no record matches, a certificate from the TLS profile that spoils a ready
 * probe — and when the host is not judged at all (insecure TLSA, nothing usable, no
 * certificate matched against the set). The matches are set by hand (tls_tlsa_match is
 * unit.test_tlsa_match's). */
#include "checks/check.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

#define B(k) (UINT64_C(1) << (k))

/* A host with secure TLSA records (usage/selector/mtype triples) and one address. */
static job_t *host_with(const int (*recs)[3], size_t n, host_t **hp, addr_t **ap) {
  job_t *j = fx_job(1);
  host_t *h = &j->hosts[0];
  for (size_t i = 0; i < n; i++) fx_tlsa(h, recs[i][0], recs[i][1], recs[i][2]);
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  *ap = fx_addr(h, DNSSEC_SECURE);
  *hp = h;
  return j;
}

static void match(addr_t *a, int slot, uint64_t leaf, uint64_t issuer, const char *spki) {
  a->tlsa_match[slot] = (tlsa_match_t){true, leaf, issuer, ""};
  snprintf(a->tlsa_match[slot].spki_sha256, sizeof a->tlsa_match[slot].spki_sha256, "%s", spki);
}

static void run(job_t *j) { check_rollover.finish(j); }

static void expect(const host_t *h, enum rollover_state st, const char *scheme, const char *reason) {
  CHECK_INT(h->rollover.state, st);
  CHECK_STR(h->rollover.scheme, scheme);
  CHECK_STR(h->rollover.reason, reason);
}

static void test_next_key(void) {
  static const int r[][3] = {{3, 1, 1}, {3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  match(a, 0, B(0), 0, "aa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 1 1", "the next key is pre-published");
  CHECK_INT(h->rollover.nunmatched, 1);
  CHECK_INT(h->rollover.unmatched[0], 1);
  /* the current key is the second record: the same */
  match(a, 0, B(1), 0, "aa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 1 1", "the next key is pre-published");
  CHECK_INT(h->rollover.unmatched[0], 0);
  job_free(j);
}

static void test_issuer(void) {
  static const int r[][3] = {{2, 1, 1}, {3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  match(a, 0, B(1), B(0), "aa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 2 1 1", "the issuing CA is published");
  CHECK_INT(h->rollover.nunmatched, 0);
  /* the CA record alone matches the chain (the 3 1 1 is stale): stale one survives */
  match(a, 0, 0, B(0), "aa");
  run(j);
  expect(h, ROLLOVER_READY, "2 1 1 + 3 1 1", "the next key is pre-published");
  CHECK_INT(h->rollover.nunmatched, 1);
  CHECK_INT(h->rollover.unmatched[0], 1);
  job_free(j);
}

static void test_single(void) {
  static const int r[][3] = {{3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 1, &h, &a);
  match(a, 0, B(0), 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 1", "a single TLSA record");
  /* 2 1 1 alone: not ready either (nothing survives a change of CA) */
  h->tlsa[0].usage = 2;
  match(a, 0, 0, B(0), "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "2 1 1", "a single TLSA record");
  /* a single record, matching nothing */
  match(a, 0, 0, 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "", "no record matches the certificate presented");
  CHECK_INT(h->rollover.nunmatched, 1);
  job_free(j);
}

static void test_same_key(void) {
  static const int r[][3] = {{3, 1, 1}, {3, 0, 1}, {3, 1, 2}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  /* 3 1 1 + 3 0 1 of one certificate */
  match(a, 0, B(0) | B(1), 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 1", "every record matches the same key");
  job_free(j);
  /* 3 1 1 + 3 1 2 of one key: the same */
  static const int r2[][3] = {{3, 1, 1}, {3, 1, 2}};
  j = host_with(r2, 2, &h, &a);
  uint8_t *d = calloc(1, 64);    /* fx_tlsa made 32 octets: SHA-512 needs 64 to be usable */
  if (!d) abort();
  free((void *)h->tlsa[1].data);
  h->tlsa[1].data = d;
  h->tlsa[1].len = 64;
  match(a, 0, B(0) | B(1), 0, "aa");
  run(j);
  /* (digest agility: the SHA-512 one is the record OpenSSL uses) */
  expect(h, ROLLOVER_NOT_READY, "3 1 2", "every record matches the same key");
  job_free(j);
}

/* An ECDSA and an RSA certificate (the TLS profile found both), each with its own 3 1 1:
 * neither survives a change of the other's key. With a next key for each: ready. */
static void test_two_certs(void) {
  static const int r[][3] = {{3, 1, 1}, {3, 1, 1}, {3, 1, 1}, {3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  match(a, 0, B(0), 0, "ec");
  match(a, 1, B(0), 0, "ec");        /* the profile's ECDSA: the probe's own */
  match(a, 2, B(1), 0, "rsa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 1", "the other records match another certificate of the host");
  CHECK_INT(h->rollover.nunmatched, 0);
  /* the RSA one on a second address instead of the profile: the same */
  a->tlsa_match[2].have = false;
  addr_t *b = fx_addr(h, DNSSEC_SECURE);
  match(b, 0, B(1), 0, "rsa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 1", "the other records match another certificate of the host");
  job_free(j);
  /* four records: current and next of each */
  j = host_with(r, 4, &h, &a);
  match(a, 0, B(0), 0, "ec");
  match(a, 2, B(1), 0, "rsa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 1 1", "the next key is pre-published");
  CHECK_INT(h->rollover.nunmatched, 2);
  CHECK_INT(h->rollover.unmatched[0], 2);
  CHECK_INT(h->rollover.unmatched[1], 3);
  /* the second certificate matches nothing: not ready, its scheme is named */
  match(a, 2, 0, 0, "rsa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "", "no record matches the certificate presented");
  job_free(j);
}

/* A usage 3 record for the intermediate authenticates nothing and saves nothing. */
static void test_ee_of_ca(void) {
  static const int r[][3] = {{2, 1, 1}, {3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  match(a, 0, 0, B(0) | B(1), "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "2 1 1", "no other record would match after a change of the key");
  job_free(j);
}

/* Digest agility: 3 1 1 (current) + 3 1 2 (next key) — OpenSSL uses only the SHA-512
 * record, so nothing matches now; 3 1 2 (current) + 3 1 1 (next): the next one is set
 * aside, a single record. 2 1 1 + 3 1 2: other usages, both count. */
static void set64(host_t *h, size_t k) {
  uint8_t *d = calloc(1, 64);
  if (!d) abort();
  d[0] = (uint8_t)(k + 1);
  free((void *)h->tlsa[k].data);
  h->tlsa[k].data = d;
  h->tlsa[k].len = 64;
}

static void test_agility(void) {
  static const int r[][3] = {{3, 1, 1}, {3, 1, 2}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  set64(h, 1);
  match(a, 0, B(0), 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "", "no record matches the certificate presented");
  CHECK_INT(h->rollover.nunmatched, 1);
  CHECK_INT(h->rollover.unmatched[0], 1);
  match(a, 0, B(1), 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 2", "a SHA-256 record is not used beside a SHA-512 one (digest agility)");
  job_free(j);
  static const int r2[][3] = {{2, 1, 1}, {3, 1, 2}};
  j = host_with(r2, 2, &h, &a);
  set64(h, 1);
  match(a, 0, B(1), B(0), "aa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 2 + 2 1 1", "the issuing CA is published");
  /* a SHA-512 record that is itself unusable (32 octets) hides nothing */
  static const int r3[][3] = {{3, 1, 1}, {3, 1, 2}, {3, 1, 1}};
  job_free(j);
  j = host_with(r3, 3, &h, &a);
  match(a, 0, B(0), 0, "aa");
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 1 1", "the next key is pre-published");
  job_free(j);
}

/* Unusable records neither match now nor survive; more records than ROLLOVER_UNMATCHED_MAX
 * unmatched: the first ones listed. */
static void test_unusable_and_many(void) {
  static const int r[][3] = {{3, 1, 1}, {1, 1, 1}, {0, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 3, &h, &a);
  match(a, 0, B(0) | B(1), 0, "aa");
  run(j);
  expect(h, ROLLOVER_NOT_READY, "3 1 1", "a single TLSA record");
  CHECK_INT(h->rollover.nunmatched, 0);
  for (int i = 0; i < 10; i++) fx_tlsa(h, 3, 1, 1);
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 1 1", "the next key is pre-published");
  CHECK_INT(h->rollover.nunmatched, ROLLOVER_UNMATCHED_MAX);
  CHECK_INT(h->rollover.unmatched[0], 3);
  CHECK_INT(h->rollover.unmatched[7], 10);
  job_free(j);
}

/* More records than TLSA_MATCH_MAX: the record that authenticates the server may lie
 * beyond the first 64 (DANE saw them all), so "no record matches" would judge records
 * never matched; the set is not judged. Ready among the first 64 still is ready. */
static void test_over_match_max(void) {
  static const int r[][3] = {{3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 1, &h, &a);
  for (int i = 1; i < TLSA_MATCH_MAX + 2; i++) fx_tlsa(h, 3, 0, 1);
  match(a, 0, 0, 0, "aa");            /* none of the first 64 matches */
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_UNSET);
  CHECK_INT(h->rollover.nunmatched, 0);
  match(a, 0, B(0), 0, "aa");         /* the first matches, the rest are unmatched */
  run(j);
  expect(h, ROLLOVER_READY, "3 1 1 + 3 0 1", "the next key is pre-published");
  job_free(j);
}

static void test_not_judged(void) {
  static const int r[][3] = {{3, 1, 1}, {3, 1, 1}};
  host_t *h; addr_t *a;
  job_t *j = host_with(r, 2, &h, &a);
  /* no certificate was matched against the set */
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_UNSET);
  match(a, 0, B(0), 0, "aa");
  /* insecure TLSA */
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_INSECURE, NULL);
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_UNSET);
  /* bogus */
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_BOGUS, "sig expired");
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_UNSET);
  /* secure but nothing usable */
  fx_tlsa_answer(h, DNS_DATA, DNSSEC_SECURE, NULL);
  h->tlsa[0].usage = 1;
  h->tlsa[1].usage = 0;
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_UNSET);
  CHECK_STR(h->rollover.scheme, "");
  /* usable again: judged */
  h->tlsa[0].usage = 3;
  run(j);
  CHECK_INT(h->rollover.state, ROLLOVER_NOT_READY);
  job_free(j);
  /* no TLSA at all */
  j = fx_job(1);
  a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  run(j);
  CHECK_INT(j->hosts[0].rollover.state, ROLLOVER_UNSET);
  job_free(j);
}

int main(void) {
  test_next_key();
  test_issuer();
  test_single();
  test_same_key();
  test_two_certs();
  test_ee_of_ca();
  test_unusable_and_many();
  test_agility();
  test_not_judged();
  test_over_match_max();
  TEST_MAIN_END();
}
