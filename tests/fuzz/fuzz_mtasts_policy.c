/* Parses arbitrary bytes as an MTA-STS policy body and checks every accepted policy
 * against the invariants the rest of the scanner relies on (mode set, max_age in range,
 * mx patterns lowercased LDH with no trailing dot, counts within bounds), then exercises
 * the matcher with each kept pattern against a host built from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/mtasts_parse.h"

static mtasts_policy_t p;   /* ~16 KiB: static, not on the fuzzer's stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *why = NULL;
  int rc = mtasts_policy_parse((const char *)data, size, &p, &why);
  if (rc != 1) {
    if (rc != -1 || !why || !*why) abort();
    return 0;
  }
  if (size > MTASTS_BODY_MAX || memchr(data, '\0', size)) abort();
  if (p.mode != MTASTS_MODE_ENFORCE && p.mode != MTASTS_MODE_TESTING && p.mode != MTASTS_MODE_NONE)
    abort();
  if (!p.mode_name || !*p.mode_name) abort();
  if (p.max_age < 0 || p.max_age > MTASTS_MAX_AGE_MAX) abort();
  if (p.nmx > MTASTS_MAX_MX) abort();
  if (p.mx_truncated && p.nmx != MTASTS_MAX_MX) abort();
  if (p.nmx == 0 && p.mode != MTASTS_MODE_NONE) abort();

  /* a host name taken from the input's tail, bounded and NUL-terminated */
  char host[300];
  size_t hl = size < sizeof host - 1 ? size : sizeof host - 1;
  memcpy(host, data + size - hl, hl);
  host[hl] = '\0';
  for (size_t k = 0; k < p.nmx; k++) {
    const char *m = p.mx[k];
    size_t n = strnlen(m, MTASTS_MX_LEN + 1);
    if (n == 0 || n > MTASTS_MX_LEN || m[n - 1] == '.') abort();
    for (size_t j = 0; j < n; j++) {
      char c = m[j];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            (c == '*' && j == 0)))
        abort();
    }
    /* an exact pattern matches itself; a wildcard matches "x" + its suffix */
    if (m[0] != '*' && !mtasts_mx_match(m, m)) abort();
    if (m[0] == '*') {
      char h[MTASTS_MX_LEN + 2];
      h[0] = 'x';
      memcpy(h + 1, m + 1, n);   /* ".rest" plus the NUL */
      if (!mtasts_mx_match(m, h)) abort();
      if (mtasts_mx_match(m, m + 2)) abort();   /* never the bare parent */
    }
    (void)mtasts_mx_match(m, host);
    (void)mtasts_mx_match(host, m);
  }
  return 0;
}
