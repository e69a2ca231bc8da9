/* Domain names in wire form from the network (MX targets, CNAME owners): dns_name_from_wire
 * with every output capacity the first byte picks, checking the bound, the consumed length
 * and that the text is lowercase, printable and escapes whatever could be misread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t cap = data[0] + 1u;            /* 1 .. 256: every bound below DNS_NAME_TEXT_MAX */
  const uint8_t *w = data + 1;
  size_t len = size - 1;
  char *out = malloc(cap);
  if (!out) return 0;
  int n = dns_name_from_wire(w, len, out, cap);
  if (n < -1 || n == 0 || (size_t)(n > 0 ? n : 0) > len) abort();
  if (n > 0) {
    size_t sl = strnlen(out, cap);
    if (sl == cap || sl == 0) abort();
    if (w[n - 1] != 0) abort();          /* consumed through the root label */
    for (size_t i = 0; i < sl; i++) {
      unsigned char c = (unsigned char)out[i];
      if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z')) abort();
    }
    if (n == 1 && strcmp(out, ".") != 0) abort();
    /* every byte of a label is either kept (lowercased) or escaped as \DDD: no loss */
    size_t wire_chars = 0;
    for (size_t p = 0; w[p] != 0; p += 1 + w[p]) wire_chars += w[p];
    size_t text_chars = 0;
    for (size_t i = 0; i < sl; i++) {
      if (out[i] == '\\') { i += 3; text_chars++; }
      else if (out[i] != '.') text_chars++;
    }
    if (n > 1 && text_chars != wire_chars) abort();
  }
  free(out);
  return 0;
}
