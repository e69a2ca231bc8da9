/* The ClientHello builder of the TLS profile (issue 15) takes its offer from the caller,
 * not from the network, but its bounds must hold for any offer: an offer drawn from the
 * input (version, lengths, lists, SNI, key share, renegotiation signal) is built into a
 * buffer of a size also drawn from the input. Checks: no write beyond the buffer (ASan),
 * nothing written when it does not fit, the length fits the promised maximum, and a built
 * hello is one well-formed record whose lengths add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello_build.h"

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 8) return 0;
  static uint16_t lists[3][HELLO_MAX_SUITES + 8];
  static uint8_t out[HELLO_BUILD_MAX + 64];
  char sni[HELLO_MAX_SNI + 8];
  hello_offer_t o = {0};
  o.version = (uint16_t)(0x02fe + data[0] % 9);    /* a few invalid ones on either side */
  o.reneg = (enum hello_reneg)(data[1] % 4);
  o.session_id_len = data[2] % 40;
  size_t n_suites = (size_t)data[3] * 3 % (HELLO_MAX_SUITES + 4);
  o.n_groups = data[4] % (HELLO_MAX_GROUPS + 3);
  o.n_sigalgs = data[5] % (HELLO_MAX_SIGALGS + 3);
  size_t sni_len = (size_t)data[6] % (HELLO_MAX_SNI + 4);
  size_t cap = (size_t)data[7] * 8;
  data += 8, size -= 8;
  uint8_t bytes[64] = {0};
  memcpy(bytes, data, size < sizeof bytes ? size : sizeof bytes);
  for (size_t k = 0; k < 3; k++)
    for (size_t i = 0; i < HELLO_MAX_SUITES + 8; i++)
      lists[k][i] = size ? (uint16_t)(data[(i * 2 + k) % size] << 8 | data[(i * 2 + k + 1) % size]) : 0;
  memset(sni, 'a', sizeof sni);
  sni[sni_len] = '\0';
  o.random = bytes;
  o.session_id = o.session_id_len ? bytes + 32 : NULL;
  o.suites = lists[0], o.n_suites = n_suites;
  o.groups = lists[1], o.sigalgs = lists[2];
  o.sni = sni;
  o.x25519 = size % 2 ? bytes : NULL;
  memset(out, 0xee, sizeof out);
  size_t len = 0;
  enum hello_build_err r = hello_build(&o, out, cap, &len);
  if (r == HELLO_BUILD_NO_SPACE) {
    for (size_t i = 0; i < sizeof out; i++)
      if (out[i] != 0xee) abort();                  /* nothing written */
    return 0;
  }
  if (r != HELLO_BUILD_OK) return 0;
  if (len > cap || len > HELLO_BUILD_MAX || len < 9) abort();
  for (size_t i = len; i < sizeof out; i++)
    if (out[i] != 0xee) abort();
  if (out[0] != 22 || be16(out + 3) != len - 5 || out[5] != 1) abort();
  if (((size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8]) != len - 9) abort();
  return 0;
}
