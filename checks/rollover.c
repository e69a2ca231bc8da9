/* PLACEHOLDER (issue 16 contract commit): the check "rollover" is being built on a branch;
 * until it lands it does nothing. See model/ops.h and checks/check.h. */
#include "checks/check.h"

const check_t check_rollover = {"rollover", CHECK_ROLLOVER, NULL, NULL, NULL};
