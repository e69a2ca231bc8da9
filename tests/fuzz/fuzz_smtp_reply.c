/* Feeds server bytes to the SMTP reply parser in fuzzer-chosen chunks and checks the
 * invariants the session code relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static smtp_reply_t r;
  if (size < 1) return 0;
  /* The first byte picks the chunk size, so splits across feeds get explored too. */
  size_t chunk = (size_t)data[0] + 1;
  const char *p = (const char *)data + 1;
  size_t left = size - 1;
  smtp_reply_init(&r);
  while (left > 0) {
    size_t n = left < chunk ? left : chunk, used = 0;
    enum smtp_reply_state st = smtp_reply_feed(&r, p, n, &used);
    if (used > n) abort();
    if (st == SMTP_REPLY_ERROR) {
      if (!r.error) abort();
      break;
    }
    if (st == SMTP_REPLY_DONE) {
      if (r.code < 200 || r.code > 599 || r.nlines < 1 || r.nlines > SMTP_REPLY_MAX_LINES)
        abort();
      if (r.text_len > SMTP_TEXT_KEEP || r.text[r.text_len] != '\0') abort();
      if (used == 0 || p[used - 1] != '\n') abort();
      /* start the next reply with what was left over, as the session does */
      smtp_reply_init(&r);
    } else if (used != n) {
      abort();
    }
    p += used;
    left -= used;
  }
  return 0;
}
