/* Stored peer chains (see chain.h). */
#include "tls/chain.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

tls_chain_t *tls_chain_new(X509 *leaf, STACK_OF(X509) *sk)
{
  X509 *pick[TLS_CHAIN_KEEP];
  int lens[TLS_CHAIN_KEEP];
  int n = 0;
  size_t total = 0;
  int first = sk != NULL && sk_X509_num(sk) > 0 && X509_cmp(sk_X509_value(sk, 0), leaf) == 0;
  for (int i = -1; sk == NULL ? i < 0 : i < sk_X509_num(sk); i++) {
    if (i == 0 && first)
      continue;
    X509 *x = i < 0 ? leaf : sk_X509_value(sk, i);
    int len = i2d_X509(x, NULL);
    if (len <= 0)
      break;
    if (n == TLS_CHAIN_KEEP || total + (size_t)len > TLS_CHAIN_MAX_BYTES)
      break;
    pick[n] = x;
    lens[n++] = len;
    total += (size_t)len;
  }
  tls_chain_t *c = malloc(sizeof *c + (total ? total : 1));
  if (c == NULL)
    return NULL;
  c->refs = 1;
  c->n = n;
  c->len = total;
  unsigned char *p = c->der;
  for (int i = 0; i < n; i++)
    if (i2d_X509(pick[i], &p) != lens[i]) {
      free(c);
      ERR_clear_error();
      return NULL;
    }
  return c;
}

tls_chain_t *tls_chain_ref(tls_chain_t *c)
{
  if (c != NULL)
    c->refs++;
  return c;
}

void tls_chain_unref(tls_chain_t *c)
{
  if (c != NULL && --c->refs == 0)
    free(c);
}

STACK_OF(X509) *tls_chain_parse(const tls_chain_t *c)
{
  STACK_OF(X509) *sk = sk_X509_new_null();
  if (sk == NULL)
    return NULL;
  const unsigned char *p = c->der, *end = c->der + c->len;
  for (int i = 0; i < c->n; i++) {
    X509 *x = d2i_X509(NULL, &p, end - p);
    if (x == NULL || !sk_X509_push(sk, x)) {
      X509_free(x);
      sk_X509_pop_free(sk, X509_free);
      ERR_clear_error();
      return NULL;
    }
  }
  return sk;
}

size_t tls_result_chain_bytes(const tls_result_t *r)
{
  return r != NULL && r->chain != NULL ? r->chain->len : 0;
}
