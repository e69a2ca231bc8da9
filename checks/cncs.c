/* PLACEHOLDER (issue 16 contract commit): the check "conformity" is being built on a branch;
 * until it lands it does nothing. See model/ops.h and checks/check.h. */
#include "checks/check.h"

const check_t check_cncs = {"conformity", CHECK_CNCS, NULL, NULL, NULL};
