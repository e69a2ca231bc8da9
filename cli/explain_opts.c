/* The explain subcommand's option table and command line (cli/opt.h makes the parse,
 * --help and docs/options.md from it). The operands are [FILE] DOMAIN...: with two or more
 * the first is the scan's records ("-": standard input); with one, it is the domain and the
 * records come from standard input (`zstdcat scan.ndjson.zst | mxsurvey explain x.pt`
 * needs no "-"). The work is report/explain.c's. */
#include "cli/cli.h"
#include "report/explain.h"
#include "report/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct explain_cli {
  struct explain_request q;
  const char **operands;      /* room for argc */
  size_t n;
} explain_cli_t;

static int operand(void *p, const char *arg) {
  explain_cli_t *c = p;
  c->operands[c->n++] = arg;
  return 0;
}

static const char *const colours[] = {"auto", "always", "never", NULL};

static const opt_t explain_opts[] = {
  {.kind = OPT_SECTION, .name = "Options"},
  {.kind = OPT_CHOICE, .name = "color", .arg = "auto|always|never",
   OPT_AT(explain_cli_t, q.color), .choices = colours, .def = "auto",
   .help = "ANSI colour in the output",
   .more = "auto: only when standard output is a terminal, TERM is set and not dumb, and "
           "NO_COLOR is unset or empty."},
  {.kind = OPT_HELP, .name = "help", .short_name = 'h', .help = "this text"},
  {.kind = OPT_END},
};

const opt_spec_t explain_spec = {
  .prog = "mxsurvey explain",
  .style = OPT_EXACT,
  .synopsis =
    "usage: mxsurvey explain [OPTIONS] [FILE] DOMAIN...\n"
    "\n"
    "Each domain's findings from a scan's records (zstd or plain NDJSON), as a person reads\n"
    "them: what fails the CNCS recommendation, what will break before the horizon and when,\n"
    "the advisory points, what could not be tested and what works, each with what to change,\n"
    "why and the reference. With two or more operands the first is FILE (- for standard\n"
    "input); with one, the records come from standard input. The texts follow LANG,\n"
    "LC_MESSAGES, LC_ALL and LANGUAGE (English; pt_PT: Portuguese).\n",
  .col = 36,
  .opts = explain_opts,
  .operand = operand,
};

int cli_explain_main(int argc, char **argv) {
  i18n_init();
  explain_cli_t c;
  memset(&c, 0, sizeof c);
  opt_defaults(&explain_spec, &c);
  c.operands = calloc((size_t)argc + 1, sizeof *c.operands);
  if (!c.operands) abort();
  int rc = opt_parse(&explain_spec, argc, argv, &c);
  if (rc == OPT_R_HELP) {
    opt_usage(&explain_spec, stdout);
    rc = 0;
  } else if (rc != OPT_R_OK) {
    rc = 2;
  } else if (c.n == 0) {
    fprintf(stderr, "mxsurvey explain: no domain (see mxsurvey explain --help)\n");
    rc = 2;
  } else if (c.n == 1 && isatty(STDIN_FILENO)) {
    fprintf(stderr, "mxsurvey explain: the records are read from standard input, which is a "
            "terminal: give the scan's file first (mxsurvey explain FILE %s)\n", c.operands[0]);
    rc = 2;
  } else {
    c.q.file = c.n == 1 ? "-" : c.operands[0];
    c.q.domains = c.n == 1 ? c.operands : c.operands + 1;
    c.q.ndomains = c.n == 1 ? 1 : c.n - 1;
    rc = explain_run(&c.q);
  }
  free(c.operands);
  return rc;
}
