/* The table of checks and the three calls the pipeline makes (see check.h). The order is
 * the finish order: a check may read the verdicts of those before it. */
#include "checks/check.h"

const check_t *const checks_table[CHECK_COUNT] = {
  [CHECK_TLSRPT] = &check_tlsrpt,
  [CHECK_MTASTS] = &check_mtasts,
  [CHECK_CONTACT] = &check_contact,
  [CHECK_ZONEKEYS] = &check_zonekeys,
  [CHECK_DANE] = &check_dane,
  [CHECK_ROLLOVER] = &check_rollover,
  [CHECK_TLS_GRADE] = &check_tls_grade,
  [CHECK_SUMMARY] = &check_summary,
  [CHECK_OUTLOOK] = &check_outlook,
  [CHECK_SENDER] = &check_sender,
  [CHECK_CNCS] = &check_cncs,
};

void checks_begin(job_t *j) {
  for (int i = 0; i < CHECK_COUNT; i++) {
    const check_t *c = checks_table[i];
    /* The bit is set before begin(), which may fail synchronously and clear it. */
    if (!c->begin) continue;
    j->checks_waiting |= 1u << c->id;
    if (!c->begin(j)) j->checks_waiting &= ~(1u << c->id);
  }
}

void checks_after(job_t *j) {
  for (int i = 0; i < CHECK_COUNT; i++) {
    const check_t *c = checks_table[i];
    if (!c->after) continue;
    j->checks_waiting |= 1u << c->id;
    if (!c->after(j)) j->checks_waiting &= ~(1u << c->id);
  }
}

void checks_finish(job_t *j) {
  for (int i = 0; i < CHECK_COUNT; i++)
    if (checks_table[i]->finish) checks_table[i]->finish(j);
}

void check_done(job_t *j, enum check_id id) {
  j->checks_waiting &= ~(1u << id);
  job_advance(j);
}
