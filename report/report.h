/* mxsurvey report: statistics over scan outputs (see README "Statistics: mxsurvey report").
 * report_run() is the whole subcommand once cli/report_opts.c has parsed its command line
 * into a report_request and the report's inputs; the rest of this header is the figure
 * model the renderers share: every number is a figure with a count and a denominator, grouped in
 * sections, plus the operator table and, with --compare, the previous values and the
 * domains whose DANE or MTA-STS state changed. */
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
  const char *psl_file;
  int top, threads, quiet;
};

#define REPORT_PSL_MIB 64       /* bound of the --psl file (Debian's list is 250 KB) */

struct report;
/* Checks the files (the outputs are none of the inputs, a bounded PSL), reads the scans
 * and writes the report. r holds the inputs (owned by the caller) and the options text.
 * Returns the exit status: 0, 1 (a file or data error), 2 (an output is an input). */
int report_run(const struct report_request *q, struct report *r);

struct figure {
  const char *section;  /* static: "population", "transport", ... */
  char key[160];        /* stable identifier, e.g. "transport.starttls.all" */
  char label[200];      /* human text */
  uint64_t count, denom;
  int has_denom;        /* 0: a plain count, no share */
  int has_prev;         /* --compare: previous values below are set */
  uint64_t prev_count, prev_denom;
};

struct operator_row {
  char name[256];
  uint64_t v[5];      /* domains, STARTTLS all, DANE valid, MTA-STS valid, MTA-STS enforce */
  int has_prev;
  uint64_t prev[5];
};

struct change_row {
  const char *kind;   /* "dane.adopted", "dane.broken", "mta_sts.adopted", "mta_sts.broken" */
  char domain[256];
  char transition[200]; /* "none -> valid" */
};

struct input_file {
  const char *path;
  uint64_t bytes, records;
};

struct report {
  struct figure *fig;
  size_t nfig, capfig;
  struct operator_row *ops;
  size_t nops, ops_total;
  struct change_row *chg;
  size_t nchg;
  int compare;
  /* metadata */
  struct input_file *inputs, *old_inputs;
  size_t ninputs, nold;
  char first_scan[32], last_scan[32], prev_first_scan[32], prev_last_scan[32];
  char generated_at[32];
  char options[512];
  uint64_t warnings;
};

struct section_info {
  const char *id, *title;
};
extern const struct section_info report_sections[];  /* NULL-terminated, in display order */

/* share in percent, or -1 when there is no denominator */
double figure_share(uint64_t count, uint64_t denom, int has_denom);
const struct figure *report_find(const struct report *r, const char *key);

void render_md(const struct report *r, FILE *out);
void render_csv(const struct report *r, FILE *out);
void render_json(const struct report *r, FILE *out);
void render_html(const struct report *r, FILE *out);

#endif
