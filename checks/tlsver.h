/* TLS protocol versions as OpenSSL names them in the observations, in order: what the
 * MTA-STS (TLS 1.2 or better, RFC 8461 §4.2) and summary checks compare. */
#ifndef MXS_CHECKS_TLSVER_H
#define MXS_CHECKS_TLSVER_H
#include <string.h>

/* 0 (SSLv3) .. 4 (TLSv1.3); -1 for a name not known (NULL included). */
static inline int tls_version_rank(const char *v) {
  static const char *const order[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  if (!v) return -1;
  for (int i = 0; i < 5; i++)
    if (strcmp(v, order[i]) == 0) return i;
  return -1;
}

#endif
