/* The option-table machinery (see opt.h): the strict number parsing, storing a value into
 * the config, the defaults, the two argv walkers (getopt_long's conventions for scan, exact
 * names for report), and the usage text and markdown made from the same table.
 *
 * Everything an option does goes through apply(): a default goes through the same parse as
 * a value typed on the command line, so a default that the parser would refuse cannot
 * exist (opt_defaults aborts, and tests/unit/test_opt.c applies every table's defaults). */
#include "cli/opt.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define OPT_MAX 64              /* options in one table (the scan has 33) */
#define WRAP 92                 /* usage text width */

/* Digits only: strtol would also take leading blanks, a sign and "0x". More than 10 digits
 * is out of every range here (and could overflow). */
int opt_parse_uint(const char *v, long long *out) {
  size_t i = 0;
  long long n = 0;
  for (; v && v[i] >= '0' && v[i] <= '9' && i < 11; i++) n = n * 10 + (v[i] - '0');
  if (!v || i == 0 || i > 10 || v[i] != '\0') return -1;
  *out = n;
  return 0;
}

/* Numbers are plain decimals: strtod would also take "0x10" (hex), "1e-9", "inf", "nan" and
 * leading blanks. Seconds have millisecond precision (libuv timers count milliseconds), so
 * at most 3 decimals: 0.001 is the smallest non-zero value. The value in thousandths. */
int opt_parse_milli(const char *v, unsigned long long *out) {
  unsigned long long ip = 0, frac = 0;
  size_t i = 0, nint = 0, nfrac = 0;
  if (!v) return -1;
  for (; v[i] >= '0' && v[i] <= '9'; i++)
    if (++nint <= 12) ip = ip * 10 + (unsigned)(v[i] - '0');
  if (v[i] == '.') {
    for (i++; v[i] >= '0' && v[i] <= '9'; i++)
      if (++nfrac <= 3) frac = frac * 10 + (unsigned)(v[i] - '0');
    if (nfrac == 0) return -1;
  }
  if (v[i] != '\0' || nint == 0 || nint > 12 || nfrac > 3) return -1;
  for (size_t k = nfrac; k < 3; k++) frac *= 10;
  *out = ip * 1000 + frac;
  return 0;
}

/* A bound as the user would write it: 0.001, 0.25, 3600, 1000000. */
static const char *decimal_text(double x, char *buf, size_t n) {
  snprintf(buf, n, "%.3f", x);
  char *e = buf + strlen(buf) - 1;
  while (*e == '0') *e-- = '\0';
  if (*e == '.') *e = '\0';
  return buf;
}

/* "md, csv or json" */
static void choices_text(const char *const *c, char *buf, size_t n) {
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; c[i] && len < n; i++)
    len += (size_t)snprintf(buf + len, n - len, "%s%s", i == 0 ? "" : c[i + 1] ? ", " : " or ", c[i]);
}

static void put_int(const opt_t *o, void *cfg, unsigned long long v) {
  char *p = (char *)cfg + o->off;
  if (o->size == sizeof(bool)) { bool b = v != 0; memcpy(p, &b, sizeof b); }
  else if (o->size == sizeof(unsigned)) { unsigned u = (unsigned)v; memcpy(p, &u, sizeof u); }
  else if (o->size == sizeof(size_t)) { size_t z = (size_t)v; memcpy(p, &z, sizeof z); }
  else abort();               /* a table error: a field of no size the table knows */
}

static void put(const opt_t *o, void *cfg, const void *v, size_t size) {
  if (o->size != size) abort();
  memcpy((char *)cfg + o->off, v, size);
}

static int bad_number(const opt_spec_t *s, const opt_t *o, const char *v, bool uint) {
  char lo[32], hi[32];
  if (uint) fprintf(stderr, "%s: --%s expects a number from %.0f to %.0f", s->prog, o->name, o->lo, o->hi);
  else fprintf(stderr, "%s: --%s expects %s from %s to %s (a decimal number, at most 3 decimals)",
               s->prog, o->name, o->kind == OPT_SECONDS ? "seconds" : "a number",
               decimal_text(o->lo, lo, sizeof lo), decimal_text(o->hi, hi, sizeof hi));
  if (s->style == OPT_GNU) fprintf(stderr, ", got '%s'", v ? v : "");
  fputc('\n', stderr);
  return -1;
}

/* Converts v by the entry's kind and stores it. 0, or -1 with a message. */
static int store(const opt_spec_t *s, const opt_t *o, void *cfg, const char *v) {
  long long n;
  unsigned long long ms;
  switch (o->kind) {
  case OPT_SET: put_int(o, cfg, 1); return 0;
  case OPT_CLEAR: put_int(o, cfg, 0); return 0;
  case OPT_STRING: put(o, cfg, &v, sizeof v); return 0;
  case OPT_CHOICE:
    for (size_t i = 0; v && o->choices[i]; i++)
      if (strcmp(v, o->choices[i]) == 0) { put(o, cfg, &v, sizeof v); return 0; }
    char list[128];
    choices_text(o->choices, list, sizeof list);
    fprintf(stderr, "%s: --%s expects %s\n", s->prog, o->name, list);
    return -1;
  case OPT_UINT:
    if (opt_parse_uint(v, &n) != 0 || (double)n < o->lo || (double)n > o->hi) return bad_number(s, o, v, true);
    put_int(o, cfg, (unsigned long long)n);
    return 0;
  case OPT_SECONDS:
  case OPT_DECIMAL:
    /* bounds compared in thousandths, as integers: 0.001 * 1000 is not exactly 1 */
    if (opt_parse_milli(v, &ms) != 0 || ms < (unsigned long long)(o->lo * 1000 + 0.5) ||
        ms > (unsigned long long)(o->hi * 1000 + 0.5))
      return bad_number(s, o, v, false);
    double d = (double)ms / 1000;
    put(o, cfg, &d, sizeof d);
    return 0;
  default: return 0;          /* OPT_HOOK: the hook does it */
  }
}

/* One option met with its value (NULL: none given; typed: the name as written). */
static int apply(const opt_spec_t *s, const opt_t *o, void *cfg, const char *typed, const char *v) {
  if (o->kind == OPT_HELP) return OPT_R_HELP;
  if (o->kind == OPT_VERSION) return OPT_R_VERSION;
  if (!OPT_HAS_VALUE(o)) v = NULL;
  else if (!v && (o->kind == OPT_STRING || o->kind == OPT_HOOK)) {
    fprintf(stderr, "%s: %s needs a value\n", s->prog, typed);
    return OPT_R_BAD;
  }
  if (store(s, o, cfg, v) != 0) return OPT_R_BAD;
  if (o->hook && o->hook(cfg, v) != 0) return OPT_R_BAD;
  return OPT_R_OK;
}

void opt_defaults(const opt_spec_t *s, void *cfg) {
  for (const opt_t *o = s->opts; o->kind != OPT_END; o++) {
    if (o->init) o->init(cfg);
    else if (o->kind == OPT_SET || o->kind == OPT_CLEAR) put_int(o, cfg, o->kind == OPT_CLEAR);
    else if (o->def && store(s, o, cfg, o->def) != 0) abort();   /* the table's own error */
  }
}

/* getopt_long over a struct option array made from the table; its own messages (opterr),
 * as the scan always had. Every error is reported; -h and -V end the parse at once. */
static int parse_gnu(const opt_spec_t *s, int argc, char **argv, void *cfg) {
  struct option lo[OPT_MAX + 1];
  const opt_t *by[OPT_MAX];
  char shorts[2 * OPT_MAX + 1];
  size_t n = 0, ns = 0;
  for (const opt_t *o = s->opts; o->kind != OPT_END; o++) {
    if (o->kind == OPT_SECTION) continue;
    if (n == OPT_MAX) abort();
    by[n] = o;
    lo[n] = (struct option){o->name, OPT_HAS_VALUE(o) ? required_argument : no_argument, NULL, 256 + (int)n};
    if (o->short_name) {
      shorts[ns++] = o->short_name;
      if (OPT_HAS_VALUE(o)) shorts[ns++] = ':';
    }
    n++;
  }
  lo[n] = (struct option){0, 0, 0, 0};
  shorts[ns] = '\0';
  int c, bad = 0;
  optind = 0;                 /* 0, not 1: glibc then starts afresh (a second parse, in tests) */
  opterr = 1;
  while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    const opt_t *o = NULL;
    if (c >= 256 && (size_t)(c - 256) < n) o = by[c - 256];
    for (size_t i = 0; !o && c != '?' && i < n; i++)
      if (by[i]->short_name == c) o = by[i];
    if (!o) { bad = 1; continue; }        /* getopt said why */
    int r = apply(s, o, cfg, NULL, optarg);
    if (r == OPT_R_HELP || r == OPT_R_VERSION) return r;
    if (r != OPT_R_OK) bad = 1;
  }
  for (int i = optind; i < argc; i++)
    if (s->operand(cfg, argv[i]) != 0) bad = 1;
  return bad ? OPT_R_BAD : OPT_R_OK;
}

static const opt_t *find_exact(const opt_spec_t *s, const char *a) {
  for (const opt_t *o = s->opts; o->kind != OPT_END; o++) {
    if (o->kind == OPT_SECTION) continue;
    if (a[0] == '-' && a[1] == '-' && strcmp(a + 2, o->name) == 0) return o;
    if (o->short_name && a[0] == '-' && a[1] == o->short_name && a[2] == '\0') return o;
  }
  return NULL;
}

/* Exact names, "--x=value" or "--x value" (a flag ignores "=value"), operands in order; the
 * first error ends the parse, as report's command line always did. */
static int parse_exact(const opt_spec_t *s, int argc, char **argv, void *cfg) {
  for (int i = 1; i < argc; i++) {
    const int start = i;
    const char *a = argv[i], *val = NULL;
    const char *eqs = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
    char name[32] = "";
    if (eqs && (size_t)(eqs - a) < sizeof name) {
      memcpy(name, a, (size_t)(eqs - a));
      name[eqs - a] = '\0';
      a = name;
      val = eqs + 1;
    }
    const opt_t *o = find_exact(s, a);
    if (!o && a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "%s: unknown option '%s' (see %s --help)\n", s->prog, a, s->prog);
      return OPT_R_BAD;
    }
    if (!o) {
      if (s->operand(cfg, a) != 0) return OPT_R_BAD;
      continue;
    }
    if (OPT_HAS_VALUE(o) && !val && i + 1 < argc) val = argv[++i];
    int r = apply(s, o, cfg, a, val);
    if (r != OPT_R_OK) return r;
    if (s->seen) s->seen(cfg, o, argv, start, i);
  }
  return OPT_R_OK;
}

int opt_parse(const opt_spec_t *s, int argc, char **argv, void *cfg) {
  return s->style == OPT_GNU ? parse_gnu(s, argc, argv, cfg) : parse_exact(s, argc, argv, cfg);
}

#define GLUE '\x1f'             /* a space the usage text never breaks at */

/* help, then "(repeatable; default X)" when with_default, else "(repeatable)": the text of
 * one entry. "(default" and its value's first word stay on one line (GLUE). */
static void entry_text(const opt_t *o, bool with_default, char *buf, size_t n) {
  const char *d = with_default ? (o->def_doc ? o->def_doc : o->def) : NULL;
  snprintf(buf, n, "%s%s%s%s%s%s%s", o->help ? o->help : "", o->repeat || d ? " (" : "",
           o->repeat ? "repeatable" : "", o->repeat && d ? "; " : "", d ? "default" : "",
           d ? (o->def_doc ? ":\x1f" : "\x1f") : "", d ? d : "");
  if (o->repeat || d) strncat(buf, ")", n - strlen(buf) - 1);
}

/* Words of text wrapped at WRAP, from column col; the first line goes on from column at. */
static void wrap(FILE *f, const char *text, int at, int col) {
  const char *p = text;
  int x = at;
  bool first = true;
  while (*p) {
    while (*p == ' ') p++;
    size_t w = strcspn(p, " ");
    if (w == 0) break;
    if (!first && x + 1 + (int)w > WRAP) {
      fprintf(f, "\n%*s", col, "");
      x = col;
    } else if (!first) {
      fputc(' ', f);
      x++;
    }
    for (size_t i = 0; i < w; i++) fputc(p[i] == GLUE ? ' ' : p[i], f);
    x += (int)w;
    p += w;
    first = false;
  }
  fputc('\n', f);
}

void opt_usage(const opt_spec_t *s, FILE *f) {
  fputs(s->synopsis, f);
  for (const opt_t *o = s->opts; o->kind != OPT_END; o++) {
    if (o->kind == OPT_SECTION) {
      fprintf(f, "\n%s:\n", o->name);
      continue;
    }
    char left[96], text[1024];
    int w = snprintf(left, sizeof left, "  %s%c%s--%s%s%s", o->short_name ? "-" : " ",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
    entry_text(o, true, text, sizeof text);
    fputs(left, f);
    if (w < s->col - 1) { fprintf(f, "%*s", s->col - w, ""); w = s->col; }
    else { fputs("  ", f); w += 2; }
    wrap(f, text, w, s->col);
  }
  if (s->epilogue) fprintf(f, "\n%s", s->epilogue);
}

/* Plain text into a table cell: a '|' would end the cell. */
static void md_cell(FILE *f, const char *t) {
  for (; t && *t; t++) {
    if (*t == '|') fputc('\\', f);
    fputc(*t, f);
  }
}

static bool numeric(const char *t) {
  return t && *t && strspn(t, "0123456789.") == strlen(t);
}

static void md_values(FILE *f, const opt_t *o) {
  char lo[32], hi[32], list[128];
  if (o->kind == OPT_UINT || o->kind == OPT_SECONDS || o->kind == OPT_DECIMAL)
    fprintf(f, "%s to %s", decimal_text(o->lo, lo, sizeof lo), decimal_text(o->hi, hi, sizeof hi));
  else if (o->kind == OPT_CHOICE) {
    choices_text(o->choices, list, sizeof list);
    fputs(list, f);
  }
}

static void md_row(FILE *f, const opt_t *o, bool why) {
  char text[1024];
  entry_text(o, false, text, sizeof text);
  fputs("| `", f);
  if (o->short_name) fprintf(f, "-%c, ", o->short_name);
  fprintf(f, "--%s", o->name);
  if (o->arg) { fputc(' ', f); md_cell(f, o->arg); }
  fputs("` | ", f);
  md_cell(f, text);
  if (o->more) { fputs(". ", f); md_cell(f, o->more); }
  fputs(" | ", f);
  md_values(f, o);
  fputs(" | ", f);
  if (o->def_doc) md_cell(f, o->def_doc);
  else if (o->def) fprintf(f, numeric(o->def) ? "%s" : "`%s`", o->def);
  if (why) { fputs(" | ", f); md_cell(f, o->why); }
  fputs(" |\n", f);
}

void opt_markdown(const opt_spec_t *s, FILE *f, int level) {
  fprintf(f, "```\n%s```\n", s->synopsis);
  for (const opt_t *o = s->opts; o->kind != OPT_END; o++) {
    if (o->kind != OPT_SECTION) continue;
    bool why = false;
    const opt_t *e = o + 1;
    for (; e->kind != OPT_END && e->kind != OPT_SECTION; e++)
      if (e->why) why = true;
    fprintf(f, "\n%.*s %s\n\n", level, "######", o->name);
    fprintf(f, "| option | meaning | values | default |%s\n|---|---|---|---|%s\n",
            why ? " why |" : "", why ? "---|" : "");
    for (e = o + 1; e->kind != OPT_END && e->kind != OPT_SECTION; e++) md_row(f, e, why);
  }
  if (s->epilogue) fprintf(f, "\n%s", s->epilogue);
}
