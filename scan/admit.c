/* Admission: which input lines become jobs, and the job's identity.
 *
 * A line is normalised (lib/domain.h); an empty line or comment is skipped. A name
 * already seen in this run (a duplicate) or already recorded in the output being resumed
 * is skipped and counted. The identity is the record's "domain" as JSON text, the form
 * the resume reader collects, so an invalid line is recognised too; for an invalid line
 * that is the trimmed line itself, every byte of it (a NUL included: a C-string copy
 * would make "a.pt<NUL>x" the name "a.pt" and hide the real a.pt as its duplicate), up to
 * INVALID_LINE_MAX bytes. An invalid or excluded line is a job that ends at once (no DNS
 * query, no connection); any other starts with its MX stage. */
#include "scan/pipeline.h"
#include "scan/stages.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bytes of an invalid line that are its record's domain and its identity (duplicates,
 * --resume): a name is at most 253, domain_normalize looks at 1024; escaped for JSON it
 * stays within the resume reader's RESUME_NAME_MAX. */
#define INVALID_LINE_MAX 1024

/* 1 scan it, 0 skip it, -1 out of memory. */
static int first_sighting(scan_t *s, const char *key, size_t len) {
  uint32_t v;
  if (nameset_get(s->names, key, len, &v)) {
    if (v & NAME_SEEN) { s->duplicates++; return 0; }
    nameset_set(s->names, key, len, v | NAME_SEEN);
    s->resumed++;
    return 0;
  }
  return nameset_add(s->names, key, len, NAME_SEEN) < 0 ? -1 : 1;
}

static void *memdup(const void *p, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, p, n);
    d[n] = '\0';
  }
  return d;
}

static void stamp(job_t *j) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(j->scanned_at, sizeof j->scanned_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An invalid line's job: its record's domain is the line (tl bytes of text), its input
 * the whole trimmed line when longer. */
static void admit_invalid(job_t *j, const char *text, size_t tl, const char *trimmed, size_t n,
                          const char *reason) {
  snprintf(j->domain, sizeof j->domain, "%.*s", (int)(tl < DOMAIN_MAX - 1 ? tl : DOMAIN_MAX - 1), text);
  j->line = memdup(text, tl);
  j->line_len = tl;
  if (n > tl) {
    j->input = memdup(trimmed, n);
    j->input_len = n;
  }
  if (!j->line || (n > tl && !j->input)) job_oom(j);
  job_set_error(j, JOB_INVALID, STAGE_INPUT, reason);
}

static void job_end_now(job_t *j) {
  j->state = JOB_HOSTS;
  job_advance(j);
}

void admit_line(scan_t *s, const char *line, size_t len) {
  char name[DOMAIN_MAX];
  const char *reason = NULL;
  enum domain_norm r = domain_normalize(line, len, name, &reason);
  if (r == DOMAIN_SKIP) return;
  size_t b = 0, e = len;          /* the trimmed input, kept when it differs */
  while (b < e && (line[b] == ' ' || line[b] == '\t')) b++;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r' || line[e - 1] == '\n')) e--;
  const char *text = name;
  size_t tl = strlen(name);
  if (r == DOMAIN_INVALID) {
    text = line + b;
    tl = e - b < INVALID_LINE_MAX ? e - b : INVALID_LINE_MAX;
  }
  char key[6 * INVALID_LINE_MAX + 1];
  size_t klen = json_escape(text, tl, key);
  int first = first_sighting(s, key, klen);
  if (first <= 0) {
    if (first < 0) scan_oom(&s->env);
    return;
  }
  job_t *j = job_new(&s->env);
  if (!j) { scan_oom(&s->env); return; }
  pipeline_add(s, j);
  stamp(j);
  if (r == DOMAIN_INVALID) {
    admit_invalid(j, text, tl, line + b, e - b, reason);
    job_end_now(j);
    return;
  }
  memcpy(j->domain, name, sizeof name);
  if (e - b != strlen(name) || memcmp(line + b, name, e - b) != 0) {
    j->input = memdup(line + b, e - b);
    j->input_len = e - b;
  }
  const char *excl = exclude_domain(s->cfg->exclude, j->domain);
  if (excl) {                     /* an opt-out: not one DNS query, not one connection */
    job_set_error(j, JOB_EXCLUDED, STAGE_INPUT, excl);
    s->excluded++;
    job_end_now(j);
    return;
  }
  mx_start(j);
}
