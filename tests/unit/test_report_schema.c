/* The report's value lists cover the record's schema (issue 14: "no second list").
 *
 * report/figures.c shows every distribution over a record enum with its expected values
 * first, even when zero; they are taken from record/schema.h, either all of an enum in its
 * order or an array of enum values (figures_status, ...) where the display order differs
 * or a value is deliberately left to "other values". This test builds the figures of an
 * empty report and checks, for each such distribution and each value of its enum, that the
 * value has its figure, unless it is one of the exclusions named below. A value added to an
 * enum without a decision here fails the test. It also feeds records through stats.c and
 * checks that the values stats.c derives (the host TLSA state, TLSA on MX hosts) land on
 * the figures that figures.c lists, and that stats.c's comparisons with enum strings
 * (status ok, STARTTLS all/some/none, MTA-STS valid and enforce) count what they should. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/schema.h"
#include "report/figures.h"
#include "report/report.h"
#include "report/stats.h"
#include "tests/unit/testlib.h"

static const struct figure *fig(const struct report *r, const char *prefix, const char *value) {
  char key[200];
  snprintf(key, sizeof key, "%s%s", prefix, value);
  return report_find(r, key);
}

/* Every value of table (n entries) has its figure under prefix, except those in skip[]
 * (enum values, -1 terminated): those must have none in an empty report. */
static void covers(const struct report *r, const char *prefix, const char *const *table, int n,
                   const int *skip) {
  for (int v = 0; v < n; v++) {
    int skipped = 0;
    for (const int *s = skip; s && *s >= 0; s++) skipped |= *s == v;
    CHECK(table[v] != NULL);
    if (!table[v]) continue;
    const struct figure *f = fig(r, prefix, table[v]);
    if (skipped != (f == NULL))
      fprintf(stderr, "  %s%s: %s\n", prefix, table[v],
              skipped ? "listed although excluded" : "has no figure");
    CHECK(skipped == (f == NULL));
  }
}

/* A subset array of enum values: in range and without duplicates. */
static void subset_ok(const int *vals, int nv, int n) {
  for (int i = 0; i < nv; i++) {
    CHECK(vals[i] >= 0 && vals[i] < n);
    for (int j = 0; j < i; j++) CHECK(vals[i] != vals[j]);
  }
}

static void empty_report_covers_schema(void) {
  struct stats s;
  struct report r;
  stats_init(&s);
  stats_finish(&s);
  memset(&r, 0, sizeof r);
  figures_build(&r, &s, NULL, 20);

  static const int none[] = {-1};
  /* Opt-outs: records only with --exclude-file, shown among other values when present. */
  static const int status_skip[] = {JOB_EXCLUDED, -1};
  /* "Unset": the record then has no such object, so no value is ever counted. */
  static const int sts_skip[] = {STS_UNSET, -1};
  static const int rpt_skip[] = {TLSRPT_UNSET, -1};
  static const int mode_skip[] = {MTASTS_MODE_UNSET, -1};

  covers(&r, "population.status.", schema_job_status, JOB_STATUS_COUNT, status_skip);
  covers(&r, "transport.starttls.", schema_sum_starttls, SUM_TLS_COUNT, none);
  covers(&r, "dnssec.domain.", schema_dnssec, DNSSEC_STATE_COUNT, none);
  covers(&r, "dnssec.mx_host.", schema_dnssec, DNSSEC_STATE_COUNT, none);
  covers(&r, "dane.summary.", schema_sum_dane, SUM_DANE_COUNT, none);
  covers(&r, "dane.address.", schema_dane_status, DANE_STATUS_COUNT, none);
  covers(&r, "mta_sts.status.", schema_sts_status, STS_STATUS_COUNT, sts_skip);
  covers(&r, "mta_sts.mode.", schema_sts_mode, STS_MODE_COUNT, mode_skip);
  covers(&r, "tls_rpt.status.", schema_tlsrpt_status, TLSRPT_STATUS_COUNT, rpt_skip);
  covers(&r, "sender.dane.action.", schema_action, ACT_COUNT, none);
  covers(&r, "sender.mta_sts.action.", schema_action, ACT_COUNT, none);
  covers(&r, "dane.tlsa_mx.", stats_tlsa_mx, TLSA_MX_COUNT, none);

  subset_ok(figures_status, FIGURES_STATUS_N, JOB_STATUS_COUNT);
  subset_ok(figures_sts, FIGURES_STS_N, STS_STATUS_COUNT);
  subset_ok(figures_sts_mode, FIGURES_STS_MODE_N, STS_MODE_COUNT);
  subset_ok(figures_rpt, FIGURES_RPT_N, TLSRPT_STATUS_COUNT);
  /* Listed + excluded = the whole enum: a new enum value needs a decision. */
  CHECK_INT(FIGURES_STATUS_N + 1, JOB_STATUS_COUNT);
  CHECK_INT(FIGURES_STS_N + 1, STS_STATUS_COUNT);
  CHECK_INT(FIGURES_STS_MODE_N + 1, STS_MODE_COUNT);
  CHECK_INT(FIGURES_RPT_N + 1, TLSRPT_STATUS_COUNT);

  /* The sender's policy objects are the record keys the writer uses. */
  CHECK_STR(policy_name(POL_DANE), RK_DANE);
  CHECK_STR(policy_name(POL_STS), RK_MTA_STS);
  figures_free(&r);
  stats_free(&s);
}

static void add(struct stats *s, const char *json) {
  json_object *o = json_tokener_parse(json);
  CHECK(o != NULL);
  if (!o) return;
  stats_add_record(s, o, NULL, NULL);
  json_object_put(o);
}

/* One domain with one MX host whose TLSA answer is (result, dnssec). */
static void tlsa_host(struct stats *s, int i, const char *result, const char *dnssec) {
  char rec[600];
  snprintf(rec, sizeof rec,
           "{\"" RK_DOMAIN "\":\"d%d.example\",\"" RK_STATUS "\":\"%s\",\"" RK_MX "\":[{\""
           RK_HOST "\":\"mx%d.example\",\"" RK_TLSA "\":{\"" RK_RESULT "\":\"%s\",\"" RK_DNSSEC
           "\":\"%s\",\"" RK_RECORDS "\":[]}}]}",
           i, job_status_name(JOB_OK), i, result, dnssec);
  add(s, rec);
}

static void derived_values_land_on_listed_figures(void) {
  struct stats s;
  struct report r;
  stats_init(&s);
  const char *data = dns_outcome_name(DNS_DATA);
  tlsa_host(&s, 0, data, dnssec_state_name(DNSSEC_SECURE));
  tlsa_host(&s, 1, data, dnssec_state_name(DNSSEC_INSECURE));
  tlsa_host(&s, 2, data, dnssec_state_name(DNSSEC_BOGUS));
  tlsa_host(&s, 3, dns_outcome_name(DNS_ERROR), dnssec_state_name(DNSSEC_INDETERMINATE));
  tlsa_host(&s, 4, dns_outcome_name(DNS_NXDOMAIN), dnssec_state_name(DNSSEC_INSECURE));
  /* status ok, STARTTLS "some", DANE valid, MTA-STS valid in enforce mode */
  add(&s, "{\"" RK_DOMAIN "\":\"e.example\",\"" RK_STATUS "\":\"ok\",\"" RK_MTA_STS
          "\":{\"" RK_STATUS "\":\"valid\",\"" RK_MODE "\":\"enforce\",\"" RK_HOSTS "\":[]},\""
          RK_MX "\":[{\"" RK_HOST "\":\"mx.e.example\"}],\"" RK_SUMMARY "\":{\"" RK_STARTTLS
          "\":\"some\",\"" RK_DANE "\":\"valid\"}}");
  /* not ok: only counted in the population */
  add(&s, "{\"" RK_DOMAIN "\":\"n.example\",\"" RK_STATUS "\":\"nxdomain\",\"" RK_SUMMARY
          "\":{\"" RK_STARTTLS "\":\"all\"}}");
  stats_finish(&s);
  memset(&r, 0, sizeof r);
  figures_build(&r, &s, NULL, 20);

  /* Each host's state has its figure, in the order the report has always shown; none
   * falls into the "other values" after the listed ones (figures.c's list and stats.c's
   * names agree). "none": the nxdomain TLSA answer and e.example's host without one. */
  size_t first = r.nfig, listed = 0;
  for (size_t i = 0; i < r.nfig; i++) {
    if (strncmp(r.fig[i].key, "dane.host_tlsa.", 15) != 0) continue;
    if (first == r.nfig) first = i;
    listed++;
  }
  CHECK_INT(listed, 5);
  static const char *const states[] = {"secure", "insecure", "bogus", "error", "none"};
  static const uint64_t counts[] = {1, 1, 1, 1, 2};
  for (size_t i = 0; i < 5 && first + i < r.nfig; i++) {
    CHECK_STR(r.fig[first + i].key + 15, states[i]);
    CHECK_INT(r.fig[first + i].count, counts[i]);
  }
  const struct figure *f = fig(&r, "dane.tlsa_mx.", stats_tlsa_mx[TLSA_MX_ALL]);
  CHECK(f && f->count == 1);                    /* the secure host's domain */
  f = fig(&r, "dane.tlsa_mx.", stats_tlsa_mx[TLSA_MX_NONE]);
  CHECK(f && f->count == 5);
  f = report_find(&r, "population.ok");
  CHECK(f && f->count == 6);
  f = report_find(&r, "population.receives_mail");
  CHECK(f && f->count == 1);                    /* "some"; the nxdomain's "all" not counted */
  f = report_find(&r, "mta_sts.txt_present");
  CHECK(f && f->count == 1);
  f = fig(&r, "mta_sts.mode.", sts_mode_name(MTASTS_MODE_ENFORCE));
  CHECK(f && f->count == 1);
  CHECK_INT(r.nops, 6);
  for (size_t i = 0; i < r.nops; i++)
    if (strcmp(r.ops[i].name, "mx.e.example") == 0) {  /* no PSL: the host */
      CHECK_INT(r.ops[i].v[0], 1);
      CHECK_INT(r.ops[i].v[1], 0);              /* STARTTLS "some", not "all" */
      CHECK_INT(r.ops[i].v[2], 1);              /* DANE valid */
      CHECK_INT(r.ops[i].v[3], 1);              /* MTA-STS valid */
      CHECK_INT(r.ops[i].v[4], 1);              /* ... enforce */
    }
  figures_free(&r);
  stats_free(&s);
}

int main(void) {
  empty_report_covers_schema();
  derived_values_land_on_listed_figures();
  TEST_MAIN_END();
}
