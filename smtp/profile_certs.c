/* The certs phase of the TLS profile (smtp/profile_plan.h). Not built yet: the phase plans
 * no step, so a profile has none of its fields. */
#include "smtp/profile_plan.h"

static bool certs_next(profile_run_t *run, pstep_t *s) {
  (void)run;
  (void)s;
  return false;
}

static void certs_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r) {
  (void)run;
  (void)s;
  (void)r;
}

const profile_phase_ops_t profile_phase_certs = {certs_next, certs_consume, NULL};
