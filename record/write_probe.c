/* Serialisation of probe results into the record (see write_probe.h). Moved here from
 * tls/tls_result.c and smtp/smtp_probe.c unchanged in output, byte for byte, so that the
 * probing modules do not depend on the JSON writer. */
#include "record/write_probe.h"
#include "record/schema.h"
#include "tls/suites.h"

#include <stdbool.h>
#include <stdio.h>

static void write_cert(jw_t *w, const tls_cert_info_t *c)
{
  jw_obj_begin(w, RK_CERT);
  jw_str(w, RK_SUBJECT, c->subject);
  jw_str(w, RK_ISSUER, c->issuer);
  jw_arr_begin(w, RK_SAN);
  for (size_t i = 0; i < c->nsans; i++)
    jw_str(w, NULL, c->sans[i]);
  jw_arr_end(w);
  if (c->sans_truncated)
    jw_bool(w, RK_SAN_TRUNCATED, true);
  jw_str(w, RK_NOT_BEFORE, c->not_before);
  jw_str(w, RK_NOT_AFTER, c->not_after);
  jw_str(w, RK_KEY_TYPE, c->key_type);
  jw_int(w, RK_KEY_BITS, c->key_bits);
  if (c->curve != NULL)
    jw_str(w, RK_CURVE, c->curve);
  jw_str(w, RK_SIG_ALG, c->sig_alg);
  jw_str(w, RK_SHA256, c->sha256);
  jw_str(w, RK_SPKI_SHA256, c->spki_sha256);
  jw_bool(w, RK_SELF_SIGNED, c->self_signed);
  jw_obj_end(w);
}

void write_tls_result(jw_t *w, const char *key, const tls_result_t *r)
{
  jw_obj_begin(w, key);
  jw_str(w, RK_VERSION, r->version);
  jw_str(w, RK_CIPHER, r->cipher);
  jw_str(w, RK_GROUP, r->group);
  jw_int(w, RK_CHAIN_LEN, r->chain_len);
  if (r->have_cert)
    write_cert(w, &r->cert);
  jw_obj_begin(w, RK_PKIX);
  jw_bool(w, RK_VALID, r->pkix_valid);
  if (!r->pkix_valid)
    jw_str(w, RK_ERROR, r->pkix_error);
  jw_obj_end(w);
  jw_obj_end(w);
}

void write_smtp_result(jw_t *w, const char *key, const smtp_result_t *r)
{
  jw_obj_begin(w, key);
  jw_str(w, RK_OUTCOME, smtp_outcome_name(r->outcome));
  jw_str(w, RK_CONNECT, smtp_connect_name(r));
  /* connect_ms only for a connection made: a failed connect's time is noise. */
  if (r->connect == SMTP_CONNECT_OK)
    jw_int(w, RK_CONNECT_MS, (long long)r->connect_ms);
  if (r->banner) {
    jw_strn(w, RK_BANNER, r->banner, r->banner_len);
    jw_int(w, RK_BANNER_CODE, r->banner_code);
  }
  if (r->ehlo_code)
    jw_int(w, RK_EHLO_CODE, r->ehlo_code);
  if (r->starttls != SMTP_STARTTLS_UNKNOWN)
    jw_str(w, RK_STARTTLS, smtp_starttls_name(r->starttls));
  if (r->starttls_reply)
    jw_strn(w, RK_STARTTLS_REPLY, r->starttls_reply, r->starttls_reply_len);
  if (r->injected_bytes)
    jw_uint(w, RK_INJECTED_BYTES, r->injected_bytes);
  if (r->have_tls)
    write_tls_result(w, RK_TLS, &r->tls);
  if (r->ehlo_tls_code)
    jw_int(w, RK_EHLO_TLS_CODE, r->ehlo_tls_code);
  if (r->starttls_again)
    jw_bool(w, RK_STARTTLS_AGAIN, true);
  if (r->shared)
    jw_bool(w, RK_SHARED, true);
  if (r->inferred) {
    jw_bool(w, RK_INFERRED, true);
    if (r->inferred_from)
      jw_str(w, RK_INFERRED_FROM, r->inferred_from);
  }
  if (r->err_stage != SMTP_STAGE_NONE) {
    jw_obj_begin(w, RK_ERROR);
    jw_str(w, RK_STAGE, smtp_stage_name(r->err_stage));
    jw_strn(w, RK_REASON, r->err_reason ? r->err_reason : "error",
            r->err_reason ? r->err_reason_len : 5);
    jw_obj_end(w);
  }
  if (r->attempts > 1) {
    jw_int(w, RK_ATTEMPTS, r->attempts);
    jw_arr_begin(w, RK_RETRY_REASONS);
    for (size_t i = 0; i < r->nretry_reasons; i++)
      jw_str(w, NULL, r->retry_reasons[i]);
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

/* ---- tls_profile: the certs phase (issue 15, every certificate) ---- */

/* One distinct leaf: what it is, and this requester's verdicts on it. The DANE object
 * only where DANE applies to the address at all (a status other than no-tlsa). */
static void write_profile_cert(jw_t *w, const profile_cert_t *c, const dane_verdict_t *dane)
{
  const tls_cert_info_t *ci = &c->tls.cert;
  jw_obj_begin(w, NULL);
  jw_str(w, RK_ASKED, profile_cert_kind_name(c->asked));
  jw_str(w, RK_KEY_TYPE, ci->key_type);
  jw_int(w, RK_KEY_BITS, ci->key_bits);
  if (ci->curve != NULL)
    jw_str(w, RK_CURVE, ci->curve);
  jw_str(w, RK_SHA256, ci->sha256);
  jw_str(w, RK_SPKI_SHA256, ci->spki_sha256);
  jw_str(w, RK_NOT_AFTER, ci->not_after);
  jw_obj_begin(w, RK_PKIX);
  jw_bool(w, RK_VALID, c->tls.pkix_valid);
  if (!c->tls.pkix_valid)
    jw_str(w, RK_ERROR, c->tls.pkix_error);
  jw_obj_end(w);
  if (dane != NULL && dane->status != DANE_NO_TLSA) {
    jw_obj_begin(w, RK_DANE);
    jw_str(w, RK_STATUS, dane_status_name(dane->status));
    jw_bool(w, RK_MATCHED, c->tls.dane_matched_set);
    jw_obj_end(w);
  }
  jw_obj_end(w);
}

/* certs[] (distinct leaves, in the order found), cert_kinds {RSA, ECDSA, EdDSA: accepted |
 * refused | error} and cert_reasons {kind: why} for those not accepted; nothing when the
 * phase asked nothing. */
static void write_profile_certs(jw_t *w, const profile_result_t *r, const dane_verdict_t *dane)
{
  bool asked = false, why = false;
  for (int k = 0; k < PCK_COUNT; k++) {
    asked |= r->cert_kinds[k] != PVS_UNTESTED;
    why |= r->cert_reasons[k] != NULL;
  }
  if (!asked)
    return;
  jw_arr_begin(w, RK_CERTS);
  for (size_t i = 0; i < r->ncerts && i < PROFILE_CERTS_MAX; i++)
    write_profile_cert(w, &r->certs[i], dane != NULL ? &dane[i] : NULL);
  jw_arr_end(w);
  jw_obj_begin(w, RK_CERT_KINDS);
  for (int k = 0; k < PCK_COUNT; k++)
    if (r->cert_kinds[k] != PVS_UNTESTED)
      jw_str(w, profile_cert_kind_name((enum profile_cert_kind)k),
             profile_vstate_name(r->cert_kinds[k]));
  jw_obj_end(w);
  if (!why)
    return;
  jw_obj_begin(w, RK_CERT_REASONS);
  for (int k = 0; k < PCK_COUNT; k++)
    if (r->cert_reasons[k] != NULL)
      jw_str(w, profile_cert_kind_name((enum profile_cert_kind)k), r->cert_reasons[k]);
  jw_obj_end(w);
}

/* ---- tls_profile ---- */

void write_profile_result(jw_t *w, const char *key, const profile_result_t *r,
                          const dane_verdict_t *cert_dane)
{
  if (!r->done)
    return;
  jw_obj_begin(w, key);
  if ((unsigned)r->mode < PROFILE_MODE_COUNT && r->mode != PROFILE_OFF)
    jw_str(w, RK_MODE, profile_mode_name(r->mode));
  jw_obj_begin(w, RK_VERSIONS);
  for (int v = 0; v < PV_COUNT; v++)
    if (r->versions[v] != PVS_UNTESTED)
      jw_str(w, profile_version_name((enum profile_version)v), profile_vstate_name(r->versions[v]));
  jw_obj_end(w);
  bool any = false;
  for (int v = 0; v < PV_COUNT; v++)
    any |= r->reasons[v] != NULL;
  if (any) {
    jw_obj_begin(w, RK_REASONS);
    for (int v = 0; v < PV_COUNT; v++)
      if (r->reasons[v])
        jw_str(w, profile_version_name((enum profile_version)v), r->reasons[v]);
    jw_obj_end(w);
  }
  any = false;
  for (int v = 0; v < PV_COUNT; v++)
    any |= r->versions[v] == PVS_ACCEPTED && r->suites[v] != 0;
  if (any) {
    jw_obj_begin(w, RK_SUITES);
    for (int v = 0; v < PV_COUNT; v++) {
      if (r->versions[v] != PVS_ACCEPTED || r->suites[v] == 0)
        continue;
      const char *name = tls_suite_name(r->suites[v]);
      char hex[8];
      if (!name) {
        snprintf(hex, sizeof hex, "0x%04x", r->suites[v]);
        name = hex;
      }
      jw_str(w, profile_version_name((enum profile_version)v), name);
    }
    jw_obj_end(w);
  }
  if (r->secure_reneg != PT_UNKNOWN) {
    jw_obj_begin(w, RK_RENEGOTIATION);
    jw_bool(w, RK_SECURE, r->secure_reneg == PT_YES);
    jw_obj_end(w);
  }
  write_profile_certs(w, r, cert_dane);   /* the certs phase */
  if (r->partial)
    jw_str(w, RK_PARTIAL, r->partial);
  jw_uint(w, RK_CONNECTIONS, r->connections);
  if (r->shared)
    jw_bool(w, RK_SHARED, true);
  if (r->certs_by_name)
    jw_bool(w, RK_CERTS_BY_NAME, true);
  jw_obj_end(w);
}
