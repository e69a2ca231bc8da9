/* PLACEHOLDER (issue 16 contract commit): the check "soa_rname" is being built on a branch;
 * until it lands it does nothing. See model/ops.h and checks/check.h. */
#include "checks/check.h"

const check_t check_contact = {"soa_rname", CHECK_CONTACT, NULL, NULL, NULL};
