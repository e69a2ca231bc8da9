/* Replies of the trusted-resolver mode's resolver (issue 17, net/stub.c): dns_reply_parse
 * over any bytes, as the reply to the question the message itself carries (so the answer
 * and OPT paths are reached) and to a fixed one. Checks the result codes, that the RDATA
 * block is consistent (lengths within 64 KiB of uncompressed names per record), the EDE
 * text's bound and bytes, and the canonical name's form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dnswire.h"

static void check(const dns_reply_t *r, int rc) {
  if (rc < -2 || rc > 0) abort();
  if (rc != 0) return;
  size_t tl = strnlen(r->ede_text, sizeof r->ede_text);
  if (tl == sizeof r->ede_text) abort();
  for (size_t i = 0; i < tl; i++)
    if ((unsigned char)r->ede_text[i] < 0x20 || (unsigned char)r->ede_text[i] >= 0x7f) abort();
  if (r->ede < -1 || r->ede > 65535 || r->rcode < 0 || r->rcode > 4095) abort();
  if (r->count && (!r->data || !r->len)) abort();
  for (size_t i = 0; i < r->count; i++) {
    if (r->len[i] < 0 || r->len[i] > 65535 + 2 * 255) abort();
    volatile uint8_t x = 0;
    for (int j = 0; j < r->len[i]; j++) x ^= r->data[i][j];   /* ASan: all readable */
    (void)x;
  }
  if (r->aliased && (r->canon[0] == '\0' || strnlen(r->canon, sizeof r->canon) == sizeof r->canon)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dns_reply_t r;
  /* the question as the message states it, read leniently: labels up to the root */
  uint8_t qw[255];
  size_t p = 12, o = 0;
  while (p < size && data[p] != 0 && data[p] < 64 && o + 1 + data[p] < 255 && p + 1 + data[p] <= size) {
    memcpy(qw + o, data + p, 1 + (size_t)data[p]);
    o += 1 + (size_t)data[p];
    p += 1 + (size_t)data[p];
  }
  qw[o++] = 0;
  unsigned qtype = p + 3 <= size ? (unsigned)data[p + 1] << 8 | data[p + 2] : 1;
  int rc = dns_reply_parse(data, size, qw, o, qtype, &r);
  check(&r, rc);
  dns_reply_free(&r);
  static const uint8_t fixed[] = "\7example\0";
  rc = dns_reply_parse(data, size, fixed, 9, 15, &r);
  check(&r, rc);
  dns_reply_free(&r);
  return 0;
}
