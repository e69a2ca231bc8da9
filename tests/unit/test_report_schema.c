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
 * (status ok, STARTTLS all/some/none, MTA-STS valid and enforce) count what they should.
 * summary.starttls and summary.dane are split between the domains with an engaged MX
 * address and those without (issue 19): the two lists of each must together cover the
 * enum, and a record of each kind must land on the right one. */
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
  /* Engaged domains have all/some/none, the others refused/unreachable: each value in
   * exactly one of the two distributions. */
  static const int tls_engaged_skip[] = {SUM_TLS_REFUSED, SUM_TLS_UNREACHABLE, -1};
  static const int tls_none_skip[] = {SUM_TLS_ALL, SUM_TLS_SOME, SUM_TLS_NONE, -1};
  covers(&r, "transport.starttls.", schema_sum_starttls, SUM_TLS_COUNT, tls_engaged_skip);
  covers(&r, "transport.no_engaged.", schema_sum_starttls, SUM_TLS_COUNT, tls_none_skip);
  covers(&r, "transport.address_outcome.", schema_smtp_outcome, SMTP_OUTCOME_COUNT, none);
  /* DANE adoption has no "inconclusive" (no address engaged); where none engaged, DANE
   * is inconclusive, or decided by DNS alone (invalid, none), never valid or partial. */
  static const int dane_engaged_skip[] = {SUM_DANE_INCONCLUSIVE, -1};
  static const int dane_none_skip[] = {SUM_DANE_VALID, SUM_DANE_PARTIAL, -1};
  covers(&r, "dnssec.domain.", schema_dnssec, DNSSEC_STATE_COUNT, none);
  covers(&r, "dnssec.mx_host.", schema_dnssec, DNSSEC_STATE_COUNT, none);
  covers(&r, "dane.summary.", schema_sum_dane, SUM_DANE_COUNT, dane_engaged_skip);
  covers(&r, "dane.no_engaged.", schema_sum_dane, SUM_DANE_COUNT, dane_none_skip);
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
  subset_ok(figures_starttls, FIGURES_STARTTLS_N, SUM_TLS_COUNT);
  subset_ok(figures_no_engaged, FIGURES_NO_ENGAGED_N, SUM_TLS_COUNT);
  subset_ok(figures_dane, FIGURES_DANE_N, SUM_DANE_COUNT);
  subset_ok(figures_dane_no_engaged, FIGURES_DANE_NO_ENGAGED_N, SUM_DANE_COUNT);
  subset_ok(figures_outcome, FIGURES_OUTCOME_N, SMTP_OUTCOME_COUNT);
  /* The two STARTTLS lists partition the enum. */
  CHECK_INT(FIGURES_STARTTLS_N + FIGURES_NO_ENGAGED_N, SUM_TLS_COUNT);
  for (int i = 0; i < FIGURES_STARTTLS_N; i++)
    for (int j = 0; j < FIGURES_NO_ENGAGED_N; j++) CHECK(figures_starttls[i] != figures_no_engaged[j]);
  CHECK_INT(FIGURES_DANE_N + 1, SUM_DANE_COUNT);          /* + inconclusive */
  CHECK_INT(FIGURES_OUTCOME_N, SMTP_OUTCOME_COUNT);
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
  /* Issue 19: a domain whose only MX refused (DANE published: inconclusive), and one with
   * an engaged address on one operator and a lost one on another. */
  add(&s, "{\"" RK_DOMAIN "\":\"x.example\",\"" RK_STATUS "\":\"ok\",\"" RK_MX "\":[{\""
          RK_HOST "\":\"mx.x.example\",\"" RK_ADDRESSES "\":[{\"" RK_IP "\":\"192.0.2.1\",\""
          RK_SMTP "\":{\"" RK_OUTCOME "\":\"refused\"}}]}],\"" RK_SUMMARY "\":{\"" RK_STARTTLS
          "\":\"refused\",\"" RK_DANE "\":\"inconclusive\",\"" RK_INCONCLUSIVE "\":1}}");
  add(&s, "{\"" RK_DOMAIN "\":\"y.example\",\"" RK_STATUS "\":\"ok\",\"" RK_MX "\":[{\""
          RK_HOST "\":\"mx.y.example\",\"" RK_ADDRESSES "\":[{\"" RK_IP "\":\"192.0.2.2\",\""
          RK_SMTP "\":{\"" RK_OUTCOME "\":\"engaged\",\"" RK_STARTTLS "\":\"offered\"}}]},{\""
          RK_HOST "\":\"mx.z.example\",\"" RK_ADDRESSES "\":[{\"" RK_IP "\":\"192.0.2.3\",\""
          RK_SMTP "\":{\"" RK_OUTCOME "\":\"lost\"}}]}],\"" RK_SUMMARY "\":{\"" RK_STARTTLS
          "\":\"all\",\"" RK_DANE "\":\"none\",\"" RK_INCONCLUSIVE "\":1}}");
  /* not ok: only counted in the population */
  add(&s, "{\"" RK_DOMAIN "\":\"n.example\",\"" RK_STATUS "\":\"nxdomain\",\"" RK_SUMMARY
          "\":{\"" RK_STARTTLS "\":\"all\"}}");
  stats_finish(&s);
  memset(&r, 0, sizeof r);
  figures_build(&r, &s, NULL, 20);

  /* Each host's state has its figure, in the order the report has always shown; none
   * falls into the "other values" after the listed ones (figures.c's list and stats.c's
   * names agree). "none": the nxdomain TLSA answer and the hosts of e, x and y.example,
   * which have no TLSA object. */
  size_t first = r.nfig, listed = 0;
  for (size_t i = 0; i < r.nfig; i++) {
    if (strncmp(r.fig[i].key, "dane.host_tlsa.", 15) != 0) continue;
    if (first == r.nfig) first = i;
    listed++;
  }
  CHECK_INT(listed, 5);
  static const char *const states[] = {"secure", "insecure", "bogus", "error", "none"};
  static const uint64_t counts[] = {1, 1, 1, 1, 5};
  for (size_t i = 0; i < 5 && first + i < r.nfig; i++) {
    CHECK_STR(r.fig[first + i].key + 15, states[i]);
    CHECK_INT(r.fig[first + i].count, counts[i]);
  }
  const struct figure *f = fig(&r, "dane.tlsa_mx.", stats_tlsa_mx[TLSA_MX_ALL]);
  CHECK(f && f->count == 1);                    /* the secure host's domain */
  f = fig(&r, "dane.tlsa_mx.", stats_tlsa_mx[TLSA_MX_NONE]);
  CHECK(f && f->count == 7);
  f = report_find(&r, "population.ok");
  CHECK(f && f->count == 8);
  f = report_find(&r, "population.receives_mail");
  CHECK(f && f->count == 2);                    /* "some", y's "all"; not the nxdomain's */
  /* x.example: refused, so nowhere in the adoption figures, but among the others */
  f = fig(&r, "transport.no_engaged.", sum_starttls_name(SUM_TLS_REFUSED));
  CHECK(f && f->count == 1 && f->denom == 8);
  f = fig(&r, "transport.starttls.", sum_starttls_name(SUM_TLS_ALL));
  CHECK(f && f->count == 1 && f->denom == 2);
  f = fig(&r, "dane.no_engaged.", sum_dane_name(SUM_DANE_INCONCLUSIVE));
  CHECK(f && f->count == 1 && f->denom == 8);
  f = fig(&r, "dane.summary.", sum_dane_name(SUM_DANE_VALID));
  CHECK(f && f->count == 1 && f->denom == 2);
  CHECK(fig(&r, "dane.summary.", sum_dane_name(SUM_DANE_INCONCLUSIVE)) == NULL);
  CHECK(fig(&r, "transport.starttls.", sum_starttls_name(SUM_TLS_REFUSED)) == NULL);
  f = report_find(&r, "transport.some_inconclusive");
  CHECK(f && f->count == 2 && f->denom == 8);
  static const enum smtp_outcome outs[] = {SMTP_OUTCOME_REFUSED, SMTP_OUTCOME_ENGAGED,
                                           SMTP_OUTCOME_LOST};
  for (size_t i = 0; i < 3; i++) {
    f = fig(&r, "transport.address_outcome.", smtp_outcome_name(outs[i]));
    CHECK(f && f->count == 1 && f->denom == 3);
  }
  f = report_find(&r, "mta_sts.txt_present");
  CHECK(f && f->count == 1);
  f = fig(&r, "mta_sts.mode.", sts_mode_name(MTASTS_MODE_ENFORCE));
  CHECK(f && f->count == 1);
  CHECK_INT(r.nops, 9);
  int seen = 0;
  for (size_t i = 0; i < r.nops; i++) {
    const uint64_t *v = r.ops[i].v;
    if (strcmp(r.ops[i].name, "mx.e.example") == 0) {  /* no PSL: the host */
      seen++;
      CHECK_INT(v[OP_DOMAINS], 1);
      CHECK_INT(v[OP_ENGAGED], 1);              /* "some": an address engaged */
      CHECK_INT(v[OP_TLS_ALL], 0);              /* STARTTLS "some", not "all" */
      CHECK_INT(v[OP_DANE_VALID], 1);
      CHECK_INT(v[OP_STS_VALID], 1);
      CHECK_INT(v[OP_STS_ENFORCE], 1);
      CHECK_INT(v[OP_REFUSED] + v[OP_LOST], 0);
    } else if (strcmp(r.ops[i].name, "mx.x.example") == 0) {
      seen++;
      CHECK_INT(v[OP_ENGAGED], 0);
      CHECK_INT(v[OP_REFUSED], 1);
      CHECK_INT(v[OP_LOST], 0);
    } else if (strcmp(r.ops[i].name, "mx.y.example") == 0) {  /* its host engaged */
      seen++;
      CHECK_INT(v[OP_ENGAGED], 1);
      CHECK_INT(v[OP_TLS_ALL], 1);
      CHECK_INT(v[OP_LOST], 0);
    } else if (strcmp(r.ops[i].name, "mx.z.example") == 0) {  /* y's other MX: lost */
      seen++;
      CHECK_INT(v[OP_ENGAGED], 1);              /* the domain's, any operator's address */
      CHECK_INT(v[OP_LOST], 1);
      CHECK_INT(v[OP_REFUSED], 0);
    }
  }
  CHECK_INT(seen, 4);
  figures_free(&r);
  stats_free(&s);
}

int main(void) {
  empty_report_covers_schema();
  derived_values_land_on_listed_figures();
  TEST_MAIN_END();
}
