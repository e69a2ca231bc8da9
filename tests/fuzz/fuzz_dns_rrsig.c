/* DNS answer messages as libunbound hands them over (issue 16): the earliest RRSIG
 * expiration covering a type (dns_rrsig_expiry_from_packet) and the SOA RNAME
 * (dns_soa_rname_from_packet). The first two input bytes choose the type covered; the
 * rest is the message. Checks the bounds, the NUL, the serial-number window around now,
 * and that a smaller buffer either holds the same text or refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"

static void text_ok(const char *s, size_t cap) {
  size_t l = strnlen(s, cap);
  if (l == cap || l == 0) abort();
  for (size_t i = 0; i < l; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  unsigned qtype = (unsigned)data[0] << 8 | data[1];
  const uint8_t *pkt = data + 2;
  size_t len = size - 2;
  const int64_t now = 1796200000;
  int64_t exp = 0;
  char signer[DNS_NAME_TEXT_MAX], small[40];
  int rc = dns_rrsig_expiry_from_packet(pkt, len, qtype, now, &exp, signer, sizeof signer);
  if (rc < -1 || rc > 1) abort();
  if (rc == 1) {
    text_ok(signer, sizeof signer);
    if (exp < now - 0x80000000LL || exp >= now + 0x80000000LL) abort();
    int64_t e2 = 0;
    int r2 = dns_rrsig_expiry_from_packet(pkt, len, qtype, now, &e2, small, sizeof small);
    if (r2 == 1 && (e2 != exp || strcmp(small, signer) != 0)) abort();
    if (r2 == 0) abort();
  }
  char rname[DNS_NAME_TEXT_MAX];
  rc = dns_soa_rname_from_packet(pkt, len, rname, sizeof rname);
  if (rc < -1 || rc > 1) abort();
  if (rc == 1) {
    text_ok(rname, sizeof rname);
    int r2 = dns_soa_rname_from_packet(pkt, len, small, sizeof small);
    if (r2 == 0 || (r2 == 1 && strcmp(small, rname) != 0)) abort();
  }
  return 0;
}
