/* Certificates and chains made at test time for the TLSA-matching and outlook tests
 * (test_tlsa_match.c, test_tls_outlook.c): keys, certificates with validity given in
 * seconds from now, TLSA records computed independently of tls/, and a tls_result_t that
 * holds a chain as a handshake would have stored it (tls/chain.h). */
#ifndef MXS_TESTS_CERTFIX_H
#define MXS_TESTS_CERTFIX_H
#include "tls/chain.h"
#include "tls/tls_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define DAY 86400L

static inline void cf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
  X509V3_CTX v;
  X509V3_set_ctx_nodb(&v);
  X509V3_set_ctx(&v, issuer ? issuer : x, x, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v, nid, value);
  if (ext == NULL || !X509_add_ext(x, ext, -1)) {
    fprintf(stderr, "extension %d=%s failed\n", nid, value);
    exit(2);
  }
  X509_EXTENSION_free(ext);
}

/* issuer NULL: self-signed. from/to: seconds relative to now. */
static inline X509 *cf_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn,
                     const char *san, long from, long to, int ca, long serial)
{
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), from);
  X509_gmtime_adj(X509_getm_notAfter(x), to);
  X509_NAME *n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
  X509_set_pubkey(x, key);
  cf_ext(x, issuer, NID_subject_key_identifier, "hash");
  if (issuer)
    cf_ext(x, issuer, NID_authority_key_identifier, "keyid");
  if (ca) {
    cf_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
    cf_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    cf_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
    cf_ext(x, issuer, NID_ext_key_usage, "serverAuth");
  }
  if (san)
    cf_ext(x, issuer, NID_subject_alt_name, san);
  if (!X509_sign(x, issuer ? issuer_key : key, EVP_sha256())) {
    fprintf(stderr, "sign failed\n");
    exit(2);
  }
  return x;
}

static inline EVP_PKEY *cf_ec(void)
{
  EVP_PKEY *k = EVP_EC_gen("P-256");
  if (k == NULL) {
    fprintf(stderr, "keygen failed\n");
    exit(2);
  }
  return k;
}

/* A TLSA record for x (data in store, room for 4096 octets), computed here. */
static inline tlsa_rec_t cf_rec(uint8_t u, uint8_t sel, uint8_t m, X509 *x, uint8_t *store)
{
  tlsa_rec_t r = {u, sel, m, store, 0};
  unsigned char *der = NULL;
  int n = sel == 0 ? i2d_X509(x, &der) : i2d_PUBKEY(X509_get0_pubkey(x), &der);
  if (m == 0) {
    memcpy(store, der, (size_t)n);
    r.len = (size_t)n;
  } else {
    unsigned len = 0;
    EVP_Digest(der, (size_t)n, store, &len, m == 1 ? EVP_sha256() : EVP_sha512(), NULL);
    r.len = len;
  }
  OPENSSL_free(der);
  return r;
}

/* A result holding certs[0..n-1] as the chain sent (leaf first). */
static inline tls_result_t cf_result(X509 *const *certs, int n)
{
  tls_result_t r;
  memset(&r, 0, sizeof r);
  r.dane_depth = -1;
  STACK_OF(X509) *sk = sk_X509_new_null();
  for (int i = 0; i < n; i++)
    sk_X509_push(sk, certs[i]);
  r.chain = tls_chain_new(certs[0], sk);
  sk_X509_free(sk);
  r.have_cert = r.chain != NULL;
  r.chain_len = n;
  return r;
}

/* A context trusting ca (written to path). */
static inline tls_ctx_t *cf_ctx(X509 *ca, const char *path)
{
  FILE *f = fopen(path, "w");
  if (f == NULL || !PEM_write_X509(f, ca)) {
    perror(path);
    exit(2);
  }
  fclose(f);
  char err[200];
  tls_ctx_t *c = tls_ctx_new(path, err, sizeof err);
  if (c == NULL) {
    fprintf(stderr, "tls_ctx_new: %s\n", err);
    exit(2);
  }
  return c;
}

#endif
