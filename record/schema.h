/* The record's vocabulary: the one table from each model enum (model/job.h) and each of
 * the probe's enums (smtp/smtp_probe.h, which may not see this file) to the string a
 * record carries, and (record/keys.h, included here) the one definition of each key a
 * record has. Used by the record writer and by report/ alike. A string of the record
 * format is spelt here and nowhere else in the C code; docs/record.schema.json is the
 * specification that the tests validate every record against.
 *
 * Each table is indexed by its enum and has exactly <ENUM>_COUNT entries, so that report/
 * can walk all values of a field in the order the enum defines (schema_dane_status[i] for
 * i < DANE_STATUS_COUNT). */
#ifndef MXS_RECORD_SCHEMA_H
#define MXS_RECORD_SCHEMA_H
#include "model/job.h"
#include "record/keys.h"   /* the record's keys, RK_* */
#include "tls/classes.h"    /* enum tls_class (issue 15, the TLS profile) */

/* Enums defined outside model/job.h (net/dns.h, model/policy.h) have no _COUNT
 * member; their last value is named here instead of adding one to those headers. */
#define DNSSEC_STATE_COUNT (DNSSEC_INDETERMINATE + 1)
#define DNS_OUTCOME_COUNT (DNS_ERROR + 1)
#define STS_MODE_COUNT (MTASTS_MODE_NONE + 1)

extern const char *const schema_job_status[JOB_STATUS_COUNT];
extern const char *const schema_stage[STAGE_COUNT];
extern const char *const schema_dnssec[DNSSEC_STATE_COUNT];
extern const char *const schema_dns_outcome[DNS_OUTCOME_COUNT];
extern const char *const schema_dane_status[DANE_STATUS_COUNT];
extern const char *const schema_tlsrpt_status[TLSRPT_STATUS_COUNT];
extern const char *const schema_sts_status[STS_STATUS_COUNT];
extern const char *const schema_sts_mode[STS_MODE_COUNT];
extern const char *const schema_result_type[RT_COUNT];
extern const char *const schema_action[ACT_COUNT];
extern const char *const schema_policy[POL_COUNT];
extern const char *const schema_sum_starttls[SUM_TLS_COUNT];
extern const char *const schema_sum_dane[SUM_DANE_COUNT];
/* The probe's (smtp/smtp_probe.h): "smtp.error.stage", "smtp.connect", "smtp.starttls". */
extern const char *const schema_smtp_stage[SMTP_STAGE_COUNT];
extern const char *const schema_smtp_connect[SMTP_CONNECT_COUNT];
extern const char *const schema_smtp_starttls[SMTP_STARTTLS_COUNT];
extern const char *const schema_smtp_outcome[SMTP_OUTCOME_COUNT];
/* smtp/profile.h's: the keys of "tls_profile.versions" and their values. */
extern const char *const schema_profile_version[PV_COUNT];
extern const char *const schema_profile_vstate[PVS_COUNT];
/* "tls_profile.mode", the groups of "tls_profile.kex.ecdhe" and the key families of
 * "tls_profile.cert_kinds" / "certs[].asked" (smtp/profile.h's enums). */
extern const char *const schema_profile_mode[PROFILE_MODE_COUNT];
extern const char *const schema_profile_group[PG_COUNT];
extern const char *const schema_profile_cert_kind[PCK_COUNT];
/* The TLS profile's classes (tls/classes.h), for "tls_profile.grade" and the cipher classes
 * (issue 15). */
extern const char *const schema_tls_class[TLS_CLASS_COUNT];
/* checks/tls_grade.c's findings (model/job.h): check names, the info level; and the
 * ECDHE groups of the full profile (smtp/profile.h). */
extern const char *const schema_finding_check[TFC_COUNT];
/* issue 16 (model/ops.h) */
extern const char *const schema_outlook_status[OUTLOOK_STATUS_COUNT];
extern const char *const schema_cncs_check[CNCS_CHECK_COUNT];
extern const char *const schema_cncs_result[CNCS_RESULT_COUNT];
extern const char *const schema_finding_info;
extern const char *const schema_profile_group[PG_COUNT];

static inline const char *job_status_name(enum job_status s) { return schema_job_status[s]; }
static inline const char *stage_name(enum job_stage s) { return schema_stage[s]; }
static inline const char *dnssec_state_name(enum dnssec_state s) { return schema_dnssec[s]; }
static inline const char *dns_outcome_name(enum dns_outcome o) { return schema_dns_outcome[o]; }
static inline const char *dane_status_name(enum dane_status s) { return schema_dane_status[s]; }
static inline const char *tlsrpt_status_name(enum tlsrpt_status s) { return schema_tlsrpt_status[s]; }
static inline const char *sts_status_name(enum sts_status s) { return schema_sts_status[s]; }
static inline const char *sts_mode_name(enum mtasts_mode m) { return schema_sts_mode[m]; }
static inline const char *result_type_name(enum result_type t) { return schema_result_type[t]; }
static inline const char *action_name(enum sender_action a) { return schema_action[a]; }
static inline const char *policy_name(enum policy_kind p) { return schema_policy[p]; }
static inline const char *sum_starttls_name(enum sum_starttls s) { return schema_sum_starttls[s]; }
static inline const char *sum_dane_name(enum sum_dane s) { return schema_sum_dane[s]; }
static inline const char *smtp_stage_name(enum smtp_stage s) { return schema_smtp_stage[s]; }
static inline const char *smtp_starttls_name(enum smtp_starttls s) { return schema_smtp_starttls[s]; }
static inline const char *smtp_outcome_name(enum smtp_outcome o) { return schema_smtp_outcome[o]; }
static inline const char *profile_version_name(enum profile_version v) { return schema_profile_version[v]; }
static inline const char *profile_vstate_name(enum profile_vstate s) { return schema_profile_vstate[s]; }
static inline const char *profile_mode_name(enum profile_mode m) { return schema_profile_mode[m]; }
static inline const char *profile_cert_kind_name(enum profile_cert_kind k) { return schema_profile_cert_kind[k]; }
static inline const char *tls_class_name(enum tls_class c) { return schema_tls_class[c]; }
static inline const char *profile_group_name(enum profile_group g) { return schema_profile_group[g]; }
static inline const char *finding_level_name(unsigned level) {
  return level < TLS_CLASS_COUNT ? schema_tls_class[level] : schema_finding_info;
}
/* "smtp.connect" of a result: for SMTP_CONNECT_ERROR libuv's text of the error, which no
 * table can hold (the table's "error" only stands in should that text be missing). */
static inline const char *smtp_connect_name(const smtp_result_t *r) {
  if (r->connect == SMTP_CONNECT_ERROR && r->connect_error) return r->connect_error;
  return schema_smtp_connect[r->connect];
}

#endif
