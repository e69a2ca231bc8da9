/* Conformity with the CNCS recommendation on STARTTLS and DANE (issue 16), checks/cncs.c:
 * the pure pieces its unit tests call directly. docs/conformity.md maps each check to the
 * text it comes from and states each rule. */
#ifndef MXS_CHECKS_CNCS_H
#define MXS_CHECKS_CNCS_H
#include "model/job.h"
#include "checks/san.h"   /* cncs_san_match */

/* Does the certificate name host in a SAN (no CN fallback)? 1 yes, 0 no, -1 unknown (no
 * SAN matched but the certificate had more SANs than were kept). */
int cncs_cert_names(const tls_cert_info_t *c, const char *host);

/* Every check of cncs_t for a job of status ok (out->have false otherwise), from the
 * observations and the verdicts of the checks before it in the table. */
void cncs_compute(const job_t *j, cncs_t *out);

#endif
