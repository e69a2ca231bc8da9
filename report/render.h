/* The report's renderers: one built report (figures.h) to Markdown, CSV, JSON or one
 * self-contained HTML page. Each reads the report and writes; none counts anything. */
#ifndef MXS_REPORT_RENDER_H
#define MXS_REPORT_RENDER_H

#include <stdio.h>

#include "report/figures.h"

void render_md(const struct report *r, FILE *out);
void render_csv(const struct report *r, FILE *out);
void render_json(const struct report *r, FILE *out);
void render_html(const struct report *r, FILE *out);

#endif
