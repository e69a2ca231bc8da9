/* tls_result_outlook: PKIX and DANE verdicts of a stored chain at a later time, against
 * certificates made here with known dates. What it pins down:
 *  - PKIX at the horizon fails when the leaf or an intermediate expires before it, and
 *    every such certificate is listed, earliest first (not only the first OpenSSL meets);
 *  - OpenSSL's DANE rules for dates (RFC 7672 §3.1.1): a DANE-EE(3) match of the leaf
 *    ignores them (an expiring, even an expired leaf stays DANE-valid), DANE-TA(2) does
 *    not (the leaf below the anchor counts);
 *  - the PKIX verdict cache of tls_result_judge is not polluted by an at-horizon verdict,
 *    and the outlook's own cache does not answer for another time;
 *  - a rough cost: verifications per second, printed. */
#include "tests/unit/certfix.h"
#include "tests/unit/testlib.h"

#include <time.h>
#include <unistd.h>

#define MX "mx.example"

static uint8_t store[8][4096];

static EVP_PKEY *ck, *ik, *lk, *ek, *nk;
static X509 *ca, *in, *in_short, *leaf5, *leaf60, *leaf_exp, *leaf60_short;

static void make(void)
{
  ck = cf_ec(); ik = cf_ec(); lk = cf_ec(); ek = cf_ec(); nk = cf_ec();
  ca = cf_cert(ck, NULL, NULL, "Root", NULL, -DAY, 3650 * DAY, 1, 1);
  in = cf_cert(ik, ca, ck, "Intermediate", NULL, -DAY, 365 * DAY, 1, 2);
  in_short = cf_cert(ik, ca, ck, "Intermediate", NULL, -DAY, 20 * DAY, 1, 3);
  leaf5 = cf_cert(lk, in, ik, MX, "DNS:" MX, -DAY, 5 * DAY, 0, 4);
  leaf60 = cf_cert(nk, in, ik, MX, "DNS:" MX, -DAY, 60 * DAY, 0, 5);
  leaf_exp = cf_cert(ek, in, ik, MX, "DNS:" MX, -90 * DAY, -DAY, 0, 6);
  leaf60_short = cf_cert(nk, in_short, ik, MX, "DNS:" MX, -DAY, 60 * DAY, 0, 7);
}

static time_t na(X509 *x)
{
  int days = 0, secs = 0;
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  ASN1_TIME_diff(&days, &secs, epoch, X509_get0_notAfter(x));
  ASN1_TIME_free(epoch);
  return (time_t)days * 86400 + secs;
}

static tls_dane_in_t dane_of(const tlsa_rec_t *recs, size_t n)
{
  static const char *names[] = {MX};
  return (tls_dane_in_t){MX, names, 1, recs, n};
}

static void test_pkix(tls_ctx_t *c, time_t now)
{
  X509 *ch[] = {leaf5, in};
  tls_result_t r = cf_result(ch, 2);
  tls_outlook_t o;
  /* before the leaf expires: valid; the earliest not_after counting is the leaf's */
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 2 * DAY, &o), 0);
  CHECK(o.pkix.valid);
  CHECK_INT(o.pkix.nexpiring, 0);
  CHECK_INT(o.pkix.first_not_after, na(leaf5));
  CHECK(!o.dane_enabled);
  /* after: invalid, the leaf named */
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  CHECK_STR(o.pkix.error, "certificate has expired");
  CHECK_INT(o.pkix.nexpiring, 1);
  CHECK_INT(o.pkix.expiring[0].depth, 0);
  CHECK(!o.pkix.expiring[0].anchor);
  CHECK_INT(o.pkix.expiring[0].not_after, na(leaf5));
  CHECK_STR(o.pkix.expiring[0].subject, "CN=" MX);
  CHECK_INT(o.at, now + 30 * DAY);
  /* another name: the name check still applies at the horizon */
  CHECK_INT(tls_result_outlook(c, &r, "other.example", NULL, now + 2 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  tls_result_free(&r);

  /* leaf (60 d) under an intermediate of 20 d: at 30 d only the intermediate; at 90 d
   * both, the intermediate first (earliest) although OpenSSL meets it first anyway */
  X509 *ch2[] = {leaf60_short, in_short};
  r = cf_result(ch2, 2);
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  CHECK_INT(o.pkix.nexpiring, 1);
  CHECK_INT(o.pkix.expiring[0].depth, 1);
  CHECK(!o.pkix.expiring[0].anchor);
  CHECK_STR(o.pkix.expiring[0].subject, "CN=Intermediate");
  CHECK_INT(o.pkix.first_not_after, na(in_short));
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 90 * DAY, &o), 0);
  CHECK_INT(o.pkix.nexpiring, 2);
  CHECK_INT(o.pkix.expiring[0].depth, 1);
  CHECK_INT(o.pkix.expiring[1].depth, 0);
  CHECK_INT(o.pkix.expiring[1].not_after, na(leaf60_short));
  tls_result_free(&r);
}

static void test_dane(tls_ctx_t *c, time_t now)
{
  X509 *ch[] = {leaf5, in};
  tls_result_t r = cf_result(ch, 2);
  tls_outlook_t o;
  /* DANE-EE 3 1 1 on a leaf that expires in 5 days: valid at 30 days (dates ignored),
   * PKIX not; no date counts */
  tlsa_rec_t ee = cf_rec(3, 1, 1, leaf5, store[0]);
  tls_dane_in_t d = dane_of(&ee, 1);
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 30 * DAY, &o), 0);
  CHECK(o.dane_enabled);
  CHECK(o.dane.valid);
  CHECK_INT(o.dane.nexpiring, 0);
  CHECK_INT(o.dane.first_not_after, 0);
  CHECK(!o.pkix.valid);
  /* DANE-TA 2 1 1 on the intermediate: the leaf's date counts, so it breaks */
  tlsa_rec_t ta = cf_rec(2, 1, 1, in, store[1]);
  d = dane_of(&ta, 1);
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 2 * DAY, &o), 0);
  CHECK(o.dane.valid);
  CHECK_INT(o.dane.first_not_after, na(leaf5));
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 30 * DAY, &o), 0);
  CHECK(o.dane_enabled);
  CHECK(!o.dane.valid);
  CHECK_STR(o.dane.error, "certificate has expired");
  CHECK_INT(o.dane.nexpiring, 1);
  CHECK_INT(o.dane.expiring[0].depth, 0);
  CHECK_INT(o.dane.first_not_after, na(leaf5));
  /* the same through tls_result_judge now: DANE-TA valid (the verdicts agree today) */
  CHECK_INT(tls_result_judge(c, &r, MX, &d), 0);
  CHECK(r.dane_valid);
  tls_result_free(&r);

  /* an expired leaf with DANE-EE: DANE valid now and later (OpenSSL bypasses dates) */
  X509 *chx[] = {leaf_exp, in};
  r = cf_result(chx, 2);
  tlsa_rec_t eex = cf_rec(3, 1, 1, leaf_exp, store[2]);
  d = dane_of(&eex, 1);
  CHECK_INT(tls_result_judge(c, &r, MX, &d), 0);
  CHECK(r.dane_valid);
  CHECK(!r.pkix_valid);
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 30 * DAY, &o), 0);
  CHECK(o.dane.valid);
  /* ... and with DANE-TA: invalid now already */
  d = dane_of(&ta, 1);
  CHECK_INT(tls_result_judge(c, &r, MX, &d), 0);
  CHECK(!r.dane_valid);
  tls_result_free(&r);

  /* DANE-TA on an intermediate that expires in 20 days, leaf 60: at 30 days does the
   * anchor's own date count? Not in OpenSSL: the matched certificate is the trust anchor,
   * and an anchor's dates are not checked (as for a root in a trust store); only the chain
   * below it counts. Postfix and every OpenSSL-based sender behave so. */
  X509 *ch2[] = {leaf60_short, in_short};
  r = cf_result(ch2, 2);
  tlsa_rec_t ta2 = cf_rec(2, 1, 1, in_short, store[3]);
  d = dane_of(&ta2, 1);
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 2 * DAY, &o), 0);
  CHECK(o.dane.valid);
  CHECK_INT(o.dane.first_not_after, na(leaf60_short));
  CHECK_INT(tls_result_outlook(c, &r, MX, &d, now + 30 * DAY, &o), 0);
  printf("  DANE-TA whose anchor expires before the horizon: %s (%zu expiring, depth %d)\n",
         o.dane.valid ? "valid" : "invalid", o.dane.nexpiring,
         o.dane.nexpiring ? o.dane.expiring[0].depth : -1);
  CHECK(o.dane.valid);
  CHECK_INT(o.dane.nexpiring, 0);
  CHECK_INT(o.dane.first_not_after, na(leaf60_short));
  /* PKIX of the same chain breaks there (the intermediate is no anchor for it) */
  CHECK(!o.pkix.valid);
  CHECK_INT(o.pkix.first_not_after, na(in_short));
  tls_result_free(&r);
}

/* A root of the trust store that expires before the horizon: OpenSSL checks a trust
 * anchor's dates for PKIX, so it breaks there, named as the anchor. */
static void test_root(const char *dir, time_t now)
{
  EVP_PKEY *rk = cf_ec();
  X509 *root = cf_cert(rk, NULL, NULL, "Short Root", NULL, -DAY, 20 * DAY, 1, 20);
  X509 *in2 = cf_cert(ik, root, rk, "Intermediate 2", NULL, -DAY, 365 * DAY, 1, 21);
  X509 *lf = cf_cert(nk, in2, ik, MX, "DNS:" MX, -DAY, 60 * DAY, 0, 22);
  char path[80];
  snprintf(path, sizeof path, "%s/short.pem", dir);
  tls_ctx_t *c = cf_ctx(root, path);
  X509 *ch[] = {lf, in2};
  tls_result_t r = cf_result(ch, 2);
  tls_outlook_t o;
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 2 * DAY, &o), 0);
  CHECK(o.pkix.valid);
  CHECK_INT(o.pkix.first_not_after, na(lf));     /* the leaf and the intermediate count */
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  CHECK_INT(o.pkix.nexpiring, 1);
  CHECK_INT(o.pkix.expiring[0].depth, 2);
  CHECK(o.pkix.expiring[0].anchor);
  CHECK_STR(o.pkix.expiring[0].subject, "CN=Short Root");
  CHECK_INT(o.pkix.first_not_after, na(root));
  tls_result_free(&r);
  tls_ctx_free(c);
  unlink(path);
  X509_free(root);
  X509_free(in2);
  X509_free(lf);
  EVP_PKEY_free(rk);
}

/* The verdict caches: judge (memo put) - outlook at the horizon (invalid) - judge again:
 * still valid; outlook at +30 d then at +2 d: each its own verdict. */
static void test_memo(tls_ctx_t *c, time_t now)
{
  X509 *ch[] = {leaf5, in};
  tls_result_t r = cf_result(ch, 2);
  tls_outlook_t o;
  CHECK_INT(tls_result_judge(c, &r, MX, NULL), 0);
  CHECK(r.pkix_valid);
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  CHECK_INT(tls_result_judge(c, &r, MX, NULL), 0);
  CHECK(r.pkix_valid);
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY + 10, &o), 0);
  CHECK(!o.pkix.valid);                 /* the memo, same answer */
  CHECK_INT(o.pkix.nexpiring, 1);
  CHECK_INT(tls_result_outlook(c, &r, MX, NULL, now + 2 * DAY, &o), 0);
  CHECK(o.pkix.valid);
  CHECK_INT(tls_result_outlook(c, &r, "other.example", NULL, now + 2 * DAY, &o), 0);
  CHECK(!o.pkix.valid);
  tls_result_free(&r);
  /* no chain */
  tls_result_t none;
  memset(&none, 0, sizeof none);
  CHECK_INT(tls_result_outlook(c, &none, MX, NULL, now, &o), -1);
  CHECK(!o.pkix.valid);
}

static double secs(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the outlook costs against the judge it doubles: a DANE-TA chain, distinct names
 * (no memo hits: the worst case, every domain its own MX name). */
static void bench(tls_ctx_t *c, time_t now)
{
  /* a wildcard leaf: every distinct name passes the name check, so each PKIX verdict
   * checks the signatures (a name mismatch would stop before them and cost nothing) */
  X509 *wild = cf_cert(nk, in, ik, MX, "DNS:" MX ",DNS:*." MX, -DAY, 60 * DAY, 0, 8);
  X509 *ch[] = {wild, in};
  tls_result_t r = cf_result(ch, 2);
  tlsa_rec_t ta = cf_rec(2, 1, 1, in, store[4]);
  tls_dane_in_t d = dane_of(&ta, 1);
  tls_outlook_t o;
  tls_tlsa_match_t m;
  enum { N = 2000 };
  char name[32];
  double t0 = secs();
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "h%d." MX, i);
    tls_result_judge(c, &r, name, &d);
  }
  double t1 = secs();
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "h%d." MX, i);
    tls_result_outlook(c, &r, name, &d, now + 30 * DAY, &o);
  }
  double t2 = secs();
  for (int i = 0; i < N; i++)
    tls_tlsa_match(&r, &ta, 1, &m);
  double t3 = secs();
  for (int i = 0; i < N; i++)
    tls_result_outlook(c, &r, MX, &d, now + 30 * DAY, &o);   /* PKIX memo hits */
  double t4 = secs();
  CHECK(o.dane.valid && o.pkix.valid);
  for (int i = 0; i < N; i++)
    tls_result_outlook(c, &r, MX, NULL, now + 30 * DAY, &o);  /* no DANE, memo hits */
  double t5 = secs();
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "h%d." MX, i);
    tls_result_outlook(c, &r, name, NULL, now + 30 * DAY, &o);  /* no DANE, no memo */
  }
  double t6 = secs();
  printf("  per judged address (DANE-TA, distinct MX names): judge %.1f us, outlook %.1f us; "
         "outlook with the PKIX memo %.1f us; without DANE: %.1f us (memo), %.1f us (none); "
         "TLSA match %.1f us\n", (t1 - t0) / N * 1e6, (t2 - t1) / N * 1e6,
         (t4 - t3) / N * 1e6, (t5 - t4) / N * 1e6, (t6 - t5) / N * 1e6, (t3 - t2) / N * 1e6);
  CHECK(o.pkix.valid);
  tls_result_free(&r);
  X509_free(wild);
}

int main(void)
{
  char dir[] = "/tmp/test_tls_outlook.XXXXXX";
  if (mkdtemp(dir) == NULL)
    return 2;
  char path[64];
  snprintf(path, sizeof path, "%s/ca.pem", dir);
  make();
  tls_ctx_t *c = cf_ctx(ca, path);
  time_t now = time(NULL);
  test_pkix(c, now);
  test_dane(c, now);
  test_memo(c, now);
  test_root(dir, now);
  bench(c, now);
  tls_ctx_free(c);
  unlink(path);
  rmdir(dir);
  X509 *xs[] = {ca, in, in_short, leaf5, leaf60, leaf_exp, leaf60_short};
  for (size_t i = 0; i < 7; i++)
    X509_free(xs[i]);
  EVP_PKEY *ks[] = {ck, ik, lk, ek, nk};
  for (size_t i = 0; i < 5; i++)
    EVP_PKEY_free(ks[i]);
  TEST_MAIN_END();
}
