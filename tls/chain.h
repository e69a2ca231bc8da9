/* Internal to tls/: the peer chain kept after the handshake, as DER. A parsed X509 costs
 * 6-9 KiB of heap against 1-2 KiB of DER, and cached observations hold chains for a long
 * time, so the chain is stored as one immutable, reference-counted DER blob (leaf first)
 * and parsed again only while a verdict is computed. Loop thread only (plain counter). */
#ifndef MXS_TLS_CHAIN_H
#define MXS_TLS_CHAIN_H
#include <openssl/x509.h>
#include "tls/tls_client.h"

struct tls_chain {
  unsigned refs;
  int n;              /* certificates */
  size_t len;         /* bytes of der */
  unsigned char der[];
};

/* The leaf, then the rest of sk (which may or may not start with the leaf), at most
 * TLS_CHAIN_KEEP certificates and TLS_CHAIN_MAX_BYTES. NULL on allocation failure. */
tls_chain_t *tls_chain_new(X509 *leaf, STACK_OF(X509) *sk);
tls_chain_t *tls_chain_ref(tls_chain_t *c);
void tls_chain_unref(tls_chain_t *c);
/* A fresh stack of freshly parsed certificates (free with sk_X509_pop_free), or NULL. */
STACK_OF(X509) *tls_chain_parse(const tls_chain_t *c);

#endif
