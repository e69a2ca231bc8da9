/* The server's first handshake message, read as it arrives (see hello_peek.h). */
#include "tls/hello_peek.h"

#include <string.h>

void hello_peek_init(hello_peek_t *h)
{
  memset(h, 0, sizeof *h);
}

/* ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3): m is the whole message, handshake
 * header included. Sets suite and the key_share group (in a ServerHello a group and a key,
 * in a HelloRetryRequest the group alone: its first two bytes either way). */
static enum hello_state parse(hello_peek_t *h, const uint8_t *m, size_t n)
{
  if (n < 4 + 2 + 32 + 1 || m[0] != 2)            /* server_hello */
    return HELLO_NONE;
  size_t i = 4 + 2 + 32;
  i += 1 + (size_t)m[i];                            /* legacy_session_id */
  if (i + 3 > n)
    return HELLO_NONE;
  h->suite = (uint16_t)(m[i] << 8 | m[i + 1]);
  i += 3;                                           /* suite, compression method */
  if (i == n)
    return HELLO_FOUND;                             /* TLS 1.2 and older: no extensions */
  if (i + 2 > n)
    return HELLO_NONE;
  size_t end = i + 2 + ((size_t)m[i] << 8 | m[i + 1]);
  if (end > n)
    return HELLO_NONE;
  for (i += 2; i + 4 <= end;) {
    unsigned type = (unsigned)m[i] << 8 | m[i + 1];
    size_t len = (size_t)m[i + 2] << 8 | m[i + 3];
    i += 4;
    if (len > end - i)
      return HELLO_NONE;
    if (type == 51 && len >= 2)                     /* key_share */
      h->group = (uint16_t)(m[i] << 8 | m[i + 1]);
    i += len;
  }
  return HELLO_FOUND;
}

enum hello_state hello_peek_feed(hello_peek_t *h, const uint8_t *buf, size_t len)
{
  while (len > 0 && h->state == HELLO_MORE) {
    if (h->rec_left == 0) {                         /* in a record header */
      size_t k = sizeof h->hdr - h->hdr_have;
      k = k < len ? k : len;
      memcpy(h->hdr + h->hdr_have, buf, k);
      h->hdr_have += k;
      buf += k;
      len -= k;
      if (h->hdr_have < sizeof h->hdr)
        break;
      h->hdr_have = 0;
      h->rec_left = (size_t)h->hdr[3] << 8 | h->hdr[4];
      if (h->hdr[0] != 22)                          /* not a handshake record */
        h->state = HELLO_NONE;
      continue;                                     /* an empty record: the next header */
    }
    size_t k = h->rec_left < len ? h->rec_left : len;
    size_t room = sizeof h->msg - h->have;
    memcpy(h->msg + h->have, buf, k < room ? k : room);
    h->have += k < room ? k : room;
    h->rec_left -= k;
    buf += k;
    len -= k;
    if (h->have >= 4) {
      size_t need = 4 + ((size_t)h->msg[1] << 16 | (size_t)h->msg[2] << 8 | h->msg[3]);
      if (need > sizeof h->msg)
        h->state = HELLO_TOO_LONG;
      else if (h->have >= need)
        h->state = parse(h, h->msg, need);
    }
  }
  return h->state;
}
