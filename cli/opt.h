/* Option tables: one table per subcommand says everything about each option (name,
 * argument, help text, default, kind and bounds, where the value goes), and the parser,
 * the defaults, the --help text and docs/options.md are all made from it. So a default or
 * a bound is written once, and the usage text and the documentation cannot drift from the
 * code.
 *
 * A value is stored into a config struct at an offset (OPT_AT) after a strict parse (plain
 * decimals: no sign, blank, hex, exponent, inf or nan; see opt.c); an option that does
 * more (a repeatable list, a check of its own) has a hook. The two subcommands have always
 * read their command lines by different conventions, and each keeps its own (a style):
 *   OPT_GNU    scan: getopt_long, so abbreviations (--conc), clustered short options
 *              (-qo FILE), -oFILE, --x=value and --x value, operands anywhere, "--"; its
 *              error messages are getopt's ("scan: unrecognized option '--x'"). Every
 *              error is reported before the parse gives up.
 *   OPT_EXACT  report: exact names only, --x=value and --x value, operands in order (so
 *              that --compare can claim the file names after it); stops at the first error. */
#ifndef MXS_CLI_OPT_H
#define MXS_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

typedef enum opt_kind {
  OPT_END = 0,      /* ends a table */
  OPT_SECTION,      /* no option: a heading (help) in the usage text and the docs */
  OPT_SET,          /* flag: the int/bool field becomes 1 (default 0) */
  OPT_CLEAR,        /* flag: the int/bool field becomes 0 (default 1) */
  OPT_STRING,       /* const char * field: the argument itself */
  OPT_CHOICE,       /* const char * field: one of choices[] */
  OPT_UINT,         /* int, unsigned or size_t field: digits only, lo..hi */
  OPT_SECONDS,      /* double field: seconds, at most 3 decimals, lo..hi */
  OPT_DECIMAL,      /* double field: a number (a rate, an interval that may be 0), the same syntax */
  OPT_HOOK,         /* nothing stored: the hook does the work (a list, a check) */
  OPT_HELP,         /* opt_parse returns OPT_R_HELP */
  OPT_VERSION,      /* opt_parse returns OPT_R_VERSION */
} opt_kind_t;

typedef struct opt {
  opt_kind_t kind;
  const char *name;       /* long name without "--"; OPT_SECTION: the heading */
  char short_name;        /* 0: none */
  const char *arg;        /* argument in the usage text ("FILE", "S"); NULL for flags */
  const char *help;       /* one line or two for --help; plain text, no markup */
  const char *more;       /* docs only: what the usage text has no room for */
  const char *why;        /* docs only: why the default is what it is */
  const char *def;        /* default as text, applied by opt_defaults through the same parse */
  const char *def_doc;    /* the default in words when def cannot say it ("this host's name") */
  size_t off, size;       /* where the value goes in the config (OPT_AT) */
  double lo, hi;          /* bounds (OPT_UINT, OPT_SECONDS, OPT_DECIMAL) */
  const char *const *choices;   /* OPT_CHOICE, NULL-terminated */
  int repeat;             /* may be given several times, each adds (shown in the usage) */
  int operands;           /* arg names the operands that follow: the option takes no value */
  /* After a value is stored (or, for OPT_HOOK, instead): 0 ok, -1 with a message given. */
  int (*hook)(void *cfg, const char *value);
  void (*init)(void *cfg);  /* a default that must be computed (opt_defaults calls it) */
} opt_t;

/* Whether the option takes a value ("--x V"). */
#define OPT_HAS_VALUE(o) ((o)->arg && !(o)->operands)

/* A numeric constant of another module as default or doc text: OPT_STR(OBSERVE_INFER_MAX). */
#define OPT_STR_(x) #x
#define OPT_STR(x) OPT_STR_(x)

#define OPT_AT(type, member) .off = offsetof(type, member), .size = sizeof(((type *)0)->member)

typedef enum opt_style { OPT_GNU, OPT_EXACT } opt_style_t;

typedef struct opt_spec {
  const char *prog;       /* message prefix: "mxsurvey", "mxsurvey report" */
  opt_style_t style;
  const char *synopsis;   /* the usage lines and a description, before the options */
  const char *epilogue;   /* after the options (may be NULL) */
  int col;                /* column where the help text starts in the usage */
  const opt_t *opts;      /* ends with an OPT_END entry */
  /* Each operand (a non-option argument), in order; OPT_GNU: after all the options. */
  int (*operand)(void *cfg, const char *arg);
  /* OPT_EXACT: after each option parsed, with the argv[from..to] it took. May be NULL. */
  void (*seen)(void *cfg, const opt_t *o, char **argv, int from, int to);
} opt_spec_t;

enum { OPT_R_OK = 0, OPT_R_BAD = 1, OPT_R_HELP = 2, OPT_R_VERSION = 3 };

/* Applies every default of the table to cfg (the code has no defaults of its own). */
void opt_defaults(const opt_spec_t *spec, void *cfg);
/* Parses argv[1..argc-1] into cfg. OPT_R_BAD: the messages were printed on stderr. */
int opt_parse(const opt_spec_t *spec, int argc, char **argv, void *cfg);
void opt_usage(const opt_spec_t *spec, FILE *f);
/* The options as markdown: a table for each section, under "heading_level" #s. */
void opt_markdown(const opt_spec_t *spec, FILE *f, int heading_level);

/* The strict number syntax, for tests and for hooks. 0 ok, -1 not such a number. */
int opt_parse_uint(const char *v, long long *out);       /* 1 to 10 digits */
int opt_parse_milli(const char *v, unsigned long long *out);  /* thousandths */

#endif
