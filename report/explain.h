/* mxsurvey explain: one domain's findings as a person reads them, from a scan's records
 * (docs/usage.md): what fails, what will break and when, the advisory points, what could
 * not be tested and what works, each with what to change, why and the reference
 * (advice.h), in the reader's language (i18n.h). Colour only on a terminal. The command
 * line is cli/explain_opts.c's. */
#ifndef MXS_REPORT_EXPLAIN_H
#define MXS_REPORT_EXPLAIN_H

#include <stdio.h>

struct explain_request {
  const char *file;             /* the scan's records; "-": standard input */
  const char *const *domains;   /* what to explain, in this order */
  size_t ndomains;
  const char *color;            /* "auto", "always" or "never" */
};

/* Whether "auto" colour is on for out: a terminal, TERM set and not "dumb", NO_COLOR
 * unset or empty (https://no-color.org). */
int explain_color_auto(FILE *out);

/* Reads the file and prints each domain on stdout. 0; 1 when a domain is not in the scan
 * or the file cannot be read (said on stderr). */
int explain_run(const struct explain_request *q);

#endif
