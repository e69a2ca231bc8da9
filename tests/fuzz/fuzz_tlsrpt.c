/* Splits arbitrary bytes on '\n' into up to 8 TXT records and runs the TLS-RPT selector;
 * every accepted record must carry 1..TLSRPT_MAX_RUA URIs, each a mailto: or https: URI
 * of visible ASCII without "," or ";", and every failure a reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/tlsrpt_parse.h"

static tlsrpt_t r;

static bool scheme_ok(const char *u) {
  static const char *const s[] = { "mailto:", "https:" };
  for (int i = 0; i < 2; i++) {
    size_t n = strlen(s[i]), k;
    for (k = 0; k < n && u[k]; k++) {
      char c = u[k];
      if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
      if (c != s[i][k]) break;
    }
    if (k == n && u[n]) return true;
  }
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
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
  const char *why = NULL;
  int rc = tlsrpt_txt_select(txts, lens, n, &r, &why);
  if (rc < -1 || rc > 1) abort();
  if (rc != 1) {
    if (!why || !*why) abort();
    if (r.nrua != 0) abort();
    return 0;
  }
  if (r.nrua == 0 || r.nrua > TLSRPT_MAX_RUA) abort();
  if (r.rua_truncated && r.nrua != TLSRPT_MAX_RUA) abort();
  for (size_t k = 0; k < r.nrua; k++) {
    size_t ul = strnlen(r.rua[k], TLSRPT_URI_MAX + 1);
    if (ul > TLSRPT_URI_MAX || !scheme_ok(r.rua[k])) abort();
    for (size_t j = 0; j < ul; j++) {
      unsigned char c = (unsigned char)r.rua[k][j];
      if (c < 0x21 || c > 0x7e || c == ',' || c == ';') abort();
    }
  }
  return 0;
}
