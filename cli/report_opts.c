/* The report subcommand's option table and its command line: every option of `mxsurvey
 * report` with its help text, default and bounds (cli/opt.h makes the parse, the defaults,
 * --help and docs/options.md from it), the file names (after --compare: the previous
 * scan's), the checks between options, and the options text the report shows in its
 * metadata. The work is report/'s (report_run). */
#include "cli/cli.h"
#include "report/notify.h"

#include <stdlib.h>
#include <string.h>

#define REQ(member) OPT_AT(report_cli_t, q.member)

/* --compare: the file names that follow, up to the next option, are the previous scan. */
static int start_compare(void *p, const char *v) {
  report_cli_t *c = p;
  (void)v;
  c->in_compare = 1;
  c->r.compare = 1;
  return 0;
}

static int operand(void *p, const char *arg) {
  report_cli_t *c = p;
  struct input_file *f = c->in_compare ? &c->r.old_inputs[c->r.nold++] : &c->r.inputs[c->r.ninputs++];
  f->path = arg;
  return 0;
}

/* Every option but --compare ends the old scan's file list, and goes, as given, into the
 * report's metadata (the file names are listed apart). */
static void seen(void *p, const opt_t *o, char **argv, int from, int to) {
  report_cli_t *c = p;
  if (o->hook == start_compare) return;
  c->in_compare = 0;
  char *opts = c->r.options;
  size_t cap = sizeof c->r.options;
  for (int k = from; k <= to && c->olen < cap - 1; k++) {
    int n = snprintf(opts + c->olen, cap - c->olen, "%s%s", c->olen ? " " : "", argv[k]);
    if (n > 0) c->olen += (size_t)n;
  }
  if (c->olen >= cap) c->olen = cap - 1;
}

static const char *const formats[] = {"md", "csv", "json", NULL};

static const opt_t report_opts[] = {
  {.kind = OPT_SECTION, .name = "Options"},
  {.kind = OPT_CHOICE, .name = "format", .arg = "md|csv|json", REQ(format), .choices = formats,
   .help = "output format", .def = "md", .more = "All three carry the same numbers."},
  {.kind = OPT_STRING, .name = "output", .short_name = 'o', .arg = "FILE", REQ(output),
   .help = "where the report goes", .def_doc = "standard output",
   .more = "Never one of the files read (the same inode: a usage error, exit 2)."},
  {.kind = OPT_STRING, .name = "html", .arg = "FILE", REQ(html),
   .help = "also write a self-contained HTML page", .more = "Never one of the files read either."},
  {.kind = OPT_STRING, .name = "notify", .arg = "FILE", REQ(notify),
   .help = "also write the notification list: one row per operator, domain and failing "
           "CNCS check or outlook warning, with what to change and whom to write to",
   .more = "CSV (RFC 4180) when FILE ends in .csv, JSON lines when it ends in .jsonl or "
           ".ndjson; any other name is a usage error (exit 2). The texts follow LANG (English, "
           "Portuguese); columns in docs/report.md. Reads the scan's files a second time, so "
           "standard input (-) cannot be one of them."},
  {.kind = OPT_HOOK, .name = "compare", .arg = "OLD...", .operands = 1, .hook = start_compare,
   .help = "the previous scan: every file name after it, up to the next option, is part of the "
           "old scan; adds previous values, changes and the domains whose DANE or MTA-STS state "
           "changed"},
  {.kind = OPT_UINT, .name = "top", .arg = "N", REQ(top), .lo = 1, .hi = 100000,
   .help = "rows of the operator table", .def = "20"},
  {.kind = OPT_STRING, .name = "psl", .arg = "FILE", REQ(psl_file),
   .help = "Public Suffix List", .def = "/usr/share/publicsuffix/public_suffix_list.dat",
   .more = "A regular file of at most " OPT_STR(REPORT_PSL_MIB) " MiB."},
  {.kind = OPT_UINT, .name = "threads", .arg = "N", REQ(threads), .lo = 1, .hi = 64,
   .help = "JSON parser threads", .def = "2"},
  {.kind = OPT_SET, .name = "quiet", .short_name = 'q', REQ(quiet), .help = "no timing line on stderr"},
  {.kind = OPT_HELP, .name = "help", .short_name = 'h', .help = "this text"},
  {.kind = OPT_END},
};

const opt_spec_t report_spec = {
  .prog = "mxsurvey report",
  .style = OPT_EXACT,
  .synopsis =
    "usage: mxsurvey report [OPTIONS] FILE... [--compare OLD...]\n"
    "\n"
    "Statistics over scan outputs (zstd or plain NDJSON; several files are one scan split\n"
    "into shards): population, STARTTLS and TLS, certificates, DNSSEC, DANE, MTA-STS and\n"
    "TLS-RPT, what a sender would do, and the MX operators serving most domains.\n",
  .col = 28,
  .opts = report_opts,
  .operand = operand,
  .seen = seen,
};

static int report_with(report_cli_t *c, int argc, char **argv) {
  int r = opt_parse(&report_spec, argc, argv, c);
  if (r == OPT_R_HELP) { opt_usage(&report_spec, stdout); return 0; }
  if (r != OPT_R_OK) return 2;
  if (c->r.ninputs == 0) {
    fprintf(stderr, "mxsurvey report: no input files (see mxsurvey report --help)\n");
    return 2;
  }
  if (c->q.notify && notify_format_of(c->q.notify) < 0) {
    fprintf(stderr, "mxsurvey report: --notify %s: the name must end in .csv, .jsonl or .ndjson\n",
            c->q.notify);
    return 2;
  }
  for (size_t i = 0; c->q.notify && i < c->r.ninputs; i++)
    if (strcmp(c->r.inputs[i].path, "-") == 0) {
      fprintf(stderr, "mxsurvey report: --notify reads the files twice: standard input cannot be one\n");
      return 2;
    }
  if (c->r.compare && c->r.nold == 0) {
    fprintf(stderr, "mxsurvey report: --compare needs the previous scan's files\n");
    return 2;
  }
  return report_run(&c->q, &c->r);
}

int cli_report_main(int argc, char **argv) {
  report_cli_t c;
  memset(&c, 0, sizeof c);
  opt_defaults(&report_spec, &c);
  c.r.inputs = calloc((size_t)argc, sizeof *c.r.inputs);
  c.r.old_inputs = calloc((size_t)argc, sizeof *c.r.old_inputs);
  if (!c.r.inputs || !c.r.old_inputs) abort();
  int rc = report_with(&c, argc, argv);
  free(c.r.inputs);
  free(c.r.old_inputs);
  return rc;
}
