/* The outlook (issue 16): would what works today still work at the horizon (scan time +
 * --horizon days)? Per address, the verdicts of the probe's chain at that time
 * (outlook_fill, from tls_result_outlook's observation); per domain, summary.outlook
 * (the check's finish, checks/outlook.c). */
#ifndef MXS_CHECKS_OUTLOOK_H
#define MXS_CHECKS_OUTLOOK_H
#include "model/job.h"

/* An address's outlook from its verdicts now (t: the probe's judged result) and at the
 * horizon (o: tls_result_outlook of the same chain, names and TLSA input). dane_applies:
 * DANE applied to the judgement now. breaks: the earliest not_after among the
 * certificates whose expiry ends a verdict valid now (only those before o->at); reasons
 * name them ("leaf certificate expires ...", "intermediate CN=... expires ..."), or the
 * error when a verdict ends without a date. Pure. */
void outlook_fill(outlook_t *out, const tls_result_t *t, bool dane_applies,
                  const tls_outlook_t *o);

/* The domain's horizon: the latest of its addresses' outlook times, else scanned_at +
 * env->horizon_days (0 when neither is known). Pure. */
time_t outlook_horizon(const job_t *j);

/* RFC 3339 UTC ("2026-12-07T10:00:00Z") of t into out (>= 21 bytes), "" for 0. */
void outlook_time_str(time_t t, char *out, size_t cap);

#endif
