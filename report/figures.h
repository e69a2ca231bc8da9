/* The figure model and how it is built: every number is a figure with a count and a
 * denominator, grouped in sections, plus the operator table and, with --compare, the
 * previous values and the domains whose DANE or MTA-STS state changed. figures_build
 * turns merged counters into the ordered list of figures every renderer shows. */
#ifndef MXS_REPORT_FIGURES_H
#define MXS_REPORT_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "report/stats.h"  /* enum op_col; only figures_build reads the counters */

struct figure {
  const char *section;  /* static: "population", "transport", ... */
  char key[160];        /* stable identifier, e.g. "transport.starttls.all" */
  char label[200];      /* human text */
  uint64_t count, denom;
  int has_denom;        /* 0: a plain count, no share */
  int has_prev;         /* --compare: previous values below are set */
  uint64_t prev_count, prev_denom;
};

/* The operator table's columns (enum op_col, stats.h): how each is named and shown. */
struct op_column {
  const char *metric;  /* JSON member, CSV key part: "starttls_all" */
  const char *title;   /* table header: "STARTTLS all" */
  int denom;           /* the column its share is over; -1: population.ok (OP_DOMAINS) */
  int profile;         /* a --tls-profile column: shown only when the scan made profiles */
};
extern const struct op_column op_columns[OP_COLS];

struct operator_row {
  char name[256];
  uint64_t v[OP_COLS];  /* enum op_col */
  int has_prev;
  uint64_t prev[OP_COLS];
  /* CNCS conformity of its domains (issue 16): those judged, those conforming, and per
   * check the domains of each result (enum cncs_check, enum cncs_result) */
  uint64_t cncs_domains, cncs_pass;
  uint64_t cncs[CNCS_CHECK_COUNT][CNCS_RESULT_COUNT];
};

struct change_row {
  const char *kind;   /* change_kind_key[] (compare.h): "dane.adopted", ... */
  char domain[256];
  char transition[200]; /* "none -> valid" */
};

struct input_file {
  const char *path;
  uint64_t bytes, records;
};

struct report {
  struct figure *fig;
  size_t nfig, capfig;
  struct operator_row *ops;
  size_t nops, ops_total;
  struct change_row *chg;
  size_t nchg;
  int compare;
  int profiled;         /* the scan (or the previous one) made TLS profiles: the profile's
                           figures, operator columns and change kinds are shown */
  int conformity;       /* some record has conformity.cncs: the operators' conformity table */
  int outlook;          /* some record has summary.outlook: the soonest list */
  int horizon_days;     /* the largest horizon the records show (addresses[].outlook.at) */
  struct soon_row soon[OUTLOOK_SOONEST];  /* the domains whose mail breaks soonest */
  int nsoon;
  /* metadata */
  struct input_file *inputs, *old_inputs;
  size_t ninputs, nold;
  char first_scan[32], last_scan[32], prev_first_scan[32], prev_last_scan[32];
  char generated_at[32];
  char options[512];
  uint64_t warnings;
};

struct section_info {
  const char *id, *title;
};
extern const struct section_info report_sections[];  /* NULL-terminated, in display order */

/* share in percent, or -1 when there is no denominator */
double figure_share(uint64_t count, uint64_t denom, int has_denom);
const struct figure *report_find(const struct report *r, const char *key);
/* Whether the report shows change kind k (enum change_kind, compare.h): the grade's only
 * when a scan made TLS profiles. */
int chg_shown(const struct report *r, int k);
/* Whether the renderers show operator column k (enum op_col). */
static inline int op_shown(const struct report *r, int k) {
  return !op_columns[k].profile || r->profiled;
}

/* The enum values (record/schema.h) each distribution over a record enum lists, in
 * display order, where that is not simply every value in enum order; exported for the
 * test that the lists cover the schema (tests/unit/test_report_schema.c). */
#define FIGURES_STATUS_N 5
#define FIGURES_STS_N 6
#define FIGURES_STS_MODE_N 3
#define FIGURES_RPT_N 4
#define FIGURES_STARTTLS_N 3
#define FIGURES_NO_ENGAGED_N 2
#define FIGURES_DANE_N 4
#define FIGURES_DANE_NO_ENGAGED_N 3
#define FIGURES_OUTCOME_N 5
extern const int figures_status[FIGURES_STATUS_N];     /* enum job_status */
/* summary.starttls of the domains with an engaged MX address (transport.starttls.X) and
 * of those without (transport.no_engaged.X): together every value, each once. */
extern const int figures_starttls[FIGURES_STARTTLS_N];     /* enum sum_starttls */
extern const int figures_no_engaged[FIGURES_NO_ENGAGED_N]; /* enum sum_starttls */
/* summary.dane of the same two sets of domains (dane.summary.X, dane.no_engaged.X). */
extern const int figures_dane[FIGURES_DANE_N];                       /* enum sum_dane */
extern const int figures_dane_no_engaged[FIGURES_DANE_NO_ENGAGED_N]; /* enum sum_dane */
extern const int figures_outcome[FIGURES_OUTCOME_N];   /* enum smtp_outcome */
extern const int figures_sts[FIGURES_STS_N];           /* enum sts_status */
extern const int figures_sts_mode[FIGURES_STS_MODE_N]; /* enum mtasts_mode */
extern const int figures_rpt[FIGURES_RPT_N];           /* enum tlsrpt_status */

/* Building figures, for figures.c and figures_ops.c (issue 16's catalogue). */
struct fig_ctx {
  struct report *r;
  const struct stats *now, *old;
};
/* One figure: key's count, over denom_key's (NULL: a plain count). */
void fig_add(struct fig_ctx *c, const char *section, const char *key, const char *label,
             const char *denom_key);
/* A distribution: every counter under prefix, order's values first (NULL-terminated, shown
 * even when zero), then any other value met, by count. */
void fig_dist(struct fig_ctx *c, const char *section, const char *prefix, const char *label,
              const char *denom_key, const char *const *order);
/* figures_ops.c: the conformity, rollover and outlook sections, the soonest list, and the
 * operators' conformity (after their rows are chosen). */
void figures_ops(struct fig_ctx *c);
/* What each CNCS check asks, in the report's words (enum cncs_check). */
extern const char *const cncs_check_title[CNCS_CHECK_COUNT];
void figures_ops_operators(struct report *r, const struct stats *now);

/* old may be NULL (no --compare). top: rows of the operator table. */
void figures_build(struct report *r, const struct stats *now, const struct stats *old, size_t top);
void figures_free(struct report *r);

#endif
