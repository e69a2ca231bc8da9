/* net/blame.c, branch by branch: which failed answers wait for a trust anchor check
 * (issue 17 item 5) in every mode. The trusted mode's rows are those of its stub: a
 * SERVFAIL with a DNSSEC EDE arrives as bogus, any other SERVFAIL or error rcode as not. */
#include "net/blame.h"
#include "testlib.h"

static enum dns_blame b(bool answered, bool local_error, bool sock_failed, int rcode, bool bogus) {
  dns_failure_t f = {.answered = answered, .local_error = local_error, .sock_failed = sock_failed,
                     .rcode = rcode, .bogus = bogus};
  return dns_blame(&f);
}

int main(void) {
  /* answers: delivered at once, secure or not */
  CHECK_INT(b(true, false, false, 0, false), DNS_BLAME_NONE);      /* NOERROR */
  CHECK_INT(b(true, false, false, 3, false), DNS_BLAME_NONE);      /* NXDOMAIN */
  /* bogus: the domain's broken chain, or the resolver's lost root key: a check says */
  CHECK_INT(b(true, false, false, 2, true), DNS_BLAME_CHECK);      /* SERVFAIL + EDE 6/9/10 */
  CHECK_INT(b(true, false, false, 0, true), DNS_BLAME_CHECK);      /* libunbound: bogus NOERROR */
  CHECK_INT(b(true, false, false, 3, true), DNS_BLAME_CHECK);
  /* error rcodes without a DNSSEC verdict: SERVFAIL (no EDE, EDE 22/23/14), REFUSED, ... */
  for (int rc = 1; rc < 24; rc++)
    if (rc != 3) CHECK_INT(b(true, false, false, rc, false), DNS_BLAME_CHECK);
  CHECK_INT(b(true, false, false, -1, false), DNS_BLAME_CHECK);    /* nonsense: not an answer */
  /* silence: the resolver gone, or the domain lame */
  CHECK_INT(b(false, false, false, 0, false), DNS_BLAME_CHECK);
  /* ours: no socket (libunbound's fd budget) wins over everything, and a library error */
  CHECK_INT(b(false, false, true, 0, false), DNS_BLAME_OURS);
  CHECK_INT(b(true, false, true, 2, false), DNS_BLAME_OURS);
  CHECK_INT(b(true, false, true, 2, true), DNS_BLAME_OURS);
  CHECK_INT(b(true, true, false, 0, false), DNS_BLAME_OURS);
  CHECK_INT(b(true, true, false, 2, false), DNS_BLAME_OURS);
  CHECK_STR(dns_blame_name(DNS_BLAME_NONE), "none");
  CHECK_STR(dns_blame_name(DNS_BLAME_CHECK), "check");
  CHECK_STR(dns_blame_name(DNS_BLAME_OURS), "ours");
  TEST_MAIN_END();
}
