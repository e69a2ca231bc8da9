/* RFC 6125 §6.4 matching of one dNSName SAN against a host name (see checks/san.h): the
 * rules OpenSSL applies with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, written out so that the
 * conformity check can say which certificate of which address names its MX host without a
 * verification. */
#include "checks/san.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* Host names compare without case and without a trailing dot; n bytes of a, all of b. */
static bool label_eq(const char *a, size_t n, const char *b) {
  size_t m = strlen(b);
  if (m && b[m - 1] == '.') m--;
  if (n && a[n - 1] == '.') n--;
  return n == m && n > 0 && strncasecmp(a, b, n) == 0;
}

bool cncs_san_match(const char *san, const char *host) {
  if (!san || !host || !*san || !*host) return false;
  size_t slen = strlen(san), hlen = strlen(host);
  if (strstr(host, "..") || host[0] == '.' || strchr(host, '*') || strstr(san, "..") || san[0] == '.')
    return false;
  if (san[0] != '*') return !strchr(san, '*') && label_eq(san, slen, host);
  /* "*.rest": the whole left-most label, rest of two labels or more, no other '*' */
  if (san[1] != '.' || strchr(san + 1, '*')) return false;
  const char *rest = san + 2;
  size_t rlen = slen - 2;
  if (rlen && rest[rlen - 1] == '.') rlen--;
  if (!memchr(rest, '.', rlen)) return false;
  const char *dot = strchr(host, '.');
  if (!dot || dot == host || (size_t)(dot - host) + 1 >= hlen) return false;
  return label_eq(rest, rlen, dot + 1);
}
