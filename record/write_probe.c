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
