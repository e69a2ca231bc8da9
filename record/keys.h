/* The record's keys: one macro per key string, RK_<KEY> "<key>".
 *
 * Macros rather than a table indexed by an enum, because a key is then a string literal:
 * it costs nothing where it is written (jw_str takes the pointer) or looked up
 * (json_object_object_get_ex), its length is a compile-time constant (sizeof: the report's
 * list of skipped keys is built from it), it concatenates into longer literals ("{\""
 * RK_DOMAIN "\":"), and a misspelt key is a compile error instead of a look-up that
 * silently finds nothing. A key that occurs in several objects ("status", "dnssec",
 * "reason") is one macro: what is spelt once is the string; the objects that use it are
 * named beside it. The order follows docs/record.md: the record, then each object. The
 * policy objects under "sender" ("dane", "mta_sts") are RK_DANE and RK_MTA_STS, which
 * schema_policy[] names.
 *
 * A header of its own, included by record/schema.h: keys need nothing of the model, so the
 * resume reader (record/resume.c) and the probe's serialisers can name them without
 * including model/job.h. */
#ifndef MXS_RECORD_KEYS_H
#define MXS_RECORD_KEYS_H

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
#define RK_INCONCLUSIVE "inconclusive"     /* addresses that did not engage */
#define RK_LEGACY_TLS "legacy_tls"         /* some MX accepts SSLv3, TLS 1.0 or 1.1 */
#define RK_TLS_GRADE "tls_grade"           /* the worst tls_profile.grade of its addresses */
/* smtp (written by smtp_result_json) */
#define RK_OUTCOME "outcome"
/* addresses[].tls_profile (--tls-profile) */
#define RK_TLS_PROFILE "tls_profile"
#define RK_VERSIONS "versions"
#define RK_REASONS "reasons"
#define RK_SUITES "suites"
#define RK_PARTIAL "partial"
#define RK_CONNECTIONS "connections"
#define RK_RENEGOTIATION "renegotiation"   /* {"secure": bool}: RFC 5746 */
#define RK_SECURE "secure"
/* tls_profile: the certs phase (every certificate; "mode" is RK_MODE) */
#define RK_CERTS "certs"
#define RK_CERT_KINDS "cert_kinds"
#define RK_CERT_REASONS "cert_reasons"
#define RK_ASKED "asked"                   /* certs[]: the key family that showed it first */
#define RK_CERTS_BY_NAME "certs_by_name"   /* the certificate part made for this SNI name */
/* tls_profile, full mode (issue 15) */
#define RK_CIPHERS "ciphers"               /* {class: {accepted, suites, complete}} */
#define RK_COMPLETE "complete"
#define RK_SERVER_ORDER "server_order"
#define RK_KEX "kex"                       /* {dhe: {bits, class}, ecdhe: [group]} */
#define RK_DHE "dhe"
#define RK_BITS "bits"
#define RK_CLASS "class"
#define RK_ECDHE "ecdhe"
/* tls_profile, the verdict (checks/tls_grade.c) */
#define RK_GRADE "grade"
#define RK_FINDINGS "findings"             /* [{check, level, detail}] */
#define RK_CHECK "check"
#define RK_LEVEL "level"
#define RK_DETAIL "detail"
#define RK_FINDINGS_TRUNCATED "findings_truncated"
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
/* tls_profile: whether a class of suites was accepted ("mode", "matched", "pkix", "dane"
 * are the keys above) */
#define RK_ACCEPTED "accepted"
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
/* issue 16 (model/ops.h). mx[].tlsa.rollover */
#define RK_ROLLOVER "rollover"
#define RK_READY "ready"
#define RK_SCHEME "scheme"                 /* ("reason": RK_REASON) */
#define RK_UNMATCHED "unmatched"           /* records matching no presented certificate */
/* the record and mx[]: the earliest RRSIG expiration, and of which RRset */
#define RK_DNSSEC_EXPIRES "dnssec_expires"
#define RK_DNSSEC_EXPIRES_RRSET "dnssec_expires_rrset"
#define RK_DNSSEC_WARN "dnssec_warn"         /* before scan time + --horizon-dnssec */
/* the record: the contact hint */
#define RK_SOA_RNAME "soa_rname"
/* addresses[].outlook (also summary.outlook, a string there) */
#define RK_OUTLOOK "outlook"
#define RK_AT "at"
#define RK_PKIX_VALID "pkix_valid"
#define RK_DANE_VALID "dane_valid"
#define RK_BREAKS "breaks"                 /* ("reasons": RK_REASONS) */
/* summary */
#define RK_OUTLOOK_BREAKS "outlook_breaks"
#define RK_OUTLOOK_REASON "outlook_reason"
/* mta_sts */
#define RK_POLICY_SHA256 "policy_sha256"
/* conformity.cncs ("complete" RK_COMPLETE; "checks"[]: "id" RK_ID, "result" RK_RESULT,
 * "detail" RK_DETAIL) */
#define RK_CONFORMITY "conformity"
#define RK_CNCS "cncs"
#define RK_PASS "pass"
#define RK_CHECKS "checks"
#define RK_ADVISORY "advisory"

#endif
