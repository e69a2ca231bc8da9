/* Markdown: the default, readable in a terminal. */
#include "report/render.h"
#include "report/compare.h"
#include "record/schema.h"

#include <string.h>

#define MD_MAX_CHANGES 100

/* Table cells must not break the table: '|' and newlines are replaced. */
static void cell(FILE *o, const char *s) {
  for (; *s; s++) fputs(*s == '|' ? "\\|" : (*s == '\n' ? " " : (char[2]){*s, 0}), o);
}

static void share(FILE *o, uint64_t c, uint64_t d, int has) {
  double p = figure_share(c, d, has);
  if (p < 0) fputs("", o);
  else fprintf(o, "%.1f%%", p);
}

/* A count and its share; no share over nothing (an operator none of whose domains engaged). */
static void rate(FILE *o, uint64_t c, uint64_t d) {
  fprintf(o, " %llu", (unsigned long long)c);
  if (d) {
    fputs(" (", o);
    share(o, c, d, 1);
    fputc(')', o);
  }
  fputs(" |", o);
}

/* A check's cell of the operators' conformity table: passing domains of those judged, and
 * the failing and not-tested ones when there are any. */
static void cncs_cell(FILE *o, const struct operator_row *op, int k) {
  const uint64_t *v = op->cncs[k];
  fprintf(o, " %llu/%llu", (unsigned long long)v[CNCS_PASS], (unsigned long long)op->cncs_domains);
  if (v[CNCS_FAIL]) fprintf(o, ", %llu fail", (unsigned long long)v[CNCS_FAIL]);
  if (v[CNCS_NOT_TESTED]) fprintf(o, ", %llu n/t", (unsigned long long)v[CNCS_NOT_TESTED]);
  fputs(" |", o);
}

/* Whether key is a figure of the pivoted table (a known check and result); any other
 * value a record carries keeps its own row. */
static int pivoted(const char *key) {
  for (int k = 0; k < CNCS_CHECK_COUNT; k++)
    for (int v = 0; v < CNCS_RESULT_COUNT; v++) {
      char kk[128];
      snprintf(kk, sizeof kk, "conformity.check.%s.%s", schema_cncs_check[k], schema_cncs_result[v]);
      if (strcmp(kk, key) == 0) return 1;
    }
  return 0;
}

/* The CNCS checks pivoted: per check, the domains of each result (share of those judged). */
static void conformity_md(const struct report *r, FILE *o) {
  fputs("\n| check | what it asks |", o);
  for (int v = 0; v < CNCS_RESULT_COUNT; v++) fprintf(o, " %s |", schema_cncs_result[v]);
  fputs("\n|---|---|", o);
  for (int v = 0; v < CNCS_RESULT_COUNT; v++) fputs("---:|", o);
  fputc('\n', o);
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
    fprintf(o, "| %s%s | %s |", schema_cncs_check[k], k >= CNCS_FIRST_ADVISORY ? " (advisory)" : "",
            cncs_check_title[k]);
    for (int v = 0; v < CNCS_RESULT_COUNT; v++) {
      char key[128];
      snprintf(key, sizeof key, "conformity.check.%s.%s", schema_cncs_check[k], schema_cncs_result[v]);
      const struct figure *f = report_find(r, key);
      if (f) rate(o, f->count, f->denom);
      else fputs(" |", o);
    }
    fputc('\n', o);
  }
}

/* Issue 16: the operators' conformity and the domains whose mail breaks soonest. */
static void ops_md(const struct report *r, FILE *o) {
  if (r->conformity) {
    fprintf(o, "\n## CNCS conformity per MX operator\n\nPer check: domains passing / domains "
               "judged of this operator, then those failing and not tested (n/t). Advisory "
               "checks (marked *) do not fail conformity.\n\n| operator | judged | conform |");
    for (int k = 0; k < CNCS_CHECK_COUNT; k++)
      fprintf(o, " %s%s |", schema_cncs_check[k], k >= CNCS_FIRST_ADVISORY ? "*" : "");
    fputs("\n|---|---:|---:|", o);
    for (int k = 0; k < CNCS_CHECK_COUNT; k++) fputs("---:|", o);
    fputc('\n', o);
    for (size_t i = 0; i < r->nops; i++) {
      const struct operator_row *op = &r->ops[i];
      if (!op->cncs_domains) continue;
      fputs("| ", o);
      cell(o, op->name);
      fprintf(o, " | %llu |", (unsigned long long)op->cncs_domains);
      rate(o, op->cncs_pass, op->cncs_domains);
      for (int k = 0; k < CNCS_CHECK_COUNT; k++) cncs_cell(o, op, k);
      fputc('\n', o);
    }
  }
  if (!r->outlook) return;
  fprintf(o, "\n## Mail that breaks soonest (the first %d, horizon %d days)\n\n",
          OUTLOOK_SOONEST, r->horizon_days);
  if (!r->nsoon) {
    fputs("No domain's mail breaks before the horizon.\n", o);
    return;
  }
  fputs("| domain | breaks | days after the scan | what | reason |\n|---|---|---:|---|---|\n", o);
  for (int i = 0; i < r->nsoon; i++) {
    const struct soon_row *s = &r->soon[i];
    fputs("| ", o);
    cell(o, s->domain);
    fprintf(o, " | %s | %.1f | ", s->when, (double)s->in_s / 86400.0);
    for (int w = 0, n = 0; w < OW_COUNT; w++)
      if (s->what & (1u << w)) fprintf(o, "%s%s", n++ ? ", " : "", outlook_what_name[w]);
    fputs(" | ", o);
    cell(o, s->reason);
    fputs(" |\n", o);
  }
}

void render_md(const struct report *r, FILE *o) {
  fprintf(o, "# mxsurvey report\n\n");
  uint64_t recs = 0, bytes = 0;
  for (size_t i = 0; i < r->ninputs; i++) {
    recs += r->inputs[i].records;
    bytes += r->inputs[i].bytes;
  }
  fprintf(o, "- scan: %s to %s, %llu records in %zu file(s), %llu bytes\n",
          r->first_scan[0] ? r->first_scan : "?", r->last_scan[0] ? r->last_scan : "?",
          (unsigned long long)recs, r->ninputs, (unsigned long long)bytes);
  if (r->compare)
    fprintf(o, "- previous scan: %s to %s, %zu file(s)\n", r->prev_first_scan[0] ? r->prev_first_scan : "?",
            r->prev_last_scan[0] ? r->prev_last_scan : "?", r->nold);
  fprintf(o, "- generated %s by mxsurvey %s%s%s\n\n", r->generated_at, MXS_VERSION,
          r->options[0] ? ", options: " : "", r->options);
  fprintf(o, "Every share is count / denominator.\n");
  for (const struct section_info *s = report_sections; s->id; s++) {
    int any = 0;
    /* CNCS checks: one row per check instead of four (not with --compare, whose previous
     * values need a row per figure) */
    int pivot = !r->compare && strcmp(s->id, "conformity") == 0;
    for (size_t i = 0; i < r->nfig; i++) {
      const struct figure *f = &r->fig[i];
      if (strcmp(f->section, s->id) != 0) continue;
      if (pivot && pivoted(f->key)) continue;
      if (!any) {
        fprintf(o, "\n## %s\n\n| figure | count | of | share |%s\n|---|---:|---:|---:|%s\n",
                s->title, r->compare ? " previous | change |" : "",
                r->compare ? "---:|---:|" : "");
        any = 1;
      }
      fputs("| ", o);
      cell(o, f->label);
      fprintf(o, " | %llu | ", (unsigned long long)f->count);
      if (f->has_denom) fprintf(o, "%llu", (unsigned long long)f->denom);
      fputs(" | ", o);
      share(o, f->count, f->denom, f->has_denom);
      fputs(" |", o);
      if (r->compare && f->has_prev) {
        fprintf(o, " %llu", (unsigned long long)f->prev_count);
        double pp = figure_share(f->prev_count, f->prev_denom, f->has_denom);
        if (pp >= 0) fprintf(o, " / %llu (%.1f%%)", (unsigned long long)f->prev_denom, pp);
        long long dc = (long long)f->count - (long long)f->prev_count;
        fprintf(o, " | %+lld", dc);
        double np = figure_share(f->count, f->denom, f->has_denom);
        if (pp >= 0 && np >= 0) fprintf(o, " (%+.1f pp)", np - pp);
        fputs(" |", o);
      } else if (r->compare) {
        fputs(" | |", o);
      }
      fputc('\n', o);
    }
    if (pivot && any) conformity_md(r, o);
  }

  fprintf(o, "\n## MX operators (top %zu of %zu, by domains served)\n\n", r->nops, r->ops_total);
  fprintf(o, "An operator is the registered domain of the MX host name (Public Suffix List); a "
             "domain counts once for each operator among its MX hosts. Engaged: domains where "
             "some MX address answered EHLO; STARTTLS all and DANE valid are shares of those. "
             "Refused and lost: domains where "
             "an address of this operator's MX hosts refused the scanner (4xx/5xx) or closed "
             "before EHLO completed.%s\n\n", r->profiled ? " TLS profiled: domains where an "
             "address of this operator's MX hosts was profiled (--tls-profile); legacy TLS and TLS "
             "insufficient are shares of those: such an address accepts SSLv3, TLS 1.0 or 1.1, or "
             "its grade is insufficient." : "");
  fputs("| operator |", o);
  for (int k = 0; k < OP_COLS; k++)
    if (op_shown(r, k)) fprintf(o, " %s |", op_columns[k].title);
  fprintf(o, "%s\n|---|", r->compare ? " previous domains |" : "");
  for (int k = 0; k < OP_COLS; k++)
    if (op_shown(r, k)) fputs("---:|", o);
  fprintf(o, "%s\n", r->compare ? "---:|" : "");
  for (size_t i = 0; i < r->nops; i++) {
    const struct operator_row *op = &r->ops[i];
    fputs("| ", o);
    cell(o, op->name);
    fprintf(o, " | %llu |", (unsigned long long)op->v[OP_DOMAINS]);
    for (int k = 1; k < OP_COLS; k++)
      if (op_shown(r, k)) rate(o, op->v[k], op->v[op_columns[k].denom]);
    if (r->compare) fprintf(o, " %llu |", (unsigned long long)op->prev[OP_DOMAINS]);
    fputc('\n', o);
  }
  ops_md(r, o);

  if (!r->compare) return;
  fprintf(o, "\n## Domains whose state changed\n");
  for (int k = 0; k < CHG_COUNT; k++) {
    if (!chg_shown(r, k)) continue;
    size_t n = 0;
    for (size_t i = 0; i < r->nchg; i++) n += strcmp(r->chg[i].kind, change_kind_key[k]) == 0;
    fprintf(o, "\n### %s (%zu)\n\n", change_kind_title[k], n);
    size_t shown = 0;
    for (size_t i = 0; i < r->nchg; i++) {
      if (strcmp(r->chg[i].kind, change_kind_key[k]) != 0) continue;
      if (shown++ == MD_MAX_CHANGES) {
        fprintf(o, "- ... and %zu more (see --format json or csv)\n", n - MD_MAX_CHANGES);
        break;
      }
      fprintf(o, "- %s: %s\n", r->chg[i].domain, r->chg[i].transition);
    }
  }
}
