/* One self-contained HTML page a CERT can publish: no scripts, no external fonts, images
 * or style sheets; charts are inline SVG bars of each figure's share. */
#include "report/render.h"
#include "record/schema.h"

#include <string.h>

#define CHART_ROWS 14  /* bars per section chart; the table below has every figure */

static void esc(FILE *o, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", o); break;
    case '>': fputs("&gt;", o); break;
    case '&': fputs("&amp;", o); break;
    case '"': fputs("&quot;", o); break;
    case '\'': fputs("&#39;", o); break;
    default: fputc(*s, o);
    }
  }
}

static void pct(FILE *o, uint64_t c, uint64_t d, int has) {
  double p = figure_share(c, d, has);
  if (p >= 0) fprintf(o, "%.1f%%", p);
}

static void headline(FILE *o, const struct report *r, const char *key, const char *title) {
  const struct figure *f = report_find(r, key);
  if (!f) return;
  fputs("<div class=\"card\"><div class=\"big\">", o);
  if (f->has_denom) pct(o, f->count, f->denom, 1);
  else fprintf(o, "%llu", (unsigned long long)f->count);
  fputs("</div><div>", o);
  esc(o, title);
  fprintf(o, "</div><div class=\"small\">%llu", (unsigned long long)f->count);
  if (f->has_denom) fprintf(o, " of %llu", (unsigned long long)f->denom);
  if (f->has_prev && f->has_denom) {
    double a = figure_share(f->count, f->denom, 1), b = figure_share(f->prev_count, f->prev_denom, 1);
    if (a >= 0 && b >= 0) fprintf(o, "; %+.1f pp", a - b);
  }
  fputs("</div></div>\n", o);
}

static void chart(FILE *o, const struct report *r, const char *section) {
  size_t rows = 0;
  for (size_t i = 0; i < r->nfig && rows < CHART_ROWS; i++)
    if (strcmp(r->fig[i].section, section) == 0 && r->fig[i].has_denom) rows++;
  if (!rows) return;
  const int lw = 430, bw = 420, rh = 22;
  fprintf(o, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" "
          "xmlns=\"http://www.w3.org/2000/svg\">\n", lw + bw + 70, rows * rh + 4, lw + bw + 70,
          rows * rh + 4);
  size_t y = 0;
  for (size_t i = 0; i < r->nfig && y < rows; i++) {
    const struct figure *f = &r->fig[i];
    if (strcmp(f->section, section) != 0 || !f->has_denom) continue;
    double p = figure_share(f->count, f->denom, 1);
    if (p < 0) p = 0;
    size_t ty = y * rh;
    char label[72];
    size_t ln = strlen(f->label);
    if (ln >= sizeof label) {
      memcpy(label, f->label, sizeof label - 4);
      memcpy(label + sizeof label - 4, "...", 4);
    } else {
      memcpy(label, f->label, ln + 1);
    }
    fprintf(o, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", lw - 8, ty + 15);
    esc(o, label);
    fprintf(o, "</text><rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"16\" class=\"bg\"/>"
            "<rect x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"16\" class=\"bar\"/>"
            "<text x=\"%d\" y=\"%zu\">%.1f%%</text>\n", lw, ty + 3, bw, lw, ty + 3,
            p * bw / 100.0, lw + bw + 6, ty + 15, p);
    y++;
  }
  fputs("</svg>\n", o);
}

static void table(FILE *o, const struct report *r, const char *section) {
  fprintf(o, "<table><tr><th>figure</th><th>count</th><th>of</th><th>share</th>%s</tr>\n",
          r->compare ? "<th>previous</th><th>change</th>" : "");
  for (size_t i = 0; i < r->nfig; i++) {
    const struct figure *f = &r->fig[i];
    if (strcmp(f->section, section) != 0) continue;
    fputs("<tr><td>", o);
    esc(o, f->label);
    fprintf(o, "</td><td>%llu</td><td>", (unsigned long long)f->count);
    if (f->has_denom) fprintf(o, "%llu", (unsigned long long)f->denom);
    fputs("</td><td>", o);
    pct(o, f->count, f->denom, f->has_denom);
    fputs("</td>", o);
    if (r->compare) {
      fputs("<td>", o);
      if (f->has_prev) {
        fprintf(o, "%llu", (unsigned long long)f->prev_count);
        if (f->has_denom) {
          fputs(" (", o);
          pct(o, f->prev_count, f->prev_denom, 1);
          fputs(")", o);
        }
      }
      fputs("</td><td>", o);
      if (f->has_prev) {
        fprintf(o, "%+lld", (long long)f->count - (long long)f->prev_count);
        double a = figure_share(f->count, f->denom, f->has_denom);
        double b = figure_share(f->prev_count, f->prev_denom, f->has_denom);
        if (a >= 0 && b >= 0) fprintf(o, " (%+.1f pp)", a - b);
      }
      fputs("</td>", o);
    }
    fputs("</tr>\n", o);
  }
  fputs("</table>\n", o);
}

/* Issue 16. Conformity: one stacked bar per check, pass / fail / not tested /
 * not applicable of the domains judged. */
static void conformity_chart(FILE *o, const struct report *r) {
  const struct figure *d = report_find(r, "conformity.domains");
  if (!d || !d->count) return;
  static const char *const cls[CNCS_RESULT_COUNT] = {"pass", "fail", "nt", "na"};
  const int lw = 430, bw = 420, rh = 22;
  fprintf(o, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "xmlns=\"http://www.w3.org/2000/svg\">\n", lw + bw + 90, CNCS_CHECK_COUNT * rh + 4,
          lw + bw + 90, CNCS_CHECK_COUNT * rh + 4);
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
    int ty = k * rh;
    fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s%s</text>", lw - 8, ty + 15,
            k >= CNCS_FIRST_ADVISORY ? "advisory: " : "", schema_cncs_check[k]);
    double x = lw, pass = 0;
    for (int v = 0; v < CNCS_RESULT_COUNT; v++) {
      char key[128];
      snprintf(key, sizeof key, "conformity.check.%s.%s", schema_cncs_check[k], schema_cncs_result[v]);
      const struct figure *f = report_find(r, key);
      double w = f ? (double)f->count * bw / (double)d->count : 0;
      if (v == CNCS_PASS) pass = f ? 100.0 * (double)f->count / (double)d->count : 0;
      if (w > 0)
        fprintf(o, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"%s\"/>", x,
                ty + 3, w, cls[v]);
      x += w;
    }
    fprintf(o, "<text x=\"%d\" y=\"%d\">%.1f%% pass</text>\n", lw + bw + 6, ty + 15, pass);
  }
  fputs("</svg>\n<p class=\"small\"><span class=\"key pass\"></span> pass <span class=\"key "
        "fail\"></span> fail <span class=\"key nt\"></span> not tested <span class=\"key na\">"
        "</span> not applicable; advisory checks do not fail conformity.</p>\n", o);
}

/* The conformity section's table, one row per check (the figures' rows, pivoted): the
 * domains of each result and their share of those judged; the summary figures first. */
static void conformity_table(FILE *o, const struct report *r) {
  fputs("<table><tr><th>figure</th><th>count</th><th>of</th><th>share</th></tr>\n", o);
  for (size_t i = 0; i < r->nfig; i++) {
    const struct figure *f = &r->fig[i];
    if (strcmp(f->section, "conformity") != 0 || strncmp(f->key, "conformity.check.", 17) == 0)
      continue;
    fputs("<tr><td>", o);
    esc(o, f->label);
    fprintf(o, "</td><td>%llu</td><td>%llu</td><td>", (unsigned long long)f->count,
            (unsigned long long)f->denom);
    pct(o, f->count, f->denom, f->has_denom);
    fputs("</td></tr>\n", o);
  }
  fputs("</table>\n<table class=\"checks\"><tr><th>check</th><th>what it asks</th>", o);
  for (int v = 0; v < CNCS_RESULT_COUNT; v++) fprintf(o, "<th>%s</th>", schema_cncs_result[v]);
  fputs("</tr>\n", o);
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
    fprintf(o, "<tr><td>%s%s</td><td>", schema_cncs_check[k], k >= CNCS_FIRST_ADVISORY ? " (advisory)" : "");
    fputs(cncs_check_title[k], o);
    fputs("</td>", o);
    for (int v = 0; v < CNCS_RESULT_COUNT; v++) {
      char key[128];
      snprintf(key, sizeof key, "conformity.check.%s.%s", schema_cncs_check[k], schema_cncs_result[v]);
      const struct figure *f = report_find(r, key);
      if (!f) continue;
      fprintf(o, "<td%s>%llu (", v == CNCS_FAIL && f->count && k < CNCS_FIRST_ADVISORY ?
              " class=\"bad\"" : "", (unsigned long long)f->count);
      pct(o, f->count, f->denom, 1);
      fputs(")</td>", o);
    }
    fputs("</tr>\n", o);
  }
  fputs("</table>\n", o);
}

/* Outlook: warnings by week until the horizon, one column per week (counts). */
static void week_chart(FILE *o, const struct report *r) {
  uint64_t max = 0;
  int n = 0;
  const struct figure *wk[64];
  for (size_t i = 0; i < r->nfig && n < 64; i++)
    if (strncmp(r->fig[i].key, "outlook.week.", 13) == 0) {
      wk[n++] = &r->fig[i];
      if (r->fig[i].count > max) max = r->fig[i].count;
    }
  if (!n) return;
  const int cw = 60, ch = 120, top = 18;
  fprintf(o, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
          "xmlns=\"http://www.w3.org/2000/svg\">\n", n * cw + 10, ch + top + 22, n * cw + 10,
          ch + top + 22);
  for (int i = 0; i < n; i++) {
    double h = max ? (double)wk[i]->count * ch / (double)max : 0;
    const char *w = wk[i]->key + 13;
    fprintf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" class=\"warn\"/>"
            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%llu</text>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s%s</text>\n", i * cw + 8,
            top + ch - h, cw - 12, h, i * cw + 8 + (cw - 12) / 2, top + ch - h - 4,
            (unsigned long long)wk[i]->count, i * cw + 8 + (cw - 12) / 2, top + ch + 16,
            w[0] >= '0' && w[0] <= '9' ? "week " : "", w);
  }
  fputs("</svg>\n", o);
}

static void ops_html(FILE *o, const struct report *r) {
  if (r->conformity) {
    fputs("<h2 id=\"conformity_operators\">CNCS conformity per MX operator</h2>\n<p class=\"small\">"
          "Per check: domains passing / domains judged of this operator, then failing and not "
          "tested (n/t). Advisory checks (*) do not fail conformity.</p>\n<table class=\"cncs\">"
          "<tr><th>operator</th><th>judged</th><th>conform</th>", o);
    for (int k = 0; k < CNCS_CHECK_COUNT; k++)
      fprintf(o, "<th>%s%s</th>", schema_cncs_check[k], k >= CNCS_FIRST_ADVISORY ? "*" : "");
    fputs("</tr>\n", o);
    for (size_t i = 0; i < r->nops; i++) {
      const struct operator_row *op = &r->ops[i];
      if (!op->cncs_domains) continue;
      fputs("<tr><td>", o);
      esc(o, op->name);
      fprintf(o, "</td><td>%llu</td><td>%llu (", (unsigned long long)op->cncs_domains,
              (unsigned long long)op->cncs_pass);
      pct(o, op->cncs_pass, op->cncs_domains, 1);
      fputs(")</td>", o);
      for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
        const uint64_t *v = op->cncs[k];
        fprintf(o, "<td%s>%llu/%llu", v[CNCS_FAIL] && k < CNCS_FIRST_ADVISORY ? " class=\"bad\"" : "",
                (unsigned long long)v[CNCS_PASS], (unsigned long long)op->cncs_domains);
        if (v[CNCS_FAIL]) fprintf(o, ", %llu fail", (unsigned long long)v[CNCS_FAIL]);
        if (v[CNCS_NOT_TESTED]) fprintf(o, ", %llu n/t", (unsigned long long)v[CNCS_NOT_TESTED]);
        fputs("</td>", o);
      }
      fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
  }
  if (!r->outlook) return;
  fprintf(o, "<h2 id=\"soonest\">Mail that breaks soonest (the first %d, horizon %d days)</h2>\n",
          OUTLOOK_SOONEST, r->horizon_days);
  if (!r->nsoon) {
    fputs("<p>No domain's mail breaks before the horizon.</p>\n", o);
    return;
  }
  fputs("<table class=\"soon\"><tr><th>domain</th><th>breaks</th><th>days after the scan</th>"
        "<th>what</th><th>reason</th></tr>\n", o);
  for (int i = 0; i < r->nsoon; i++) {
    const struct soon_row *s = &r->soon[i];
    fputs("<tr><td>", o);
    esc(o, s->domain);
    fputs("</td><td>", o);
    esc(o, s->when);
    fprintf(o, "</td><td>%.1f</td><td>", (double)s->in_s / 86400.0);
    for (int w = 0, n = 0; w < OW_COUNT; w++)
      if (s->what & (1u << w)) fprintf(o, "%s%s", n++ ? ", " : "", outlook_what_name[w]);
    fputs("</td><td>", o);
    esc(o, s->reason);
    fputs("</td></tr>\n", o);
  }
  fputs("</table>\n", o);
}

static const char STYLE[] =
  "body{font-family:sans-serif;margin:2em auto;max-width:1000px;color:#222;background:#fff}"
  "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
  ".cards{display:flex;flex-wrap:wrap;gap:12px}"
  ".card{border:1px solid #ccc;border-radius:6px;padding:10px 14px;min-width:140px}"
  ".big{font-size:1.8em;font-weight:bold;color:#1a5f9e}.small{color:#666;font-size:.85em}"
  "table{border-collapse:collapse;margin:.6em 0;font-size:.9em}"
  "td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}"
  "td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}"
  "svg.chart{font-size:12px;font-family:sans-serif;display:block;margin:.6em 0}"
  "svg .bar{fill:#1a5f9e}svg .bg{fill:#eef2f6}"
  "svg .pass,.key.pass{fill:#2e7d32;background:#2e7d32}svg .fail,.key.fail{fill:#c62828;background:#c62828}"
  "svg .nt,.key.nt{fill:#9e9e9e;background:#9e9e9e}svg .na,.key.na{fill:#e0e0e0;background:#e0e0e0}"
  "svg .warn{fill:#e65100}.key{display:inline-block;width:10px;height:10px;margin-left:8px}"
  "td.bad{background:#fdecea}table.soon td{text-align:left;white-space:nowrap}table.checks td:nth-child(2){text-align:left}"
  "table.checks td,table.cncs td{white-space:nowrap}table.cncs{font-size:.72em}"
  ".meta td{text-align:left}";

void render_html(const struct report *r, FILE *o) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>mxsurvey report</title>\n<style>", o);
  fputs(STYLE, o);
  fputs("</style></head><body>\n<h1>E-mail transport security: mxsurvey report</h1>\n", o);
  fprintf(o, "<p class=\"small\">Scan of %s to %s. Every share is count / denominator.</p>\n",
          r->first_scan[0] ? r->first_scan : "?", r->last_scan[0] ? r->last_scan : "?");
  fputs("<div class=\"cards\">\n", o);
  headline(o, r, "population.records", "domains scanned");
  headline(o, r, "population.receives_mail", "an MX address engaged");
  headline(o, r, "transport.starttls.all", "STARTTLS on every engaged MX address");
  headline(o, r, "dane.summary.valid", "DANE valid");
  headline(o, r, "mta_sts.status.valid", "MTA-STS policy valid");
  headline(o, r, "tls_rpt.status.valid", "TLS-RPT valid");
  /* only when the scan made TLS profiles (headline shows no figure that is absent) */
  headline(o, r, "tls_profile.legacy_domains", "an MX accepts SSLv3, TLS 1.0 or 1.1");
  /* issue 16: only when the records have them */
  headline(o, r, "conformity.pass", "conform to the CNCS recommendation");
  headline(o, r, "rollover.ready", "MX hosts rollover-ready");
  headline(o, r, "outlook.status.warn", "mail breaks before the horizon");
  fputs("</div>\n", o);
  for (const struct section_info *s = report_sections; s->id; s++) {
    int any = 0;
    for (size_t i = 0; i < r->nfig; i++) any |= strcmp(r->fig[i].section, s->id) == 0;
    if (!any) continue;
    fprintf(o, "<h2 id=\"%s\">", s->id);
    esc(o, s->title);
    fputs("</h2>\n", o);
    if (strcmp(s->id, "conformity") == 0) {
      conformity_chart(o, r);
      conformity_table(o, r);
      continue;
    }
    if (strcmp(s->id, "outlook") == 0) week_chart(o, r);
    else chart(o, r, s->id);
    table(o, r, s->id);
  }

  fprintf(o, "<h2 id=\"operators\">MX operators (top %zu of %zu)</h2>\n<p class=\"small\">An "
          "operator is the registered domain of the MX host name (Public Suffix List); a domain "
          "counts once for each operator among its MX hosts.</p>\n", r->nops, r->ops_total);
  fputs("<p class=\"small\">Engaged: domains where some MX address answered EHLO; STARTTLS "
        "all and DANE valid are shares of those. Refused, lost: domains where an address of "
        "this operator's MX hosts refused the scanner (4xx/5xx) or closed before EHLO "
        "completed.</p>\n", o);
  if (r->profiled)
    fputs("<p class=\"small\">TLS profiled: domains where an address of this operator's MX "
          "hosts was profiled (--tls-profile); legacy TLS and TLS insufficient are shares of "
          "those: such an address accepts SSLv3, TLS 1.0 or 1.1, or its grade is "
          "insufficient.</p>\n", o);
  fputs("<table><tr><th>operator</th>", o);
  for (int k = 0; k < OP_COLS; k++)
    if (op_shown(r, k)) fprintf(o, "<th>%s</th>", op_columns[k].title);
  fputs("</tr>\n", o);
  for (size_t i = 0; i < r->nops; i++) {
    const struct operator_row *op = &r->ops[i];
    fputs("<tr><td>", o);
    esc(o, op->name);
    fprintf(o, "</td><td>%llu</td>", (unsigned long long)op->v[OP_DOMAINS]);
    for (int k = 1; k < OP_COLS; k++) {
      if (!op_shown(r, k)) continue;
      uint64_t d = op->v[op_columns[k].denom];
      fprintf(o, "<td>%llu", (unsigned long long)op->v[k]);
      if (d) {
        fputs(" (", o);
        pct(o, op->v[k], d, 1);
        fputc(')', o);
      }
      fputs("</td>", o);
    }
    fputs("</tr>\n", o);
  }
  fputs("</table>\n", o);
  ops_html(o, r);

  if (r->compare && r->nchg) {
    fputs("<h2 id=\"changed\">Domains whose state changed</h2>\n<table><tr><th>change</th>"
          "<th>domain</th><th>from -&gt; to</th></tr>\n", o);
    for (size_t i = 0; i < r->nchg && i < 1000; i++) {
      fputs("<tr><td>", o);
      esc(o, r->chg[i].kind);
      fputs("</td><td>", o);
      esc(o, r->chg[i].domain);
      fputs("</td><td>", o);
      esc(o, r->chg[i].transition);
      fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
  }

  fputs("<h2 id=\"meta\">About this scan</h2>\n<table class=\"meta\">\n", o);
  fprintf(o, "<tr><td>scanned</td><td>%s to %s</td></tr>\n", r->first_scan, r->last_scan);
  for (size_t i = 0; i < r->ninputs; i++) {
    fputs("<tr><td>input</td><td>", o);
    esc(o, r->inputs[i].path);
    fprintf(o, ": %llu bytes, %llu records</td></tr>\n", (unsigned long long)r->inputs[i].bytes,
            (unsigned long long)r->inputs[i].records);
  }
  for (size_t i = 0; i < r->nold; i++) {
    fputs("<tr><td>previous scan</td><td>", o);
    esc(o, r->old_inputs[i].path);
    fprintf(o, ": %llu bytes, %llu records (%s to %s)</td></tr>\n",
            (unsigned long long)r->old_inputs[i].bytes, (unsigned long long)r->old_inputs[i].records,
            r->prev_first_scan, r->prev_last_scan);
  }
  fprintf(o, "<tr><td>generated</td><td>%s by mxsurvey %s</td></tr>\n<tr><td>options</td><td>",
          r->generated_at, MXS_VERSION);
  esc(o, r->options);
  fputs("</td></tr>\n</table>\n</body></html>\n", o);
}
