/* Feeds arbitrary bytes to the MTA-STS TXT parser, alone and as a set of records split on
 * '\n', and checks the documented contract: return value in {-1,0,1}, a reason on every
 * failure, and on success an id of 1-32 letters or digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/mtasts_parse.h"

static void check_id(const mtasts_txt_t *t) {
  size_t n = strnlen(t->id, sizeof t->id);
  if (n == 0 || n > MTASTS_ID_MAX) abort();
  for (size_t k = 0; k < n; k++) {
    char c = t->id[k];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mtasts_txt_t t;
  const char *why = NULL;
  int rc = mtasts_txt_parse((const char *)data, size, &t, &why);
  if (rc < -1 || rc > 1) abort();
  if (rc == 1) check_id(&t);
  else if (!why || !*why) abort();
  if (rc != 0 && (size < 7 || memcmp(data, "v=STSv1", 7) != 0)) abort();

  /* the same bytes as up to 8 separate TXT records */
  const char *txts[8];
  size_t lens[8];
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= size && n < 8; i++) {
    if (i == size || data[i] == '\n') {
      txts[n] = (const char *)data + start;
      lens[n] = i - start;
      n++;
      start = i + 1;
    }
  }
  why = NULL;
  rc = mtasts_txt_select(txts, lens, n, &t, &why);
  if (rc < -1 || rc > 1) abort();
  if (rc == 1) check_id(&t);
  else if (!why || !*why) abort();
  return 0;
}
