/* Cipher suites by IANA code point and IANA name (issue 15, the TLS profile): the names a
 * record will carry for the suites a server accepts, independent of any TLS library (the
 * profile offers suites OpenSSL does not know: 3DES, RC4, DES, EXPORT). A small table, for
 * now the suites the hello tests offer and the ones every class of a later slice starts
 * from; the NCSC-NL classes are not here yet (a later slice adds them from the guidelines,
 * not invented). */
#ifndef MXS_TLS_SUITES_H
#define MXS_TLS_SUITES_H
#include <stddef.h>
#include <stdint.h>

typedef struct tls_suite {
  uint16_t code;     /* IANA code point */
  const char *name;  /* IANA name (the TLS Cipher Suites registry's Description) */
} tls_suite_t;

/* The table, in ascending code order, and its length. */
extern const tls_suite_t tls_suites[];
extern const size_t tls_suites_count;

/* The IANA name of a code point, or NULL when the table does not have it. */
const char *tls_suite_name(uint16_t code);
/* The code point of an IANA name (exact spelling), or -1. */
int tls_suite_code(const char *name);

#endif
