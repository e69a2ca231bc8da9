/* Joins every TXT record of an answer and hands them to a parser's select function: a
 * valid record may follow any number of others (SPF, site verifications), so none is
 * left out. The memory is bounded by the answer, which one DNS message bounds
 * (TXT_ANSWER_MAX): a record's joined text is shorter than its RDATA. A record longer
 * than TXT_MAX_LEN joined that starts with the tag asked for is one we refuse to read:
 * an explicit error, not "none". */
#include "checks/txt.h"
#include "model/job.h"

#include <stdio.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char TXT_OOM[] = "out of memory";

int txt_select(const dns_answer_t *ans, const char *tag, txt_select_fn fn, void *out,
               const char **why) {
  size_t n = ans->count, total = 0, taglen = strlen(tag);
  for (size_t i = 0; i < n; i++) total += (size_t)ans->len[i] + 1;
  if (total > TXT_ANSWER_MAX + n) {   /* cannot come from one message: refuse, never "none" */
    *why = "TXT answer larger than 64 KiB";
    return -1;
  }
  char *buf = malloc(total + 1);
  const char **txts = calloc(n ? n : 1, sizeof *txts);
  size_t *lens = calloc(n ? n : 1, sizeof *lens), k = 0, off = 0;
  bool too_long = false;
  if (!buf || !txts || !lens) {
    free(buf);
    free(txts);
    free(lens);
    *why = TXT_OOM;
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    size_t len = (size_t)ans->len[i];
    long l = dns_txt_join(ans->data[i], len, buf + off, len + 1);
    if (l < 0) continue;               /* malformed: cannot be a record we would use */
    if ((size_t)l > TXT_MAX_LEN) {
      if ((size_t)l >= taglen && memcmp(buf + off, tag, taglen) == 0) too_long = true;
      continue;
    }
    txts[k] = buf + off;
    lens[k++] = (size_t)l;
    off += (size_t)l + 1;
  }
  int rc = fn(txts, lens, k, out, why);
  free(buf);
  free(txts);
  free(lens);
  if (too_long && rc >= 0) {
    *why = "TXT record longer than 4096 bytes";
    return -1;
  }
  return rc;
}

int txt_query(struct job *j, const char *prefix, dns_cb cb) {
  char name[DOMAIN_MAX + 32];
  snprintf(name, sizeof name, "%s.%s", prefix, j->domain);
  if (strlen(name) > DNS_QNAME_MAX) return 0;
  return job_query(j, name, 16 /* TXT */, cb, j) == 0 ? 1 : -1;
}
