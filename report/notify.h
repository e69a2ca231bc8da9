/* mxsurvey report --notify FILE: the list a CERT sends, one row per (operator, domain,
 * finding) for every failing CNCS check and every outlook warning (finding.h; advisory
 * checks are left out: they fail no conformity), with the finding, what to change and the
 * reference in the reader's language (advice.h, i18n.h), the first date it breaks where
 * the scan knows it, and whom to write to. CSV (RFC 4180) when FILE ends in .csv, JSON
 * lines when it ends in .jsonl or .ndjson. Columns: docs/report.md. */
#ifndef MXS_REPORT_NOTIFY_H
#define MXS_REPORT_NOTIFY_H

#include <json-c/json.h>
#include <libpsl.h>
#include <stddef.h>

enum notify_format { NOTIFY_CSV, NOTIFY_JSONL };

/* The format FILE's name asks for, or -1 (neither: a usage error). */
int notify_format_of(const char *path);

/* Reads paths[0..n-1] (one scan) and writes the rows to path. 0, or 1 with a message. */
int notify_write(const char *path, const char *const *paths, size_t n, const psl_ctx_t *psl);

#endif
