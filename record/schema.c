/* The record's enum strings (see schema.h). Designated initialisers tie each string to
 * its enum value; a missing entry is a NULL that the schema unit test finds. */
#include "record/schema.h"

const char *const schema_job_status[JOB_STATUS_COUNT] = {
  [JOB_OK] = "ok", [JOB_NXDOMAIN] = "nxdomain", [JOB_NO_MAIL] = "no-mail",
  [JOB_DNS_ERROR] = "dns-error", [JOB_INVALID] = "invalid", [JOB_EXCLUDED] = "excluded",
};

const char *const schema_stage[STAGE_COUNT] = {
  [STAGE_NONE] = "", [STAGE_DNS] = "dns", [STAGE_INPUT] = "input",
};

/* net/dns.h's enums: the DNS layer itself never names them. */
const char *const schema_dnssec[DNSSEC_STATE_COUNT] = {
  [DNSSEC_SECURE] = "secure", [DNSSEC_INSECURE] = "insecure", [DNSSEC_BOGUS] = "bogus",
  [DNSSEC_INDETERMINATE] = "indeterminate",
};

/* A lookup's outcome, as a TLSA object's "result". */
const char *const schema_dns_outcome[DNS_OUTCOME_COUNT] = {
  [DNS_DATA] = "records", [DNS_NODATA] = "nodata", [DNS_NXDOMAIN] = "nxdomain",
  [DNS_ERROR] = "error",
};

const char *const schema_dane_status[DANE_STATUS_COUNT] = {
  [DANE_VALID] = "valid", [DANE_MISMATCH] = "mismatch", [DANE_UNUSABLE] = "unusable",
  [DANE_NO_STARTTLS] = "no-starttls", [DANE_TLSA_BOGUS] = "tlsa-bogus",
  [DANE_DNS_ERROR] = "dns-error", [DANE_NO_TLSA] = "no-tlsa",
  [DANE_INCONCLUSIVE] = "inconclusive",
};

const char *const schema_tlsrpt_status[TLSRPT_STATUS_COUNT] = {
  [TLSRPT_UNSET] = "", [TLSRPT_VALID] = "valid", [TLSRPT_NONE] = "none",
  [TLSRPT_INVALID] = "invalid", [TLSRPT_DNS_ERROR] = "dns-error",
};

const char *const schema_sts_status[STS_STATUS_COUNT] = {
  [STS_UNSET] = "", [STS_NONE] = "none", [STS_VALID] = "valid", [STS_FETCH_ERROR] = "fetch-error",
  [STS_POLICY_INVALID] = "policy-invalid", [STS_TXT_INVALID] = "txt-invalid",
  [STS_DNS_ERROR] = "dns-error",
};

/* "mta_sts.mode": the policy's mode (model/policy.h), as RFC 8461 §3.2 spells it. */
const char *const schema_sts_mode[STS_MODE_COUNT] = {
  [MTASTS_MODE_UNSET] = "", [MTASTS_MODE_ENFORCE] = "enforce", [MTASTS_MODE_TESTING] = "testing",
  [MTASTS_MODE_NONE] = "none",
};

/* RFC 8460 §4.3 names. */
const char *const schema_result_type[RT_COUNT] = {
  [RT_NONE] = "",
  [RT_STARTTLS_NOT_SUPPORTED] = "starttls-not-supported",
  [RT_CERT_HOST_MISMATCH] = "certificate-host-mismatch",
  [RT_CERT_EXPIRED] = "certificate-expired",
  [RT_CERT_NOT_TRUSTED] = "certificate-not-trusted",
  [RT_VALIDATION_FAILURE] = "validation-failure",
  [RT_TLSA_INVALID] = "tlsa-invalid",
  [RT_DNSSEC_INVALID] = "dnssec-invalid",
  [RT_STS_POLICY_FETCH_ERROR] = "sts-policy-fetch-error",
  [RT_STS_POLICY_INVALID] = "sts-policy-invalid",
  [RT_STS_WEBPKI_INVALID] = "sts-webpki-invalid",
};

const char *const schema_action[ACT_COUNT] = {
  [ACT_DELIVER] = "deliver", [ACT_DELIVER_UNAUTH] = "deliver-unauthenticated",
  [ACT_DEFER] = "defer", [ACT_NO_ROUTE] = "no-route",
};

/* Key names of "sender"'s two objects: the record keys themselves. */
const char *const schema_policy[POL_COUNT] = { [POL_DANE] = RK_DANE, [POL_STS] = RK_MTA_STS };

const char *const schema_sum_starttls[SUM_TLS_COUNT] = {
  [SUM_TLS_ALL] = "all", [SUM_TLS_SOME] = "some", [SUM_TLS_NONE] = "none",
  [SUM_TLS_REFUSED] = "refused", [SUM_TLS_UNREACHABLE] = "unreachable",
};

const char *const schema_sum_dane[SUM_DANE_COUNT] = {
  [SUM_DANE_VALID] = "valid", [SUM_DANE_PARTIAL] = "partial", [SUM_DANE_INVALID] = "invalid",
  [SUM_DANE_NONE] = "none", [SUM_DANE_INCONCLUSIVE] = "inconclusive",
};

/* The probe's stages, as its machine names them; NONE (no failure) is never written. */
const char *const schema_smtp_stage[SMTP_STAGE_COUNT] = {
  [SMTP_STAGE_NONE] = "", [SMTP_STAGE_CONNECT] = "connect", [SMTP_STAGE_BANNER] = "banner",
  [SMTP_STAGE_EHLO] = "ehlo", [SMTP_STAGE_STARTTLS] = "starttls", [SMTP_STAGE_TLS] = "tls",
  [SMTP_STAGE_EHLO_TLS] = "ehlo-tls", [SMTP_STAGE_QUIT] = "quit", [SMTP_STAGE_DONE] = "done",
};

const char *const schema_smtp_connect[SMTP_CONNECT_COUNT] = {
  [SMTP_CONNECT_NOT_ATTEMPTED] = "not-attempted", [SMTP_CONNECT_OK] = "ok",
  [SMTP_CONNECT_REFUSED] = "refused", [SMTP_CONNECT_TIMEOUT] = "timeout",
  [SMTP_CONNECT_UNREACHABLE] = "unreachable", [SMTP_CONNECT_ERROR] = "error",
};

/* UNKNOWN (no EHLO reply) is never written. */
const char *const schema_smtp_starttls[SMTP_STARTTLS_COUNT] = {
  [SMTP_STARTTLS_UNKNOWN] = "", [SMTP_STARTTLS_NOT_OFFERED] = "not-offered",
  [SMTP_STARTTLS_OFFERED] = "offered",
};

/* "smtp.outcome": always written. */
const char *const schema_smtp_outcome[SMTP_OUTCOME_COUNT] = {
  [SMTP_OUTCOME_NOT_ATTEMPTED] = "not-attempted", [SMTP_OUTCOME_UNREACHABLE] = "unreachable",
  [SMTP_OUTCOME_LOST] = "lost", [SMTP_OUTCOME_REFUSED] = "refused",
  [SMTP_OUTCOME_ENGAGED] = "engaged",
};

/* The TLS profile's classes (tls/classes.h), spelt as NCSC-NL's guidelines and Internet.nl
 * name them: tls_profile.grade, ciphers' keys, kex.dhe.class, findings[].level,
 * summary.tls_grade (issue 15). */
const char *const schema_tls_class[TLS_CLASS_COUNT] = {
  [TLS_CLASS_GOOD] = "good", [TLS_CLASS_SUFFICIENT] = "sufficient",
  [TLS_CLASS_PHASE_OUT] = "phase-out", [TLS_CLASS_INSUFFICIENT] = "insufficient",
};

/* "tls_profile.versions": the protocol names as tls.version spells them (OpenSSL's). */
const char *const schema_profile_version[PV_COUNT] = {
  [PV_SSL3] = "SSLv3", [PV_TLS10] = "TLSv1", [PV_TLS11] = "TLSv1.1", [PV_TLS12] = "TLSv1.2",
  [PV_TLS13] = "TLSv1.3",
};

/* "tls_profile.mode": the --tls-profile value the profile was made in; "off" is never
 * written (no profile). */
const char *const schema_profile_mode[PROFILE_MODE_COUNT] = {
  [PROFILE_OFF] = "off", [PROFILE_BASIC] = "basic", [PROFILE_FULL] = "full",
};

/* "tls_profile.findings[].level" of a finding that explains and does not grade. */
const char *const schema_finding_info = "info";

/* "tls_profile.findings[].check". */
const char *const schema_finding_check[TFC_COUNT] = {
  [TFC_VERSION] = "version", [TFC_CIPHER] = "cipher", [TFC_KEX] = "kex",
  [TFC_RENEG] = "renegotiation", [TFC_CERT] = "cert", [TFC_COVERAGE] = "coverage",
};

/* "tls_profile.kex.ecdhe": the groups as tls.group spells them (OpenSSL's names). */
const char *const schema_profile_group[PG_COUNT] = {
  [PG_X25519] = "X25519", [PG_P256] = "secp256r1", [PG_P384] = "secp384r1",
  [PG_P521] = "secp521r1",
};

/* UNTESTED is never written. */
const char *const schema_profile_vstate[PVS_COUNT] = {
  [PVS_UNTESTED] = "", [PVS_ACCEPTED] = "accepted", [PVS_REFUSED] = "refused",
  [PVS_ERROR] = "error",
};

/* The key families the certs phase asks for, as the signature algorithms name them. */
const char *const schema_profile_cert_kind[PCK_COUNT] = {
  [PCK_RSA] = "RSA", [PCK_ECDSA] = "ECDSA", [PCK_EDDSA] = "EdDSA",
};

/* issue 16 (model/ops.h) */
const char *const schema_outlook_status[OUTLOOK_STATUS_COUNT] = {
  [OUTLOOK_OK] = "ok", [OUTLOOK_WARN] = "warn",
};

/* Stable ids: reports, --notify rows and docs/conformity.md name the checks by these. */
const char *const schema_cncs_check[CNCS_CHECK_COUNT] = {
  [CNCS_STARTTLS] = "starttls",
  [CNCS_TLS_VERSION] = "tls-version",
  [CNCS_TLS_CIPHER] = "tls-cipher",
  [CNCS_CERT_NAME] = "cert-name",
  [CNCS_CERT_CHAIN] = "cert-chain",
  [CNCS_DNSSEC_DOMAIN] = "dnssec-domain",
  [CNCS_DNSSEC_MX] = "dnssec-mx",
  [CNCS_TLSA] = "tlsa",
  [CNCS_DANE] = "dane",
  [CNCS_TLSA_ROLLOVER] = "tlsa-rollover",
  [CNCS_ADV_MTASTS] = "mta-sts-enforce",
  [CNCS_ADV_TLSRPT] = "tls-rpt",
  [CNCS_ADV_TESTING_RPT] = "mta-sts-testing-tls-rpt",
};

const char *const schema_cncs_result[CNCS_RESULT_COUNT] = {
  [CNCS_PASS] = "pass", [CNCS_FAIL] = "fail", [CNCS_NOT_TESTED] = "not-tested",
  [CNCS_NOT_APPLICABLE] = "not-applicable",
};
