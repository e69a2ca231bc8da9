/* The record's operational fields (issue 16): see write_ops.h. Every key is record/keys.h's,
 * every enum string record/schema.c's. */
#include "record/write_ops.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

void ops_time_str(time_t t, char *out, size_t cap) {
  struct tm tm;
  if (cap) out[0] = 0;
  if (!t || !gmtime_r(&t, &tm)) return;
  if (strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && cap) out[0] = 0;
}

static void jw_time(jw_t *w, const char *key, time_t t) {
  char buf[32];
  ops_time_str(t, buf, sizeof buf);
  jw_str(w, key, buf);
}

/* A record named for a person: "3 1 1 9f86d081884c7d65" (the data's first 8 octets). */
static void tlsa_label(const tlsa_rec_t *t, char *out, size_t cap) {
  int n = snprintf(out, cap, "%u %u %u ", t->usage, t->selector, t->mtype);
  for (size_t i = 0; i < t->len && i < 8 && n > 0 && (size_t)n + 2 < cap; i++)
    n += snprintf(out + n, cap - (size_t)n, "%02x", t->data[i]);
}

void write_rollover(jw_t *w, const host_t *h) {
  const rollover_t *r = &h->rollover;
  if (r->state == ROLLOVER_UNSET) return;
  jw_obj_begin(w, RK_ROLLOVER);
  jw_bool(w, RK_READY, r->state == ROLLOVER_READY);
  if (r->scheme[0]) jw_str(w, RK_SCHEME, r->scheme);
  jw_str(w, RK_REASON, r->reason ? r->reason : "");
  if (r->nunmatched) {
    jw_arr_begin(w, RK_UNMATCHED);
    for (size_t i = 0; i < r->nunmatched && i < ROLLOVER_UNMATCHED_MAX; i++) {
      if (r->unmatched[i] >= h->ntlsa) continue;
      char label[48];
      tlsa_label(&h->tlsa[r->unmatched[i]], label, sizeof label);
      jw_str(w, NULL, label);
    }
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

void write_expiry(jw_t *w, const expiry_t *e) {
  if (!e->at) return;
  jw_time(w, RK_DNSSEC_EXPIRES, e->at);
  if (e->what[0]) jw_str(w, RK_DNSSEC_EXPIRES_RRSET, e->what);
  if (e->warn) jw_bool(w, RK_DNSSEC_WARN, true);
}

void write_outlook(jw_t *w, const outlook_t *o) {
  if (!o->have) return;
  jw_obj_begin(w, RK_OUTLOOK);
  jw_time(w, RK_AT, o->at);
  jw_bool(w, RK_PKIX_VALID, o->pkix_valid);
  if (o->dane_applies) jw_bool(w, RK_DANE_VALID, o->dane_valid);
  if (o->breaks) jw_time(w, RK_BREAKS, o->breaks);
  if (o->nreasons) {
    jw_arr_begin(w, RK_REASONS);
    for (size_t i = 0; i < o->nreasons && i < OUTLOOK_REASONS_MAX; i++) jw_str(w, NULL, o->reasons[i]);
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

void write_summary_outlook(jw_t *w, const job_t *j) {
  jw_str(w, RK_OUTLOOK, schema_outlook_status[j->outlook]);
  if (j->outlook == OUTLOOK_WARN && j->outlook_breaks) jw_time(w, RK_OUTLOOK_BREAKS, j->outlook_breaks);
  if (j->outlook == OUTLOOK_WARN && j->outlook_reason[0]) jw_str(w, RK_OUTLOOK_REASON, j->outlook_reason);
}

static void write_cncs(jw_t *w, const cncs_t *c) {
  jw_obj_begin(w, RK_CONFORMITY);
  jw_obj_begin(w, RK_CNCS);
  jw_bool(w, RK_PASS, c->pass);
  jw_bool(w, RK_COMPLETE, c->complete);
  jw_arr_begin(w, RK_CHECKS);
  for (int i = 0; i < CNCS_CHECK_COUNT; i++) {
    const cncs_entry_t *e = &c->checks[i];
    jw_obj_begin(w, NULL);
    jw_str(w, RK_ID, schema_cncs_check[i]);
    jw_str(w, RK_RESULT, schema_cncs_result[e->result]);
    jw_bool(w, RK_PASS, e->result == CNCS_PASS);
    if (i >= CNCS_FIRST_ADVISORY) jw_bool(w, RK_ADVISORY, true);
    if (e->detail[0]) jw_str(w, RK_DETAIL, e->detail);
    jw_obj_end(w);
  }
  jw_arr_end(w);
  jw_obj_end(w);
  jw_obj_end(w);
}

void write_domain_ops(jw_t *w, const job_t *j) {
  if (j->soa_rname) jw_str(w, RK_SOA_RNAME, j->soa_rname);
  write_expiry(w, &j->dnssec_expires);
  if (j->cncs.have) write_cncs(w, &j->cncs);
}
