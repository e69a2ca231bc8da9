/* The option-table parser (cli/opt.c): each kind with its bounds, repeatable options,
 * unknown options, missing values, "--x=value" and "--x value", abbreviations (scan's
 * getopt style only), operands, the exact messages, the usage and markdown made from a
 * table; then the real tables: their defaults are the values the scan and the report
 * always had, and every entry is complete. */
#include "cli/cli.h"
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

typedef struct t_cfg {
  int flag, on;
  bool b;
  const char *str, *fmt;
  int i;
  unsigned u;
  size_t z;
  double secs, rate;
  const char *list[4];
  int nlist, hooked;
  const char *ops[4];
  int nops, nseen;
} t_cfg;

static int add(void *p, const char *v) {
  t_cfg *c = p;
  if (c->nlist == 4) {
    fprintf(stderr, "t: too many --add\n");
    return -1;
  }
  c->list[c->nlist++] = v;
  return 0;
}
static int after(void *p, const char *v) { (void)v; ((t_cfg *)p)->hooked++; return 0; }
static int operand(void *p, const char *a) {
  t_cfg *c = p;
  if (c->nops < 4) c->ops[c->nops++] = a;
  return 0;
}
static void seen(void *p, const opt_t *o, char **argv, int from, int to) {
  (void)o; (void)argv; (void)from; (void)to;
  ((t_cfg *)p)->nseen++;
}

static const char *const fmts[] = {"md", "csv", "json", NULL};
#define T(m) OPT_AT(t_cfg, m)
static const opt_t t_opts[] = {
  {.kind = OPT_SECTION, .name = "Options"},
  {.kind = OPT_SET, .name = "flag", .short_name = 'f', T(flag), .help = "a flag"},
  {.kind = OPT_CLEAR, .name = "no-on", T(on), .help = "clears on"},
  {.kind = OPT_SET, .name = "bool", T(b), .help = "a bool"},
  {.kind = OPT_STRING, .name = "str", .short_name = 's', .arg = "FILE", T(str), .help = "a string", .def = "x.txt"},
  {.kind = OPT_CHOICE, .name = "format", .arg = "md|csv|json", T(fmt), .choices = fmts, .help = "a choice", .def = "md"},
  {.kind = OPT_UINT, .name = "int", .arg = "N", T(i), .lo = 1, .hi = 65535, .help = "an int", .def = "25"},
  {.kind = OPT_UINT, .name = "uns", .arg = "N", T(u), .lo = 0, .hi = 10, .help = "an unsigned", .def = "2", .hook = after},
  {.kind = OPT_UINT, .name = "size", .arg = "N", T(z), .lo = 4, .hi = 1000000, .help = "a size_t", .def = "5000"},
  {.kind = OPT_SECONDS, .name = "secs", .arg = "S", T(secs), .lo = 0.001, .hi = 3600, .help = "seconds", .def = "0.25"},
  {.kind = OPT_DECIMAL, .name = "rate", .arg = "R", T(rate), .lo = 0, .hi = 1e6, .help = "a rate", .def = "1000",
   .why = "because | pipes"},
  {.kind = OPT_HOOK, .name = "add", .arg = "V", .repeat = 1, .hook = add, .help = "a list"},
  {.kind = OPT_HELP, .name = "help", .short_name = 'h', .help = "this text"},
  {.kind = OPT_VERSION, .name = "version", .short_name = 'V', .help = "the version"},
  {.kind = OPT_END},
};

static opt_spec_t spec(opt_style_t style) {
  return (opt_spec_t){.prog = "t", .style = style, .synopsis = "usage: t [OPTIONS]\n", .col = 20,
                      .opts = t_opts, .operand = operand, .seen = seen};
}

/* stderr of the last parse, captured in a temporary file */
static char errbuf[4096];
static int run(opt_style_t style, t_cfg *c, int argc, char **argv) {
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  FILE *tmp = tmpfile();
  dup2(fileno(tmp), STDERR_FILENO);
  memset(c, 0, sizeof *c);
  opt_spec_t s = spec(style);
  opt_defaults(&s, c);
  int r = opt_parse(&s, argc, argv, c);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  rewind(tmp);
  size_t n = fread(errbuf, 1, sizeof errbuf - 1, tmp);
  errbuf[n] = '\0';
  fclose(tmp);
  return r;
}
#define ARGV(...) (sizeof((char *[]){"t", __VA_ARGS__}) / sizeof(char *)), ((char *[]){"t", __VA_ARGS__})
#define HAS(s) CHECK(strstr(errbuf, s) != NULL)

static void test_numbers(void) {
  long long n;
  unsigned long long ms;
  CHECK(opt_parse_uint("0", &n) == 0 && n == 0);
  CHECK(opt_parse_uint("007", &n) == 0 && n == 7);
  CHECK(opt_parse_uint("9999999999", &n) == 0 && n == 9999999999LL);
  const char *bad_uint[] = {"", "+5", " 5", "5 ", "-1", "0x10", "1e3", "5x", "12345678901", NULL};
  for (int i = 0; bad_uint[i]; i++) CHECK(opt_parse_uint(bad_uint[i], &n) == -1);
  CHECK(opt_parse_uint(NULL, &n) == -1);
  CHECK(opt_parse_milli("0.25", &ms) == 0 && ms == 250);
  CHECK(opt_parse_milli("3600", &ms) == 0 && ms == 3600000);
  CHECK(opt_parse_milli("0.001", &ms) == 0 && ms == 1);
  const char *bad_milli[] = {"", ".5", "5.", "0.0001", "1e-9", "inf", "nan", " 5", "+5", "-0", "0x10", NULL};
  for (int i = 0; bad_milli[i]; i++) CHECK(opt_parse_milli(bad_milli[i], &ms) == -1);
}

static void test_defaults_and_kinds(void) {
  t_cfg c;
  CHECK_INT(run(OPT_GNU, &c, 1, (char *[]){"t", NULL}), OPT_R_OK);
  CHECK_STR(c.str, "x.txt");
  CHECK_STR(c.fmt, "md");
  CHECK_INT(c.i, 25);
  CHECK_INT(c.u, 2);
  CHECK_INT(c.z, 5000);
  CHECK(c.secs == 0.25 && c.rate == 1000);
  CHECK(c.flag == 0 && c.on == 1 && !c.b);
  CHECK_INT(c.hooked, 0);     /* defaults do not call hooks */
  CHECK_INT(run(OPT_GNU, &c, ARGV("-f", "--no-on", "--bool", "--str", "a", "--format=csv", "--int", "65535",
                                  "--uns=0", "--size", "4", "--secs", "3600", "--rate", "0", "op")), OPT_R_OK);
  CHECK(c.flag == 1 && c.on == 0 && c.b);
  CHECK_STR(c.str, "a");
  CHECK_STR(c.fmt, "csv");
  CHECK(c.i == 65535 && c.u == 0 && c.z == 4 && c.secs == 3600 && c.rate == 0);
  CHECK_INT(c.hooked, 1);
  CHECK_INT(c.nops, 1);
  CHECK_STR(errbuf, "");
}

static void test_bounds_messages(void) {
  t_cfg c;
  CHECK_INT(run(OPT_GNU, &c, ARGV("--int", "0")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --int expects a number from 1 to 65535, got '0'\n");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--int", "65536")), OPT_R_BAD);
  CHECK_INT(run(OPT_GNU, &c, ARGV("--uns", "11")), OPT_R_BAD);
  CHECK_INT(c.hooked, 0);     /* no hook after a refused value */
  CHECK_INT(run(OPT_GNU, &c, ARGV("--size", "3")), OPT_R_BAD);
  CHECK_INT(run(OPT_GNU, &c, ARGV("--secs", "0")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --secs expects seconds from 0.001 to 3600 (a decimal number, at most 3 decimals), got '0'\n");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--secs", "0.001")), OPT_R_OK);
  CHECK(c.secs == 0.001);
  CHECK_INT(run(OPT_GNU, &c, ARGV("--secs", "3600.001")), OPT_R_BAD);
  CHECK_INT(run(OPT_GNU, &c, ARGV("--rate", "1000000.001")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --rate expects a number from 0 to 1000000 (a decimal number, at most 3 decimals), got '1000000.001'\n");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--rate", "1000000")), OPT_R_OK);
  CHECK_INT(run(OPT_GNU, &c, ARGV("--format", "xml")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --format expects md, csv or json\n");
  /* every error is told before the parse gives up (scan's style) */
  CHECK_INT(run(OPT_GNU, &c, ARGV("--int", "0", "--secs", "x", "--int", "7")), OPT_R_BAD);
  HAS("--int expects");
  HAS("--secs expects");
  CHECK_INT(c.i, 7);
}

static void test_gnu_forms(void) {
  t_cfg c;
  CHECK_INT(run(OPT_GNU, &c, ARGV("--add", "a", "--add=b", "x", "--ad", "c", "-sFILE", "y")), OPT_R_OK);
  CHECK_INT(c.nlist, 3);
  CHECK(c.nlist == 3 && !strcmp(c.list[0], "a") && !strcmp(c.list[1], "b") && !strcmp(c.list[2], "c"));
  CHECK_STR(c.str, "FILE");
  CHECK(c.nops == 2 && !strcmp(c.ops[0], "x") && !strcmp(c.ops[1], "y"));   /* operands anywhere */
  CHECK_INT(run(OPT_GNU, &c, ARGV("--add", "1", "--add", "2", "--add", "3", "--add", "4", "--add", "5")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: too many --add\n");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--nope")), OPT_R_BAD);
  HAS("unrecognized option '--nope'");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--str")), OPT_R_BAD);
  HAS("option '--str' requires an argument");
  CHECK_INT(run(OPT_GNU, &c, ARGV("--flag=1")), OPT_R_BAD);
  HAS("doesn't allow an argument");
  CHECK_INT(run(OPT_GNU, &c, ARGV("-fs", "v", "--", "-f")), OPT_R_OK);
  CHECK(c.flag == 1 && !strcmp(c.str, "v") && c.nops == 1 && !strcmp(c.ops[0], "-f"));
  CHECK_INT(run(OPT_GNU, &c, ARGV("--int", "0", "-h", "--int", "x")), OPT_R_HELP);
  CHECK_INT(run(OPT_GNU, &c, ARGV("-V")), OPT_R_VERSION);
}

static void test_exact_forms(void) {
  t_cfg c;
  CHECK_INT(run(OPT_EXACT, &c, ARGV("a", "--add", "x", "b", "--add=y", "--flag=ignored", "-s", "S", "-")), OPT_R_OK);
  CHECK(c.nlist == 2 && !strcmp(c.list[0], "x") && !strcmp(c.list[1], "y"));
  CHECK(c.flag == 1 && !strcmp(c.str, "S"));
  CHECK(c.nops == 3 && !strcmp(c.ops[0], "a") && !strcmp(c.ops[1], "b") && !strcmp(c.ops[2], "-"));
  CHECK_INT(c.nseen, 4);
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--ad", "x")), OPT_R_BAD);       /* no abbreviations */
  CHECK_STR(errbuf, "t: unknown option '--ad' (see t --help)\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--nope=3")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: unknown option '--nope' (see t --help)\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("-fs", "x")), OPT_R_BAD);        /* no clusters */
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--")), OPT_R_BAD);
  CHECK_INT(run(OPT_EXACT, &c, ARGV("-s")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: -s needs a value\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--str")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --str needs a value\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--int")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --int expects a number from 1 to 65535\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--format")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --format expects md, csv or json\n");
  /* the first error ends the parse */
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--int", "0", "--secs", "x")), OPT_R_BAD);
  CHECK_STR(errbuf, "t: --int expects a number from 1 to 65535\n");
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--help", "--int", "0")), OPT_R_HELP);
  CHECK_INT(run(OPT_EXACT, &c, ARGV("--int", "0", "--help")), OPT_R_BAD);
}

static char *text_of(void (*fn)(const opt_spec_t *, FILE *), const opt_spec_t *s) {
  static char buf[65536];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  fn(s, f);
  fclose(f);
  return buf;
}
static void md3(const opt_spec_t *s, FILE *f) { opt_markdown(s, f, 3); }

static void test_text(void) {
  opt_spec_t s = spec(OPT_GNU);
  const char *u = text_of(opt_usage, &s);
  CHECK(strstr(u, "usage: t [OPTIONS]\n\nOptions:\n") != NULL);
  CHECK(strstr(u, "  -s, --str FILE    a string (default x.txt)\n") != NULL);
  CHECK(strstr(u, "      --add V       a list (repeatable)\n") != NULL);
  CHECK(strstr(u, "      --format md|csv|json  a choice (default md)\n") != NULL);
  const char *m = text_of(md3, &s);
  CHECK(strstr(m, "### Options\n\n| option | meaning | values | default | why |\n") != NULL);
  CHECK(strstr(m, "| `--int N` | an int | 1 to 65535 | 25 |  |\n") != NULL);
  CHECK(strstr(m, "| `-s, --str FILE` | a string |  | `x.txt` |  |\n") != NULL);
  CHECK(strstr(m, "| `--rate R` | a rate | 0 to 1000000 | 1000 | because \\| pipes |\n") != NULL);
  CHECK(strstr(m, "| `--format md\\|csv\\|json` | a choice | md, csv or json | `md` |  |\n") != NULL);
}

/* The defaults the scan and the report had before the tables (cli/main.c, report.c). */
static void test_real_defaults(void) {
  scan_cli_t c;
  memset(&c, 0, sizeof c);
  opt_defaults(&scan_spec, &c);
  CHECK_STR(c.cfg.dns.trust_anchor, "/usr/share/dns/root.key");
  CHECK(c.cfg.dns.timeout == 15 && c.cfg.smtp.port == 25 && c.cfg.smtp.t_connect == 10);
  CHECK(c.cfg.smtp.t_banner == 30 && c.cfg.smtp.t_smtp == 30 && c.cfg.smtp.t_tls == 30);
  CHECK(c.cfg.concurrency == 5000 && c.cfg.sched.rate == 1000 && c.cfg.sched.per_ip == 1);
  CHECK(c.cfg.sched.ip_interval == 0.25 && c.cfg.sched.per_prefix == 8 && c.cfg.sched.retries == 2);
  CHECK(c.cfg.sched.retry_delay == 60 && c.cfg.dns.cache_mb == 256 && c.cfg.progress_interval == 10);
  CHECK(c.cfg.flush_interval == 2 && c.cfg.grace == 10 && c.cfg.share.share);
  CHECK(c.cfg.share.cache_max == OBSERVE_CACHE_DEFAULT && c.cfg.share.infer_min == 0);
  CHECK(c.cfg.dns.rate == 0 && c.cfg.sched.max_probes == 0 && !c.max_set && !c.cfg.quiet && !c.cfg.resume);
  CHECK(c.cfg.output == NULL && c.cfg.ca_file == NULL && c.cfg.smtp.ehlo && strchr(c.cfg.smtp.ehlo, '.'));
  report_cli_t r;
  memset(&r, 0, sizeof r);
  opt_defaults(&report_spec, &r);
  CHECK_STR(r.q.format, "md");
  CHECK_STR(r.q.psl_file, "/usr/share/publicsuffix/public_suffix_list.dat");
  CHECK(r.q.top == 20 && r.q.threads == 2 && !r.q.quiet && !r.q.output && !r.q.html);
}

/* A parse of the scan table into the real config. */
static void test_scan_table(void) {
  scan_cli_t c;
  volatile sig_atomic_t sig = 0;
  memset(&c, 0, sizeof c);
  opt_defaults(&scan_spec, &c);
  c.cfg.early_signal = &sig;
  c.policy = addrpolicy_new();
  c.reads = calloc(16, sizeof *c.reads);
  char *argv[] = {"scan", "--smtp-port", "2525", "--rate", "0.5", "--max-probes", "7", "in.txt",
                  "--resolver", "127.0.0.1", "--resolver=[::1]:53", "--no-share", "--ehlo", "a.example",
                  "--allow", "127.0.0.0/8", "-qo", "out.zst", NULL};
  CHECK_INT(opt_parse(&scan_spec, 18, argv, &c), OPT_R_OK);
  CHECK(c.cfg.smtp.port == 2525 && c.cfg.sched.rate == 0.5 && c.cfg.sched.max_probes == 7 && c.max_set);
  CHECK(c.nres == 2 && !strcmp(c.resolvers[1], "[::1]:53") && !c.cfg.share.share && c.cfg.quiet);
  CHECK_STR(c.cfg.smtp.ehlo, "a.example");
  CHECK_STR(c.cfg.output, "out.zst");
  CHECK(c.noperands == 1 && !strcmp(c.input, "in.txt"));
  addrpolicy_free(c.policy);
  free(c.reads);
}

/* Every entry of the real tables is complete: a name, a help text, an argument name for
 * a value, sane bounds, no name twice. */
static void test_tables_complete(void) {
  const opt_spec_t *specs[] = {&scan_spec, &report_spec};
  for (int k = 0; k < 2; k++) {
    CHECK(specs[k]->opts[0].kind == OPT_SECTION);
    for (const opt_t *o = specs[k]->opts; o->kind != OPT_END; o++) {
      CHECK(o->name && *o->name);
      if (o->kind == OPT_SECTION) continue;
      CHECK(o->help && *o->help && !strpbrk(o->help, "*_<`"));
      bool value = o->kind == OPT_STRING || o->kind == OPT_CHOICE || o->kind == OPT_UINT ||
                   o->kind == OPT_SECONDS || o->kind == OPT_DECIMAL;
      if (value) CHECK(o->arg != NULL);
      if (o->kind == OPT_UINT || o->kind == OPT_SECONDS || o->kind == OPT_DECIMAL) CHECK(o->lo <= o->hi);
      for (const opt_t *p = o + 1; p->kind != OPT_END; p++)
        if (p->kind != OPT_SECTION) CHECK(strcmp(o->name, p->name) != 0);
    }
  }
}

int main(void) {
  test_numbers();
  test_defaults_and_kinds();
  test_bounds_messages();
  test_gnu_forms();
  test_exact_forms();
  test_text();
  test_real_defaults();
  test_scan_table();
  test_tables_complete();
  TEST_MAIN_END();
}
