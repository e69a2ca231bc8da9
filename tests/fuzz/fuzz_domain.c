/* Normalises arbitrary input lines and checks every accepted name against the LDH rules
 * independently; the result must itself be a valid host name and a fixed point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[DOMAIN_MAX];
  const char *why = NULL;
  enum domain_norm rc = domain_normalize((const char *)data, size, out, &why);
  if (rc == DOMAIN_INVALID) {
    if (!why || !*why) abort();
    return 0;
  }
  if (rc != DOMAIN_OK) return 0;
  size_t n = strnlen(out, DOMAIN_MAX);
  if (n == 0 || n > 253) abort();
  for (size_t i = 0; i < n; i++) {
    char c = out[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) abort();
  }
  if (!strchr(out, '.')) abort();
  if (!domain_is_hostname(out)) abort();
  char again[DOMAIN_MAX];
  if (domain_normalize(out, n, again, &why) != DOMAIN_OK || strcmp(again, out) != 0) abort();

  /* and the host-name checker on the raw bytes as a C string */
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  (void)domain_is_hostname(s);
  free(s);
  return 0;
}
