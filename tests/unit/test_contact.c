/* The contact check's finish (checks/contact.c, issue 16): soa_rname is kept for status
 * ok and dropped otherwise (an implicit MX without address was asked while still ok),
 * freed by job_free either way (ASan build). The RNAME's text itself: test_dnswire_sig. */
#include "checks/check.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

int main(void) {
  job_t *j = fx_job(1);
  j->soa_rname = fx_strdup("host\\046master.example.pt");
  check_contact.finish(j);
  CHECK_STR(j->soa_rname, "host\\046master.example.pt");
  job_free(j);

  j = fx_job(0);
  j->status = JOB_NO_MAIL;
  j->soa_rname = fx_strdup("hostmaster.example.pt");
  check_contact.finish(j);
  CHECK(j->soa_rname == NULL);
  job_free(j);

  j = fx_job(0);                  /* nothing looked up: nothing to drop */
  check_contact.finish(j);
  CHECK(j->soa_rname == NULL);
  CHECK(check_contact.begin != NULL && check_contact.after == NULL);
  job_free(j);
  TEST_MAIN_END();
}
