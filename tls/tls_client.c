/* TLS client over memory BIOs (see tls_client.h). The caller owns the socket: bytes from
 * the network go into the read BIO, SSL's output is drained from the write BIO, and the
 * handshake is re-driven whenever new input arrives. */
#include "tls/tls_client.h"
#include "tls/cert_info.h"
#include "tls/chain.h"
#include "tls/hello_peek.h"
#include "tls/tls_ctx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Unconsumed network input allowed in the read BIO. A handshake consumes its input as it
 * goes, so a peer that gets past this is flooding us, not sending a large chain. */
#define TLS_RBIO_MAX (256 * 1024)

/* Classic and modern groups, so that the survey sees what the server prefers; the first
 * one gets the TLS 1.3 key share. No finite-field group above TLS_DH_MAX_BITS is offered. */
#define TLS_GROUPS "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096"

/* The largest finite-field DH group accepted from a server (TLS 1.2 and older choose the
 * group themselves and send it in ServerKeyExchange; OpenSSL accepts up to 10 000 bits).
 * The client's side of DHE is two modular exponentiations on the event loop, whose cost
 * grows with the cube of the size. Client CPU of one handshake, measured on the project's
 * 2-core machine (OpenSSL 3.0.19, TLS 1.2 DHE-RSA, full-length exponents): 2048 bits
 * 4.4 ms, 3072 12 ms, 4096 27 ms, 6144 94 ms, 8192 204 ms, 10 000 708 ms; the RFC 7919
 * groups sent as TLS 1.2 parameters cost the same, in TLS 1.3 (ffdheN) about half; an
 * X25519 handshake 0.4-0.7 ms. 4096 is the largest group NCSC-NL's TLS guidelines (v2.1,
 * B6-1: ffdhe3072 and ffdhe4096 "sufficient", ffdhe2048 "phase out") classify, so a real
 * server rated by them is never refused, and a hostile one can make a probe cost at most
 * ~27 ms instead of 0.7 s, of a thread-pool thread (tls_conn_costly: the loop does not
 * compute finite-field DH at all). A larger group is refused before any exponentiation (the
 * security callback runs after OpenSSL's cheap parameter checks and before key
 * generation: 0.6 ms for a refused 10 000-bit group) with the size in the error.
 * Certificates need no cap of ours: OpenSSL refuses RSA moduli over 16384 bits and public
 * exponents over 64 bits, and the worst such key costs one 4.7 ms verification (1.0 ms
 * with e = 65537; a 16384-bit RSA leaf: 2.0 ms per handshake against 0.7 ms at 2048). */
#define TLS_DH_MAX_BITS 4096

struct tls_conn {
  SSL *ssl;            /* owns rbio and wbio */
  const EVP_MD *sha256;  /* the context's (tls_ctx_t.sha256), for tls_conn_result */
  BIO *rbio, *wbio;
  bool failed;
  char err[160];
  char refusal[96];    /* why a callback of ours stopped the handshake, or "" */
  hello_peek_t hello;  /* the server's first handshake message (peek_server_hello) */
  bool hello_done;     /* the key exchange is known (or will never be) */
  bool costly;         /* tls_conn_costly */
  enum tls_keys keys;  /* tls_conn_new_keys */
  int alert;           /* restricted keys: the last alert read, (level << 8) | description,
                          or -1 (alert_cb) */
};

/* The tls_conn of an SSL (its app data, set by tls_conn_new). */
static tls_conn_t *conn_of(const SSL *ssl)
{
  return ssl != NULL ? SSL_get_app_data(ssl) : NULL;
}

/* Reads the server's first handshake message as it arrives (before OpenSSL does) and
 * decides t->costly: finite-field DH is negotiated when the suite is a DHE one (TLS 1.2
 * and older) or the key_share group an ffdhe one (TLS 1.3: 0x0100-0x01ff, RFC 7919, also
 * in a HelloRetryRequest, after which the client computes its share). A first message too
 * long to be an honest ServerHello counts as costly; anything that is not a ServerHello at
 * all is left on the loop: OpenSSL refuses it at once. */
static void peek_server_hello(tls_conn_t *t, const uint8_t *buf, size_t len)
{
  switch (hello_peek_feed(&t->hello, buf, len)) {
  case HELLO_FOUND: {
    uint8_t id[2] = {(uint8_t)(t->hello.suite >> 8), (uint8_t)t->hello.suite};
    const SSL_CIPHER *c = SSL_CIPHER_find(t->ssl, id);
    int kx = c != NULL ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
    t->costly = kx == NID_kx_dhe || kx == NID_kx_dhe_psk || (t->hello.group >> 8) == 0x01;
    t->hello_done = true;
    break;
  }
  case HELLO_TOO_LONG:
    t->costly = t->hello_done = true;
    break;
  case HELLO_NONE:
    t->hello_done = true;
    break;
  case HELLO_MORE:
    break;
  }
}

bool tls_conn_costly(const tls_conn_t *t)
{
  return t->costly;
}

void tls_thread_done(void)
{
  OPENSSL_thread_stop();
}

/* First reason in the thread's OpenSSL error queue, then the queue is emptied so the next
 * connection does not inherit it. */
static bool take_openssl_reason(char *buf, size_t cap)
{
  unsigned long e;
  bool found = false;
  while ((e = ERR_get_error()) != 0) {
    if (found)
      continue;
    const char *reason = ERR_reason_error_string(e);
    if (ERR_SYSTEM_ERROR(e))
      snprintf(buf, cap, "%s", strerror(ERR_GET_REASON(e)));
    else if (reason != NULL)
      snprintf(buf, cap, "%s", reason);
    else
      snprintf(buf, cap, "OpenSSL error 0x%lx", e);
    found = true;
  }
  return found;
}

static void ctx_error(char *err, size_t errlen, const char *what)
{
  char reason[128] = "";
  take_openssl_reason(reason, sizeof reason);
  if (err != NULL && errlen > 0)
    snprintf(err, errlen, "%s%s%s", what, reason[0] ? ": " : "", reason);
}

/* Runs where OpenSSL would verify the server's chain, before ServerKeyExchange or
 * CertificateVerify is processed. It verifies nothing (the verdicts are computed
 * afterwards, from the stored chain), but refuses a chain longer than what is stored
 * (TLS_CHAIN_KEEP): the stored chain is then always everything the handshake accepted, so
 * chain_len and the verdicts are about the same certificates. OpenSSL's 100 KiB limit on
 * the Certificate message bounds the bytes; this bounds the count (300 certificates of
 * 300 bytes fit in 100 KiB). Returning 0 aborts the handshake because the verify mode is
 * SSL_VERIFY_PEER (with SSL_VERIFY_NONE OpenSSL would ignore it). */
static int handshake_chain_check(X509_STORE_CTX *ctx, void *arg)
{
  (void)arg;
  STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(ctx);
  int n = untrusted != NULL ? sk_X509_num(untrusted) : 1;
  if (n <= TLS_CHAIN_KEEP)
    return 1;
  SSL *ssl = X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  tls_conn_t *t = conn_of(ssl);
  if (t != NULL)
    snprintf(t->refusal, sizeof t->refusal, "server sent %d certificates, more than %d", n,
             TLS_CHAIN_KEEP);
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_CHAIN_TOO_LONG);
  return 0;
}

/* OpenSSL's own policy at our security level (0), kept for every other question. */
static int (*default_security_cb)(const SSL *, const SSL_CTX *, int, int, int, void *, void *);

/* The cap on the server's DH group (TLS_DH_MAX_BITS). SSL_SECOP_TMP_DH passes the
 * server's parameters as an EVP_PKEY in other. */
static int security_cb(const SSL *ssl, const SSL_CTX *ctx, int op, int bits, int nid,
                       void *other, void *ex)
{
  if (op == SSL_SECOP_TMP_DH && other != NULL) {
    int pbits = EVP_PKEY_get_bits(other);
    if (pbits > TLS_DH_MAX_BITS) {
      tls_conn_t *t = conn_of(ssl);
      if (t != NULL)
        snprintf(t->refusal, sizeof t->refusal, "server's DH group has %d bits, more than %d",
                 pbits, TLS_DH_MAX_BITS);
      return 0;
    }
  }
  return default_security_cb != NULL ? default_security_cb(ssl, ctx, op, bits, nid, other, ex)
                                     : 1;
}

tls_ctx_t *tls_ctx_new(const char *ca_file, char *err, size_t errlen)
{
  ERR_clear_error();
  tls_ctx_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    ctx_error(err, errlen, "out of memory");
    return NULL;
  }
  c->ssl_ctx = SSL_CTX_new(TLS_client_method());
  if (c->ssl_ctx == NULL) {
    ctx_error(err, errlen, "SSL_CTX_new failed");
    goto fail;
  }
  SSL_CTX *s = c->ssl_ctx;
  /* Everything below overrides the system openssl.cnf (Debian: MinProtocol TLSv1.2,
   * SECLEVEL 2), which would otherwise hide what old servers negotiate. */
  SSL_CTX_set_security_level(s, 0);
  if (!SSL_CTX_set_min_proto_version(s, TLS1_VERSION) ||
      !SSL_CTX_set_max_proto_version(s, TLS1_3_VERSION)) {
    ctx_error(err, errlen, "cannot set protocol versions");
    goto fail;
  }
  if (!SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0")) {
    ctx_error(err, errlen, "cannot set cipher list");
    goto fail;
  }
  if (!SSL_CTX_set1_groups_list(s, TLS_GROUPS)) {
    ctx_error(err, errlen, "cannot set groups");
    goto fail;
  }
  /* The handshake verifies no chain (against an empty store it could only fail): the
   * verdicts are computed afterwards from the stored chain. SSL_VERIFY_PEER only lets
   * handshake_chain_check, which replaces the verification, abort the handshake. */
  SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_cert_verify_callback(s, handshake_chain_check, NULL);
  default_security_cb = SSL_CTX_get_security_callback(s);
  SSL_CTX_set_security_callback(s, security_cb);
  SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
  /* Without LEGACY_SERVER_CONNECT, OpenSSL 3 refuses servers lacking RFC 5746 secure
   * renegotiation, which would turn old-but-encrypting servers into failures. */
  SSL_CTX_set_options(s, SSL_OP_NO_TICKET | SSL_OP_LEGACY_SERVER_CONNECT);
  /* An idle probe (waiting for a banner or EHLO reply) then holds no record buffers. */
  SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_dane_enable(s) <= 0) {
    ctx_error(err, errlen, "SSL_CTX_dane_enable failed");
    goto fail;
  }
  /* RFC 7672 §3.1.1: DANE-EE ignores names; OpenSSL checks them by default. */
  SSL_CTX_dane_set_flags(s, DANE_FLAG_NO_DANE_EE_NAMECHECKS);

  c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  if (c->sha256 == NULL) {
    ctx_error(err, errlen, "cannot fetch SHA256");
    goto fail;
  }

  c->store = X509_STORE_new();
  if (c->store == NULL) {
    ctx_error(err, errlen, "X509_STORE_new failed");
    goto fail;
  }
  int ok = ca_file ? X509_STORE_load_file(c->store, ca_file)
                   : X509_STORE_set_default_paths(c->store);
  if (!ok) {
    ctx_error(err, errlen, ca_file ? "cannot load CA file" : "cannot load default CA paths");
    goto fail;
  }
  ERR_clear_error();
  return c;
fail:
  tls_ctx_free(c);
  return NULL;
}

void tls_ctx_free(tls_ctx_t *c)
{
  if (c == NULL)
    return;
  SSL_CTX_free(c->ssl_ctx);
  X509_STORE_free(c->store);
  EVP_MD_free(c->sha256);
  free(c);
}

/* What each key family offers (tls_conn_new_keys): the signature algorithms of TLS 1.2 and
 * 1.3 (OpenSSL's names; SHA-1 and SHA-224 too, since the security level is 0 and an old
 * server may sign with nothing better), and the TLS <= 1.2 suites by authentication (TLS
 * 1.0 and 1.1 have no signature_algorithms: the suite alone picks the certificate). EdDSA
 * certificates are served with ECDSA suites (RFC 8422 §5.1.1). The TLS 1.3 suites are not
 * touched: they do not say the key type. */
static const struct {
  const char *sigalgs, *ciphers;
} key_family[TLS_KEYS_COUNT] = {
  [TLS_KEYS_RSA] = {"rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
                    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
                    "rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512:RSA+SHA224:"
                    "RSA+SHA1",
                    "aRSA:@SECLEVEL=0"},
  [TLS_KEYS_ECDSA] = {"ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:"
                      "ecdsa_secp521r1_sha512:ECDSA+SHA224:ECDSA+SHA1",
                      "aECDSA:@SECLEVEL=0"},
  [TLS_KEYS_EDDSA] = {"ed25519:ed448", "aECDSA:@SECLEVEL=0"},
};

/* Restricted handshakes only (the TLS profile's certs phase): the alert the server sent,
 * so that a refusal reads "alert 40 (handshake failure)" like the profile's versions
 * rather than OpenSSL's "sslv3 alert handshake failure". Not installed for TLS_KEYS_ANY,
 * whose error texts every record already carries. */
static void alert_cb(const SSL *ssl, int where, int ret)
{
  tls_conn_t *t = conn_of(ssl);
  if (t != NULL && (where & SSL_CB_READ_ALERT))
    t->alert = ret;
}

tls_conn_t *tls_conn_new(tls_ctx_t *c, const char *sni)
{
  return tls_conn_new_keys(c, sni, TLS_KEYS_ANY);
}

tls_conn_t *tls_conn_new_keys(tls_ctx_t *c, const char *sni, enum tls_keys keys)
{
  if ((unsigned)keys >= TLS_KEYS_COUNT)
    return NULL;
  ERR_clear_error();
  tls_conn_t *t = calloc(1, sizeof *t);
  if (t == NULL)
    return NULL;
  hello_peek_init(&t->hello);
  t->sha256 = c->sha256;
  t->keys = keys;
  t->alert = -1;
  t->ssl = SSL_new(c->ssl_ctx);
  if (t->ssl == NULL)
    goto fail;
  BIO *rbio = BIO_new(BIO_s_mem());
  BIO *wbio = BIO_new(BIO_s_mem());
  if (rbio == NULL || wbio == NULL) {
    BIO_free(rbio);
    BIO_free(wbio);
    goto fail;
  }
  /* An empty read BIO means "no data yet" (retry), not end of stream. */
  BIO_set_mem_eof_return(rbio, -1);
  SSL_set_bio(t->ssl, rbio, wbio);
  SSL_set_app_data(t->ssl, t);
  t->rbio = rbio;
  t->wbio = wbio;
  SSL_set_connect_state(t->ssl);
  if (sni != NULL && sni[0] != '\0' && !SSL_set_tlsext_host_name(t->ssl, sni))
    goto fail;
  /* ANY keeps the context's settings untouched: every probe's handshake as before. */
  if (keys != TLS_KEYS_ANY && (!SSL_set1_sigalgs_list(t->ssl, key_family[keys].sigalgs) ||
                               !SSL_set_cipher_list(t->ssl, key_family[keys].ciphers)))
    goto fail;
  if (keys != TLS_KEYS_ANY)
    SSL_set_info_callback(t->ssl, alert_cb);

  /* The handshake verifies nothing: verdicts come from the stored chain afterwards. */
  ERR_clear_error();
  return t;
fail:
  ERR_clear_error();
  tls_conn_free(t);
  return NULL;
}

void tls_conn_free(tls_conn_t *t)
{
  if (t == NULL)
    return;
  SSL_free(t->ssl);
  free(t);
}

static void fail_with(tls_conn_t *t, const char *msg)
{
  t->failed = true;
  snprintf(t->err, sizeof t->err, "%s", msg);
}

/* Records why an SSL call failed; ret is its return value. */
static void fail_ssl(tls_conn_t *t, int ret)
{
  int e = SSL_get_error(t->ssl, ret);
  t->failed = true;
  if (t->refusal[0] != '\0') {   /* ours: OpenSSL's reason would be "dh key too small" */
    snprintf(t->err, sizeof t->err, "%s", t->refusal);
    ERR_clear_error();
    return;
  }
  if (t->alert >= 0 && (t->alert >> 8) == SSL3_AL_FATAL) {   /* restricted keys only */
    snprintf(t->err, sizeof t->err, "alert %d (%s)", t->alert & 0xff,
             SSL_alert_desc_string_long(t->alert));
    ERR_clear_error();
    return;
  }
  switch (e) {
  case SSL_ERROR_SSL:
    if (!take_openssl_reason(t->err, sizeof t->err))
      snprintf(t->err, sizeof t->err, "TLS protocol error");
    break;
  case SSL_ERROR_ZERO_RETURN:
    snprintf(t->err, sizeof t->err, "closed by peer (close_notify)");
    break;
  case SSL_ERROR_SYSCALL:
    if (!take_openssl_reason(t->err, sizeof t->err))
      snprintf(t->err, sizeof t->err, "unexpected eof");
    break;
  default:
    if (!take_openssl_reason(t->err, sizeof t->err))
      snprintf(t->err, sizeof t->err, "SSL error %d", e);
    break;
  }
  ERR_clear_error();
}

void tls_conn_recv(tls_conn_t *t, const uint8_t *buf, size_t len)
{
  if (t->failed || len == 0)
    return;
  size_t pending = BIO_ctrl_pending(t->rbio);
  if (len > TLS_RBIO_MAX || pending > TLS_RBIO_MAX - len) {
    fail_with(t, "too much unprocessed input from peer");
    return;
  }
  if (!t->hello_done)
    peek_server_hello(t, buf, len);
  if (BIO_write(t->rbio, buf, (int)len) != (int)len) {
    ERR_clear_error();
    fail_with(t, "out of memory buffering input");
  }
}

void tls_conn_recv_eof(tls_conn_t *t)
{
  /* From now on an empty read BIO reads as end of stream, which OpenSSL reports as
   * "unexpected eof while reading" unless close_notify came first. */
  BIO_set_mem_eof_return(t->rbio, 0);
}

size_t tls_conn_take_output(tls_conn_t *t, uint8_t *buf, size_t cap)
{
  if (cap == 0 || BIO_ctrl_pending(t->wbio) == 0)
    return 0;
  int n = BIO_read(t->wbio, buf, cap > INT_MAX ? INT_MAX : (int)cap);
  return n > 0 ? (size_t)n : 0;
}

enum tls_step tls_conn_handshake(tls_conn_t *t)
{
  if (t->failed)
    return TLS_FAIL;
  ERR_clear_error();
  int r = SSL_do_handshake(t->ssl);
  if (r == 1)
    return TLS_DONE;
  int e = SSL_get_error(t->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return TLS_WANT;
  }
  fail_ssl(t, r);
  return TLS_FAIL;
}

int tls_conn_write(tls_conn_t *t, const void *buf, size_t len)
{
  if (t->failed)
    return -1;
  if (len == 0)
    return 0;
  if (len > INT_MAX) {
    fail_with(t, "write too large");
    return -1;
  }
  ERR_clear_error();
  /* The write BIO is a memory BIO and never blocks, so SSL_write takes it all or fails. */
  int r = SSL_write(t->ssl, buf, (int)len);
  if (r == (int)len)
    return 0;
  fail_ssl(t, r);
  return -1;
}

int tls_conn_read(tls_conn_t *t, void *buf, size_t cap)
{
  if (t->failed)
    return -1;
  if (cap == 0)
    return 0;
  ERR_clear_error();
  int r = SSL_read(t->ssl, buf, cap > INT_MAX ? INT_MAX : (int)cap);
  if (r > 0)
    return r;
  int e = SSL_get_error(t->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return 0;
  }
  fail_ssl(t, r);
  return -1;
}

void tls_conn_shutdown(tls_conn_t *t)
{
  /* Before the handshake is complete there is nothing to close (and OpenSSL would
   * complain "shutdown while in init"). */
  if (t->failed || !SSL_is_init_finished(t->ssl))
    return;
  ERR_clear_error();
  SSL_shutdown(t->ssl);
  ERR_clear_error();
}

const char *tls_conn_error(const tls_conn_t *t)
{
  return t->err;
}

/* ---- the result ---- */

/* Name of the key-exchange group; see tls_result_t.group for the forms. */
static void kx_group(SSL *ssl, char *out, size_t cap)
{
  out[0] = '\0';
  const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
  int kx = c ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
  bool tls13 = SSL_version(ssl) >= TLS1_3_VERSION;

  if (tls13 || kx == NID_kx_ecdhe || kx == NID_kx_ecdhe_psk || kx == NID_kx_any) {
    int nid = SSL_get_negotiated_group(ssl);
    if (nid > 0 && (nid & TLSEXT_nid_unknown)) {
      snprintf(out, cap, "0x%04x", nid & 0xffff);
      return;
    }
    if (nid > 0) {
      /* OBJ short names for X25519/X448/ffdhe*, but OpenSSL calls P-256 "prime256v1"
       * there; the TLS name ("secp256r1") is the one the survey reports. */
      const char *name = nid == NID_X25519 || nid == NID_X448 ? OBJ_nid2sn(nid)
                                                               : SSL_group_to_name(ssl, nid);
      if (name == NULL)
        name = OBJ_nid2sn(nid);
      if (name != NULL) {
        snprintf(out, cap, "%s", name);
        return;
      }
    }
  }
  if (kx == NID_kx_rsa) {
    snprintf(out, cap, "RSA");
    return;
  }
  EVP_PKEY *tmp = NULL;
  if (SSL_get_peer_tmp_key(ssl, &tmp) && tmp != NULL) {
    if (EVP_PKEY_get_base_id(tmp) == EVP_PKEY_DH)
      snprintf(out, cap, "DHE-%d", EVP_PKEY_get_bits(tmp));
    else {
      const char *tn = EVP_PKEY_get0_type_name(tmp);
      snprintf(out, cap, "%s", tn ? tn : "");
    }
    EVP_PKEY_free(tmp);
  } else if (kx != NID_undef && OBJ_nid2sn(kx) != NULL) {
    snprintf(out, cap, "%s", OBJ_nid2sn(kx));
  }
  ERR_clear_error();
}

int tls_conn_result(tls_conn_t *t, tls_result_t *r)
{
  memset(r, 0, sizeof *r);
  r->dane_depth = -1;
  SSL *ssl = t->ssl;
  ERR_clear_error();

  snprintf(r->version, sizeof r->version, "%s", SSL_get_version(ssl));
  const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
  const char *cn = c ? SSL_CIPHER_get_name(c) : NULL;
  snprintf(r->cipher, sizeof r->cipher, "%s", cn ? cn : "");
  kx_group(ssl, r->group, sizeof r->group);

  /* On the client side the peer chain includes the leaf. It is kept as DER, so the SSL
   * object can go right after the dialogue. */
  STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
  r->chain_len = chain ? sk_X509_num(chain) : 0;
  X509 *leaf = SSL_get0_peer_certificate(ssl);
  if (leaf != NULL) {
    r->have_cert = true;
    if (tls_cert_info_fill_md(&r->cert, leaf, t->sha256) < 0 ||
        (r->chain = tls_chain_new(leaf, chain)) == NULL)
      goto fail;
  }
  return 0;
fail:
  ERR_clear_error();
  tls_result_free(r);
  return -1;
}
