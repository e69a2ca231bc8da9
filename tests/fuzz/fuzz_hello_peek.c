/* The server's first TLS records are outside data: hello_peek.c reads them before OpenSSL
 * does (to decide whether the handshake runs off the loop), and the TLS profile (issue 15)
 * reads from it what the server answered to a hand-built ClientHello. The input is cut into
 * chunks at the positions its first bytes give, as a hostile server may fragment its
 * records and the network its segments. Checks the bounds the parser promises: at most
 * HELLO_PEEK_MAX bytes kept, a final state that stays final, and the same outcome (state,
 * reason, every field of the ServerHello or the alert, the answer with and without an end
 * of stream) for any chunking. The seeds include real answers of openssl s_server and
 * gnutls-serv, recorded by tests/tls/hello_servers.py --dump. The first byte's top bit
 * sets want_ske (the full profile's reading on to the ServerKeyExchange): then also at
 * most HELLO_SKE_READ_MAX bytes read, and the same DH size, class and curve. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/hello_peek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t step = (size_t)data[0] % 17 + 1;
  bool want = data[0] & 0x80;
  data++, size--;
  static hello_peek_t whole, cut;
  hello_peek_init(&whole);
  hello_peek_init(&cut);
  whole.want_ske = cut.want_ske = want;
  enum hello_state a = hello_peek_feed(&whole, data, size);
  enum hello_state b = HELLO_MORE;
  for (size_t off = 0; off < size; off += step) {
    size_t n = size - off < step ? size - off : step;
    enum hello_state was = b;
    b = hello_peek_feed(&cut, data + off, n);
    if (was != HELLO_MORE && b != was) abort();     /* a final state stays */
  }
  if (whole.have > HELLO_PEEK_MAX || cut.have > HELLO_PEEK_MAX) abort();
  if (a != b || whole.why != cut.why) abort();
  if ((a == HELLO_NONE) != (whole.why != HELLO_WHY_NONE)) abort();
  if (a == HELLO_FOUND &&
      (whole.suite != cut.suite || whole.group != cut.group || whole.version != cut.version ||
       whole.legacy_version != cut.legacy_version || whole.retry != cut.retry ||
       whole.reneg != cut.reneg || whole.compression != cut.compression ||
       whole.dhe_bits != cut.dhe_bits || whole.ske_group != cut.ske_group ||
       (whole.dhe_bits && whole.dhe_class != cut.dhe_class))) abort();
  if (whole.ske_have > sizeof whole.ske || cut.ske_have > sizeof cut.ske) abort();
  if (whole.ske_wait != cut.ske_wait) abort();
  if (whole.ske_wait && (whole.seen > HELLO_SKE_READ_MAX || cut.seen > HELLO_SKE_READ_MAX))
    abort();
  if (!want && (whole.dhe_bits || whole.ske_group || whole.ske_wait)) abort();
  if (whole.why == HELLO_WHY_ALERT && memcmp(whole.alert, cut.alert, 2) != 0) abort();
  for (int eof = 0; eof < 2; eof++) {
    enum hello_answer x = hello_peek_answer(&whole, eof), y = hello_peek_answer(&cut, eof);
    if (x != y || x >= HELLO_ANS_COUNT) abort();
    if (eof && x == HELLO_ANS_MORE) abort();       /* the end of the stream decides */
    if (hello_answer_name(x) == NULL) abort();
  }
  return 0;
}
