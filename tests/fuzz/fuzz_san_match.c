/* The SAN matcher (checks/san.c) on arbitrary SANs and host names: the input is split at
 * its first NUL into the SAN and the host. Besides surviving any bytes, a match must obey
 * the rules it claims: no '*' in the host; an exact SAN equals the host without case and a
 * trailing dot; a wildcard SAN "*.rest" has a rest of two labels or more that equals
 * everything after the host's first, non-empty label. And a plain host name matches
 * itself. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/san.h"

static size_t strip_dot(const char *s) {
  size_t n = strlen(s);
  return n && s[n - 1] == '.' ? n - 1 : n;
}

static int same(const char *a, const char *b) {
  size_t n = strip_dot(a), m = strip_dot(b);
  return n == m && strncasecmp(a, b, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 2);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = buf[size + 1] = '\0';
  const char *san = buf, *host = buf + strlen(buf) + 1;

  if (cncs_san_match(san, host)) {
    if (strchr(host, '*')) abort();
    if (san[0] != '*') {
      if (!same(san, host)) abort();
    } else {
      const char *dot = strchr(host, '.');
      if (san[1] != '.' || !dot || dot == host || !same(san + 2, dot + 1)) abort();
      if (!memchr(san + 2, '.', strip_dot(san + 2))) abort();
    }
  }
  /* an LDH host name with a dot in its middle names itself */
  size_t n = strlen(host);
  int ldh = n > 2 && n < 254 && host[0] != '.' && host[n - 1] != '.' && strchr(host, '.') != NULL &&
            strstr(host, "..") == NULL;
  for (size_t i = 0; ldh && i < n; i++)
    ldh = isalnum((unsigned char)host[i]) || host[i] == '-' || host[i] == '.';
  if (ldh && !cncs_san_match(host, host)) abort();
  free(buf);
  return 0;
}
