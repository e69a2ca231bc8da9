/* Internal to tls/: an owned copy of a tls_dane_in_t, so a connection can judge its
 * result after the caller's input is gone. */
#ifndef MXS_TLS_DANE_COPY_H
#define MXS_TLS_DANE_COPY_H
#include "tls/tls_client.h"

/* Returns a heap copy (base, names and the records with their data), or NULL on
 * allocation failure. The copy's fields are a valid tls_dane_in_t. */
tls_dane_in_t *tls_dane_in_dup(const tls_dane_in_t *src);
void tls_dane_in_free(tls_dane_in_t *d);

#endif
