/* mxsurvey explain (see explain.h). The records are walked once (records.c) and only the
 * requested domains' are kept; then each is printed in the order asked. Everything printed
 * from a record is cleaned (no control characters reach a terminal) and bounded. */
#include "report/explain.h"
#include "report/finding.h"
#include "report/i18n.h"
#include "report/jsonget.h"
#include "report/records.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WIDTH 78           /* text wrapped to this many characters */
#define RECORD_TEXT_MAX 400 /* bytes of one record string printed */

enum colour { C_NONE, C_FAIL, C_WARN, C_ADVISORY, C_DIM, C_PASS, C_BOLD };
static const char *const ansi[] = {"", "\033[1;31m", "\033[1;33m", "\033[1;36m", "\033[2m",
                                   "\033[1;32m", "\033[1m"};

struct out {
  FILE *f;
  int colour;
};

int explain_color_auto(FILE *out) {
  const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
  if (nc && nc[0]) return 0;
  if (!term || !term[0] || strcmp(term, "dumb") == 0) return 0;
  return isatty(fileno(out));
}

static void paint(struct out *o, enum colour c) {
  if (o->colour) fputs(c == C_NONE ? "\033[0m" : ansi[c], o->f);
}

/* A record string made printable: control bytes (C0, DEL, UTF-8 C1) become '?', and it is
 * cut, on a character boundary, at RECORD_TEXT_MAX bytes or what buf holds (cap >= 16). */
static void clean(const char *s, char *buf, size_t cap) {
  size_t n = 0, limit = cap - 8 < RECORD_TEXT_MAX ? cap - 8 : RECORD_TEXT_MAX;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (n >= limit && (*p & 0xc0) != 0x80) {   /* a character starts: room for "..." */
      memcpy(buf + n, "...", 3);
      n += 3;
      break;
    }
    if (*p < 0x20 || *p == 0x7f) buf[n++] = '?';
    else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      buf[n++] = '?';
      p++;
    } else if (n < cap - 4) buf[n++] = (char)*p;   /* a continuation byte past limit: bounded */
  }
  buf[n] = 0;
}

/* Characters (not bytes: Portuguese is UTF-8) of s[0..n). */
static size_t width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80) w++;
  return w;
}

/* The length of the word at p, a TLSA triple ("3 1 1", "2 1 1).") counting as one word:
 * a line break inside it would make it unreadable. */
static size_t glued(const char *p) {
  size_t n = strcspn(p, " ");
  while (n && isdigit((unsigned char)p[n - 1]) && p[n] == ' ' && isdigit((unsigned char)p[n + 1]) &&
         strchr(" ),.;", p[n + 2]))
    n += 1 + strcspn(p + n + 1, " ");
  return n;
}

/* text from column col (what the line already holds), wrapped to WIDTH; continuation
 * lines start at column hang. */
static void wrapped(struct out *o, size_t col, size_t hang, const char *text) {
  int first = 1;
  for (const char *p = text; *p;) {
    while (*p == ' ') p++;
    if (!*p) break;
    size_t n = glued(p), w = width(p, n);
    if (!first && col + 1 + w > WIDTH) {
      fprintf(o->f, "\n%*s", (int)hang, "");
      col = hang;
    } else if (!first) {
      fputc(' ', o->f);
      col++;
    }
    fwrite(p, 1, n, o->f);
    col += w;
    first = 0;
    p += n;
  }
  fputc('\n', o->f);
}

/* "    Label: text", wrapped under the text. */
static void labelled(struct out *o, const char *label, const char *text) {
  fprintf(o->f, "    %s ", label);
  wrapped(o, 5 + width(label, strlen(label)), 6, text);
}

static const char *const headings[FK_COUNT] = {
  N_("Fails (CNCS recommendation)"), N_("Will break (before the horizon)"),
  N_("Advisory (not part of CNCS conformity)"), N_("Not tested"), N_("Works"),
  N_("Does not apply")};
static const enum colour kind_colour[FK_COUNT] = {C_FAIL, C_WARN, C_ADVISORY, C_DIM, C_PASS,
                                                  C_DIM};

/* The rollover judgement of each MX host (mx[].tlsa.rollover) under the tlsa-rollover
 * check: the scheme found, ready or not and why, the records that match no certificate
 * (a pre-published next key, or a stale one). */
static void rollover_lines(struct out *o, json_object *rec) {
  json_object *mx = jget(rec, RK_MX);
  size_t n = mx && json_object_is_type(mx, json_type_array) ? json_object_array_length(mx) : 0;
  for (size_t i = 0; i < n && i < FINDINGS_MAX; i++) {
    json_object *m = json_object_array_get_idx(mx, i), *r = jget(jget(m, RK_TLSA), RK_ROLLOVER);
    json_object *ready = jget(r, RK_READY), *un = jget(r, RK_UNMATCHED);
    if (!r || !ready) continue;
    char host[300], scheme[100], why[RECORD_TEXT_MAX + 8], line[1400];
    clean(jstr(m, RK_HOST) ? jstr(m, RK_HOST) : "?", host, sizeof host);
    clean(jstr(r, RK_SCHEME) && jstr(r, RK_SCHEME)[0] ? jstr(r, RK_SCHEME) : "-", scheme,
          sizeof scheme);
    clean(jstr(r, RK_REASON) ? jstr(r, RK_REASON) : "", why, sizeof why);
    int len = snprintf(line, sizeof line, "%s: %s, %s%s%s", host, scheme,
                       json_object_get_boolean(ready) ? _("ready") : _("not ready"),
                       why[0] ? ": " : "", why);
    size_t nu = un && json_object_is_type(un, json_type_array) ? json_object_array_length(un) : 0;
    for (size_t k = 0; k < nu && k < 8 && len > 0 && (size_t)len < sizeof line; k++) {
      const char *u = json_object_get_string(json_object_array_get_idx(un, k));
      char cu[100];
      clean(u ? u : "?", cu, sizeof cu);
      len += snprintf(line + len, sizeof line - (size_t)len, k ? ", %s" : _("; records matching no "
                      "certificate: %s"), cu);
    }
    labelled(o, _("TLSA:"), line);
  }
}

static void finding(struct out *o, json_object *rec, const struct finding *f) {
  const struct advice *a = advice_get(f->id);
  char head[700], det[RECORD_TEXT_MAX + 8], host[300];
  int bad = f->kind == FK_FAIL || f->kind == FK_WARN || f->kind == FK_ADVISORY;
  const char *what = bad ? _(a->fail) : _(a->pass);
  clean(f->host, host, sizeof host);
  if (f->kind == FK_WARN)
    snprintf(head, sizeof head, _("On %s (%s): %s"),
             f->breaks[0] ? f->breaks : _("an unknown date"), host[0] ? host : _("the domain"), what);
  else snprintf(head, sizeof head, "%s", what);
  char id[64];
  int idn = snprintf(id, sizeof id, "[%s]", advice_id_name(f->id));
  fputs("  ", o->f);
  paint(o, kind_colour[f->kind]);
  fputs(id, o->f);
  paint(o, C_NONE);
  fputc(' ', o->f);
  wrapped(o, 3 + (size_t)idn, 4, head);
  if (f->detail && f->detail[0]) {
    clean(f->detail, det, sizeof det);
    labelled(o, _("Found:"), det);
  }
  if ((int)f->id == CNCS_TLSA_ROLLOVER) rollover_lines(o, rec);
  if (!bad) return;
  labelled(o, _("Change:"), _(a->change));
  labelled(o, _("Why:"), _(a->why));
  labelled(o, _("Reference:"), _(a->ref));
}

static void section(struct out *o, enum finding_kind k) {
  fputc('\n', o->f);
  paint(o, kind_colour[k]);
  fputs(_(headings[k]), o->f);
  paint(o, C_NONE);
  fputc('\n', o->f);
}

static int count(const struct finding *fs, int n, enum finding_kind k) {
  int c = 0;
  for (int i = 0; i < n; i++) c += fs[i].kind == k;
  return c;
}

/* The domain's name line and the verdict line. */
static void header(struct out *o, json_object *rec, const struct finding *fs, int n) {
  char dom[300], at[64];
  clean(jstr(rec, RK_DOMAIN) ? jstr(rec, RK_DOMAIN) : "?", dom, sizeof dom);
  clean(jstr(rec, RK_SCANNED_AT) ? jstr(rec, RK_SCANNED_AT) : "?", at, sizeof at);
  paint(o, C_BOLD);
  fputs(dom, o->f);
  paint(o, C_NONE);
  char hz[32];
  fprintf(o->f, "  ");
  if (finding_horizon(rec, hz)) fprintf(o->f, _("(scanned %s, horizon %s)"), at, hz);
  else fprintf(o->f, _("(scanned %s)"), at);
  fputc('\n', o->f);
  const char *status = jstr(rec, RK_STATUS);
  json_object *cncs = jget(jget(rec, RK_CONFORMITY), RK_CNCS);
  if (!cncs) {
    char st[64], line[512];
    clean(status ? status : "?", st, sizeof st);
    if (status && strcmp(status, schema_job_status[JOB_OK]) == 0)
      snprintf(line, sizeof line, "%s", _("No CNCS conformity in this record: it was written "
                                          "by a scanner that did not judge it yet."));
    else
      snprintf(line, sizeof line, _("No CNCS conformity in this record (status %s): the scan "
                                    "could not judge the domain's mail servers."), st);
    wrapped(o, 0, 0, line);
    const char *why = jstr(jget(rec, RK_ERROR), RK_REASON);
    if (why) {
      char w[RECORD_TEXT_MAX + 8];
      clean(why, w, sizeof w);
      labelled(o, _("Reason:"), w);
    }
    return;
  }
  json_object *p = jget(cncs, RK_PASS), *c = jget(cncs, RK_COMPLETE);
  int pass = p && json_object_get_boolean(p), complete = c && json_object_get_boolean(c);
  int fails = count(fs, n, FK_FAIL), warns = count(fs, n, FK_WARN);
  paint(o, pass ? C_PASS : C_FAIL);
  if (!pass)
    fprintf(o->f, P_("CNCS conformity: not met (%d check fails).",
                     "CNCS conformity: not met (%d checks fail).", fails), fails);
  else if (!complete) fputs(_("CNCS conformity: met by every check tested, but not all could be "
                              "tested."), o->f);
  else fputs(_("CNCS conformity: met."), o->f);
  paint(o, C_NONE);
  if (warns) {
    fputc('\n', o->f);
    paint(o, C_WARN);
    fprintf(o->f, P_("%d warning: something breaks before the horizon.",
                     "%d warnings: something breaks before the horizon.", warns), warns);
    paint(o, C_NONE);
  }
  fputc('\n', o->f);
}

static void explain_record(struct out *o, json_object *rec) {
  struct finding fs[FINDINGS_MAX];
  int n = findings_of(rec, fs, FINDINGS_MAX);
  header(o, rec, fs, n);
  for (int k = FK_FAIL; k < FK_NOT_APPLICABLE; k++) {
    if (!count(fs, n, (enum finding_kind)k)) continue;
    section(o, (enum finding_kind)k);
    for (int i = 0; i < n; i++)
      if (fs[i].kind == (enum finding_kind)k) finding(o, rec, &fs[i]);
  }
}

/* A domain name compared as DNS does: case-insensitive, without a trailing dot. */
static int same_name(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na && a[na - 1] == '.') na--;
  if (nb && b[nb - 1] == '.') nb--;
  return na == nb && strncasecmp(a, b, na) == 0;
}

struct want {
  const struct explain_request *q;
  json_object **found;        /* [ndomains]: the first record of each, a reference held */
};

#define ALL_FOUND 2   /* keep's value that stops the walk: nothing more to read */

static int keep(void *ctx, json_object *rec) {
  struct want *w = ctx;
  const char *d = jstr(rec, RK_DOMAIN), *in = jstr(rec, RK_INPUT);
  int missing = 0;
  for (size_t i = 0; i < w->q->ndomains; i++) {
    if (!w->found[i] && ((d && same_name(d, w->q->domains[i])) ||
                         (in && same_name(in, w->q->domains[i]))))
      w->found[i] = json_object_get(rec);
    missing += !w->found[i];
  }
  return missing ? 0 : ALL_FOUND;   /* a national scan is gigabytes: stop once all are in */
}

int explain_run(const struct explain_request *q) {
  struct out o = {stdout, 0};
  if (strcmp(q->color, "always") == 0) o.colour = 1;
  else if (strcmp(q->color, "auto") == 0) o.colour = explain_color_auto(stdout);
  struct want w = {q, calloc(q->ndomains ? q->ndomains : 1, sizeof *w.found)};
  if (!w.found) abort();
  const char *paths[1] = {q->file};
  int rc = 0, read = records_each("mxsurvey explain", paths, 1, keep, &w);
  if (read == ALL_FOUND) read = 0;
  int printed = 0;
  for (size_t i = 0; !read && i < q->ndomains; i++) {
    if (w.found[i]) {
      if (printed++) fputc('\n', o.f);
      explain_record(&o, w.found[i]);
      continue;
    }
    char d[300];
    clean(q->domains[i], d, sizeof d);
    fprintf(stderr, _("mxsurvey explain: %s is not in the scan\n"), d);
    rc = 1;
  }
  for (size_t i = 0; i < q->ndomains; i++) json_object_put(w.found[i]);
  free(w.found);
  if (read || fflush(stdout) != 0) rc = 1;
  return rc;
}
