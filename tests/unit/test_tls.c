/* tls_client against an in-process OpenSSL server, connected purely through memory: the
 * certificates (CA, good leaf, self-signed, expired, wrong name) are made at test time,
 * so the PKIX and DANE verdicts below are checked against known ground truth. */
#include "tls/tls_client.h"
#include "record/write_probe.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define MX "mx.example.mxlab"

/* ---- certificates ---- */

static EVP_PKEY *ca_key, *good_key, *self_key, *exp_key, *wrong_key;
static X509 *ca_cert, *good_cert, *self_cert, *exp_cert, *wrong_cert;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
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

/* issuer NULL: self-signed. days_from/days_to relative to now. */
static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn,
                       const char *san, long days_from, long days_to, bool ca, long serial)
{
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), days_from * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x), days_to * 86400);
  X509_NAME *n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
  X509_set_pubkey(x, key);
  add_ext(x, issuer, NID_subject_key_identifier, "hash");
  if (ca) {
    add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
    add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
    if (issuer)
      add_ext(x, issuer, NID_authority_key_identifier, "keyid");
  }
  if (san)
    add_ext(x, issuer, NID_subject_alt_name, san);
  if (!X509_sign(x, issuer ? issuer_key : key, EVP_sha256())) {
    fprintf(stderr, "sign failed\n");
    exit(2);
  }
  return x;
}

static void make_certs(void)
{
  ca_key = EVP_EC_gen("P-256");
  good_key = EVP_RSA_gen(2048);
  self_key = EVP_EC_gen("P-256");
  exp_key = EVP_EC_gen("P-256");
  wrong_key = EVP_EC_gen("P-256");
  if (!ca_key || !good_key || !self_key || !exp_key || !wrong_key) {
    fprintf(stderr, "keygen failed\n");
    exit(2);
  }
  ca_cert = make_cert(ca_key, NULL, NULL, "Test CA mxlab", NULL, -30, 3650, true, 1);
  good_cert = make_cert(good_key, ca_cert, ca_key, MX,
                        "DNS:" MX ",DNS:mail.example.mxlab,IP:192.0.2.25", -1, 90, false, 2);
  self_cert = make_cert(self_key, NULL, NULL, MX, "DNS:" MX, -1, 90, false, 3);
  exp_cert = make_cert(exp_key, ca_cert, ca_key, MX, "DNS:" MX, -100, -10, false, 4);
  wrong_cert = make_cert(wrong_key, ca_cert, ca_key, "other.example.mxlab",
                         "DNS:other.example.mxlab", -1, 90, false, 5);
}

static void free_certs(void)
{
  X509 *xs[] = {ca_cert, good_cert, self_cert, exp_cert, wrong_cert};
  EVP_PKEY *ks[] = {ca_key, good_key, self_key, exp_key, wrong_key};
  for (size_t i = 0; i < 5; i++) {
    X509_free(xs[i]);
    EVP_PKEY_free(ks[i]);
  }
}

/* Independent of the library's path: i2d_X509 / i2d_PUBKEY + SHA-256 / SHA-512. */
static void digest_cert(X509 *x, const EVP_MD *md, uint8_t *out, unsigned *len)
{
  unsigned char *der = NULL;
  int n = i2d_X509(x, &der);
  EVP_Digest(der, (size_t)n, out, len, md, NULL);
  OPENSSL_free(der);
}

static void digest_spki(X509 *x, const EVP_MD *md, uint8_t *out, unsigned *len)
{
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
  EVP_Digest(der, (size_t)n, out, len, md, NULL);
  OPENSSL_free(der);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02x", d[i]);
}

/* ---- the in-memory server ---- */

typedef struct srv_opts {
  X509 *cert;
  EVP_PKEY *key;
  X509 *chain;          /* extra certificate sent after the leaf (the CA), or NULL */
  int minv, maxv;       /* 0: library defaults */
  const char *ciphers;  /* TLS <= 1.2 cipher list, NULL: "ALL:@SECLEVEL=0" */
  const char *suites;   /* TLS 1.3 ciphersuites, NULL: default */
  const char *groups;   /* NULL: default */
} srv_opts_t;

static SSL *server_new(const srv_opts_t *o)
{
  SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_security_level(sctx, 0);
  SSL_CTX_set_cipher_list(sctx, o->ciphers ? o->ciphers : "ALL:@SECLEVEL=0");
  if (o->suites)
    SSL_CTX_set_ciphersuites(sctx, o->suites);
  if (o->groups)
    SSL_CTX_set1_groups_list(sctx, o->groups);
  SSL_CTX_set_dh_auto(sctx, 1);
  SSL_CTX_set_min_proto_version(sctx, o->minv ? o->minv : TLS1_VERSION);
  if (o->maxv)
    SSL_CTX_set_max_proto_version(sctx, o->maxv);
  if (!SSL_CTX_use_certificate(sctx, o->cert) || !SSL_CTX_use_PrivateKey(sctx, o->key) ||
      (o->chain && !SSL_CTX_add1_chain_cert(sctx, o->chain))) {
    ERR_print_errors_fp(stderr);
    exit(2);
  }
  SSL *s = SSL_new(sctx);
  SSL_CTX_free(sctx);  /* the SSL keeps its own reference */
  BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(r, -1);
  SSL_set_bio(s, r, w);
  SSL_set_accept_state(s);
  return s;
}

static void client_to_server(tls_conn_t *c, SSL *s)
{
  uint8_t buf[4096];
  size_t n;
  while ((n = tls_conn_take_output(c, buf, sizeof buf)) > 0)
    BIO_write(SSL_get_rbio(s), buf, (int)n);
}

static void server_to_client(SSL *s, tls_conn_t *c)
{
  uint8_t buf[4096];
  int n;
  while ((n = BIO_read(SSL_get_wbio(s), buf, sizeof buf)) > 0)
    tls_conn_recv(c, buf, (size_t)n);
}

static enum tls_step pump(tls_conn_t *c, SSL *s)
{
  enum tls_step st = TLS_WANT;
  for (int i = 0; i < 50 && st == TLS_WANT; i++) {
    st = tls_conn_handshake(c);
    client_to_server(c, s);
    SSL_do_handshake(s);
    server_to_client(s, c);
  }
  ERR_clear_error();
  return st;
}

/* tls_conn_costly of the last probe's connection, read before it was freed. */
static bool last_costly;

/* One full probe as the scanner makes it: a handshake that only observes, its result, then
 * the judge (tls_result_judge) for pkix_name and dane unless both are NULL (a bare
 * observation). Returns the final step; on TLS_FAIL err holds why. */
static enum tls_step probe(tls_ctx_t *ctx, const srv_opts_t *o, const char *sni,
                           const char *pkix_name, const tls_dane_in_t *dane, tls_result_t *res,
                           char *err, size_t errlen)
{
  SSL *s = server_new(o);
  tls_conn_t *c = tls_conn_new(ctx, sni);
  if (c == NULL) {
    SSL_free(s);
    snprintf(err, errlen, "tls_conn_new failed");
    return TLS_FAIL;
  }
  enum tls_step st = pump(c, s);
  last_costly = tls_conn_costly(c);
  if (st == TLS_DONE) {
    if (tls_conn_result(c, res) != 0)
      st = TLS_FAIL;
    else if ((pkix_name != NULL || dane != NULL) &&
             tls_result_judge(ctx, res, pkix_name, dane) != 0)
      st = TLS_FAIL;
  } else {
    snprintf(err, errlen, "%s", tls_conn_error(c));
  }
  tls_conn_free(c);
  SSL_free(s);
  return st;
}

static tlsa_rec_t rec_for(uint8_t u, uint8_t sel, uint8_t m, X509 *x, uint8_t *store)
{
  tlsa_rec_t r = {u, sel, m, store, 0};
  if (m == 0) {
    unsigned char *der = NULL;
    int n = sel == 0 ? i2d_X509(x, &der) : i2d_PUBKEY(X509_get0_pubkey(x), &der);
    memcpy(store, der, (size_t)n);
    OPENSSL_free(der);
    r.len = (size_t)n;
  } else {
    unsigned len = 0;
    const EVP_MD *md = m == 1 ? EVP_sha256() : EVP_sha512();
    if (sel == 0)
      digest_cert(x, md, store, &len);
    else
      digest_spki(x, md, store, &len);
    r.len = len;
  }
  return r;
}

/* Structural JSON check: strings closed, brackets balanced and properly nested. */
static bool json_well_formed(const char *s)
{
  char stack[64];
  int depth = 0;
  bool in_str = false;
  for (; *s; s++) {
    if (in_str) {
      if (*s == '\\') {
        if (!s[1])
          return false;
        s++;
      } else if (*s == '"') {
        in_str = false;
      } else if ((unsigned char)*s < 0x20) {
        return false;
      }
      continue;
    }
    if (*s == '"')
      in_str = true;
    else if (*s == '{' || *s == '[') {
      if (depth == 64)
        return false;
      stack[depth++] = *s;
    } else if (*s == '}' || *s == ']') {
      if (depth == 0 || stack[depth - 1] != (*s == '}' ? '{' : '['))
        return false;
      depth--;
    }
  }
  return depth == 0 && !in_str;
}

static char *to_json(const tls_result_t *r)
{
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  write_tls_result(&w, "tls", r);
  jw_obj_end(&w);
  char *s = strndup(w.buf ? w.buf : "", w.len);
  jw_free(&w);
  return s;
}

#define VERR(code) X509_verify_cert_error_string(code)

/* ---- tests ---- */

static void test_tlsa_reasons(void)
{
  uint8_t d32[32] = {0}, d64[64] = {0}, junk[40] = {1, 2, 3};
  uint8_t full[4096];
  tlsa_rec_t r;

  r = (tlsa_rec_t){3, 1, 1, d32, 32};
  CHECK(tlsa_unusable_reason(&r) == NULL);
  r = (tlsa_rec_t){2, 0, 2, d64, 64};
  CHECK(tlsa_unusable_reason(&r) == NULL);
  r = (tlsa_rec_t){0, 1, 1, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){1, 1, 1, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL && strstr(tlsa_unusable_reason(&r), "usage 1"));
  r = (tlsa_rec_t){4, 1, 1, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 2, 1, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 1, 3, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 1, 255, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 1, 1, d32, 31};
  CHECK(tlsa_unusable_reason(&r) != NULL && strstr(tlsa_unusable_reason(&r), "32"));
  r = (tlsa_rec_t){3, 1, 2, d32, 32};
  CHECK(tlsa_unusable_reason(&r) != NULL && strstr(tlsa_unusable_reason(&r), "64"));
  r = (tlsa_rec_t){3, 1, 1, d32, 0};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 1, 0, junk, sizeof junk};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = (tlsa_rec_t){3, 0, 0, junk, sizeof junk};
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = rec_for(3, 1, 0, good_cert, full);
  CHECK(tlsa_unusable_reason(&r) == NULL);
  r = rec_for(2, 0, 0, ca_cert, full);
  CHECK(tlsa_unusable_reason(&r) == NULL);
  /* An SPKI is not a certificate and vice versa. */
  r = rec_for(3, 1, 0, good_cert, full);
  r.selector = 0;
  CHECK(tlsa_unusable_reason(&r) != NULL);
  r = rec_for(3, 0, 0, good_cert, full);
  r.selector = 1;
  CHECK(tlsa_unusable_reason(&r) != NULL);
  /* Trailing octets after a valid certificate. */
  r = rec_for(3, 0, 0, good_cert, full);
  r.len += 1;
  full[r.len - 1] = 0;
  CHECK(tlsa_unusable_reason(&r) != NULL);
  CHECK(ERR_peek_error() == 0);
}

static void test_good_cert(tls_ctx_t *ctx)
{
  srv_opts_t o = {.cert = good_cert, .key = good_key, .chain = ca_cert};
  SSL *s = server_new(&o);
  tls_conn_t *c = tls_conn_new(ctx, MX);
  CHECK(c != NULL);
  CHECK_INT(pump(c, s), TLS_DONE);
  tls_result_t r;
  CHECK_INT(tls_conn_result(c, &r), 0);
  CHECK(!r.pkix_valid && !r.dane_enabled);  /* the handshake observed, judged nothing */
  CHECK_INT(tls_result_judge(ctx, &r, MX, NULL), 0);

  CHECK_STR(r.version, "TLSv1.3");
  CHECK(strncmp(r.cipher, "TLS_", 4) == 0);
  CHECK_STR(r.group, "X25519");
  CHECK_INT(r.chain_len, 2);
  CHECK(r.have_cert);
  CHECK_STR(r.cert.subject, "CN=" MX);
  CHECK_STR(r.cert.issuer, "CN=Test CA mxlab");
  CHECK_INT(r.cert.nsans, 3);
  if (r.cert.nsans == 3) {
    CHECK_STR(r.cert.sans[0], MX);
    CHECK_STR(r.cert.sans[1], "mail.example.mxlab");
    CHECK_STR(r.cert.sans[2], "192.0.2.25");
  }
  CHECK(!r.cert.sans_truncated);
  CHECK_INT(strlen(r.cert.not_before), 20);
  CHECK(r.cert.not_before[10] == 'T' && r.cert.not_before[19] == 'Z');
  CHECK(strcmp(r.cert.not_before, r.cert.not_after) < 0);
  CHECK_STR(r.cert.key_type, "RSA");
  CHECK_INT(r.cert.key_bits, 2048);
  CHECK(r.cert.curve == NULL);
  CHECK_STR(r.cert.sig_alg, "ecdsa-with-SHA256");
  uint8_t md[64];
  unsigned len;
  char hx[129];
  digest_cert(good_cert, EVP_sha256(), md, &len);
  hex(md, len, hx);
  CHECK_STR(r.cert.sha256, hx);
  digest_spki(good_cert, EVP_sha256(), md, &len);
  hex(md, len, hx);
  CHECK_STR(r.cert.spki_sha256, hx);
  CHECK(!r.cert.self_signed);
  CHECK(r.pkix_valid);
  CHECK_STR(r.pkix_error, "");
  CHECK(!r.dane_enabled);
  CHECK(!r.dane_valid);

  /* Application data both ways, then close_notify both ways. */
  SSL_do_handshake(s);
  CHECK_INT(tls_conn_write(c, "EHLO probe\r\n", 12), 0);
  client_to_server(c, s);
  char sbuf[64] = "";
  CHECK_INT(SSL_read(s, sbuf, sizeof sbuf - 1), 12);
  CHECK(memcmp(sbuf, "EHLO probe\r\n", 12) == 0);
  CHECK_INT(SSL_write(s, "250 ok\r\n", 8), 8);
  server_to_client(s, c);
  char cbuf[64] = "";
  int n = tls_conn_read(c, cbuf, sizeof cbuf);
  CHECK_INT(n, 8);
  CHECK(memcmp(cbuf, "250 ok\r\n", 8) == 0);
  CHECK_INT(tls_conn_read(c, cbuf, sizeof cbuf), 0);  /* nothing more yet */
  tls_conn_shutdown(c);
  client_to_server(c, s);
  CHECK(SSL_read(s, sbuf, sizeof sbuf) <= 0 && SSL_get_error(s, 0) == SSL_ERROR_ZERO_RETURN);
  SSL_shutdown(s);
  server_to_client(s, c);
  CHECK_INT(tls_conn_read(c, cbuf, sizeof cbuf), -1);
  CHECK(tls_conn_error(c)[0] != '\0');
  ERR_clear_error();

  /* JSON and deep copy. */
  char *js = to_json(&r);
  CHECK(js != NULL && json_well_formed(js));
  CHECK(strstr(js, "{\"tls\":{\"version\":\"TLSv1.3\"") != NULL);
  CHECK(strstr(js, "\"group\":\"X25519\"") != NULL);
  CHECK(strstr(js, "\"chain_len\":2") != NULL);
  CHECK(strstr(js, "\"san\":[\"" MX "\",\"mail.example.mxlab\",\"192.0.2.25\"]") != NULL);
  CHECK(strstr(js, "\"key_type\":\"RSA\",\"key_bits\":2048") != NULL);
  CHECK(strstr(js, "\"curve\"") == NULL);
  CHECK(strstr(js, "\"san_truncated\"") == NULL);
  CHECK(strstr(js, "\"self_signed\":false") != NULL);
  CHECK(strstr(js, "\"pkix\":{\"valid\":true}") != NULL);
  CHECK(strstr(js, "dane") == NULL);
  tls_result_t cp;
  CHECK_INT(tls_result_copy(&cp, &r), 0);
  char *js2 = to_json(&cp);
  CHECK_STR(js2, js);
  CHECK(cp.cert.subject != r.cert.subject && cp.cert.sans[0] != r.cert.sans[0]);
  free(js);
  free(js2);
  tls_result_free(&cp);
  tls_result_free(&r);
  CHECK(r.cert.subject == NULL);
  tls_conn_free(c);
  SSL_free(s);
}

static void test_pkix_failures(tls_ctx_t *ctx, tls_ctx_t *ctx_system)
{
  char err[200] = "";
  tls_result_t r;

  srv_opts_t o = {.cert = self_cert, .key = self_key};
  CHECK_INT(probe(ctx, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(!r.pkix_valid);
  CHECK_STR(r.pkix_error, VERR(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT));
  CHECK_INT(r.pkix_verify_error, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  CHECK(r.cert.self_signed);
  CHECK_STR(r.cert.key_type, "EC");
  CHECK_INT(r.cert.key_bits, 256);
  CHECK_STR(r.cert.curve, "prime256v1");
  CHECK_INT(r.chain_len, 1);
  char *js = to_json(&r);
  CHECK(js && json_well_formed(js));
  CHECK(strstr(js, "\"curve\":\"prime256v1\"") != NULL);
  CHECK(strstr(js, "\"self_signed\":true") != NULL);
  CHECK(strstr(js, "\"pkix\":{\"valid\":false,\"error\":\"") != NULL);
  free(js);
  tls_result_free(&r);

  o = (srv_opts_t){.cert = exp_cert, .key = exp_key, .chain = ca_cert};
  CHECK_INT(probe(ctx, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(!r.pkix_valid);
  CHECK_STR(r.pkix_error, VERR(X509_V_ERR_CERT_HAS_EXPIRED));
  CHECK_INT(r.pkix_verify_error, X509_V_ERR_CERT_HAS_EXPIRED);
  tls_result_free(&r);

  o = (srv_opts_t){.cert = wrong_cert, .key = wrong_key, .chain = ca_cert};
  CHECK_INT(probe(ctx, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(!r.pkix_valid);
  CHECK_STR(r.pkix_error, VERR(X509_V_ERR_HOSTNAME_MISMATCH));
  tls_result_free(&r);

  /* The right certificate, but the CA is not in the system store. */
  o = (srv_opts_t){.cert = good_cert, .key = good_key, .chain = ca_cert};
  CHECK_INT(probe(ctx_system, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(!r.pkix_valid);
  CHECK(r.pkix_error[0] != '\0');
  /* the chain was sent whole (up to its self-signed root): not "no local issuer" */
  CHECK_INT(r.pkix_verify_error, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
  tls_result_free(&r);

  /* The leaf alone, and the trust store does not hold its issuer: an incomplete chain
   * (checks/cncs.c), told by the code; judged again, the memoised verdict keeps it. */
  o = (srv_opts_t){.cert = good_cert, .key = good_key};
  CHECK_INT(probe(ctx_system, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(!r.pkix_valid && !r.cert.self_signed);
  CHECK_INT(r.pkix_verify_error, TLS_VERIFY_NO_LOCAL_ISSUER);
  CHECK_STR(r.pkix_error, VERR(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
  CHECK_INT(tls_result_judge(ctx_system, &r, MX, NULL), 0);
  CHECK_INT(r.pkix_verify_error, TLS_VERIFY_NO_LOCAL_ISSUER);
  tls_result_free(&r);

  /* A server that omits the CA: the trust store supplies it. */
  o = (srv_opts_t){.cert = good_cert, .key = good_key};
  CHECK_INT(probe(ctx, &o, MX, MX, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK_INT(r.chain_len, 1);
  CHECK(r.pkix_valid);  /* the CA file holds the issuer, so it still verifies */
  CHECK_INT(r.pkix_verify_error, 0);
  tls_result_free(&r);
}

static void dane_probe(tls_ctx_t *ctx, const srv_opts_t *o, const char *base,
                       const char *const *names, size_t nnames, const tlsa_rec_t *recs,
                       size_t nrecs, tls_result_t *r)
{
  tls_dane_in_t d = {base, names, nnames, recs, nrecs};
  char err[200] = "";
  enum tls_step st = probe(ctx, o, base, MX, &d, r, err, sizeof err);
  CHECK_INT(st, TLS_DONE);
  if (st != TLS_DONE) {
    fprintf(stderr, "  handshake failed: %s\n", err);
    memset(r, 0, sizeof *r);
  }
}

static void test_dane(tls_ctx_t *ctx)
{
  uint8_t b1[4096], b2[4096], b3[4096];
  tls_result_t r;
  tlsa_rec_t recs[3];

  /* 3 1 1 of the leaf: valid at depth 0 whatever PKIX thinks (self-signed, expired,
   * wrong name), because DANE-EE ignores names and dates. */
  struct { X509 *c; EVP_PKEY *k; } ee[] = {
    {good_cert, good_key}, {self_cert, self_key}, {exp_cert, exp_key}, {wrong_cert, wrong_key}};
  for (size_t i = 0; i < 4; i++) {
    srv_opts_t o = {.cert = ee[i].c, .key = ee[i].k};
    recs[0] = rec_for(3, 1, 1, ee[i].c, b1);
    dane_probe(ctx, &o, MX, NULL, 0, recs, 1, &r);
    CHECK(r.dane_enabled);
    CHECK(r.dane_valid);
    CHECK_STR(r.dane_error, "");
    CHECK_INT(r.dane_depth, 0);
    CHECK(r.dane_matched_set);
    CHECK(r.dane_matched.usage == 3 && r.dane_matched.selector == 1 && r.dane_matched.mtype == 1);
    CHECK(r.dane_matched.len == 32 && r.dane_matched.data != NULL &&
          memcmp(r.dane_matched.data, b1, 32) == 0);
    if (i > 0)
      CHECK(!r.pkix_valid);
    tls_result_free(&r);
  }

  srv_opts_t good = {.cert = good_cert, .key = good_key, .chain = ca_cert};

  /* 3 0 1, 3 1 0 and 3 1 2 forms of the same leaf. */
  recs[0] = rec_for(3, 0, 1, good_cert, b1);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_valid && r.dane_depth == 0);
  tls_result_free(&r);
  recs[0] = rec_for(3, 1, 0, good_cert, b1);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_valid && r.dane_depth == 0);
  tls_result_free(&r);
  recs[0] = rec_for(3, 1, 2, good_cert, b1);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_valid && r.dane_depth == 0 && r.dane_matched.len == 64);
  tls_result_free(&r);

  /* Wrong digest. */
  recs[0] = rec_for(3, 1, 1, good_cert, b1);
  b1[0] ^= 0xff;
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled);
  CHECK(!r.dane_valid);
  CHECK_STR(r.dane_error, VERR(X509_V_ERR_DANE_NO_MATCH));
  CHECK(!r.dane_matched_set);
  CHECK_INT(r.dane_depth, -1);
  CHECK(r.pkix_valid);  /* PKIX is a separate verdict */
  tls_result_free(&r);

  /* 2 1 1 of the CA: valid at depth 1 when the server sends the CA and the name fits. */
  recs[0] = rec_for(2, 1, 1, ca_cert, b1);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled);
  CHECK(r.dane_valid);
  CHECK_INT(r.dane_depth, 1);
  CHECK(r.dane_matched_set && r.dane_matched.usage == 2);
  CHECK(r.dane_peername != NULL && strcmp(r.dane_peername, MX) == 0);
  tls_result_free(&r);

  /* DANE-TA needs the TA certificate in the chain the server sends. */
  srv_opts_t no_chain = {.cert = good_cert, .key = good_key};
  dane_probe(ctx, &no_chain, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled && !r.dane_valid);
  CHECK(r.dane_error[0] != '\0');
  CHECK(r.pkix_valid);
  tls_result_free(&r);

  /* DANE-TA checks names: the TLSA base domain is not in the certificate ... */
  dane_probe(ctx, &good, "example.mxlab", NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled && !r.dane_valid);
  CHECK_STR(r.dane_error, VERR(X509_V_ERR_HOSTNAME_MISMATCH));
  tls_result_free(&r);
  /* ... but a further accepted name is. */
  const char *names[] = {"nomatch.example.mxlab", MX};
  dane_probe(ctx, &good, "example.mxlab", names, 2, recs, 1, &r);
  CHECK(r.dane_valid && r.dane_depth == 1);
  CHECK(r.dane_peername != NULL && strcmp(r.dane_peername, MX) == 0);
  tls_result_free(&r);
  /* ... and a wrong-name leaf under the right CA fails. */
  srv_opts_t wrong = {.cert = wrong_cert, .key = wrong_key, .chain = ca_cert};
  dane_probe(ctx, &wrong, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled && !r.dane_valid);
  CHECK_STR(r.dane_error, VERR(X509_V_ERR_HOSTNAME_MISMATCH));
  tls_result_free(&r);
  /* ... and an expired leaf under the right CA fails too (DANE-TA checks dates). */
  srv_opts_t expired = {.cert = exp_cert, .key = exp_key, .chain = ca_cert};
  dane_probe(ctx, &expired, MX, NULL, 0, recs, 1, &r);
  CHECK(r.dane_enabled && !r.dane_valid);
  CHECK_STR(r.dane_error, VERR(X509_V_ERR_CERT_HAS_EXPIRED));
  tls_result_free(&r);

  /* Only PKIX usages: DANE is not enabled at all, even though they would "match". */
  recs[0] = rec_for(1, 1, 1, good_cert, b1);
  recs[1] = rec_for(0, 1, 1, ca_cert, b2);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 2, &r);
  CHECK(!r.dane_enabled);
  CHECK(!r.dane_valid);
  CHECK(!r.dane_matched_set);
  tls_result_free(&r);

  /* An unusable record does not spoil a usable one. */
  recs[0] = rec_for(1, 1, 1, good_cert, b1);
  recs[1] = (tlsa_rec_t){3, 1, 1, b2, 5};
  recs[2] = rec_for(3, 1, 1, good_cert, b3);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 3, &r);
  CHECK(r.dane_enabled && r.dane_valid && r.dane_matched.usage == 3);
  tls_result_free(&r);

  /* Digest agility (RFC 7671 §9): a stale SHA-512 record hides the right SHA-256 one. */
  recs[0] = rec_for(3, 1, 1, good_cert, b1);
  recs[1] = rec_for(3, 1, 2, good_cert, b2);
  b2[0] ^= 0xff;
  dane_probe(ctx, &good, MX, NULL, 0, recs, 2, &r);
  CHECK(r.dane_enabled && !r.dane_valid);
  tls_result_free(&r);

  /* Result copy keeps the DANE part. */
  recs[0] = rec_for(2, 1, 1, ca_cert, b1);
  dane_probe(ctx, &good, MX, NULL, 0, recs, 1, &r);
  tls_result_t cp;
  CHECK_INT(tls_result_copy(&cp, &r), 0);
  CHECK(cp.dane_valid && cp.dane_depth == 1 && cp.dane_matched.len == 32);
  CHECK(cp.dane_matched.data != r.dane_matched.data &&
        memcmp(cp.dane_matched.data, r.dane_matched.data, 32) == 0);
  CHECK(cp.dane_peername != r.dane_peername && strcmp(cp.dane_peername, MX) == 0);
  tls_result_free(&cp);
  tls_result_free(&r);
}

static void test_versions_and_groups(tls_ctx_t *ctx)
{
  char err[200] = "";
  tls_result_t r;
  struct {
    srv_opts_t o;
    const char *version, *group;
    bool costly;   /* finite-field DH: the handshake's steps belong off the loop */
  } cases[] = {
    {{good_cert, good_key, ca_cert, TLS1_VERSION, TLS1_VERSION, "ALL:@SECLEVEL=0", NULL, NULL},
     "TLSv1", "X25519", false},
    {{good_cert, good_key, ca_cert, TLS1_1_VERSION, TLS1_1_VERSION, NULL, NULL, NULL},
     "TLSv1.1", "X25519", false},
    {{good_cert, good_key, ca_cert, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, NULL},
     "TLSv1.2", "X25519", false},
    {{good_cert, good_key, ca_cert, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, "P-384"},
     "TLSv1.2", "secp384r1", false},
    {{good_cert, good_key, ca_cert, TLS1_2_VERSION, TLS1_2_VERSION,
      "DHE-RSA-AES128-GCM-SHA256", NULL, NULL}, "TLSv1.2", "DHE-2048", true},
    {{good_cert, good_key, ca_cert, TLS1_2_VERSION, TLS1_2_VERSION, "AES128-SHA", NULL, NULL},
     "TLSv1.2", "RSA", false},
    {{good_cert, good_key, ca_cert, TLS1_VERSION, TLS1_VERSION, "AES128-SHA:@SECLEVEL=0", NULL,
      NULL}, "TLSv1", "RSA", false},
    {{good_cert, good_key, ca_cert, TLS1_3_VERSION, TLS1_3_VERSION, NULL, NULL, "P-256"},
     "TLSv1.3", "secp256r1", false},
    {{good_cert, good_key, ca_cert, TLS1_3_VERSION, TLS1_3_VERSION, NULL, NULL, "ffdhe2048"},
     "TLSv1.3", "ffdhe2048", true},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    enum tls_step st = probe(ctx, &cases[i].o, MX, MX, NULL, &r, err, sizeof err);
    CHECK_INT(st, TLS_DONE);
    if (st != TLS_DONE) {
      fprintf(stderr, "  case %zu failed: %s\n", i, err);
      continue;
    }
    CHECK_STR(r.version, cases[i].version);
    CHECK_STR(r.group, cases[i].group);
    CHECK(last_costly == cases[i].costly);
    CHECK(r.cipher[0] != '\0');
    CHECK(r.pkix_valid);
    tls_result_free(&r);
  }
}

/* More SANs than TLS_SAN_MAX: the first ones are kept and the truncation is flagged. */
static void test_many_sans(tls_ctx_t *ctx)
{
  char san[4096] = "";
  size_t off = 0;
  for (int i = 0; i < TLS_SAN_MAX + 6; i++)
    off += (size_t)snprintf(san + off, sizeof san - off, "%sDNS:h%d.example.mxlab",
                            i ? "," : "", i);
  X509 *x = make_cert(self_key, NULL, NULL, "many.example.mxlab", san, -1, 30, false, 9);
  srv_opts_t o = {.cert = x, .key = self_key};
  char err[200] = "";
  tls_result_t r;
  CHECK_INT(probe(ctx, &o, MX, "h3.example.mxlab", NULL, &r, err, sizeof err), TLS_DONE);
  CHECK_INT(r.cert.nsans, TLS_SAN_MAX);
  CHECK(r.cert.sans_truncated);
  CHECK_STR(r.cert.sans[0], "h0.example.mxlab");
  CHECK_STR(r.cert.sans[TLS_SAN_MAX - 1], "h63.example.mxlab");
  CHECK_STR(r.pkix_error, VERR(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT));  /* name matched */
  char *js = to_json(&r);
  CHECK(js && json_well_formed(js) && strstr(js, "\"san_truncated\":true") != NULL);
  tls_result_t cp;
  CHECK_INT(tls_result_copy(&cp, &r), 0);
  char *js2 = to_json(&cp);
  CHECK_STR(js2, js);
  free(js);
  free(js2);
  tls_result_free(&cp);
  tls_result_free(&r);
  X509_free(x);
}

static void test_failures(tls_ctx_t *ctx)
{
  char err[200] = "";
  tls_result_t r;

  /* Server and client share no TLS 1.3 suite: the server's alert is the reason. */
  srv_opts_t o = {good_cert, good_key, ca_cert, TLS1_3_VERSION, TLS1_3_VERSION, NULL,
                  "TLS_AES_128_CCM_8_SHA256", NULL};
  CHECK_INT(probe(ctx, &o, MX, MX, NULL, &r, err, sizeof err), TLS_FAIL);
  CHECK(strstr(err, "alert handshake failure") != NULL);
  printf("  no shared suite: %s\n", err);

  /* Garbage instead of a ServerHello. */
  tls_conn_t *c = tls_conn_new(ctx, MX);
  uint8_t buf[8192];
  CHECK_INT(tls_conn_handshake(c), TLS_WANT);
  CHECK(tls_conn_take_output(c, buf, sizeof buf) > 0);  /* the ClientHello */
  const char *junk = "220 mx.example.mxlab ESMTP not TLS at all\r\n";
  tls_conn_recv(c, (const uint8_t *)junk, strlen(junk));
  CHECK_INT(tls_conn_handshake(c), TLS_FAIL);
  CHECK(tls_conn_error(c)[0] != '\0');
  printf("  garbage: %s\n", tls_conn_error(c));
  CHECK_INT(tls_conn_handshake(c), TLS_FAIL);  /* stays failed */
  CHECK_INT(tls_conn_write(c, "x", 1), -1);
  CHECK_INT(tls_conn_read(c, buf, sizeof buf), -1);
  tls_conn_free(c);

  /* The peer closes the TCP connection after the ClientHello. */
  c = tls_conn_new(ctx, MX);
  CHECK_INT(tls_conn_handshake(c), TLS_WANT);
  tls_conn_take_output(c, buf, sizeof buf);
  CHECK_INT(tls_conn_handshake(c), TLS_WANT);
  tls_conn_recv_eof(c);
  CHECK_INT(tls_conn_handshake(c), TLS_FAIL);
  CHECK(strstr(tls_conn_error(c), "unexpected eof") != NULL);
  printf("  eof: %s\n", tls_conn_error(c));
  tls_conn_free(c);

  /* A plausible record header announcing a huge, never-ending record: input is bounded. */
  c = tls_conn_new(ctx, MX);
  CHECK_INT(tls_conn_handshake(c), TLS_WANT);
  tls_conn_take_output(c, buf, sizeof buf);
  memset(buf, 0x16, sizeof buf);
  for (int i = 0; i < 40; i++)  /* 320 KiB without letting the client consume any */
    tls_conn_recv(c, buf, sizeof buf);
  CHECK_INT(tls_conn_handshake(c), TLS_FAIL);
  CHECK(strstr(tls_conn_error(c), "too much") != NULL);
  tls_conn_free(c);

  /* A record length field beyond the maximum. */
  c = tls_conn_new(ctx, MX);
  CHECK_INT(tls_conn_handshake(c), TLS_WANT);
  tls_conn_take_output(c, buf, sizeof buf);
  const uint8_t big[] = {0x16, 0x03, 0x03, 0xff, 0xff, 0x02};
  tls_conn_recv(c, big, sizeof big);
  CHECK_INT(tls_conn_handshake(c), TLS_FAIL);
  CHECK(tls_conn_error(c)[0] != '\0');
  printf("  long record: %s\n", tls_conn_error(c));
  tls_conn_free(c);
  CHECK(ERR_peek_error() == 0);
}

/* One observation (a bare handshake), judged afterwards for different MX
 * names and TLSA sets: each judgement stands alone, and a copy outlives the original. */
static void test_rejudge(tls_ctx_t *ctx)
{
  uint8_t b1[4096], b2[4096];
  tls_result_t r, r2;
  char err[200] = "";
  srv_opts_t good = {.cert = good_cert, .key = good_key, .chain = ca_cert};
  CHECK_INT(probe(ctx, &good, MX, NULL, NULL, &r, err, sizeof err), TLS_DONE);
  CHECK(r.have_cert && r.chain != NULL);
  CHECK(!r.pkix_valid && !r.dane_enabled);   /* nothing judged yet */
  CHECK_INT(tls_result_copy(&r2, &r), 0);

  tlsa_rec_t ee = rec_for(3, 1, 1, good_cert, b1);
  tls_dane_in_t d_ee = {MX, NULL, 0, &ee, 1};
  CHECK_INT(tls_result_judge(ctx, &r, MX, &d_ee), 0);
  CHECK(r.pkix_valid);
  CHECK(r.dane_enabled && r.dane_valid && r.dane_depth == 0);

  /* The same chain for another MX name and a DANE-TA set whose names do not fit. */
  tlsa_rec_t ta = rec_for(2, 1, 1, ca_cert, b2);
  const char *names[] = {"other.example.mxlab"};
  tls_dane_in_t d_ta = {"nomatch.example.mxlab", names, 1, &ta, 1};
  CHECK_INT(tls_result_judge(ctx, &r2, "other.example.mxlab", &d_ta), 0);
  CHECK(!r2.pkix_valid);
  CHECK_STR(r2.pkix_error, VERR(X509_V_ERR_HOSTNAME_MISMATCH));
  CHECK(r2.dane_enabled && !r2.dane_valid);
  CHECK_STR(r2.dane_error, VERR(X509_V_ERR_HOSTNAME_MISMATCH));
  CHECK(r2.dane_peername == NULL);

  /* The first verdicts are untouched by the second judgement. */
  CHECK(r.pkix_valid && r.dane_valid);

  /* Re-judging replaces earlier verdicts; the copy keeps the chain after the original
   * is gone. The second name in the SAN list is a DANE-TA reference name. */
  tls_result_free(&r);
  const char *names2[] = {"mail.example.mxlab"};
  tls_dane_in_t d_ta2 = {"nomatch.example.mxlab", names2, 1, &ta, 1};
  CHECK_INT(tls_result_judge(ctx, &r2, "mail.example.mxlab", &d_ta2), 0);
  CHECK(r2.pkix_valid);
  CHECK(r2.dane_enabled && r2.dane_valid && r2.dane_depth == 1);
  CHECK(r2.dane_peername != NULL && strcmp(r2.dane_peername, "mail.example.mxlab") == 0);

  /* Without DANE input the DANE verdict goes away. */
  CHECK_INT(tls_result_judge(ctx, &r2, MX, NULL), 0);
  CHECK(r2.pkix_valid && !r2.dane_enabled && !r2.dane_matched_set && r2.dane_peername == NULL);
  tls_result_free(&r2);
}

int main(void)
{
  char dir[] = "/tmp/test_tls.XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  char ca_path[64];
  snprintf(ca_path, sizeof ca_path, "%s/ca.pem", dir);

  /* A Debian-like system policy (TLS >= 1.2, security level 2): the client's explicit
   * settings must override it, or the TLS 1.0/1.1 cases below fail. Set before OpenSSL
   * loads its configuration. */
  char conf_path[64];
  snprintf(conf_path, sizeof conf_path, "%s/openssl.cnf", dir);
  FILE *cf = fopen(conf_path, "w");
  if (cf == NULL) {
    perror(conf_path);
    return 2;
  }
  fputs("openssl_conf = default_conf\n"
        "[default_conf]\nssl_conf = ssl_sect\n"
        "[ssl_sect]\nsystem_default = system_default_sect\n"
        "[system_default_sect]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=2\n",
        cf);
  fclose(cf);
  setenv("OPENSSL_CONF", conf_path, 1);

  make_certs();
  FILE *f = fopen(ca_path, "w");
  if (f == NULL || !PEM_write_X509(f, ca_cert)) {
    perror(ca_path);
    return 2;
  }
  fclose(f);

  char err[200] = "";
  tls_ctx_t *ctx = tls_ctx_new(ca_path, err, sizeof err);
  CHECK(ctx != NULL);
  tls_ctx_t *ctx_system = tls_ctx_new(NULL, err, sizeof err);
  CHECK(ctx_system != NULL);
  err[0] = '\0';
  CHECK(tls_ctx_new("/nonexistent/ca.pem", err, sizeof err) == NULL);
  CHECK(err[0] != '\0');
  printf("  missing CA file: %s\n", err);
  if (ctx == NULL || ctx_system == NULL)
    TEST_MAIN_END();

  test_tlsa_reasons();
  test_good_cert(ctx);
  test_pkix_failures(ctx, ctx_system);
  test_dane(ctx);
  test_rejudge(ctx);
  test_versions_and_groups(ctx);
  test_many_sans(ctx);
  test_failures(ctx);

  tls_ctx_free(ctx);
  tls_ctx_free(ctx_system);
  free_certs();
  unlink(ca_path);
  unlink(conf_path);
  rmdir(dir);
  TEST_MAIN_END();
}
