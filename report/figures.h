/* From merged counters to the ordered list of figures every renderer shows. */
#ifndef MXS_REPORT_FIGURES_H
#define MXS_REPORT_FIGURES_H

#include "report/report.h"
#include "report/stats.h"

/* The enum values (record/schema.h) each distribution over a record enum lists, in
 * display order, where that is not simply every value in enum order; exported for the
 * test that the lists cover the schema (tests/unit/test_report_schema.c). */
#define FIGURES_STATUS_N 5
#define FIGURES_STS_N 6
#define FIGURES_STS_MODE_N 3
#define FIGURES_RPT_N 4
extern const int figures_status[FIGURES_STATUS_N];     /* enum job_status */
extern const int figures_sts[FIGURES_STS_N];           /* enum sts_status */
extern const int figures_sts_mode[FIGURES_STS_MODE_N]; /* enum mtasts_mode */
extern const int figures_rpt[FIGURES_RPT_N];           /* enum tlsrpt_status */

/* old may be NULL (no --compare). top: rows of the operator table. */
void figures_build(struct report *r, const struct stats *now, const struct stats *old, size_t top);
void figures_free(struct report *r);

#endif
