/* Serialisation of probe results into the record (see write_probe.h). Moved here from
 * tls/tls_result.c and smtp/smtp_probe.c unchanged in output, byte for byte, so that the
 * probing modules do not depend on the JSON writer. */
#include "record/write_probe.h"
#include "record/schema.h"

#include <stdbool.h>

static void write_cert(jw_t *w, const tls_cert_info_t *c)
{
  jw_obj_begin(w, "cert");
  jw_str(w, "subject", c->subject);
  jw_str(w, "issuer", c->issuer);
  jw_arr_begin(w, "san");
  for (size_t i = 0; i < c->nsans; i++)
    jw_str(w, NULL, c->sans[i]);
  jw_arr_end(w);
  if (c->sans_truncated)
    jw_bool(w, "san_truncated", true);
  jw_str(w, "not_before", c->not_before);
  jw_str(w, "not_after", c->not_after);
  jw_str(w, "key_type", c->key_type);
  jw_int(w, "key_bits", c->key_bits);
  if (c->curve != NULL)
    jw_str(w, "curve", c->curve);
  jw_str(w, "sig_alg", c->sig_alg);
  jw_str(w, "sha256", c->sha256);
  jw_str(w, "spki_sha256", c->spki_sha256);
  jw_bool(w, "self_signed", c->self_signed);
  jw_obj_end(w);
}

void write_tls_result(jw_t *w, const char *key, const tls_result_t *r)
{
  jw_obj_begin(w, key);
  jw_str(w, "version", r->version);
  jw_str(w, "cipher", r->cipher);
  jw_str(w, "group", r->group);
  jw_int(w, "chain_len", r->chain_len);
  if (r->have_cert)
    write_cert(w, &r->cert);
  jw_obj_begin(w, "pkix");
  jw_bool(w, "valid", r->pkix_valid);
  if (!r->pkix_valid)
    jw_str(w, "error", r->pkix_error);
  jw_obj_end(w);
  jw_obj_end(w);
}

void write_smtp_result(jw_t *w, const char *key, const smtp_result_t *r)
{
  jw_obj_begin(w, key);
  jw_str(w, "connect", smtp_connect_name(r));
  /* connect_ms only for a connection made: a failed connect's time is noise. */
  if (r->connect == SMTP_CONNECT_OK)
    jw_int(w, "connect_ms", (long long)r->connect_ms);
  if (r->banner) {
    jw_strn(w, "banner", r->banner, r->banner_len);
    jw_int(w, "banner_code", r->banner_code);
  }
  if (r->ehlo_code)
    jw_int(w, "ehlo_code", r->ehlo_code);
  if (r->starttls != SMTP_STARTTLS_UNKNOWN)
    jw_str(w, "starttls", smtp_starttls_name(r->starttls));
  if (r->starttls_reply)
    jw_strn(w, "starttls_reply", r->starttls_reply, r->starttls_reply_len);
  if (r->injected_bytes)
    jw_uint(w, "injected_bytes", r->injected_bytes);
  if (r->have_tls)
    write_tls_result(w, "tls", &r->tls);
  if (r->ehlo_tls_code)
    jw_int(w, "ehlo_tls_code", r->ehlo_tls_code);
  if (r->starttls_again)
    jw_bool(w, "starttls_again", true);
  if (r->shared)
    jw_bool(w, "shared", true);
  if (r->inferred) {
    jw_bool(w, "inferred", true);
    if (r->inferred_from)
      jw_str(w, "inferred_from", r->inferred_from);
  }
  if (r->err_stage != SMTP_STAGE_NONE) {
    jw_obj_begin(w, "error");
    jw_str(w, "stage", smtp_stage_name(r->err_stage));
    jw_strn(w, "reason", r->err_reason ? r->err_reason : "error",
            r->err_reason ? r->err_reason_len : 5);
    jw_obj_end(w);
  }
  if (r->attempts > 1) {
    jw_int(w, "attempts", r->attempts);
    jw_arr_begin(w, "retry_reasons");
    for (size_t i = 0; i < r->nretry_reasons; i++)
      jw_str(w, NULL, r->retry_reasons[i]);
    jw_arr_end(w);
  }
  jw_obj_end(w);
}
