/* Lifetime and serialisation of tls_result_t. The result owns its strings and the copy
 * of the matched TLSA data, so it outlives the connection and can be shared by copy. */
#include "tls/tls_client.h"
#include "tls/cert_info.h"
#include "tls/chain.h"

#include <stdlib.h>
#include <string.h>

void tls_result_free(tls_result_t *r)
{
  if (r == NULL)
    return;
  tls_cert_info_free(&r->cert);
  free((void *)r->dane_matched.data);
  free(r->dane_peername);
  tls_chain_unref(r->chain);
  memset(r, 0, sizeof *r);
  r->dane_depth = -1;
}

int tls_result_copy(tls_result_t *dst, const tls_result_t *src)
{
  *dst = *src;
  dst->dane_matched.data = NULL;
  dst->dane_peername = NULL;
  dst->chain = NULL;
  if (tls_cert_info_copy(&dst->cert, &src->cert) < 0)  /* leaves dst->cert empty */
    goto fail;
  dst->chain = tls_chain_ref(src->chain);
  if (src->dane_matched.data != NULL && src->dane_matched.len > 0) {
    uint8_t *d = malloc(src->dane_matched.len);
    if (d == NULL)
      goto fail;
    memcpy(d, src->dane_matched.data, src->dane_matched.len);
    dst->dane_matched.data = d;
  }
  if (src->dane_peername != NULL && (dst->dane_peername = strdup(src->dane_peername)) == NULL)
    goto fail;
  return 0;
fail:
  tls_result_free(dst);
  return -1;
}

static void cert_json(jw_t *w, const tls_cert_info_t *c)
{
  jw_obj_begin(w, "cert");
  jw_str(w, "subject", c->subject);
  jw_str(w, "issuer", c->issuer);
  jw_arr_begin(w, "san");
  for (size_t i = 0; i < c->nsans; i++)
    jw_str(w, NULL, c->sans[i]);
  jw_arr_end(w);
  if (c->sans_truncated)
    jw_bool(w, "san_truncated", true);
  jw_str(w, "not_before", c->not_before);
  jw_str(w, "not_after", c->not_after);
  jw_str(w, "key_type", c->key_type);
  jw_int(w, "key_bits", c->key_bits);
  if (c->curve != NULL)
    jw_str(w, "curve", c->curve);
  jw_str(w, "sig_alg", c->sig_alg);
  jw_str(w, "sha256", c->sha256);
  jw_str(w, "spki_sha256", c->spki_sha256);
  jw_bool(w, "self_signed", c->self_signed);
  jw_obj_end(w);
}

void tls_result_json(jw_t *w, const char *key, const tls_result_t *r)
{
  jw_obj_begin(w, key);
  jw_str(w, "version", r->version);
  jw_str(w, "cipher", r->cipher);
  jw_str(w, "group", r->group);
  jw_int(w, "chain_len", r->chain_len);
  if (r->have_cert)
    cert_json(w, &r->cert);
  jw_obj_begin(w, "pkix");
  jw_bool(w, "valid", r->pkix_valid);
  if (!r->pkix_valid)
    jw_str(w, "error", r->pkix_error);
  jw_obj_end(w);
  jw_obj_end(w);
}
