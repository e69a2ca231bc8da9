/* mxsurvey report: statistics over scan outputs (see docs/report.md).
 * report_run() is the whole subcommand once cli/report_opts.c has parsed its command line
 * into a report_request and the report's inputs. The figure model the renderers share is
 * figures.h, the renderers render.h: kept apart from this header so that report.c can
 * include them while they need nothing of it. */
#ifndef MXS_REPORT_REPORT_H
#define MXS_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What the command line asks for (the defaults are cli/report_opts.c's table). */
struct report_request {
  const char *format;     /* "md", "csv" or "json" */
  const char *output;     /* NULL or "-": standard output */
  const char *html;       /* NULL: no HTML page */
  const char *notify;     /* NULL: no notification list (report/notify.h) */
  const char *psl_file;
  int top, threads, quiet;
};

#define REPORT_PSL_MIB 64       /* bound of the --psl file (Debian's list is 250 KB) */

struct report;
/* Checks the files (the outputs are none of the inputs, a bounded PSL), reads the scans
 * and writes the report. r holds the inputs (owned by the caller) and the options text.
 * Returns the exit status: 0, 1 (a file or data error), 2 (an output is an input). */
int report_run(const struct report_request *q, struct report *r);

#endif
