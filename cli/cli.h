/* The command line's parts, for cli/main.c (dispatch) and the tests: each subcommand has
 * one option table (cli/scan_opts.c, cli/report_opts.c) from which its parse, defaults,
 * --help and docs/options.md are made (cli/opt.h), and one entry point. */
#ifndef MXS_CLI_CLI_H
#define MXS_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/opt.h"
#include "report/report.h"
#include "report/figures.h"
#include "scan/scan.h"

#define SCAN_RESOLVERS_MAX 16   /* --resolver given at most this often */
#define TRUST_ANCHOR_MIB 1      /* bound of the --trust-anchor file (a root.key is 2 KB) */
#define CA_FILE_MIB 64          /* bound of the --ca-file (the system bundle is 200 KB) */

/* A file the scan reads before it starts, which the output must not be. */
typedef struct named_file {
  const char *what, *path;
} named_file_t;

/* What the scan table parses into: the scan's config and what the command line keeps for
 * it (the lists the config points to, the files read, the operands). */
typedef struct scan_cli {
  scan_config_t cfg;
  const char *resolvers[SCAN_RESOLVERS_MAX];
  size_t nres;
  bool resolver_validates;    /* --resolver-validates: DNS_MODE_TRUSTED (issue 17) */
  bool max_set;               /* --max-probes given: not derived from the fd limit */
  addrpolicy_t *policy;       /* --allow; owned by cli_scan_main */
  exclude_t *exclude;         /* --exclude-file, loaded while parsing (before any query) */
  named_file_t *reads;        /* room for argc + 3 */
  size_t nreads;
  const char *input;          /* the first operand; NULL: standard input */
  int noperands;
} scan_cli_t;

/* What the report table parses into. */
typedef struct report_cli {
  struct report_request q;
  struct report r;            /* inputs, old_inputs (room for argc each), options text */
  int in_compare;             /* file names now go to the previous scan */
  size_t olen;
} report_cli_t;

extern const opt_spec_t scan_spec, report_spec, explain_spec;

int cli_scan_main(int argc, char **argv);     /* argv[0] is "scan" */
int cli_report_main(int argc, char **argv);   /* argv[0] is "report" */
int cli_explain_main(int argc, char **argv);  /* argv[0] is "explain" */

#endif
