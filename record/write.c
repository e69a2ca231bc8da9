/* The record writer (see write.h): one function per object of the record, in the order
 * the record specification (docs/record.md) lists the fields. Conditions here only decide
 * whether a field is present (an optional field absent when the model has no value);
 * strings of enums and the keys come from record/schema.h (RK_*). The probe's objects
 * ("smtp" and its "tls") are written by record/write_probe.c. */
#include "record/write.h"
#include "record/schema.h"
#include "record/write_probe.h"
#include "record/write_profile.h"
#include "record/write_ops.h"

#include <arpa/inet.h>
#include <sys/socket.h>

static void write_error(jw_t *w, const char *stage, const char *reason) {
  jw_obj_begin(w, RK_ERROR);
  jw_str(w, RK_STAGE, stage);
  jw_str(w, RK_REASON, reason);
  jw_obj_end(w);
}

static void write_tls_rpt(jw_t *w, const job_t *j) {
  jw_obj_begin(w, RK_TLS_RPT);
  jw_str(w, RK_STATUS, tlsrpt_status_name(j->tlsrpt_status));
  jw_str(w, RK_DNSSEC, dnssec_state_name(j->tlsrpt_dnssec));
  if (j->tlsrpt_reason) jw_str(w, RK_REASON, j->tlsrpt_reason);
  if (j->tlsrpt) {
    jw_arr_begin(w, RK_RUA);
    for (size_t i = 0; i < j->tlsrpt->nrua; i++) jw_str(w, NULL, j->tlsrpt->rua[i]);
    jw_arr_end(w);
    if (j->tlsrpt->rua_truncated) jw_bool(w, RK_RUA_TRUNCATED, true);
  }
  jw_obj_end(w);
}

static void write_mta_sts(jw_t *w, const job_t *j) {
  jw_obj_begin(w, RK_MTA_STS);
  jw_str(w, RK_STATUS, sts_status_name(j->sts_status));
  if (j->sts_id[0]) jw_str(w, RK_ID, j->sts_id);
  if (j->sts_policy_sha256[0]) jw_str(w, RK_POLICY_SHA256, j->sts_policy_sha256);
  if (j->sts_reason) jw_str(w, RK_REASON, j->sts_reason);
  if (j->sts_result_type != RT_NONE) jw_str(w, RK_RESULT_TYPE, result_type_name(j->sts_result_type));
  if (j->sts_http_status) jw_int(w, RK_HTTP_STATUS, j->sts_http_status);
  const mtasts_policy_t *p = j->sts_policy;
  if (p) {
    jw_str(w, RK_MODE, sts_mode_name(p->mode));
    jw_int(w, RK_MAX_AGE, p->max_age);
    jw_arr_begin(w, RK_MX);
    for (size_t i = 0; i < p->nmx; i++) jw_str(w, NULL, p->mx[i]);
    jw_arr_end(w);
    if (p->mx_truncated) jw_bool(w, RK_MX_TRUNCATED, true);
    jw_arr_begin(w, RK_HOSTS);
    for (size_t i = 0; i < j->nhosts; i++) {
      const host_t *h = &j->hosts[i];
      jw_obj_begin(w, NULL);
      jw_str(w, RK_HOST, h->name);
      jw_bool(w, RK_POLICY_MATCH, h->sts_match);
      jw_bool(w, RK_CERT_OK, h->sts_cert_ok);
      jw_obj_end(w);
    }
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

static void write_tlsa_rec(jw_t *w, const tlsa_rec_t *t) {
  jw_int(w, RK_USAGE, t->usage);
  jw_int(w, RK_SELECTOR, t->selector);
  jw_int(w, RK_MTYPE, t->mtype);
  jw_hex(w, RK_DATA, t->data, t->len);
}

static void write_tlsa(jw_t *w, const host_t *h) {
  jw_obj_begin(w, RK_TLSA);
  jw_str(w, RK_NAME, h->tlsa_name);
  jw_str(w, RK_DNSSEC, dnssec_state_name(h->tlsa_dnssec));
  jw_str(w, RK_RESULT, dns_outcome_name(h->tlsa_outcome));
  if (h->tlsa_reason) jw_str(w, RK_REASON, h->tlsa_reason);
  jw_arr_begin(w, RK_RECORDS);
  for (size_t k = 0; k < h->ntlsa && k < TLSA_LISTED; k++) {
    const tlsa_rec_t *t = &h->tlsa[k];
    const char *why = tlsa_unusable_reason(t);
    jw_obj_begin(w, NULL);
    write_tlsa_rec(w, t);
    jw_bool(w, RK_USABLE, why == NULL);
    if (why) jw_str(w, RK_UNUSABLE_REASON, why);
    jw_obj_end(w);
  }
  jw_arr_end(w);
  if (h->ntlsa > TLSA_LISTED) {    /* the record stays bounded; the verdict saw all */
    jw_bool(w, RK_RECORDS_TRUNCATED, true);
    jw_int(w, RK_RECORDS_TOTAL, (long long)h->ntlsa);
  }
  write_rollover(w, h);
  jw_obj_end(w);
}

static void write_dane(jw_t *w, const addr_t *a) {
  jw_obj_begin(w, RK_DANE);
  jw_str(w, RK_STATUS, dane_status_name(a->dane.status));
  if (a->dane.status == DANE_VALID && a->smtp.tls.dane_matched_set) {
    jw_obj_begin(w, RK_MATCHED);
    write_tlsa_rec(w, &a->smtp.tls.dane_matched);
    jw_obj_end(w);
    jw_int(w, RK_DEPTH, a->smtp.tls.dane_depth);
  }
  if (a->dane.reason) jw_str(w, RK_REASON, a->dane.reason);
  jw_obj_end(w);
}

static void write_address(jw_t *w, const addr_t *a) {
  char ip[INET6_ADDRSTRLEN];
  inet_ntop(a->family, a->ip, ip, sizeof ip);
  jw_obj_begin(w, NULL);
  jw_str(w, RK_IP, ip);
  jw_int(w, RK_FAMILY, a->family == AF_INET ? 4 : 6);
  jw_str(w, RK_DNSSEC, dnssec_state_name(a->dnssec));
  if (a->ptr) jw_str(w, RK_PTR, a->ptr);
  if (a->ptr_error) jw_str(w, RK_PTR_ERROR, a->ptr_error);
  write_smtp_result(w, RK_SMTP, &a->smtp);
  write_profile_result(w, RK_TLS_PROFILE, &a->profile, a->cert_dane, &a->grade);
  write_dane(w, a);
  write_outlook(w, &a->outlook);
  jw_obj_end(w);
}

static void write_host(jw_t *w, const host_t *h) {
  jw_obj_begin(w, NULL);
  jw_str(w, RK_HOST, h->name);
  jw_int(w, RK_PREFERENCE, h->pref);
  jw_bool(w, RK_IMPLICIT, h->implicit);
  if (h->cname) jw_str(w, RK_CNAME, h->cname);
  if (h->have_dnssec) jw_str(w, RK_DNSSEC, dnssec_state_name(h->dnssec));
  if (h->tlsa_looked_up) write_tlsa(w, h);
  jw_arr_begin(w, RK_ADDRESSES);
  for (size_t k = 0; k < h->naddrs; k++) write_address(w, &h->addrs[k]);
  jw_arr_end(w);
  if (h->addrs_truncated) jw_bool(w, RK_ADDRESSES_TRUNCATED, true);
  if (h->error) write_error(w, stage_name(STAGE_DNS), h->error);
  write_expiry(w, &h->dnssec_expires);
  jw_obj_end(w);
}

static void write_verdict(jw_t *w, enum policy_kind pol, const sender_verdict_t *v) {
  jw_obj_begin(w, policy_name(pol));
  jw_str(w, RK_ACTION, action_name(v->action));
  if (v->mx) jw_str(w, RK_MX, v->mx);
  if (v->result_type != RT_NONE) jw_str(w, RK_RESULT_TYPE, result_type_name(v->result_type));
  jw_obj_end(w);
}

static void write_sender(jw_t *w, const job_t *j) {
  jw_obj_begin(w, RK_SENDER);
  write_verdict(w, POL_DANE, &j->sender[POL_DANE]);
  write_verdict(w, POL_STS, &j->sender[POL_STS]);
  jw_obj_end(w);
}

static void write_summary(jw_t *w, const job_t *j) {
  const summary_t *s = &j->summary;
  jw_obj_begin(w, RK_SUMMARY);
  jw_str(w, RK_STARTTLS, sum_starttls_name(s->starttls));
  jw_str(w, RK_DANE, sum_dane_name(s->dane));
  if (s->tls_best) jw_str(w, RK_TLS_BEST, s->tls_best);
  if (s->tls_worst) jw_str(w, RK_TLS_WORST, s->tls_worst);
  jw_int(w, RK_MX_HOSTS, (long long)s->mx_hosts);
  jw_int(w, RK_ADDRESSES, (long long)s->addresses);
  jw_int(w, RK_INCONCLUSIVE, (long long)s->inconclusive);
  if (s->have_legacy) jw_bool(w, RK_LEGACY_TLS, s->legacy_tls);
  if (s->have_grade) jw_str(w, RK_TLS_GRADE, tls_class_name(s->tls_grade));
  write_summary_outlook(w, j);
  jw_obj_end(w);
}

static void write_domain(jw_t *w, const job_t *j) {
  if (j->line) jw_strn(w, RK_DOMAIN, j->line, j->line_len);   /* NUL bytes too: \u0000 */
  else jw_str(w, RK_DOMAIN, j->domain);
  if (j->input) jw_strn(w, RK_INPUT, j->input, j->input_len);
  jw_str(w, RK_STATUS, job_status_name(j->status));
  if (j->have_dnssec) jw_str(w, RK_DNSSEC, dnssec_state_name(j->dnssec));
  if (j->have_dnssec && j->dnssec == DNSSEC_BOGUS && j->dnssec_reason)
    jw_str(w, RK_DNSSEC_REASON, j->dnssec_reason);
  if (j->cname) jw_str(w, RK_CNAME, j->cname);
  if (j->null_mx) jw_bool(w, RK_NULL_MX, true);
  jw_str(w, RK_SCANNED_AT, j->scanned_at);
  if (j->err_stage != STAGE_NONE) write_error(w, stage_name(j->err_stage), j->err_reason);
}

void record_write(jw_t *w, const job_t *j) {
  jw_reset(w);
  jw_obj_begin(w, NULL);
  write_domain(w, j);
  if (j->tlsrpt_status != TLSRPT_UNSET) write_tls_rpt(w, j);
  if (j->sts_status != STS_UNSET) write_mta_sts(w, j);
  jw_arr_begin(w, RK_MX);
  for (size_t i = 0; i < j->nhosts; i++) write_host(w, &j->hosts[i]);
  jw_arr_end(w);
  if (j->mx_truncated) jw_bool(w, RK_MX_TRUNCATED, true);
  if (j->has_sender) write_sender(w, j);
  if (j->has_summary) write_summary(w, j);
  write_domain_ops(w, j);
  jw_obj_end(w);
}
