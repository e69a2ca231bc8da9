/* The server's first handshake message, read as it arrives (see hello_peek.h). The record
 * layer is read here and nowhere else: the probe and the TLS profile share it. */
#include "tls/hello_peek.h"

#include <string.h>

/* SHA-256 of "HelloRetryRequest": the random of a HelloRetryRequest (RFC 8446 §4.1.3). */
static const uint8_t hrr_random[32] = {
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

enum { REC_CCS = 20, REC_ALERT = 21, REC_HANDSHAKE = 22, REC_APPDATA = 23 };
enum { EXT_SUPPORTED_VERSIONS = 43, EXT_KEY_SHARE = 51, EXT_RENEGOTIATION_INFO = 0xff01 };

void hello_peek_init(hello_peek_t *h)
{
  memset(h, 0, sizeof *h);
}

static enum hello_state none(hello_peek_t *h, enum hello_why why)
{
  h->why = why;
  return h->state = HELLO_NONE;
}

/* ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3, RFC 6101 §5.6.1.3): m is the whole
 * message, handshake header included. Sets the versions, suite, compression, whether it is
 * a HelloRetryRequest, and from the extensions the negotiated version, the key_share group
 * (in a ServerHello a group and a key, in a HelloRetryRequest the group alone: its first two
 * bytes either way) and renegotiation_info. */
static enum hello_state parse(hello_peek_t *h, const uint8_t *m, size_t n)
{
  if (n < 4 + 2 + 32 + 1)
    return none(h, HELLO_WHY_MALFORMED);
  h->legacy_version = h->version = (uint16_t)(m[4] << 8 | m[5]);
  h->retry = memcmp(m + 6, hrr_random, sizeof hrr_random) == 0;
  size_t i = 4 + 2 + 32;
  if (m[i] > 32)                                    /* legacy_session_id<0..32> */
    return none(h, HELLO_WHY_MALFORMED);
  i += 1 + (size_t)m[i];
  if (i + 3 > n)
    return none(h, HELLO_WHY_MALFORMED);
  h->suite = (uint16_t)(m[i] << 8 | m[i + 1]);
  h->compression = m[i + 2];
  i += 3;                                           /* suite, compression method */
  if (i == n)
    return h->state = HELLO_FOUND;                  /* TLS 1.2 and older: no extensions */
  if (i + 2 > n)
    return none(h, HELLO_WHY_MALFORMED);
  size_t end = i + 2 + ((size_t)m[i] << 8 | m[i + 1]);
  if (end > n)
    return none(h, HELLO_WHY_MALFORMED);
  for (i += 2; i + 4 <= end;) {
    unsigned type = (unsigned)m[i] << 8 | m[i + 1];
    size_t len = (size_t)m[i + 2] << 8 | m[i + 3];
    i += 4;
    if (len > end - i)
      return none(h, HELLO_WHY_MALFORMED);
    if (type == EXT_KEY_SHARE && len >= 2)
      h->group = (uint16_t)(m[i] << 8 | m[i + 1]);
    else if (type == EXT_SUPPORTED_VERSIONS) {
      if (len != 2)                                 /* selected_version, one only */
        return none(h, HELLO_WHY_MALFORMED);
      h->version = (uint16_t)(m[i] << 8 | m[i + 1]);
    } else if (type == EXT_RENEGOTIATION_INFO)
      h->reneg = true;
    i += len;
  }
  return h->state = HELLO_FOUND;
}

/* Judges the record header read so far (hdr_have bytes); first: it is the stream's first
 * record, whose bytes also tell an SSLv2 or a non-TLS answer. */
static void check_header(hello_peek_t *h, bool first)
{
  const uint8_t *r = h->hdr;
  if (first && (r[0] & 0x80)) {                     /* SSLv2: 2-byte length, msg type */
    if (h->hdr_have >= 3)
      none(h, r[2] == 4 ? HELLO_WHY_SSL2 : HELLO_WHY_NOT_TLS);
    return;
  }
  enum hello_why bad = first ? HELLO_WHY_NOT_TLS : HELLO_WHY_MALFORMED;
  if (r[0] < REC_CCS || r[0] > REC_APPDATA || (h->hdr_have >= 2 && r[1] != 3))
    none(h, bad);
  else if (h->hdr_have == sizeof h->hdr) {
    h->rec_left = (size_t)r[3] << 8 | r[4];
    if (h->rec_left > HELLO_RECORD_MAX)
      none(h, HELLO_WHY_MALFORMED);
    else if (r[0] != REC_HANDSHAKE && r[0] != REC_ALERT)
      none(h, HELLO_WHY_UNEXPECTED);
  }
}

/* k bytes of a handshake record's body: the first message, at most HELLO_PEEK_MAX kept. */
static void take_handshake(hello_peek_t *h, const uint8_t *buf, size_t k)
{
  size_t room = sizeof h->msg - h->have;
  memcpy(h->msg + h->have, buf, k < room ? k : room);
  h->have += k < room ? k : room;
  if (h->have >= 1 && h->msg[0] != 2)               /* server_hello */
    none(h, HELLO_WHY_UNEXPECTED);
  else if (h->have >= 4) {
    size_t need = 4 + ((size_t)h->msg[1] << 16 | (size_t)h->msg[2] << 8 | h->msg[3]);
    if (need > sizeof h->msg)
      h->state = HELLO_TOO_LONG;
    else if (h->have >= need)
      parse(h, h->msg, need);
  }
}

/* k bytes of an alert record's body (RFC 8446 §6, RFC 5246 §7.2): level, description. */
static void take_alert(hello_peek_t *h, const uint8_t *buf, size_t k)
{
  size_t want = sizeof h->alert - h->alert_have;
  k = k < want ? k : want;
  memcpy(h->alert + h->alert_have, buf, k);
  h->alert_have += k;
  if (h->alert_have == sizeof h->alert)
    none(h, HELLO_WHY_ALERT);
}

enum hello_state hello_peek_feed(hello_peek_t *h, const uint8_t *buf, size_t len)
{
  while (len > 0 && h->state == HELLO_MORE) {
    if (h->rec_left == 0) {                         /* in a record header */
      size_t k = sizeof h->hdr - h->hdr_have;
      k = k < len ? k : len;
      memcpy(h->hdr + h->hdr_have, buf, k);
      h->hdr_have += k;
      h->seen += k;
      buf += k;
      len -= k;
      check_header(h, h->seen == h->hdr_have);
      if (h->hdr_have == sizeof h->hdr)
        h->hdr_have = 0;                            /* complete (an empty record: next) */
      continue;
    }
    size_t k = h->rec_left < len ? h->rec_left : len;
    if (h->hdr[0] == REC_HANDSHAKE)
      take_handshake(h, buf, k);
    else
      take_alert(h, buf, k);
    h->rec_left -= k;
    h->seen += k;
    buf += k;
    len -= k;
  }
  return h->state;
}

enum hello_answer hello_peek_answer(const hello_peek_t *h, bool eof)
{
  static const enum hello_answer of_why[] = {
    [HELLO_WHY_NONE] = HELLO_ANS_MALFORMED, [HELLO_WHY_ALERT] = HELLO_ANS_ALERT,
    [HELLO_WHY_SSL2] = HELLO_ANS_SSL2, [HELLO_WHY_NOT_TLS] = HELLO_ANS_NOT_TLS,
    [HELLO_WHY_UNEXPECTED] = HELLO_ANS_UNEXPECTED, [HELLO_WHY_MALFORMED] = HELLO_ANS_MALFORMED,
  };
  switch (h->state) {
  case HELLO_FOUND:
    return h->retry ? HELLO_ANS_RETRY : HELLO_ANS_SERVER_HELLO;
  case HELLO_NONE:
    return of_why[h->why];
  case HELLO_TOO_LONG:
    return HELLO_ANS_TOO_LONG;
  case HELLO_MORE:
    break;
  }
  if (!eof)
    return HELLO_ANS_MORE;
  return h->seen == 0 ? HELLO_ANS_CLOSED : HELLO_ANS_TRUNCATED;
}

const char *hello_answer_name(enum hello_answer a)
{
  static const char *const names[HELLO_ANS_COUNT] = {
    [HELLO_ANS_MORE] = "more", [HELLO_ANS_SERVER_HELLO] = "server_hello",
    [HELLO_ANS_RETRY] = "hello_retry_request", [HELLO_ANS_ALERT] = "alert",
    [HELLO_ANS_SSL2] = "sslv2", [HELLO_ANS_NOT_TLS] = "not_tls",
    [HELLO_ANS_UNEXPECTED] = "unexpected", [HELLO_ANS_MALFORMED] = "malformed",
    [HELLO_ANS_TOO_LONG] = "too_long", [HELLO_ANS_TRUNCATED] = "truncated",
    [HELLO_ANS_CLOSED] = "closed",
  };
  return (unsigned)a < HELLO_ANS_COUNT ? names[a] : "?";
}
