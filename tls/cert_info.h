/* Internal to tls/: describing one certificate for the survey record. */
#ifndef MXS_TLS_CERT_INFO_H
#define MXS_TLS_CERT_INFO_H
#include <openssl/x509.h>
#include "tls/tls_client.h"

/* Fills ci (overwritten, not freed first) from x. 0 ok, -1 allocation failure, in which
 * case ci holds whatever was filled and must still be released with tls_cert_info_free. */
int tls_cert_info_fill(tls_cert_info_t *ci, X509 *x);
/* The same with a SHA-256 already fetched (EVP_MD_fetch) for the fingerprints. */
int tls_cert_info_fill_md(tls_cert_info_t *ci, X509 *x, const EVP_MD *sha256);
void tls_cert_info_free(tls_cert_info_t *ci);
/* Deep copy; on failure dst is left empty (freed). */
int tls_cert_info_copy(tls_cert_info_t *dst, const tls_cert_info_t *src);

#endif
