/* The server's first handshake message, read as it arrives (see hello_peek.h). The record
 * layer is read here and nowhere else: the probe and the TLS profile share it. */
#include "tls/hello_peek.h"
#include "tls/suites.h"

#include <string.h>

/* SHA-256 of "HelloRetryRequest": the random of a HelloRetryRequest (RFC 8446 §4.1.3). */
static const uint8_t hrr_random[32] = {
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

enum { REC_CCS = 20, REC_ALERT = 21, REC_HANDSHAKE = 22, REC_APPDATA = 23 };
enum { EXT_SUPPORTED_VERSIONS = 43, EXT_KEY_SHARE = 51, EXT_RENEGOTIATION_INFO = 0xff01 };
enum { HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_SKE = 12, HS_CERT_STATUS = 22 };
enum { SKE_NONE = 0, SKE_DHE = 1, SKE_ECDHE = 2 };

void hello_peek_init(hello_peek_t *h)
{
  memset(h, 0, sizeof *h);
}

/* want_ske: the reading on ends; the ServerHello read before is the answer. */
static enum hello_state ske_end(hello_peek_t *h)
{
  h->ske_wait = false;
  return h->state = HELLO_FOUND;
}

static enum hello_state none(hello_peek_t *h, enum hello_why why)
{
  if (h->ske_wait)                                  /* after the ServerHello: it stands */
    return ske_end(h);
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

/* What the ServerKeyExchange of the chosen suite carries (RFC 5246 §7.4.3, RFC 4492 §5.4):
 * DH parameters for DHE and anonymous DH, an ECDH curve for ECDHE and anonymous ECDH. */
static uint8_t ske_kind_of(uint16_t suite)
{
  const tls_suite_t *t = tls_suite_find(suite);
  if (!t)
    return SKE_NONE;
  if (strncmp(t->name, "TLS_DHE_", 8) == 0 || strncmp(t->name, "TLS_DH_anon_", 12) == 0)
    return SKE_DHE;
  if (strncmp(t->name, "TLS_ECDHE_", 10) == 0 || strncmp(t->name, "TLS_ECDH_anon_", 14) == 0)
    return SKE_ECDHE;
  return SKE_NONE;
}

/* The ServerKeyExchange's first ske_have bytes (all of it when ske_have == ske_len):
 * true when they decide (the values set, or none when malformed). */
static bool ske_parse(hello_peek_t *h)
{
  const uint8_t *m = h->ske;
  size_t n = h->ske_have;
  bool all = n == h->ske_len;
  if (h->ske_kind == SKE_ECDHE) {                   /* curve_type, named_curve */
    if (n < 3)
      return all;
    if (m[0] == 3)
      h->ske_group = (uint16_t)(m[1] << 8 | m[2]);
    return true;
  }
  if (n < 2)                                        /* dh_p<1..2^16-1>, dh_g<1..2^16-1> */
    return all;
  size_t plen = (size_t)m[0] << 8 | m[1];
  if (plen == 0)
    return true;
  if (plen > HELLO_DH_MAX) {                        /* its size from its length */
    if (n < 2 + HELLO_DH_MAX)
      return all;
    unsigned lead = tls_dh_bits(m + 2, HELLO_DH_MAX);
    if (lead > 0) {
      h->dhe_bits = lead + 8u * (unsigned)(plen - HELLO_DH_MAX);
      h->dhe_class = TLS_CLASS_INSUFFICIENT;
    }
    return true;
  }
  if (n < 2 + plen + 2)
    return all;
  size_t glen = (size_t)m[2 + plen] << 8 | m[3 + plen];
  size_t gkeep = glen < HELLO_DH_G_MAX ? glen : HELLO_DH_G_MAX;
  if (n < 4 + plen + gkeep)
    return all;
  static const uint8_t not_two[1] = {0};          /* a longer g: no RFC 7919 group's */
  h->dhe_bits = tls_dh_bits(m + 2, plen);
  h->dhe_class = glen > HELLO_DH_G_MAX
                     ? tls_class_dh_group(m + 2, plen, not_two, 1, NULL)
                     : tls_class_dh_group(m + 2, plen, m + 4 + plen, glen, NULL);
  return true;
}

/* want_ske: k bytes of the handshake stream after the ServerHello. */
static void take_after(hello_peek_t *h, const uint8_t *buf, size_t k)
{
  while (k > 0 && h->state == HELLO_MORE) {
    size_t n;
    if (h->skip > 0) {                              /* Certificate, CertificateStatus */
      n = k < h->skip ? k : h->skip;
      h->skip -= n;
    } else if (h->mhdr_have < sizeof h->mhdr) {
      n = sizeof h->mhdr - h->mhdr_have;
      n = k < n ? k : n;
      memcpy(h->mhdr + h->mhdr_have, buf, n);
      h->mhdr_have += n;
      if (h->mhdr_have == sizeof h->mhdr) {
        size_t len = (size_t)h->mhdr[1] << 16 | (size_t)h->mhdr[2] << 8 | h->mhdr[3];
        if (h->mhdr[0] == HS_CERTIFICATE || h->mhdr[0] == HS_CERT_STATUS) {
          h->skip = len;
          h->mhdr_have = 0;
        } else if (h->mhdr[0] != HS_SKE || len == 0)
          ske_end(h);                               /* ServerHelloDone ...: no SKE */
        else
          h->ske_len = len;
      }
    } else {                                        /* in the ServerKeyExchange */
      size_t room = sizeof h->ske - h->ske_have, left = h->ske_len - h->ske_have;
      n = k < room ? k : room;
      n = n < left ? n : left;
      memcpy(h->ske + h->ske_have, buf, n);
      h->ske_have += n;
      if (ske_parse(h) || h->ske_have == sizeof h->ske)
        ske_end(h);
    }
    buf += n;
    k -= n;
  }
}

/* The ServerHello is complete and parsed: want_ske reads on after a TLS <= 1.2 one whose
 * suite has a ServerKeyExchange worth reading. */
static void after_hello(hello_peek_t *h)
{
  if (h->state != HELLO_FOUND || !h->want_ske || h->retry || h->version > 0x0303)
    return;
  h->ske_kind = ske_kind_of(h->suite);
  if (h->ske_kind == SKE_NONE)
    return;
  h->ske_wait = true;
  h->state = HELLO_MORE;
}

/* k bytes of a handshake record's body: the first message, at most HELLO_PEEK_MAX kept;
 * with want_ske the ones after it go to take_after. */
static void take_handshake(hello_peek_t *h, const uint8_t *buf, size_t k)
{
  while (k > 0 && h->state == HELLO_MORE && !h->ske_wait) {
    size_t need = 4;
    if (h->have >= 4)
      need += (size_t)h->msg[1] << 16 | (size_t)h->msg[2] << 8 | h->msg[3];
    size_t n = need - h->have < k ? need - h->have : k;
    memcpy(h->msg + h->have, buf, n);
    h->have += n;
    buf += n;
    k -= n;
    if (h->msg[0] != HS_SERVER_HELLO) {
      none(h, HELLO_WHY_UNEXPECTED);
      return;
    }
    if (h->have < 4)
      continue;
    need = 4 + ((size_t)h->msg[1] << 16 | (size_t)h->msg[2] << 8 | h->msg[3]);
    if (need > sizeof h->msg)
      h->state = HELLO_TOO_LONG;
    else if (h->have == need) {
      parse(h, h->msg, need);
      after_hello(h);
    }
  }
  if (k > 0 && h->ske_wait)
    take_after(h, buf, k);
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
    if (h->ske_wait && len > HELLO_SKE_READ_MAX - h->seen)
      len = HELLO_SKE_READ_MAX - h->seen;           /* the same cut for any chunking */
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
  if (h->ske_wait && h->seen >= HELLO_SKE_READ_MAX)
    ske_end(h);                                     /* read enough: the ServerHello's */
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
    if (h->ske_wait)
      return eof ? HELLO_ANS_SERVER_HELLO : HELLO_ANS_MORE;
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
