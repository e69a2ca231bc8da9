/* Verdicts from a stored chain (see tls_result_judge in tls_client.h).
 *
 * PKIX is X509_verify_cert against the trust store with the MX name. DANE reuses
 * OpenSSL's own DANE verifier rather than a re-implementation: a throw-away SSL object
 * from the DANE-enabled SSL_CTX (never handshaking) carries the TLSA records, reference
 * names and flags, and the stored chain is verified through an X509_STORE_CTX set up the
 * way OpenSSL 3.0's ssl_verify_cert_chain() sets it up during a handshake (store of the
 * SSL_CTX, "ssl" ex_data, set0_dane, "ssl_server" defaults, the SSL's verify params, auth
 * level from the security level). Its outcome is then read back with
 * SSL_get0_dane_authority/SSL_get0_dane_tlsa after SSL_set_verify_result, and the matched
 * peer name from the store context's params (the handshake moves it to the SSL). */
#include "tls/chain.h"
#include "tls/tls_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

_Static_assert(TLS_VERIFY_NO_LOCAL_ISSUER == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
               "tls_client.h names OpenSSL's code");

static void clear_verdicts(tls_result_t *r)
{
  r->pkix_valid = false;
  r->pkix_error[0] = '\0';
  r->pkix_verify_error = 0;
  r->dane_enabled = false;
  r->dane_valid = false;
  r->dane_error[0] = '\0';
  r->dane_depth = -1;
  r->dane_matched_set = false;
  free((void *)r->dane_matched.data);
  memset(&r->dane_matched, 0, sizeof r->dane_matched);
  free(r->dane_peername);
  r->dane_peername = NULL;
}

static X509 *leaf_of(STACK_OF(X509) *sk)
{
  return sk != NULL && sk_X509_num(sk) > 0 ? sk_X509_value(sk, 0) : NULL;
}

static int pkix_verdict(tls_ctx_t *c, STACK_OF(X509) *sk, tls_result_t *r, const char *name)
{
  X509_STORE_CTX *vc = X509_STORE_CTX_new();
  if (vc == NULL)
    return -1;
  if (!X509_STORE_CTX_init(vc, c->store, leaf_of(sk), sk))
    goto oom;
  X509_STORE_CTX_set_default(vc, "ssl_server");
  X509_STORE_CTX_set_purpose(vc, X509_PURPOSE_SSL_SERVER);
  if (name != NULL) {
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(vc);
    X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!X509_VERIFY_PARAM_set1_host(vp, name, 0))
      goto oom;
  }
  int ok = X509_verify_cert(vc);
  int verr = X509_STORE_CTX_get_error(vc);
  r->pkix_valid = ok == 1 && verr == X509_V_OK;
  r->pkix_verify_error = r->pkix_valid ? 0 : verr;
  if (!r->pkix_valid)
    snprintf(r->pkix_error, sizeof r->pkix_error, "%s",
             verr != X509_V_OK ? X509_verify_cert_error_string(verr) : "verification failed");
  X509_STORE_CTX_free(vc);
  ERR_clear_error();
  return 0;
oom:
  X509_STORE_CTX_free(vc);
  ERR_clear_error();
  return -1;
}

/* The same chain judged for the same name again within PKIX_MEMO_SECONDS (the verdict
 * depends on the clock only through validity dates) gets the stored verdict. */
#define PKIX_MEMO_SECONDS 60

static bool pkix_memo_get(const tls_chain_t *ch, tls_result_t *r, const char *name)
{
  if (ch == NULL || ch->pkix_name == NULL || strcmp(ch->pkix_name, name ? name : "") != 0 ||
      time(NULL) - ch->pkix_at > PKIX_MEMO_SECONDS)
    return false;
  r->pkix_valid = ch->pkix_valid;
  r->pkix_verify_error = ch->pkix_verify_error;
  memcpy(r->pkix_error, ch->pkix_error, sizeof r->pkix_error);
  return true;
}

static void pkix_memo_put(tls_chain_t *ch, const tls_result_t *r, const char *name)
{
  if (ch == NULL)
    return;
  char *n = strdup(name ? name : "");
  if (n == NULL)
    return;
  free(ch->pkix_name);
  ch->pkix_name = n;
  ch->pkix_at = time(NULL);
  ch->pkix_valid = r->pkix_valid;
  ch->pkix_verify_error = r->pkix_verify_error;
  memcpy(ch->pkix_error, r->pkix_error, sizeof ch->pkix_error);
}

/* Adds the usable records; returns how many OpenSSL accepted, -1 on internal error. */
static int add_tlsa(SSL *ssl, const tls_dane_in_t *dane)
{
  int added = 0;
  for (size_t i = 0; i < dane->nrecs; i++) {
    const tlsa_rec_t *t = &dane->recs[i];
    if (tlsa_unusable_reason(t) != NULL)
      continue;
    int rc = SSL_dane_tlsa_add(ssl, t->usage, t->selector, t->mtype, t->data, t->len);
    if (rc < 0)
      return -1;
    if (rc > 0)
      added++;
  }
  ERR_clear_error();  /* records OpenSSL rejected (rc == 0) leave errors behind */
  return added;
}

static bool has_usable(const tls_dane_in_t *dane)
{
  for (size_t i = 0; i < dane->nrecs; i++)
    if (tlsa_unusable_reason(&dane->recs[i]) == NULL)
      return true;
  return false;
}

/* The SSL object that carries the DANE state; NULL with *enabled false when nothing usable
 * was accepted (SSL_dane_enable with no record would fall back to CA-store checks). */
static SSL *dane_ssl(tls_ctx_t *c, const tls_dane_in_t *dane, bool *enabled, bool *oom)
{
  *enabled = false;
  *oom = false;
  if (dane == NULL || dane->base == NULL || !has_usable(dane))
    return NULL;
  SSL *ssl = SSL_new(c->ssl_ctx);
  if (ssl == NULL)
    goto fail;
  if (SSL_dane_enable(ssl, dane->base) <= 0)
    goto fail;
  SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  for (size_t i = 0; i < dane->nnames; i++)
    if (dane->names[i] != NULL && !SSL_add1_host(ssl, dane->names[i]))
      goto fail;
  int added = add_tlsa(ssl, dane);
  if (added < 0)
    goto fail;
  if (added == 0) {
    SSL_free(ssl);
    return NULL;
  }
  *enabled = true;
  return ssl;
fail:
  SSL_free(ssl);
  ERR_clear_error();
  *oom = true;
  return NULL;
}

static int dane_verify(tls_ctx_t *c, SSL *ssl, STACK_OF(X509) *sk, tls_result_t *r)
{
  long vr = X509_V_ERR_UNSPECIFIED;
  X509 *leaf = leaf_of(sk);
  if (leaf != NULL) {
    X509_STORE_CTX *vc = X509_STORE_CTX_new();
    if (vc == NULL)
      return -1;
    if (!X509_STORE_CTX_init(vc, SSL_CTX_get_cert_store(c->ssl_ctx), leaf, sk) ||
        !X509_STORE_CTX_set_ex_data(vc, SSL_get_ex_data_X509_STORE_CTX_idx(), ssl)) {
      X509_STORE_CTX_free(vc);
      ERR_clear_error();
      return -1;
    }
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(vc);
    X509_VERIFY_PARAM_set_auth_level(vp, SSL_get_security_level(ssl));
    X509_STORE_CTX_set0_dane(vc, SSL_get0_dane(ssl));
    X509_STORE_CTX_set_default(vc, "ssl_server");
    if (!X509_VERIFY_PARAM_set1(vp, SSL_get0_param(ssl))) {
      X509_STORE_CTX_free(vc);
      ERR_clear_error();
      return -1;
    }
    X509_verify_cert(vc);
    vr = X509_STORE_CTX_get_error(vc);
    const char *peer = X509_VERIFY_PARAM_get0_peername(vp);
    if (vr == X509_V_OK && peer != NULL && (r->dane_peername = strdup(peer)) == NULL) {
      X509_STORE_CTX_free(vc);
      return -1;
    }
    X509_STORE_CTX_free(vc);
    ERR_clear_error();
  }
  SSL_set_verify_result(ssl, vr);

  int auth = SSL_get0_dane_authority(ssl, NULL, NULL);
  r->dane_valid = auth >= 0 && vr == X509_V_OK;
  if (!r->dane_valid)
    snprintf(r->dane_error, sizeof r->dane_error, "%s",
             leaf == NULL ? "no server certificate"
             : vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "not DANE-authenticated");
  uint8_t u, s, m;
  const unsigned char *data = NULL;
  size_t dlen = 0;
  int depth = SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &dlen);
  if (depth >= 0) {
    r->dane_depth = depth;
    r->dane_matched_set = true;
    r->dane_matched = (tlsa_rec_t){u, s, m, NULL, 0};
    if (data != NULL && dlen > 0) {
      uint8_t *copy = malloc(dlen);
      if (copy == NULL)
        return -1;
      memcpy(copy, data, dlen);
      r->dane_matched.data = copy;
      r->dane_matched.len = dlen;
    }
  }
  return 0;
}

int tls_result_judge(tls_ctx_t *c, tls_result_t *r, const char *pkix_name,
                     const tls_dane_in_t *dane)
{
  ERR_clear_error();
  clear_verdicts(r);
  int rc = 0;
  STACK_OF(X509) *sk = NULL;
  if (r->chain != NULL && (sk = tls_chain_parse(r->chain)) == NULL)
    rc = -1;   /* it parsed once: only memory can be short */
  if (leaf_of(sk) != NULL) {
    if (pkix_memo_get(r->chain, r, pkix_name))
      ;
    else if (pkix_verdict(c, sk, r, pkix_name) < 0)
      rc = -1;
    else
      pkix_memo_put(r->chain, r, pkix_name);
  } else if (rc == 0) {
    snprintf(r->pkix_error, sizeof r->pkix_error, "no server certificate");
  }
  if (rc < 0 && !r->pkix_valid)
    snprintf(r->pkix_error, sizeof r->pkix_error, "out of memory");
  bool oom;
  SSL *ssl = dane_ssl(c, dane, &r->dane_enabled, &oom);
  if (oom) {
    r->dane_enabled = true;   /* DANE applied but could not be judged: not valid */
    snprintf(r->dane_error, sizeof r->dane_error, "out of memory");
    rc = -1;
  }
  if (ssl != NULL) {
    if (dane_verify(c, ssl, sk, r) < 0) {
      r->dane_valid = false;
      snprintf(r->dane_error, sizeof r->dane_error, "out of memory");
      rc = -1;
    }
    SSL_free(ssl);
  }
  sk_X509_pop_free(sk, X509_free);
  ERR_clear_error();
  return rc;
}
