/* The notification list (see notify.h). One pass over the records in file order, so rows
 * come out in the scan's order and memory stays constant; within a domain, the findings'
 * order (finding.h), then the operators' (the MX order). Every string from a record is
 * hostile: CSV quotes per RFC 4180 (a field with a comma, quote, CR or LF is quoted and its
 * quotes doubled; rows end in CRLF), json-c escapes the JSON lines. */
#include "report/notify.h"
#include "report/contact.h"
#include "report/finding.h"
#include "report/i18n.h"
#include "report/jsonget.h"
#include "report/records.h"
#include "report/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const columns[] = {"operator", "domain", "check", "kind", "finding", "detail",
                                      "change", "reference", "breaks", "contact",
                                      "contact_source"};
#define NCOLS (sizeof columns / sizeof columns[0])
#define OPS_MAX 16            /* operators of one domain named (a record's MX list is bounded) */

static int ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), t = strlen(tail);
  return n > t && strcasecmp(s + n - t, tail) == 0;
}

int notify_format_of(const char *path) {
  if (ends_with(path, ".csv")) return NOTIFY_CSV;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")) return NOTIFY_JSONL;
  return -1;
}

struct sink {
  FILE *f;
  enum notify_format fmt;
  const psl_ctx_t *psl;
  unsigned long rows;
};

static void csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void row(struct sink *k, const char *const v[NCOLS]) {
  if (k->fmt == NOTIFY_CSV) {
    for (size_t i = 0; i < NCOLS; i++) {
      if (i) fputc(',', k->f);
      csv_field(k->f, v[i]);
    }
    fputs("\r\n", k->f);
  } else {
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < NCOLS; i++) json_object_object_add(o, columns[i], json_object_new_string(v[i]));
    fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
          k->f);
    fputc('\n', k->f);
    json_object_put(o);
  }
  k->rows++;
}

/* The operators of the domain's MX hosts (stats.h's mx_operator), in MX order, once each;
 * host: only that host's. */
static int operators(const psl_ctx_t *psl, json_object *rec, const char *host,
                     char ops[OPS_MAX][256]) {
  json_object *mx = jget(rec, RK_MX);
  int n = 0;
  size_t len = mx && json_object_is_type(mx, json_type_array) ? json_object_array_length(mx) : 0;
  for (size_t i = 0; i < len && n < OPS_MAX; i++) {
    const char *h = jstr(json_object_array_get_idx(mx, i), RK_HOST);
    if (!h || (host && host[0] && strcmp(h, host) != 0)) continue;
    char buf[256];
    const char *op = mx_operator(psl, h, buf, sizeof buf);
    int k = 0;
    while (k < n && strcmp(ops[k], op) != 0) k++;
    if (k == n) snprintf(ops[n++], 256, "%s", op);
  }
  if (n == 0) ops[n++][0] = 0;     /* no MX host named: one row, operator unknown */
  return n;
}

static int domain_rows(void *ctx, json_object *rec) {
  struct sink *k = ctx;
  struct finding fs[FINDINGS_MAX];
  int n = findings_of(rec, fs, FINDINGS_MAX);
  char contact[512];
  enum contact_source src = CONTACT_NONE;
  int have_contact = 0;
  const char *dom = jstr(rec, RK_DOMAIN);
  for (int i = 0; i < n; i++) {
    if (fs[i].kind != FK_FAIL && fs[i].kind != FK_WARN) continue;
    if (!have_contact) src = contact_hint(rec, contact, sizeof contact), have_contact = 1;
    const struct advice *a = advice_get(fs[i].id);
    char ops[OPS_MAX][256];
    int nops = operators(k->psl, rec, fs[i].kind == FK_WARN ? fs[i].host : NULL, ops);
    for (int o = 0; o < nops; o++) {
      const char *v[NCOLS] = {ops[o], dom ? dom : "", advice_id_name(fs[i].id),
                              fs[i].kind == FK_FAIL ? "fail" : "warn", _(a->fail),
                              fs[i].detail ? fs[i].detail : "", _(a->change), _(a->ref),
                              fs[i].breaks, contact, contact_source_name[src]};
      row(k, v);
    }
  }
  return ferror(k->f) ? 1 : 0;
}

int notify_write(const char *path, const char *const *paths, size_t n, const psl_ctx_t *psl) {
  int fmt = notify_format_of(path);
  if (fmt < 0) {
    fprintf(stderr, "mxsurvey report: --notify %s: the name must end in .csv, .jsonl or .ndjson\n",
            path);
    return 1;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "mxsurvey report: --notify %s: %s\n", path, strerror(errno));
    return 1;
  }
  struct sink k = {f, (enum notify_format)fmt, psl, 0};
  if (fmt == NOTIFY_CSV) row(&k, columns);
  int rc = records_each("mxsurvey report", paths, n, domain_rows, &k);
  if (fclose(f) != 0 || rc == 1) {
    fprintf(stderr, "mxsurvey report: --notify %s: %s\n", path, strerror(errno));
    return 1;
  }
  return rc ? 1 : 0;
}
