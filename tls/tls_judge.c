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

/* A verification at a chosen time (tls_result_outlook): its clock, and the certificates it
 * saw expired. The verify callback lets X509_V_ERR_CERT_HAS_EXPIRED pass (noting the
 * certificate) so that every certificate expired at that time is found, not only the
 * first one OpenSSL's walk from the top meets; any other error stops it as usual. A chain
 * valid now can only fail later through dates, so for those the list is complete. */
typedef struct at_run {
  time_t at;
  tls_verdict_at_t *v;
  bool expired;
  STACK_OF(X509) *built;             /* the chain OpenSSL built (get1), NULL: none */
} at_run_t;

static time_t asn1_epoch(const ASN1_TIME *t)
{
  struct tm tm;
  if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
    return 0;
  /* days from civil (proleptic Gregorian), without timegm's time zone lock */
  long y = tm.tm_year + 1900L - (tm.tm_mon < 2), m = tm.tm_mon + 1, d = tm.tm_mday;
  long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return (time_t)days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static void subject_of(X509 *x, char *out, size_t cap)
{
  out[0] = '\0';
  BIO *b = BIO_new(BIO_s_mem());
  if (b == NULL)
    return;
  char *data = NULL;
  if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
    long len = BIO_get_mem_data(b, &data);
    if (len > 0 && data != NULL)
      snprintf(out, cap, "%.*s", (int)(len < (long)cap ? len : (long)cap - 1), data);
  }
  for (char *p = out; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  BIO_free(b);
}

/* Keeps the TLS_EXPIRING_MAX earliest, earliest first; the same depth once. */
static void expiring_add(tls_verdict_at_t *v, X509 *x, int depth, bool anchor)
{
  if (x == NULL)
    return;
  for (size_t i = 0; i < v->nexpiring; i++)
    if (v->expiring[i].depth == depth)
      return;
  time_t na = asn1_epoch(X509_get0_notAfter(x));
  size_t k = v->nexpiring;
  while (k > 0 && v->expiring[k - 1].not_after > na)
    k--;
  if (k >= TLS_EXPIRING_MAX)
    return;
  size_t n = v->nexpiring < TLS_EXPIRING_MAX ? v->nexpiring : TLS_EXPIRING_MAX - 1;
  memmove(&v->expiring[k + 1], &v->expiring[k], (n - k) * sizeof v->expiring[0]);
  v->expiring[k] = (tls_expiring_t){depth, anchor, na, ""};
  subject_of(x, v->expiring[k].subject, sizeof v->expiring[k].subject);
  if (v->nexpiring < TLS_EXPIRING_MAX)
    v->nexpiring++;
}

static int at_verify_cb(int ok, X509_STORE_CTX *vc)
{
  if (ok)
    return 1;
  at_run_t *run = X509_STORE_CTX_get_app_data(vc);
  if (run == NULL || X509_STORE_CTX_get_error(vc) != X509_V_ERR_CERT_HAS_EXPIRED)
    return 0;
  run->expired = true;
  int depth = X509_STORE_CTX_get_error_depth(vc);
  STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(vc);
  bool anchor = depth > 0 && built != NULL && depth == sk_X509_num(built) - 1;
  expiring_add(run->v, X509_STORE_CTX_get_current_cert(vc), depth, anchor);
  return 1;
}

/* Last, after every other parameter (set_default and set1 must not undo the clock). */
static void at_setup(X509_STORE_CTX *vc, at_run_t *run)
{
  if (run == NULL)
    return;
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(vc), run->at);
  X509_STORE_CTX_set_app_data(vc, run);
  X509_STORE_CTX_set_verify_cb(vc, at_verify_cb);
}

static void at_keep_chain(X509_STORE_CTX *vc, at_run_t *run)
{
  if (run != NULL && run->built == NULL)
    run->built = X509_STORE_CTX_get1_chain(vc);
}

/* The earliest not_after of the built chain's certificates at depths 0..upto (and of
 * whatever was seen expired, a trust anchor included). */
static void at_first_not_after(at_run_t *run, int upto)
{
  time_t first = 0;
  int n = run->built != NULL ? sk_X509_num(run->built) : 0;
  for (int d = 0; d < n && d <= upto; d++) {
    time_t na = asn1_epoch(X509_get0_notAfter(sk_X509_value(run->built, d)));
    if (na && (!first || na < first))
      first = na;
  }
  for (size_t i = 0; i < run->v->nexpiring; i++)
    if (!first || run->v->expiring[i].not_after < first)
      first = run->v->expiring[i].not_after;
  run->v->first_not_after = first;
}

static int pkix_verdict(tls_ctx_t *c, STACK_OF(X509) *sk, tls_result_t *r, const char *name,
                        at_run_t *run)
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
  at_setup(vc, run);
  int ok = X509_verify_cert(vc);
  int verr = X509_STORE_CTX_get_error(vc);
  at_keep_chain(vc, run);
  r->pkix_valid = ok == 1 && verr == X509_V_OK && !(run && run->expired);
  r->pkix_verify_error = r->pkix_valid ? 0 : verr != X509_V_OK ? verr : X509_V_ERR_CERT_HAS_EXPIRED;
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

static int dane_verify(tls_ctx_t *c, SSL *ssl, STACK_OF(X509) *sk, tls_result_t *r,
                       at_run_t *run)
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
    at_setup(vc, run);
    X509_verify_cert(vc);
    vr = X509_STORE_CTX_get_error(vc);
    at_keep_chain(vc, run);
    const char *peer = X509_VERIFY_PARAM_get0_peername(vp);
    if (vr == X509_V_OK && peer != NULL && (r->dane_peername = strdup(peer)) == NULL) {
      X509_STORE_CTX_free(vc);
      return -1;
    }
    X509_STORE_CTX_free(vc);
    ERR_clear_error();
  }
  /* At a later time, the match is read as if the dates had passed (OpenSSL reports none
   * after a failed verification); the verdict still fails on them. */
  bool dates_only = run != NULL && run->expired && vr == X509_V_ERR_CERT_HAS_EXPIRED;
  SSL_set_verify_result(ssl, dates_only ? X509_V_OK : vr);

  int auth = SSL_get0_dane_authority(ssl, NULL, NULL);
  r->dane_valid = auth >= 0 && vr == X509_V_OK && !dates_only;
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
    else if (pkix_verdict(c, sk, r, pkix_name, NULL) < 0)
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
    if (dane_verify(c, ssl, sk, r, NULL) < 0) {
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

/* ---- the verdicts at a later time (tls_result_outlook) ---- */

#define AT_MEMO_SECONDS PKIX_MEMO_SECONDS

/* The same chain, name and (within a minute) time: the stored at-time PKIX verdict. A
 * provider's chain is judged for each customer domain; without this the outlook would turn
 * every memo hit of tls_result_judge into a full verification. */
static bool at_memo_get(const tls_chain_t *ch, const char *name, time_t at, tls_verdict_at_t *v)
{
  if (ch->at_name == NULL || ch->at_pkix == NULL || strcmp(ch->at_name, name ? name : "") != 0 ||
      at - ch->at_at > AT_MEMO_SECONDS || ch->at_at - at > AT_MEMO_SECONDS)
    return false;
  *v = *ch->at_pkix;
  return true;
}

static void at_memo_put(tls_chain_t *ch, const char *name, time_t at, const tls_verdict_at_t *v)
{
  if (ch->at_pkix == NULL && (ch->at_pkix = malloc(sizeof *ch->at_pkix)) == NULL)
    return;
  char *n = strdup(name ? name : "");
  if (n == NULL)
    return;
  free(ch->at_name);
  ch->at_name = n;
  ch->at_at = at;
  *ch->at_pkix = *v;
}

static void at_error(tls_verdict_at_t *v, const at_run_t *run, const char *err)
{
  if (v->valid)
    v->error[0] = '\0';
  else if (run->expired)
    snprintf(v->error, sizeof v->error, "%s", X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED));
  else
    snprintf(v->error, sizeof v->error, "%s", err[0] ? err : "verification failed");
}

static int outlook_pkix(tls_ctx_t *c, STACK_OF(X509) *sk, tls_chain_t *ch, const char *name,
                        time_t at, tls_verdict_at_t *v)
{
  if (at_memo_get(ch, name, at, v))
    return 0;
  tls_result_t tmp = {.dane_depth = -1};
  at_run_t run = {at, v, false, NULL};
  int rc = pkix_verdict(c, sk, &tmp, name, &run);
  v->valid = rc == 0 && tmp.pkix_valid;
  at_error(v, &run, rc < 0 ? "out of memory" : tmp.pkix_error);
  int n = run.built != NULL ? sk_X509_num(run.built) : 0;
  at_first_not_after(&run, n > 1 ? n - 2 : 0);   /* the leaf and the intermediates */
  sk_X509_pop_free(run.built, X509_free);
  if (rc == 0)
    at_memo_put(ch, name, at, v);
  return rc;
}

static int outlook_dane(tls_ctx_t *c, STACK_OF(X509) *sk, const tls_dane_in_t *dane, time_t at,
                        tls_outlook_t *o)
{
  bool oom;
  SSL *ssl = dane_ssl(c, dane, &o->dane_enabled, &oom);
  if (oom) {
    o->dane_enabled = true;
    snprintf(o->dane.error, sizeof o->dane.error, "out of memory");
    return -1;
  }
  if (ssl == NULL)
    return 0;
  tls_result_t tmp = {.dane_depth = -1};
  at_run_t run = {at, &o->dane, false, NULL};
  int rc = dane_verify(c, ssl, sk, &tmp, &run);
  o->dane.valid = rc == 0 && tmp.dane_valid;
  at_error(&o->dane, &run, rc < 0 ? "out of memory" : tmp.dane_error);
  /* DANE-EE: no date counts; DANE-TA: the chain below the matched anchor; no match: the
   * chain as built */
  int n = run.built != NULL ? sk_X509_num(run.built) : 0;
  if (tmp.dane_matched_set && tmp.dane_matched.usage == 3 && tmp.dane_depth == 0)
    at_first_not_after(&run, -1);
  else
    at_first_not_after(&run, tmp.dane_matched_set ? tmp.dane_depth - 1 : n - 1);
  sk_X509_pop_free(run.built, X509_free);
  free((void *)tmp.dane_matched.data);
  free(tmp.dane_peername);
  SSL_free(ssl);
  return rc;
}

int tls_result_outlook(tls_ctx_t *c, const tls_result_t *r, const char *pkix_name,
                       const tls_dane_in_t *dane, time_t at, tls_outlook_t *o)
{
  memset(o, 0, sizeof *o);
  o->at = at;
  ERR_clear_error();
  STACK_OF(X509) *sk = r->chain != NULL ? tls_chain_parse(r->chain) : NULL;
  if (leaf_of(sk) == NULL) {
    sk_X509_pop_free(sk, X509_free);
    snprintf(o->pkix.error, sizeof o->pkix.error, "no server certificate");
    return -1;
  }
  int rc = outlook_pkix(c, sk, r->chain, pkix_name, at, &o->pkix);
  if (outlook_dane(c, sk, dane, at, o) < 0)
    rc = -1;
  sk_X509_pop_free(sk, X509_free);
  ERR_clear_error();
  return rc;
}
