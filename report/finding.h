/* A domain's findings, read from its record in the order a person reads them: the failing
 * CNCS checks, then the outlook warnings (verdicts valid now that stop being valid before
 * the horizon, earliest first), then the advisory checks that fail, the checks that could
 * not be tested, and what works. Shared by `mxsurvey explain` (all of them) and `mxsurvey
 * report --notify` (the failing and warning ones): both judge a record the same way. The
 * texts for each finding are advice.h's; a finding holds only what the record says. */
#ifndef MXS_REPORT_FINDING_H
#define MXS_REPORT_FINDING_H

#include "report/advice.h"

#include <json-c/json.h>

enum finding_kind {
  FK_FAIL,         /* a CNCS check fails */
  FK_WARN,         /* an outlook warning: breaks before the horizon */
  FK_ADVISORY,     /* an advisory check fails */
  FK_NOT_TESTED,   /* a check the scan could not judge */
  FK_PASS,         /* a check passes */
  FK_NOT_APPLICABLE,
  FK_COUNT
};

#define FINDINGS_MAX 64     /* a record with hundreds of MX hosts: the first ones */

struct finding {
  enum advice_id id;
  enum finding_kind kind;
  const char *detail;      /* the record's words (borrowed from the record), or NULL */
  char host[256];          /* outlook: the MX host concerned; "" for the domain */
  char breaks[32];         /* outlook: the first instant it breaks (RFC 3339), or "" */
};

/* Fills out (cap entries) with rec's findings, sorted as above; returns how many. rec must
 * stay alive while the findings are used (details are its strings). A record without
 * conformity.cncs (another status, an older scanner) gives only its outlook warnings. */
int findings_of(json_object *rec, struct finding *out, int cap);

/* The horizon rec's outlook was judged at (the latest addresses[].outlook.at) into buf
 * (32 bytes): 1, or 0 when the record has none. */
int finding_horizon(json_object *rec, char *buf);

#endif
