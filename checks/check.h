/* Checks: what mxsurvey judges about a domain, one module per question.
 *
 * Shaped like ZMap's probe modules and Knot Resolver's layers: a check is a small struct
 * of callbacks, and the pipeline knows nothing of any check but this table. For each
 * domain that can receive mail (status ok after the MX stage, or dns-error/no-mail for
 * the checks that look at every domain), the pipeline calls every check's begin() once;
 * when the domain's observations are complete it calls every finish() in table order.
 *
 *   begin(j)   starts the check's own lookups (a TXT record, a policy fetch) and returns
 *              true when it did: the check's bit is then set in j->checks_waiting until
 *              the check calls check_done(j, id) from its last callback. NULL: nothing
 *              to look up (the check only judges).
 *   after(j)   (issue 16) called once when every host is done and no check waits any
 *              more, before any finish(): the observations are complete, so a check can
 *              start lookups that depend on them (the DNSKEY sets of the zones whose
 *              signatures the answers carried). Returns true when it started one, with
 *              the same bit and check_done contract as begin(). NULL: nothing to do.
 *   finish(j)  computes the check's verdicts into the model from the observations and
 *              the verdicts of the checks before it in the table (sender needs dane and
 *              mta_sts). Pure: no I/O, no allocation that can fail, no record writing.
 *
 * Adding a check: one file with its struct check, one entry in checks/checks.c, its
 * unit tests (docs/architecture.md, "How to add a check"). */
#ifndef MXS_CHECKS_CHECK_H
#define MXS_CHECKS_CHECK_H
#include "model/job.h"

enum check_id { CHECK_TLSRPT, CHECK_MTASTS, CHECK_CONTACT, CHECK_ZONEKEYS, CHECK_DANE,
                CHECK_ROLLOVER, CHECK_TLS_GRADE, CHECK_SUMMARY, CHECK_OUTLOOK, CHECK_SENDER,
                CHECK_CNCS, CHECK_COUNT };

typedef struct check {
  const char *name;
  enum check_id id;
  bool (*begin)(job_t *j);
  bool (*after)(job_t *j);
  void (*finish)(job_t *j);
} check_t;

extern const check_t check_tlsrpt, check_mtasts, check_contact, check_zonekeys, check_dane,
    check_rollover, check_tls_grade, check_summary, check_outlook, check_sender, check_cncs;

/* The table, in finish order. */
extern const check_t *const checks_table[CHECK_COUNT];

/* Starts every check's lookups for a domain that receives mail. */
void checks_begin(job_t *j);
/* Starts every check's after() lookups (job_advance, once per job). */
void checks_after(job_t *j);
/* Runs every finish() in table order: the job's verdicts. */
void checks_finish(job_t *j);
/* A check's lookups are over: clears its bit and lets the job advance. */
void check_done(job_t *j, enum check_id id);

#endif
