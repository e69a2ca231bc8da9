/* Serialisation of the TLS profile (issue 15) into the record: "tls_profile" (see
 * write_profile.h). Only serialises: what the profile learnt (smtp/profile.h) and this
 * requester's verdicts on it (the DANE status of each certificate, the grade and its
 * findings, computed by checks/). */
#include "record/write_profile.h"
#include "record/schema.h"
#include "tls/suites.h"

#include <stdbool.h>
#include <stdio.h>

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

/* ---- tls_profile ---- */

void write_profile_result(jw_t *w, const char *key, const profile_result_t *r,
                          const dane_verdict_t *cert_dane, const tls_grade_t *g)
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
  write_ciphers(w, r);                    /* the full mode */
  if (r->server_order != PT_UNKNOWN)
    jw_bool(w, RK_SERVER_ORDER, r->server_order == PT_YES);
  write_kex(w, r);
  write_grade(w, g);                      /* the verdict (checks/tls_grade.c) */
  if (r->partial)
    jw_str(w, RK_PARTIAL, r->partial);
  jw_uint(w, RK_CONNECTIONS, r->connections);
  if (r->shared)
    jw_bool(w, RK_SHARED, true);
  if (r->certs_by_name)
    jw_bool(w, RK_CERTS_BY_NAME, true);
  jw_obj_end(w);
}
