/* Internal to tls/: the process-wide TLS context, shared by the handshake code
 * (tls_client.c) and the verdict code (tls_judge.c). */
#ifndef MXS_TLS_TLS_CTX_H
#define MXS_TLS_TLS_CTX_H
#include <openssl/ssl.h>
#include "tls/tls_client.h"

struct tls_ctx {
  SSL_CTX *ssl_ctx;    /* DANE-enabled; its own X509_STORE stays empty of CA roots, so a
                          DANE-TA verification can only reach the TLSA trust anchors */
  X509_STORE *store;   /* PKIX trust anchors */
  EVP_MD *sha256;      /* fetched once: the leaf's fingerprints of every probe (OpenSSL 3.0
                          fetches EVP_sha256() again at each digest otherwise) */
};

#endif
