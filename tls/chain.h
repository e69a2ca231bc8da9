/* Internal to tls/: the peer chain kept after the handshake, as DER. A parsed X509 costs
 * 6-9 KiB of heap against 1-2 KiB of DER, and cached observations hold chains for a long
 * time, so the chain is stored as one immutable, reference-counted DER blob (leaf first).
 *
 * Parsing is not cheap either: OpenSSL 3 decodes each certificate's key through its
 * provider framework, and re-parsing every chain for every verdict took 40 % of the
 * scanner's CPU in the benchmark. So the most recently used TLS_CHAIN_HOT chains also keep
 * their parsed form (the handshake's own X509 objects for a new chain, shared by
 * reference): the verdicts that follow a handshake, and the many domains judged on one
 * provider's chain, never parse. Loop thread only (plain counters, one global list). */
#ifndef MXS_TLS_CHAIN_H
#define MXS_TLS_CHAIN_H
#include <stdbool.h>
#include <time.h>
#include <openssl/x509.h>
#include "tls/tls_client.h"

struct tls_chain {
  unsigned refs;
  int n;              /* certificates */
  size_t len;         /* bytes of der */
  STACK_OF(X509) *parsed;             /* NULL unless hot */
  /* The last PKIX verdict on this chain (tls_judge.c): a provider's chain is judged for
   * the same MX name once per customer domain, and each verdict checks signatures. */
  char *pkix_name;                    /* NULL: none yet ("" for no name) */
  time_t pkix_at;
  bool pkix_valid;
  char pkix_error[128];
  int pkix_verify_error;
  /* The last PKIX verdict at a later time (tls_result_outlook), kept apart from the one
   * above so that a verdict at the horizon never stands for one at the present. */
  char *at_name;                      /* NULL: none yet */
  time_t at_at;                       /* the time it was judged at */
  tls_verdict_at_t *at_pkix;          /* owned */
  struct tls_chain *hot_prev, *hot_next;
  unsigned char der[];
};

#define TLS_CHAIN_HOT 1024            /* about 15 MiB of parsed certificates */

/* The leaf, then the rest of sk (which may or may not start with the leaf), at most
 * TLS_CHAIN_KEEP certificates and TLS_CHAIN_MAX_BYTES. NULL on allocation failure. */
tls_chain_t *tls_chain_new(X509 *leaf, STACK_OF(X509) *sk);
tls_chain_t *tls_chain_ref(tls_chain_t *c);
void tls_chain_unref(tls_chain_t *c);
/* A fresh stack of the certificates (free with sk_X509_pop_free: each is a reference of
 * its own), parsed only if the chain is not hot, or NULL. */
STACK_OF(X509) *tls_chain_parse(tls_chain_t *c);

#endif
