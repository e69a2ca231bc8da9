/* From merged counters to the ordered list of figures every renderer shows. */
#ifndef MXS_REPORT_FIGURES_H
#define MXS_REPORT_FIGURES_H

#include "report/report.h"
#include "report/stats.h"

/* old may be NULL (no --compare). top: rows of the operator table. */
void figures_build(struct report *r, const struct stats *now, const struct stats *old, size_t top);
void figures_free(struct report *r);

#endif
