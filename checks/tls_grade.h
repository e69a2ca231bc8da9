/* The TLS grade of a profiled address (issue 15), checks/tls_grade.c. */
#ifndef MXS_CHECKS_TLS_GRADE_H
#define MXS_CHECKS_TLS_GRADE_H
#include "model/job.h"

/* Pure: the grade of an address from its profile and the main probe's observation (its
 * certificate). out->have is false when the profile was not made or accepted no version. */
void tls_grade_compute(const profile_result_t *p, const smtp_result_t *main_probe,
                       tls_grade_t *out);

#endif
