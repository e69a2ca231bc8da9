/* The leaf certificate as the survey records it: names, SANs, validity, key, signature
 * algorithm and the two SHA-256 fingerprints a TLSA record would use (3 0 1 and 3 1 1).
 * Everything comes from the network, so every string is bounded and NUL-free. */
#include "tls/cert_info.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

/* A distinguished name can be padded to tens of kilobytes; a survey needs far less. */
#define NAME_MAX_LEN 2048
/* DNS names are at most 253 octets; keep some slack for garbage worth seeing. */
#define SAN_MAX_LEN 512

/* Heap copy of len bytes; embedded NULs become '?' so the C string keeps all of it. */
static char *dup_bytes(const unsigned char *p, size_t len)
{
  char *s = malloc(len + 1);
  if (s == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++)
    s[i] = p[i] ? (char)p[i] : '?';
  s[len] = '\0';
  return s;
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hx[d[i] >> 4];
    out[2 * i + 1] = hx[d[i] & 15];
  }
  out[2 * n] = '\0';
}

/* NULL only on allocation failure; an unprintable name gives "". */
static char *name_rfc2253(const X509_NAME *n)
{
  BIO *b = BIO_new(BIO_s_mem());
  if (b == NULL)
    return NULL;
  if (n != NULL && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) < 0)
    ERR_clear_error();
  char *data = NULL;
  long len = BIO_get_mem_data(b, &data);
  if (len < 0 || data == NULL)
    len = 0;
  if (len > NAME_MAX_LEN)
    len = NAME_MAX_LEN;
  char *s = dup_bytes((const unsigned char *)data, (size_t)len);
  BIO_free(b);
  return s;
}

static void rfc3339(const ASN1_TIME *t, char *out, size_t cap)
{
  struct tm tm;
  out[0] = '\0';
  if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
    ERR_clear_error();
    return;
  }
  if (strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    out[0] = '\0';
}

/* 0 ok, -1 allocation failure. */
static int collect_sans(tls_cert_info_t *ci, X509 *x)
{
  GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
  if (gens == NULL) {
    ERR_clear_error();  /* no SAN, or an undecodable one: either way none to report */
    return 0;
  }
  int rc = 0;
  int n = sk_GENERAL_NAME_num(gens);
  for (int i = 0; i < n; i++) {
    const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
    char *s = NULL;
    if (g->type == GEN_DNS) {
      const ASN1_STRING *a = g->d.dNSName;
      int len = ASN1_STRING_length(a);
      if (len < 0)
        continue;
      if (len > SAN_MAX_LEN)
        len = SAN_MAX_LEN;
      s = dup_bytes(ASN1_STRING_get0_data(a), (size_t)len);
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING *a = g->d.iPAddress;
      char buf[INET6_ADDRSTRLEN];
      int len = ASN1_STRING_length(a);
      int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (af == 0 || inet_ntop(af, ASN1_STRING_get0_data(a), buf, sizeof buf) == NULL)
        continue;
      s = strdup(buf);
    } else {
      continue;
    }
    if (s == NULL) {
      rc = -1;
      break;
    }
    if (ci->nsans == TLS_SAN_MAX) {
      free(s);
      ci->sans_truncated = true;
      break;
    }
    ci->sans[ci->nsans++] = s;
  }
  GENERAL_NAMES_free(gens);
  return rc;
}

static int describe_key(tls_cert_info_t *ci, X509 *x)
{
  EVP_PKEY *pk = X509_get0_pubkey(x);  /* owned by x */
  if (pk == NULL) {
    /* A key type this OpenSSL cannot decode (GOST, ...): still name the algorithm. */
    ERR_clear_error();
    ASN1_OBJECT *alg = NULL;
    X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
    if (xpk != NULL && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, xpk) && alg != NULL)
      OBJ_obj2txt(ci->key_type, sizeof ci->key_type, alg, 0);
    else
      snprintf(ci->key_type, sizeof ci->key_type, "unknown");
    return 0;
  }
  const char *tn = EVP_PKEY_get0_type_name(pk);
  if (tn == NULL)
    tn = OBJ_nid2sn(EVP_PKEY_get_base_id(pk));
  snprintf(ci->key_type, sizeof ci->key_type, "%s", tn ? tn : "unknown");
  ci->key_bits = EVP_PKEY_get_bits(pk);
  if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
    char grp[80];
    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, grp, sizeof grp, NULL)) {
      ci->curve = strdup(grp);
      if (ci->curve == NULL)
        return -1;
    } else {
      ERR_clear_error();  /* explicit curve parameters have no name */
    }
  }
  return 0;
}

static void sig_alg(tls_cert_info_t *ci, X509 *x)
{
  int nid = X509_get_signature_nid(x);
  const char *ln = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;
  if (ln != NULL) {
    snprintf(ci->sig_alg, sizeof ci->sig_alg, "%s", ln);
    return;
  }
  /* Unknown OID: the dotted form still identifies it. */
  const X509_ALGOR *a = NULL;
  X509_get0_signature(NULL, &a, x);
  const ASN1_OBJECT *obj = NULL;
  if (a != NULL)
    X509_ALGOR_get0(&obj, NULL, NULL, a);
  if (obj == NULL || OBJ_obj2txt(ci->sig_alg, sizeof ci->sig_alg, obj, 1) <= 0)
    ci->sig_alg[0] = '\0';
}

static void fingerprints(tls_cert_info_t *ci, X509 *x, const EVP_MD *sha256)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (X509_digest(x, sha256, md, &mdlen) && mdlen == 32)
    to_hex(md, 32, ci->sha256);

  /* The whole DER SubjectPublicKeyInfo, as TLSA selector 1 hashes it (X509_pubkey_digest
   * would hash only the key bits). */
  unsigned char *der = NULL;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
  if (len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, sha256, NULL) && mdlen == 32)
    to_hex(md, 32, ci->spki_sha256);
  OPENSSL_free(der);
  ERR_clear_error();
}

int tls_cert_info_fill(tls_cert_info_t *ci, X509 *x)
{
  return tls_cert_info_fill_md(ci, x, EVP_sha256());
}

int tls_cert_info_fill_md(tls_cert_info_t *ci, X509 *x, const EVP_MD *sha256)
{
  memset(ci, 0, sizeof *ci);
  ci->subject = name_rfc2253(X509_get_subject_name(x));
  ci->issuer = name_rfc2253(X509_get_issuer_name(x));
  if (ci->subject == NULL || ci->issuer == NULL)
    return -1;
  if (collect_sans(ci, x) < 0)
    return -1;
  rfc3339(X509_get0_notBefore(x), ci->not_before, sizeof ci->not_before);
  rfc3339(X509_get0_notAfter(x), ci->not_after, sizeof ci->not_after);
  if (describe_key(ci, x) < 0)
    return -1;
  sig_alg(ci, x);
  fingerprints(ci, x, sha256);
  /* X509_check_issued alone compares names and key identifiers; the signature check
   * makes sure the certificate really signs itself. */
  ci->self_signed = X509_check_issued(x, x) == X509_V_OK && X509_self_signed(x, 1) == 1;
  ERR_clear_error();
  return 0;
}

void tls_cert_info_free(tls_cert_info_t *ci)
{
  free(ci->subject);
  free(ci->issuer);
  for (size_t i = 0; i < ci->nsans; i++)
    free(ci->sans[i]);
  free(ci->curve);
  memset(ci, 0, sizeof *ci);
}

static int dup_opt(char **dst, const char *src)
{
  *dst = NULL;
  if (src == NULL)
    return 0;
  *dst = strdup(src);
  return *dst ? 0 : -1;
}

int tls_cert_info_copy(tls_cert_info_t *dst, const tls_cert_info_t *src)
{
  *dst = *src;
  /* Clear the pointers first so a failure half-way frees only what was copied. */
  dst->subject = dst->issuer = dst->curve = NULL;
  dst->nsans = 0;
  memset(dst->sans, 0, sizeof dst->sans);
  if (dup_opt(&dst->subject, src->subject) < 0 || dup_opt(&dst->issuer, src->issuer) < 0 ||
      dup_opt(&dst->curve, src->curve) < 0)
    goto fail;
  for (size_t i = 0; i < src->nsans && i < TLS_SAN_MAX; i++) {
    if (dup_opt(&dst->sans[i], src->sans[i]) < 0)
      goto fail;
    dst->nsans = i + 1;
  }
  return 0;
fail:
  tls_cert_info_free(dst);
  return -1;
}
