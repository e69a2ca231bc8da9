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

/* ---- tls_profile: the full mode's fields and the grade (issue 15) ---- */

static void write_suite_name(jw_t *w, const char *key, uint16_t code)
{
  const char *name = tls_suite_name(code);
  char hex[8];
  if (!name) {
    snprintf(hex, sizeof hex, "0x%04x", code);
    name = hex;
  }
  jw_str(w, key, name);
}

static void write_ciphers(jw_t *w, const profile_result_t *r)
{
  bool any = false;
  for (int c = 0; c < TLS_CLASS_COUNT; c++)
    any |= r->ciphers[c].tested;
  if (!any)
    return;
  jw_obj_begin(w, RK_CIPHERS);
  for (int c = 0; c < TLS_CLASS_COUNT; c++) {
    const profile_class_res_t *cr = &r->ciphers[c];
    if (!cr->tested)
      continue;
    jw_obj_begin(w, tls_class_name((enum tls_class)c));
    jw_bool(w, RK_ACCEPTED, cr->accepted);
    jw_arr_begin(w, RK_SUITES);
    for (size_t i = 0; i < cr->nsuites && i < PROFILE_CLASS_SUITES_MAX; i++)
      write_suite_name(w, NULL, cr->suites[i]);
    jw_arr_end(w);
    jw_bool(w, RK_COMPLETE, cr->complete);
    jw_obj_end(w);
  }
  jw_obj_end(w);
}

static void write_kex(jw_t *w, const profile_result_t *r)
{
  bool ecdhe = false;
  for (int g = 0; g < PG_COUNT; g++)
    ecdhe |= r->ecdhe[g] != PVS_UNTESTED;
  if (!r->dhe_tested && !ecdhe)
    return;
  jw_obj_begin(w, RK_KEX);
  if (r->dhe_tested) {
    jw_obj_begin(w, RK_DHE);
    jw_uint(w, RK_BITS, r->dhe_bits);
    if (r->dhe_bits > 0)
      jw_str(w, RK_CLASS, tls_class_name(r->dhe_class));
    jw_obj_end(w);
  }
  if (ecdhe) {
    jw_arr_begin(w, RK_ECDHE);
    for (int g = 0; g < PG_COUNT; g++)
      if (r->ecdhe[g] == PVS_ACCEPTED)
        jw_str(w, NULL, schema_profile_group[g]);
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

/* A finding's detail: its subject spelt, then the rule's reason. */
static void finding_detail(const tls_finding_t *f, char *buf, size_t cap)
{
  char flaws[256], subj[128] = "";
  const char *why = f->reason;
  const char *name;
  switch (f->kind) {
  case TFK_VERSION:
    name = NULL;
    for (int v = 0; v < PV_COUNT; v++)
      if (profile_version_wire((enum profile_version)v) == f->subject)
        name = profile_version_name((enum profile_version)v);
    snprintf(subj, sizeof subj, "%s accepted", name ? name : "?");
    break;
  case TFK_SUITE:
    name = tls_suite_name((uint16_t)f->subject);
    if (name)
      snprintf(subj, sizeof subj, "%s accepted", name);
    else
      snprintf(subj, sizeof subj, "0x%04x accepted", (unsigned)f->subject);
    const tls_suite_t *t = tls_suite_find((uint16_t)f->subject);
    if (t)
      tls_flaws_reason(t->flaws, flaws, sizeof flaws);
    else
      snprintf(flaws, sizeof flaws, "not in the guidelines' lists");
    why = flaws;
    break;
  case TFK_DHE: snprintf(subj, sizeof subj, "DHE with a %u-bit group", (unsigned)f->subject); break;
  case TFK_GROUP:
    name = tls_group_name((uint16_t)f->subject);
    snprintf(subj, sizeof subj, "ECDHE group %s accepted", name ? name : "?");
    break;
  case TFK_RSA_KEY: snprintf(subj, sizeof subj, "RSA key of %u bits", (unsigned)f->subject); break;
  default: break;
  }
  snprintf(buf, cap, "%s%s%s", subj, subj[0] && why[0] ? ": " : "", why);
}

static void write_grade(jw_t *w, const tls_grade_t *g)
{
  if (!g || !g->have)
    return;
  jw_str(w, RK_GRADE, tls_class_name(g->grade));
  jw_arr_begin(w, RK_FINDINGS);
  for (size_t i = 0; i < g->nfindings && i < TLS_FINDINGS_MAX; i++) {
    const tls_finding_t *f = &g->findings[i];
    char detail[512];
    finding_detail(f, detail, sizeof detail);
    jw_obj_begin(w, NULL);
    jw_str(w, RK_CHECK, f->check < TFC_COUNT ? schema_finding_check[f->check] : "?");
    jw_str(w, RK_LEVEL, finding_level_name(f->level));
    jw_str(w, RK_DETAIL, detail);
    jw_obj_end(w);
  }
  jw_arr_end(w);
  if (g->truncated)
    jw_bool(w, RK_FINDINGS_TRUNCATED, true);
}

void write_profile_result(jw_t *w, const char *key, const profile_result_t *r,
                          const tls_grade_t *g)
{
  if (!r->done)
    return;
  jw_obj_begin(w, key);
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
  /* the full mode and the grade (issue 15; the certs fields are another block) */
  write_ciphers(w, r);
  if (r->server_order != PT_UNKNOWN)
    jw_bool(w, RK_SERVER_ORDER, r->server_order == PT_YES);
  write_kex(w, r);
  write_grade(w, g);
  if (r->partial)
    jw_str(w, RK_PARTIAL, r->partial);
  jw_uint(w, RK_CONNECTIONS, r->connections);
  if (r->shared)
    jw_bool(w, RK_SHARED, true);
  jw_obj_end(w);
}
