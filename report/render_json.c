/* JSON: the same numbers, keyed by figure key, built with json-c. */
#include "report/render.h"
#include "report/compare.h"
#include "record/schema.h"

#include <json-c/json.h>
#include <string.h>

static json_object *u64(uint64_t v) { return json_object_new_int64((int64_t)v); }

static json_object *files(const struct input_file *f, size_t n) {
  json_object *a = json_object_new_array();
  for (size_t i = 0; i < n; i++) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", json_object_new_string(f[i].path));
    json_object_object_add(o, "bytes", u64(f[i].bytes));
    json_object_object_add(o, "records", u64(f[i].records));
    json_object_array_add(a, o);
  }
  return a;
}

static json_object *share(uint64_t c, uint64_t d, int has) {
  double p = figure_share(c, d, has);
  return p < 0 ? NULL : json_object_new_double(p);
}

/* An operator's CNCS conformity (issue 16): {"domains", "pass", "checks": {id: {result: n}}} */
static json_object *op_conformity(const struct operator_row *op) {
  json_object *o = json_object_new_object(), *checks = json_object_new_object();
  json_object_object_add(o, "domains", u64(op->cncs_domains));
  json_object_object_add(o, "pass", u64(op->cncs_pass));
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
    json_object *c = json_object_new_object();
    for (int v = 0; v < CNCS_RESULT_COUNT; v++)
      json_object_object_add(c, schema_cncs_result[v], u64(op->cncs[k][v]));
    json_object_object_add(checks, schema_cncs_check[k], c);
  }
  json_object_object_add(o, "checks", checks);
  return o;
}

static json_object *soonest(const struct report *r) {
  json_object *a = json_object_new_array();
  for (int i = 0; i < r->nsoon; i++) {
    const struct soon_row *s = &r->soon[i];
    json_object *o = json_object_new_object(), *what = json_object_new_array();
    json_object_object_add(o, "domain", json_object_new_string(s->domain));
    json_object_object_add(o, "breaks", json_object_new_string(s->when));
    json_object_object_add(o, "days", json_object_new_double((double)s->in_s / 86400.0));
    for (int w = 0; w < OW_COUNT; w++)
      if (s->what & (1u << w)) json_object_array_add(what, json_object_new_string(outlook_what_name[w]));
    json_object_object_add(o, "what", what);
    json_object_object_add(o, "reason", json_object_new_string(s->reason));
    json_object_array_add(a, o);
  }
  return a;
}

void render_json(const struct report *r, FILE *out) {
  json_object *root = json_object_new_object();
  json_object_object_add(root, "generator", json_object_new_string("mxsurvey report"));
  json_object_object_add(root, "version", json_object_new_string(MXS_VERSION));
  json_object_object_add(root, "generated_at", json_object_new_string(r->generated_at));
  json_object_object_add(root, "options", json_object_new_string(r->options));
  json_object_object_add(root, "warnings", u64(r->warnings));
  json_object *scan = json_object_new_object();
  json_object_object_add(scan, "first_scanned_at", json_object_new_string(r->first_scan));
  json_object_object_add(scan, "last_scanned_at", json_object_new_string(r->last_scan));
  json_object_object_add(scan, "inputs", files(r->inputs, r->ninputs));
  json_object_object_add(root, "scan", scan);
  if (r->compare) {
    json_object *p = json_object_new_object();
    json_object_object_add(p, "first_scanned_at", json_object_new_string(r->prev_first_scan));
    json_object_object_add(p, "last_scanned_at", json_object_new_string(r->prev_last_scan));
    json_object_object_add(p, "inputs", files(r->old_inputs, r->nold));
    json_object_object_add(root, "previous_scan", p);
  }

  json_object *sections = json_object_new_array();
  for (const struct section_info *s = report_sections; s->id; s++) {
    json_object *keys = json_object_new_array();
    for (size_t i = 0; i < r->nfig; i++)
      if (strcmp(r->fig[i].section, s->id) == 0)
        json_object_array_add(keys, json_object_new_string(r->fig[i].key));
    if (json_object_array_length(keys) == 0) {
      json_object_put(keys);
      continue;
    }
    json_object *so = json_object_new_object();
    json_object_object_add(so, "id", json_object_new_string(s->id));
    json_object_object_add(so, "title", json_object_new_string(s->title));
    json_object_object_add(so, "figures", keys);
    json_object_array_add(sections, so);
  }
  json_object_object_add(root, "sections", sections);

  json_object *figs = json_object_new_object();
  for (size_t i = 0; i < r->nfig; i++) {
    const struct figure *f = &r->fig[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "section", json_object_new_string(f->section));
    json_object_object_add(o, "label", json_object_new_string(f->label));
    json_object_object_add(o, "count", u64(f->count));
    json_object_object_add(o, "denominator", f->has_denom ? u64(f->denom) : NULL);
    json_object_object_add(o, "share", share(f->count, f->denom, f->has_denom));
    if (f->has_prev) {
      json_object *p = json_object_new_object();
      json_object_object_add(p, "count", u64(f->prev_count));
      json_object_object_add(p, "denominator", f->has_denom ? u64(f->prev_denom) : NULL);
      json_object_object_add(p, "share", share(f->prev_count, f->prev_denom, f->has_denom));
      json_object_object_add(o, "previous", p);
      json_object *c = json_object_new_object();
      json_object_object_add(c, "count",
                             json_object_new_int64((int64_t)f->count - (int64_t)f->prev_count));
      double a = figure_share(f->count, f->denom, f->has_denom);
      double b = figure_share(f->prev_count, f->prev_denom, f->has_denom);
      json_object_object_add(c, "share_pp", a >= 0 && b >= 0 ? json_object_new_double(a - b) : NULL);
      json_object_object_add(o, "change", c);
    }
    json_object_object_add(figs, f->key, o);
  }
  json_object_object_add(root, "figures", figs);

  json_object *ops = json_object_new_array();
  for (size_t i = 0; i < r->nops; i++) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "operator", json_object_new_string(r->ops[i].name));
    for (int k = 0; k < OP_COLS; k++)
      if (op_shown(r, k)) json_object_object_add(o, op_columns[k].metric, u64(r->ops[i].v[k]));
    if (r->ops[i].has_prev) {
      json_object *p = json_object_new_object();
      for (int k = 0; k < OP_COLS; k++)
        if (op_shown(r, k)) json_object_object_add(p, op_columns[k].metric, u64(r->ops[i].prev[k]));
      json_object_object_add(o, "previous", p);
    }
    if (r->conformity) json_object_object_add(o, "conformity", op_conformity(&r->ops[i]));
    json_object_array_add(ops, o);
  }
  json_object_object_add(root, "operators", ops);
  json_object_object_add(root, "operators_total", u64(r->ops_total));
  if (r->outlook) {
    json_object_object_add(root, "outlook_horizon_days", json_object_new_int(r->horizon_days));
    json_object_object_add(root, "outlook_soonest", soonest(r));
  }

  if (r->compare) {
    json_object *ch = json_object_new_object();
    for (int k = 0; k < CHG_COUNT; k++) {
      if (!chg_shown(r, k)) continue;
      json_object *a = json_object_new_array();
      for (size_t i = 0; i < r->nchg; i++) {
        if (strcmp(r->chg[i].kind, change_kind_key[k]) != 0) continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "domain", json_object_new_string(r->chg[i].domain));
        json_object_object_add(o, "change", json_object_new_string(r->chg[i].transition));
        json_object_array_add(a, o);
      }
      json_object_object_add(ch, change_kind_key[k], a);
    }
    json_object_object_add(root, "changed_domains", ch);
  }
  fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE), out);
  fputc('\n', out);
  json_object_put(root);
}
