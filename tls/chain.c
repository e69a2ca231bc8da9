/* Stored peer chains (see chain.h). */
#include "tls/chain.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

/* Hot chains, least recently used first. */
static tls_chain_t *hot_head, *hot_tail;
static size_t hot_count;

static void hot_unlink(tls_chain_t *c)
{
  if (c->hot_prev) c->hot_prev->hot_next = c->hot_next; else hot_head = c->hot_next;
  if (c->hot_next) c->hot_next->hot_prev = c->hot_prev; else hot_tail = c->hot_prev;
  c->hot_prev = c->hot_next = NULL;
}

static void hot_cool(tls_chain_t *c)
{
  hot_unlink(c);
  hot_count--;
  sk_X509_pop_free(c->parsed, X509_free);
  c->parsed = NULL;
}

static void hot_append(tls_chain_t *c)
{
  c->hot_prev = hot_tail;
  c->hot_next = NULL;
  if (hot_tail) hot_tail->hot_next = c; else hot_head = c;
  hot_tail = c;
}

/* Makes c hot with sk (adopted: its references now belong to c). */
static void hot_adopt(tls_chain_t *c, STACK_OF(X509) *sk)
{
  while (hot_count >= TLS_CHAIN_HOT && hot_head)
    hot_cool(hot_head);
  c->parsed = sk;
  hot_append(c);
  hot_count++;
}

/* A stack holding a new reference to each certificate of sk, or NULL. */
static STACK_OF(X509) *sk_refs(STACK_OF(X509) *sk)
{
  STACK_OF(X509) *out = sk_X509_new_reserve(NULL, sk_X509_num(sk));
  if (out == NULL)
    return NULL;
  for (int i = 0; i < sk_X509_num(sk); i++) {
    X509 *x = sk_X509_value(sk, i);
    if (!X509_up_ref(x)) {
      sk_X509_pop_free(out, X509_free);
      return NULL;
    }
    sk_X509_push(out, x);   /* reserved: cannot fail */
  }
  return out;
}

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
  c->parsed = NULL;
  c->hot_prev = c->hot_next = NULL;
  c->pkix_name = NULL;
  c->at_name = NULL;
  c->at_pkix = NULL;
  unsigned char *p = c->der;
  for (int i = 0; i < n; i++)
    if (i2d_X509(pick[i], &p) != lens[i]) {
      free(c);
      ERR_clear_error();
      return NULL;
    }
  /* The handshake's own objects: the verdicts that follow need no parse. */
  STACK_OF(X509) *hot = sk_X509_new_reserve(NULL, n);
  for (int i = 0; hot != NULL && i < n; i++) {
    if (!X509_up_ref(pick[i])) {
      sk_X509_pop_free(hot, X509_free);
      hot = NULL;
      break;
    }
    sk_X509_push(hot, pick[i]);
  }
  if (hot != NULL)
    hot_adopt(c, hot);
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
  if (c != NULL && --c->refs == 0) {
    if (c->parsed != NULL)
      hot_cool(c);
    free(c->pkix_name);
    free(c->at_name);
    free(c->at_pkix);
    free(c);
  }
}

STACK_OF(X509) *tls_chain_parse(tls_chain_t *c)
{
  if (c->parsed != NULL) {
    hot_unlink(c);             /* most recently used */
    hot_append(c);
    return sk_refs(c->parsed);
  }
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
  STACK_OF(X509) *keep = sk_refs(sk);
  if (keep != NULL)
    hot_adopt(c, keep);
  return sk;
}

size_t tls_result_chain_bytes(const tls_result_t *r)
{
  return r != NULL && r->chain != NULL ? r->chain->len : 0;
}
