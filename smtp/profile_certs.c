/* The certs phase of the TLS profile (smtp/profile_plan.h): every certificate the server
 * can present, learnt by one complete handshake per key family (RSA, ECDSA, EdDSA), each
 * offering only that family's signature algorithms and, for TLS <= 1.2, only suites it
 * authenticates (tls_conn_new_keys). A server holding an RSA and an ECDSA certificate then
 * shows each in turn; one holding a single certificate refuses the other families, or
 * ignores the restriction and shows its one certificate again.
 *
 * Distinct leaves (by SHA-256) are kept, each with the family that showed it first; the
 * verdicts (PKIX for the MX name, DANE for the host's TLSA) are not made here: the profile
 * is shared by every domain on the address, so each requester judges its own copy
 * (scan/probe.c), as for the main probe's observation.
 *
 * Three handshakes, even though the main probe already saw one leaf: the profile is made
 * per address and shared, so the observation of the first requester is not the profile's
 * to take (it belongs to that requester's record, may come from the observation cache made
 * for another SNI), and which family it belongs to would have to be guessed from the key.
 * One handshake per family keeps "cert_kinds" a plain answer to "does the server accept
 * this family?". */
#include "smtp/profile_plan.h"

#include <stdlib.h>
#include <string.h>

static bool certs_next(profile_run_t *run, pstep_t *s) {
  if (run->cursor >= PCK_COUNT) return false;
  s->handshake = true;
  s->cert_kind = (enum profile_cert_kind)run->cursor;
  s->tag = run->cursor++;
  return true;
}

/* The first line of the probe's reason, bounded; dflt without one. NULL on no memory. */
static char *reason_of(const smtp_result_t *r, const char *dflt) {
  const char *s = r->err_reason ? r->err_reason : dflt;
  size_t n = r->err_reason ? r->err_reason_len : strlen(dflt);
  size_t k = 0;
  while (k < n && k < 200 && s[k] != '\r' && s[k] != '\n' && s[k] != '\0') k++;
  char *out = malloc(k + 1);
  if (!out) return NULL;
  memcpy(out, s, k);
  out[k] = '\0';
  return out;
}

/* An OpenSSL reason naming an alert the server sent ("sslv3 alert handshake failure",
 * "tlsv1 alert insufficient security") is the server's refusal of the family; anything
 * else (a timeout, a close, a server answering with what was not offered) says nothing
 * about what it would accept. */
static bool is_alert(const char *why) { return why && strstr(why, "alert ") != NULL; }

static bool seen(const profile_result_t *res, const char *sha256) {
  for (size_t i = 0; i < res->ncerts && i < PROFILE_CERTS_MAX; i++)
    if (strcmp(res->certs[i].tls.cert.sha256, sha256) == 0) return true;
  return false;
}

static void certs_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r) {
  profile_result_t *res = run->res;
  enum profile_cert_kind k = s->cert_kind;
  if ((unsigned)k >= PCK_COUNT) return;
  free(res->cert_reasons[k]);
  res->cert_reasons[k] = NULL;
  if (r->have_tls && r->tls.have_cert) {
    res->cert_kinds[k] = PVS_ACCEPTED;
    if (seen(res, r->tls.cert.sha256) || res->ncerts >= PROFILE_CERTS_MAX) return;
    profile_cert_t *c = &res->certs[res->ncerts++];
    c->asked = k;
    c->tls = r->tls;              /* taken over: the chain's reference moves with it */
    memset(&r->tls, 0, sizeof r->tls);
    r->have_tls = false;
    return;
  }
  if (r->have_tls) {              /* a handshake without a certificate: nothing shown */
    res->cert_kinds[k] = PVS_ERROR;
    res->cert_reasons[k] = strdup("no certificate");
    return;
  }
  res->cert_reasons[k] = reason_of(r, "handshake failed");
  res->cert_kinds[k] = is_alert(res->cert_reasons[k]) ? PVS_REFUSED : PVS_ERROR;
}

static void certs_abandon(profile_run_t *run, const char *why) {
  profile_result_t *res = run->res;
  for (int k = 0; k < PCK_COUNT; k++) {
    if (res->cert_kinds[k] != PVS_UNTESTED) continue;
    res->cert_kinds[k] = PVS_ERROR;
    free(res->cert_reasons[k]);
    res->cert_reasons[k] = strdup(why);
  }
}

const profile_phase_ops_t profile_phase_certs = {certs_next, certs_consume, certs_abandon};
