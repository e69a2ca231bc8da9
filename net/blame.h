/* Whose fault a failed DNS answer may be (issue 17 item 5): the one decision that sends an
 * answer through net/dns.c's trust-anchor health machinery or straight to its caller, the
 * same for the libunbound modes and the trusted mode (net/stub.c). A pure function, so
 * that every branch has a unit test (tests/unit/test_blame.c); why it decides as it does
 * is in net/blame.c. */
#ifndef MXS_NET_BLAME_H
#define MXS_NET_BLAME_H
#include <stdbool.h>

enum dns_blame {
  DNS_BLAME_NONE = 0,   /* not a failure (NOERROR, NXDOMAIN): delivered as it is */
  DNS_BLAME_CHECK,      /* may be the resolver's: held until a check begun after it says */
  DNS_BLAME_OURS,       /* our own failure (no socket, a library error): delivered, no check */
};

/* One answer, or its absence, as net/dns.c saw it. */
typedef struct dns_failure {
  bool answered;        /* false: the deadline (--timeout-dns) passed without an answer */
  bool local_error;     /* libunbound's own error (ub_resolve's err, no result) */
  bool sock_failed;     /* libunbound could not open a socket while it held the query */
  int rcode;            /* the answer's (2 SERVFAIL, 5 REFUSED, ...) when answered */
  bool bogus;           /* libunbound: validation failed; trusted: SERVFAIL with a DNSSEC EDE
                         * (the EDE's code itself does not decide: net/blame.c says why) */
} dns_failure_t;

enum dns_blame dns_blame(const dns_failure_t *f);
/* "none", "check", "ours": for tests and messages. */
const char *dns_blame_name(enum dns_blame b);

#endif
