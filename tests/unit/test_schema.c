/* The record's vocabulary (record/schema.c): every table has a string for every value of
 * its enum, the strings of a table are unique, only the explicit UNSET/NONE entries are
 * "", and each string is exactly the one the record format specifies
 * (docs/record.schema.json), so that renaming or dropping one fails here before it
 * changes a record. */
#include "record/schema.h"
#include "tests/unit/testlib.h"

/* Compares table (n entries) with want, entry by entry; empty_at is the one index allowed
 * to be "" (-1: none). */
static void table(const char *name, const char *const *tab, size_t n, const char *const *want,
                  size_t nwant, long empty_at) {
  CHECK_INT(n, nwant);
  for (size_t i = 0; i < n; i++) {
    if (!tab[i]) {
      tl_fail++;
      fprintf(stderr, "%s[%zu] is NULL\n", name, i);
      continue;
    }
    if (i < nwant && strcmp(tab[i], want[i]) != 0) {
      tl_fail++;
      fprintf(stderr, "%s[%zu] = \"%s\", expected \"%s\"\n", name, i, tab[i], want[i]);
    } else {
      tl_pass++;
    }
    if (tab[i][0] == '\0' && (long)i != empty_at) {
      tl_fail++;
      fprintf(stderr, "%s[%zu] is empty\n", name, i);
    }
    for (size_t k = 0; k < i; k++)
      if (tab[k] && strcmp(tab[k], tab[i]) == 0) {
        tl_fail++;
        fprintf(stderr, "%s[%zu] and [%zu] are both \"%s\"\n", name, k, i, tab[i]);
      }
  }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TABLE(tab, count, empty_at, ...) do { \
    static const char *const want_[] = {__VA_ARGS__}; \
    table(#tab, tab, (count), want_, N(want_), (empty_at)); \
  } while (0)

static void test_tables(void) {
  TABLE(schema_job_status, JOB_STATUS_COUNT, -1,
        "ok", "nxdomain", "no-mail", "dns-error", "invalid", "excluded");
  TABLE(schema_stage, STAGE_COUNT, STAGE_NONE, "", "dns", "input");
  TABLE(schema_dane_status, DANE_STATUS_COUNT, -1,
        "valid", "mismatch", "unusable", "no-starttls", "tlsa-bogus", "dns-error", "no-tlsa",
        "inconclusive");
  TABLE(schema_tlsrpt_status, TLSRPT_STATUS_COUNT, TLSRPT_UNSET,
        "", "valid", "none", "invalid", "dns-error");
  TABLE(schema_sts_status, STS_STATUS_COUNT, STS_UNSET,
        "", "none", "valid", "fetch-error", "policy-invalid", "txt-invalid", "dns-error");
  /* RFC 8460 §4.3 result types */
  TABLE(schema_result_type, RT_COUNT, RT_NONE,
        "", "starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
        "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
        "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid");
  TABLE(schema_action, ACT_COUNT, -1, "deliver", "deliver-unauthenticated", "defer", "no-route");
  TABLE(schema_policy, POL_COUNT, -1, "dane", "mta_sts");
  TABLE(schema_sum_starttls, SUM_TLS_COUNT, -1, "all", "some", "none", "refused", "unreachable");
  TABLE(schema_sum_dane, SUM_DANE_COUNT, -1, "valid", "partial", "invalid", "none", "inconclusive");
  /* The probe's (smtp/smtp_probe.h): smtp.error.stage, smtp.connect, smtp.starttls */
  TABLE(schema_smtp_stage, SMTP_STAGE_COUNT, SMTP_STAGE_NONE,
        "", "connect", "banner", "ehlo", "starttls", "tls", "ehlo-tls", "quit", "done");
  TABLE(schema_smtp_connect, SMTP_CONNECT_COUNT, -1,
        "not-attempted", "ok", "refused", "timeout", "unreachable", "error");
  TABLE(schema_smtp_starttls, SMTP_STARTTLS_COUNT, SMTP_STARTTLS_UNKNOWN,
        "", "not-offered", "offered");
  TABLE(schema_smtp_outcome, SMTP_OUTCOME_COUNT, -1,
        "not-attempted", "unreachable", "lost", "refused", "engaged");
  /* the TLS profile's classes (issue 15) */
  TABLE(schema_tls_class, TLS_CLASS_COUNT, -1, "good", "sufficient", "phase-out", "insufficient");
  TABLE(schema_finding_check, TFC_COUNT, -1, "version", "cipher", "kex", "renegotiation", "cert",
        "coverage");
  TABLE(schema_profile_group, PG_COUNT, -1, "X25519", "secp256r1", "secp384r1", "secp521r1");
}

/* The enum values the tables are indexed by, spot-checked by name, and the accessors. */
static void test_names(void) {
  CHECK_STR(job_status_name(JOB_EXCLUDED), "excluded");
  CHECK_STR(stage_name(STAGE_DNS), "dns");
  CHECK_STR(dane_status_name(DANE_NO_TLSA), "no-tlsa");
  CHECK_STR(dane_status_name(DANE_TLSA_BOGUS), "tlsa-bogus");
  CHECK_STR(tlsrpt_status_name(TLSRPT_DNS_ERROR), "dns-error");
  CHECK_STR(sts_status_name(STS_FETCH_ERROR), "fetch-error");
  CHECK_STR(result_type_name(RT_STS_WEBPKI_INVALID), "sts-webpki-invalid");
  CHECK_STR(result_type_name(RT_TLSA_INVALID), "tlsa-invalid");
  CHECK_STR(action_name(ACT_DELIVER_UNAUTH), "deliver-unauthenticated");
  CHECK_STR(sum_starttls_name(SUM_TLS_UNREACHABLE), "unreachable");
  CHECK_STR(sum_dane_name(SUM_DANE_PARTIAL), "partial");
  CHECK_STR(schema_policy[POL_STS], "mta_sts");
  CHECK_STR(smtp_stage_name(SMTP_STAGE_EHLO_TLS), "ehlo-tls");
  CHECK_STR(smtp_stage_name(SMTP_STAGE_TLS), "tls");
  CHECK_STR(smtp_starttls_name(SMTP_STARTTLS_NOT_OFFERED), "not-offered");
  CHECK_STR(tls_class_name(TLS_CLASS_PHASE_OUT), "phase-out");
  CHECK_STR(tls_class_name(TLS_CLASS_INSUFFICIENT), "insufficient");
  CHECK_STR(finding_level_name(TLS_CLASS_GOOD), "good");
  CHECK_STR(finding_level_name(TLS_LEVEL_INFO), "info");
  /* smtp.connect of a result: a never-probed (zeroed) one is "not-attempted"; another
   * system error is libuv's text, not the table's "error" */
  smtp_result_t r;
  smtp_result_init(&r);
  CHECK_STR(smtp_connect_name(&r), "not-attempted");
  CHECK_STR(smtp_outcome_name(r.outcome), "not-attempted");
  r.connect = SMTP_CONNECT_UNREACHABLE;
  CHECK_STR(smtp_connect_name(&r), "unreachable");
  r.connect = SMTP_CONNECT_ERROR;
  r.connect_error = "connection reset by peer";
  CHECK_STR(smtp_connect_name(&r), "connection reset by peer");
  r.connect_error = NULL;
  CHECK_STR(smtp_connect_name(&r), "error");
}

int main(void) {
  test_tables();
  test_names();
  TEST_MAIN_END();
}
