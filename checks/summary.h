/* The domain's summary (checks/summary.c). */
#ifndef MXS_CHECKS_SUMMARY_H
#define MXS_CHECKS_SUMMARY_H
#include "model/job.h"

/* Pure: from the observations and the addresses' DANE verdicts (check_dane runs first). */
summary_t summary_compute(const job_t *j);

#endif
