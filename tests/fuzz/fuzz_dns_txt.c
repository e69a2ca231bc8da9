/* TXT RDATA from the network: dns_txt_join against a reference walk of the
 * character-strings. The first input byte picks the output capacity (small ones exercise
 * the bound). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t cap = (size_t)data[0] * 32;   /* 0 .. 8160 */
  const uint8_t *rd = data + 1;
  size_t len = size - 1;
  char *out = malloc(cap ? cap : 1);
  if (!out) return 0;

  /* reference: well-formed iff the length bytes tile the RDATA exactly */
  size_t pos = 0, total = 0;
  int ok = 1;
  while (pos < len) {
    size_t l = rd[pos++];
    if (pos + l > len) { ok = 0; break; }
    total += l;
    pos += l;
  }
  long n = dns_txt_join(rd, len, out, cap);
  if (!ok || cap == 0 || total >= cap) {
    if (n != -1) abort();
  } else {
    if (n != (long)total || out[n] != '\0') abort();
    /* the joined text is the strings' bytes in order */
    size_t p = 0, o = 0;
    while (p < len) {
      size_t l = rd[p++];
      if (memcmp(out + o, rd + p, l) != 0) abort();
      o += l;
      p += l;
    }
  }
  free(out);
  return 0;
}
