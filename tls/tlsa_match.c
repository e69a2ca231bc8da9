/* Which TLSA records match which certificate of a stored chain (tls_tlsa_match in
 * tls_client.h): the observation behind the rollover check (checks/rollover.c), which must
 * know, record by record, whether a record covers the server's own key or certificate (the
 * leaf) or a CA above it, and which records match nothing at all (a pre-published next key
 * or a stale one).
 *
 * Pure hashing, no verification and no usage semantics: DANE's verdict stays OpenSSL's
 * (tls_judge.c). Each certificate's DER and SubjectPublicKeyInfo DER are hashed once, with
 * SHA-256 and SHA-512 only when some record asks for that matching type, so the cost is a
 * few hashes of a few kilobytes per judged chain. */
#include "tls/chain.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* One certificate's two association forms (selector 0 and 1), and their digests. */
typedef struct forms {
  unsigned char *der[2];           /* OpenSSL-allocated */
  int len[2];
  unsigned char sha256[2][32], sha512[2][64];
  bool have256[2], have512[2];
} forms_t;

static void forms_free(forms_t *f)
{
  for (int s = 0; s < 2; s++)
    OPENSSL_free(f->der[s]);
}

/* 0 ok, -1 when OpenSSL could not encode (memory). */
static int forms_make(X509 *x, bool want256, bool want512, forms_t *f)
{
  memset(f, 0, sizeof *f);
  f->len[0] = i2d_X509(x, &f->der[0]);
  f->len[1] = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &f->der[1]);
  for (int s = 0; s < 2; s++) {
    if (f->len[s] <= 0)
      return -1;
    unsigned n = 0;
    if (want256)
      f->have256[s] = EVP_Digest(f->der[s], (size_t)f->len[s], f->sha256[s], &n, EVP_sha256(), NULL) && n == 32;
    if (want512)
      f->have512[s] = EVP_Digest(f->der[s], (size_t)f->len[s], f->sha512[s], &n, EVP_sha512(), NULL) && n == 64;
  }
  return 0;
}

static bool rec_matches(const tlsa_rec_t *t, const forms_t *f)
{
  if (t->selector > 1 || t->data == NULL)
    return false;
  int s = t->selector;
  switch (t->mtype) {
  case 0:
    return t->len == (size_t)f->len[s] && memcmp(t->data, f->der[s], t->len) == 0;
  case 1:
    return f->have256[s] && t->len == 32 && memcmp(t->data, f->sha256[s], 32) == 0;
  case 2:
    return f->have512[s] && t->len == 64 && memcmp(t->data, f->sha512[s], 64) == 0;
  default:
    return false;
  }
}

static void hex32(const unsigned char *d, char out[65])
{
  static const char hx[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hx[d[i] >> 4];
    out[2 * i + 1] = hx[d[i] & 15];
  }
  out[64] = '\0';
}

int tls_tlsa_match(const tls_result_t *r, const tlsa_rec_t *recs, size_t nrecs,
                   tls_tlsa_match_t *m)
{
  memset(m, 0, sizeof *m);
  if (r == NULL || r->chain == NULL)
    return -1;
  if (nrecs > TLS_MATCH_RECS)
    nrecs = TLS_MATCH_RECS;
  bool want512 = false;
  for (size_t k = 0; k < nrecs; k++)
    want512 |= recs[k].mtype == 2;
  STACK_OF(X509) *sk = tls_chain_parse(r->chain);
  if (sk == NULL || sk_X509_num(sk) == 0) {
    sk_X509_pop_free(sk, X509_free);
    ERR_clear_error();
    return -1;
  }
  int rc = 0;
  for (int d = 0; d < sk_X509_num(sk); d++) {
    forms_t f;
    if (forms_make(sk_X509_value(sk, d), true, want512, &f) < 0) {
      forms_free(&f);
      rc = -1;
      break;
    }
    if (d == 0)
      hex32(f.sha256[1], m->spki_sha256);
    for (size_t k = 0; k < nrecs; k++)
      if (rec_matches(&recs[k], &f)) {
        if (d == 0)
          m->leaf |= UINT64_C(1) << k;
        else
          m->issuer |= UINT64_C(1) << k;
      }
    forms_free(&f);
  }
  sk_X509_pop_free(sk, X509_free);
  ERR_clear_error();
  return rc;
}
