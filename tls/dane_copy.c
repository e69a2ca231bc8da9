/* Owned copies of DANE input (see dane_copy.h). */
#include "tls/dane_copy.h"

#include <stdlib.h>
#include <string.h>

void tls_dane_in_free(tls_dane_in_t *d)
{
  if (d == NULL)
    return;
  free((void *)d->base);
  if (d->names != NULL)
    for (size_t i = 0; i < d->nnames; i++)
      free((void *)d->names[i]);
  free((void *)d->names);
  if (d->recs != NULL)
    for (size_t i = 0; i < d->nrecs; i++)
      free((void *)d->recs[i].data);
  free((void *)d->recs);
  free(d);
}

tls_dane_in_t *tls_dane_in_dup(const tls_dane_in_t *src)
{
  tls_dane_in_t *d = calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  if (src->base != NULL && (d->base = strdup(src->base)) == NULL)
    goto fail;
  if (src->nnames > 0) {
    char **names = calloc(src->nnames, sizeof *names);
    if (names == NULL)
      goto fail;
    d->names = (const char *const *)names;
    d->nnames = src->nnames;
    for (size_t i = 0; i < src->nnames; i++)
      if (src->names[i] != NULL && (names[i] = strdup(src->names[i])) == NULL)
        goto fail;
  }
  if (src->nrecs > 0) {
    tlsa_rec_t *recs = calloc(src->nrecs, sizeof *recs);
    if (recs == NULL)
      goto fail;
    d->recs = recs;
    d->nrecs = src->nrecs;
    for (size_t i = 0; i < src->nrecs; i++) {
      recs[i] = src->recs[i];
      recs[i].data = NULL;
      if (src->recs[i].len > 0) {
        uint8_t *data = malloc(src->recs[i].len);
        if (data == NULL)
          goto fail;
        memcpy(data, src->recs[i].data, src->recs[i].len);
        recs[i].data = data;
      }
    }
  }
  return d;
fail:
  tls_dane_in_free(d);
  return NULL;
}
