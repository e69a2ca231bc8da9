/* What a sender would do (checks/sender.c). */
#ifndef MXS_CHECKS_SENDER_H
#define MXS_CHECKS_SENDER_H
#include "model/job.h"

/* RFC 8460 §4.3 result type for a failed authentication, from OpenSSL's verify error. */
enum result_type sender_verify_result_type(const char *err);
/* One MX host as a sender with policy pol sees it: 1 delivers authenticated, 2 delivers
 * unauthenticated, 0 fails (*why set), -1 not reachable (the sender tries the next). */
int sender_host_outcome(const job_t *j, const host_t *h, enum policy_kind pol, enum result_type *why);
/* The verdict of a sender with policy pol for the whole domain. Pure; reads the
 * addresses' DANE verdicts (check_dane runs first) and the MTA-STS policy. */
sender_verdict_t sender_judge(const job_t *j, enum policy_kind pol);

#endif
