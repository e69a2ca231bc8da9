/* tls_tlsa_match: which records of a TLSA set match the leaf and which a certificate above
 * it, for every selector and matching type, records beyond the first 64 ignored, records
 * with unknown parameters matching nothing, and the leaf's SPKI hash. The expected bits
 * come from records computed here with OpenSSL directly (certfix.h). */
#include "tests/unit/certfix.h"
#include "tests/unit/testlib.h"

static uint8_t store[80][4096];

int main(void)
{
  EVP_PKEY *ck = cf_ec(), *ik = cf_ec(), *lk = cf_ec(), *nk = cf_ec();
  X509 *ca = cf_cert(ck, NULL, NULL, "Root", NULL, -DAY, 3650 * DAY, 1, 1);
  X509 *in = cf_cert(ik, ca, ck, "Intermediate", NULL, -DAY, 365 * DAY, 1, 2);
  X509 *leaf = cf_cert(lk, in, ik, "mx.example", "DNS:mx.example", -DAY, 90 * DAY, 0, 3);
  X509 *next = cf_cert(nk, in, ik, "mx.example", "DNS:mx.example", -DAY, 90 * DAY, 0, 4);
  /* the same key as leaf, another certificate (a renewal that kept the key) */
  X509 *renewed = cf_cert(lk, in, ik, "mx.example", "DNS:mx.example", -DAY, 180 * DAY, 0, 5);

  tlsa_rec_t recs[70];
  size_t n = 0;
  recs[n] = cf_rec(3, 1, 1, leaf, store[n]); n++;       /* 0 leaf */
  recs[n] = cf_rec(3, 0, 1, leaf, store[n]); n++;       /* 1 leaf */
  recs[n] = cf_rec(3, 1, 2, leaf, store[n]); n++;       /* 2 leaf */
  recs[n] = cf_rec(2, 1, 1, in, store[n]); n++;         /* 3 issuer */
  recs[n] = cf_rec(2, 0, 0, in, store[n]); n++;         /* 4 issuer */
  recs[n] = cf_rec(3, 1, 1, next, store[n]); n++;       /* 5 nothing (next key) */
  recs[n] = cf_rec(3, 0, 0, leaf, store[n]); n++;       /* 6 leaf */
  recs[n] = cf_rec(3, 1, 0, leaf, store[n]); n++;       /* 7 leaf */
  recs[n] = cf_rec(2, 0, 2, in, store[n]); n++;         /* 8 issuer */
  recs[n] = cf_rec(3, 0, 1, renewed, store[n]); n++;    /* 9 nothing: another certificate */
  recs[n] = cf_rec(3, 1, 1, renewed, store[n]); n++;    /* 10 leaf: the same key */
  recs[n] = cf_rec(3, 1, 1, leaf, store[n]); recs[n].selector = 2; n++;   /* 11 unknown selector */
  recs[n] = cf_rec(3, 1, 1, leaf, store[n]); recs[n].mtype = 255; n++;    /* 12 private mtype */
  recs[n] = cf_rec(3, 1, 1, leaf, store[n]); recs[n].len = 31; n++;       /* 13 short digest */
  recs[n] = cf_rec(0, 1, 1, leaf, store[n]); n++;       /* 14 leaf (usage not considered) */
  recs[n] = cf_rec(2, 1, 1, ca, store[n]); n++;         /* 15 nothing: root not sent */

  X509 *chain[] = {leaf, in};
  tls_result_t r = cf_result(chain, 2);
  CHECK(r.chain != NULL);
  tls_tlsa_match_t m;
  CHECK_INT(tls_tlsa_match(&r, recs, n, &m), 0);
  uint64_t want_leaf = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 6 | 1u << 7 | 1u << 10 | 1u << 14;
  uint64_t want_issuer = 1u << 3 | 1u << 4 | 1u << 8;
  CHECK_INT(m.leaf, want_leaf);
  CHECK_INT(m.issuer, want_issuer);

  /* the leaf's key hash: record 0's data in hex */
  char hex[65];
  for (int i = 0; i < 32; i++)
    sprintf(hex + 2 * i, "%02x", recs[0].data[i]);
  CHECK_STR(m.spki_sha256, hex);

  /* the root sent too: record 15 matches above the leaf */
  X509 *chain3[] = {leaf, in, ca};
  tls_result_t r3 = cf_result(chain3, 3);
  CHECK_INT(tls_tlsa_match(&r3, recs, n, &m), 0);
  CHECK_INT(m.issuer, want_issuer | 1u << 15);
  CHECK_INT(m.leaf, want_leaf);

  /* only the first 64 records: record 64 would match the leaf but has no bit */
  tlsa_rec_t many[66];
  for (size_t i = 0; i < 66; i++)
    many[i] = recs[5];                  /* the next key: matches nothing */
  many[63] = recs[0];
  many[64] = recs[0];
  CHECK_INT(tls_tlsa_match(&r, many, 66, &m), 0);
  CHECK_INT(m.leaf, UINT64_C(1) << 63);
  CHECK_INT(m.issuer, 0);

  /* a chain without the intermediate: the issuer records match nothing */
  X509 *alone[] = {leaf};
  tls_result_t r1 = cf_result(alone, 1);
  CHECK_INT(tls_tlsa_match(&r1, recs, n, &m), 0);
  CHECK_INT(m.issuer, 0);
  CHECK_INT(m.leaf, want_leaf);

  /* no chain */
  tls_result_t none;
  memset(&none, 0, sizeof none);
  CHECK_INT(tls_tlsa_match(&none, recs, n, &m), -1);
  CHECK_INT(m.leaf, 0);
  CHECK_STR(m.spki_sha256, "");
  /* no records */
  CHECK_INT(tls_tlsa_match(&r, recs, 0, &m), 0);
  CHECK_INT(m.leaf | m.issuer, 0);

  tls_result_free(&r);
  tls_result_free(&r1);
  tls_result_free(&r3);
  X509 *xs[] = {ca, in, leaf, next, renewed};
  for (size_t i = 0; i < 5; i++)
    X509_free(xs[i]);
  EVP_PKEY *ks[] = {ck, ik, lk, nk};
  for (size_t i = 0; i < 4; i++)
    EVP_PKEY_free(ks[i]);
  TEST_MAIN_END();
}
