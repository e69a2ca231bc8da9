/* The record's vocabulary: the one table from each model enum (model/job.h) to the
 * string a record carries, and the one definition of each key a record has. Used by the
 * record writer and by report/ alike. A string of the record format is spelt here and
 * nowhere else in the C code; docs/record.schema.json is the specification that the tests
 * validate every record against.
 *
 * Each table is indexed by its enum and has exactly <ENUM>_COUNT entries, so that report/
 * can walk all values of a field in the order the enum defines (schema_dane_status[i] for
 * i < DANE_STATUS_COUNT). */
#ifndef MXS_RECORD_SCHEMA_H
#define MXS_RECORD_SCHEMA_H
#include "model/job.h"

/* Enums defined outside model/job.h (net/dns.h, checks/mtasts_parse.h) have no _COUNT
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

/* ---- record keys ----
 *
 * One macro per key string, RK_<KEY> "<key>". Macros rather than a table indexed by an
 * enum, because a key is then a string literal: it costs nothing where it is written
 * (jw_str takes the pointer) or looked up (json_object_object_get_ex), its length is a
 * compile-time constant (sizeof: the report's list of skipped keys is built from it), it
 * concatenates into longer literals, and a misspelt key is a compile error instead of a
 * look-up that silently finds nothing. A key that occurs in several objects ("status",
 * "dnssec", "reason") is one macro: what is spelt once is the string; the objects that use
 * it are named beside it. The order follows docs/record.md: the record, then each object.
 * The policy objects under "sender" ("dane", "mta_sts") are keys named by schema_policy[]. */

/* the record (one domain) */
#define RK_DOMAIN "domain"
#define RK_INPUT "input"
#define RK_STATUS "status"                 /* also tls_rpt, mta_sts, dane */
#define RK_DNSSEC "dnssec"                 /* also tls_rpt, mx[], tlsa, addresses[] */
#define RK_DNSSEC_REASON "dnssec_reason"
#define RK_CNAME "cname"                   /* also mx[] */
#define RK_NULL_MX "null_mx"
#define RK_SCANNED_AT "scanned_at"
#define RK_ERROR "error"                   /* also mx[], smtp; pkix: the error string */
#define RK_TLS_RPT "tls_rpt"
#define RK_MTA_STS "mta_sts"
#define RK_MX "mx"                         /* also mta_sts (the policy's patterns), sender.* */
#define RK_MX_TRUNCATED "mx_truncated"     /* also mta_sts */
#define RK_SENDER "sender"
#define RK_SUMMARY "summary"
/* error (record, mx[], smtp) */
#define RK_STAGE "stage"
#define RK_REASON "reason"                 /* also tls_rpt, mta_sts, tlsa, dane */
/* tls_rpt */
#define RK_RUA "rua"
#define RK_RUA_TRUNCATED "rua_truncated"
/* mta_sts */
#define RK_ID "id"
#define RK_RESULT_TYPE "result_type"       /* also sender.* */
#define RK_HTTP_STATUS "http_status"
#define RK_MODE "mode"
#define RK_MAX_AGE "max_age"
#define RK_HOSTS "hosts"
/* mta_sts.hosts[] */
#define RK_HOST "host"                     /* also mx[] */
#define RK_POLICY_MATCH "policy_match"
#define RK_CERT_OK "cert_ok"
/* mx[] */
#define RK_PREFERENCE "preference"
#define RK_IMPLICIT "implicit"
#define RK_TLSA "tlsa"
#define RK_ADDRESSES "addresses"           /* also summary (a count) */
#define RK_ADDRESSES_TRUNCATED "addresses_truncated"
/* tlsa */
#define RK_NAME "name"
#define RK_RESULT "result"
#define RK_RECORDS "records"
#define RK_RECORDS_TRUNCATED "records_truncated"
#define RK_RECORDS_TOTAL "records_total"
/* tlsa.records[], dane.matched */
#define RK_USAGE "usage"
#define RK_SELECTOR "selector"
#define RK_MTYPE "mtype"
#define RK_DATA "data"
#define RK_USABLE "usable"
#define RK_UNUSABLE_REASON "unusable_reason"
/* addresses[] */
#define RK_IP "ip"
#define RK_FAMILY "family"
#define RK_PTR "ptr"
#define RK_PTR_ERROR "ptr_error"
#define RK_SMTP "smtp"
#define RK_DANE "dane"                     /* also summary */
/* dane */
#define RK_MATCHED "matched"
#define RK_DEPTH "depth"
/* sender.dane, sender.mta_sts */
#define RK_ACTION "action"
/* summary */
#define RK_STARTTLS "starttls"             /* also smtp */
#define RK_TLS_BEST "tls_best"
#define RK_TLS_WORST "tls_worst"
#define RK_MX_HOSTS "mx_hosts"
/* smtp (written by smtp_result_json) */
#define RK_CONNECT "connect"
#define RK_CONNECT_MS "connect_ms"
#define RK_BANNER "banner"
#define RK_BANNER_CODE "banner_code"
#define RK_EHLO_CODE "ehlo_code"
#define RK_STARTTLS_REPLY "starttls_reply"
#define RK_INJECTED_BYTES "injected_bytes"
#define RK_TLS "tls"
#define RK_EHLO_TLS_CODE "ehlo_tls_code"
#define RK_STARTTLS_AGAIN "starttls_again"
#define RK_SHARED "shared"
#define RK_INFERRED "inferred"
#define RK_INFERRED_FROM "inferred_from"
#define RK_ATTEMPTS "attempts"
#define RK_RETRY_REASONS "retry_reasons"
/* smtp.tls (written by tls_result_json) */
#define RK_VERSION "version"
#define RK_CIPHER "cipher"
#define RK_GROUP "group"
#define RK_CHAIN_LEN "chain_len"
#define RK_CERT "cert"
#define RK_PKIX "pkix"
/* smtp.tls.cert */
#define RK_SUBJECT "subject"
#define RK_ISSUER "issuer"
#define RK_SAN "san"
#define RK_SAN_TRUNCATED "san_truncated"
#define RK_NOT_BEFORE "not_before"
#define RK_NOT_AFTER "not_after"
#define RK_KEY_TYPE "key_type"
#define RK_KEY_BITS "key_bits"
#define RK_CURVE "curve"
#define RK_SIG_ALG "sig_alg"
#define RK_SHA256 "sha256"
#define RK_SPKI_SHA256 "spki_sha256"
#define RK_SELF_SIGNED "self_signed"
/* smtp.tls.pkix */
#define RK_VALID "valid"

#endif
