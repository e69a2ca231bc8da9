/* CSV: one row per figure (the same numbers as the Markdown), then the operator table
 * and the changed domains as rows of their own sections. */
#include "report/render.h"
#include "record/schema.h"

#include <string.h>

static void field(FILE *o, const char *s) {
  fputc('"', o);
  for (; *s; s++) {
    if (*s == '"') fputc('"', o);
    fputc(*s, o);
  }
  fputc('"', o);
}

static void row(FILE *o, const struct report *r, const char *section, const char *key,
                const char *label, uint64_t c, uint64_t d, int has_denom, int has_prev,
                uint64_t pc, uint64_t pd) {
  field(o, section);
  fputc(',', o);
  field(o, key);
  fputc(',', o);
  field(o, label);
  fprintf(o, ",%llu,", (unsigned long long)c);
  if (has_denom) fprintf(o, "%llu", (unsigned long long)d);
  fputc(',', o);
  double p = figure_share(c, d, has_denom);
  if (p >= 0) fprintf(o, "%.4f", p);
  if (r->compare) {
    if (has_prev) {
      fprintf(o, ",%llu,", (unsigned long long)pc);
      if (has_denom) fprintf(o, "%llu", (unsigned long long)pd);
      double pp = figure_share(pc, pd, has_denom);
      fputc(',', o);
      if (pp >= 0) fprintf(o, "%.4f", pp);
      fprintf(o, ",%lld,", (long long)c - (long long)pc);
      if (pp >= 0 && p >= 0) fprintf(o, "%.4f", p - pp);
    } else {
      fputs(",,,,,", o);
    }
  }
  fputc('\n', o);
}

void render_csv(const struct report *r, FILE *o) {
  fputs("section,key,label,count,denominator,share_percent", o);
  if (r->compare)
    fputs(",previous_count,previous_denominator,previous_share_percent,change_count,change_pp", o);
  fputc('\n', o);
  for (size_t i = 0; i < r->nfig; i++) {
    const struct figure *f = &r->fig[i];
    row(o, r, f->section, f->key, f->label, f->count, f->denom, f->has_denom, f->has_prev,
        f->prev_count, f->prev_denom);
  }
  /* Each operator column over its own denominator (op_columns): the domains over
   * population.ok, STARTTLS all and DANE valid over the engaged domains, ... */
  const struct figure *ok = report_find(r, "population.ok");
  for (size_t i = 0; i < r->nops; i++) {
    const struct operator_row *op = &r->ops[i];
    for (int k = 0; k < OP_COLS; k++) {
      if (!op_shown(r, k)) continue;
      char key[400];
      int dk = op_columns[k].denom;
      snprintf(key, sizeof key, "operators.%s.%s", op->name, op_columns[k].metric);
      row(o, r, "operators", key, op->name, op->v[k], dk >= 0 ? op->v[dk] : (ok ? ok->count : 0),
          1, op->has_prev, op->prev[k], dk >= 0 ? op->prev[dk] : (ok ? ok->prev_count : 0));
    }
  }
  /* Issue 16: each operator's domains per check and result, over those judged; the
   * domains whose mail breaks soonest (count: the rank; label: when, in how many days, why). */
  for (size_t i = 0; r->conformity && i < r->nops; i++) {
    const struct operator_row *op = &r->ops[i];
    char key[400];
    snprintf(key, sizeof key, "operators.%s.cncs.conform", op->name);
    row(o, r, "operators", key, op->name, op->cncs_pass, op->cncs_domains, 1, 0, 0, 0);
    for (int k = 0; k < CNCS_CHECK_COUNT; k++)
      for (int v = 0; v < CNCS_RESULT_COUNT; v++) {
        snprintf(key, sizeof key, "operators.%s.cncs.%s.%s", op->name, schema_cncs_check[k],
                 schema_cncs_result[v]);
        row(o, r, "operators", key, op->name, op->cncs[k][v], op->cncs_domains, 1, 0, 0, 0);
      }
  }
  for (int i = 0; i < r->nsoon; i++) {
    char label[300];
    snprintf(label, sizeof label, "%s (%.1f days): %s", r->soon[i].when,
             (double)r->soon[i].in_s / 86400.0, r->soon[i].reason);
    field(o, "outlook_soonest");
    fputc(',', o);
    field(o, r->soon[i].domain);
    fputc(',', o);
    field(o, label);
    fprintf(o, ",%d,,\n", i + 1);
  }
  for (size_t i = 0; i < r->nchg; i++) {
    field(o, "changed_domains");
    fputc(',', o);
    field(o, r->chg[i].kind);
    fputc(',', o);
    field(o, r->chg[i].domain);
    fputs(",1,,", o);
    fputc('\n', o);
  }
}
