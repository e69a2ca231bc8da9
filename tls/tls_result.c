/* Lifetime of tls_result_t. The result owns its strings and the copy of the matched TLSA
 * data, so it outlives the connection and can be shared by copy. Its serialisation is in
 * the record layer (record/write_probe.c): tls/ does not know JSON. */
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
