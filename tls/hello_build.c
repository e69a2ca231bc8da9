/* A hand-built ClientHello (see hello_build.h): RFC 8446 §4.1.2 and §4.2, RFC 5246
 * §7.4.1.2, RFC 6101 §5.6.1.2, RFC 6066 §3 (server_name), RFC 8422 §5.1 (supported_groups,
 * ec_point_formats), RFC 5746 §3.3 (renegotiation_info and its SCSV). Built twice: once
 * without an output to learn the length (nothing is written when it does not fit), then
 * into the caller's buffer; lengths are patched in when their block is complete. */
#include "tls/hello_build.h"

#include <string.h>

enum {
  EXT_SERVER_NAME = 0, EXT_SUPPORTED_GROUPS = 10, EXT_EC_POINT_FORMATS = 11,
  EXT_SIGNATURE_ALGORITHMS = 13, EXT_SUPPORTED_VERSIONS = 43, EXT_KEY_SHARE = 51,
  EXT_RENEGOTIATION_INFO = 0xff01, EXT_PADDING = 21,
};
#define SUITE_RENEG_SCSV 0x00ff

typedef struct writer {
  uint8_t *p;   /* NULL: count only */
  size_t n;
} writer_t;

static void put(writer_t *w, const void *b, size_t k)
{
  if (w->p != NULL && k > 0)
    memcpy(w->p + w->n, b, k);
  w->n += k;
}

static void u8(writer_t *w, unsigned v)
{
  uint8_t b = (uint8_t)v;
  put(w, &b, 1);
}

static void u16(writer_t *w, unsigned v)
{
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  put(w, b, 2);
}

/* A length field of width bytes to be patched by end_len; returns its position. */
static size_t begin_len(writer_t *w, size_t width)
{
  static const uint8_t zero[3];
  size_t at = w->n;
  put(w, zero, width);
  return at;
}

static void end_len(writer_t *w, size_t at, size_t width)
{
  size_t v = w->n - at - width;
  if (w->p == NULL)
    return;
  for (size_t i = 0; i < width; i++)
    w->p[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static void u16_list(writer_t *w, const uint16_t *v, size_t n)
{
  size_t at = begin_len(w, 2);
  for (size_t i = 0; i < n; i++)
    u16(w, v[i]);
  end_len(w, at, 2);
}

static size_t begin_ext(writer_t *w, unsigned type)
{
  u16(w, type);
  return begin_len(w, 2);
}

/* pad: the padding extension's length (RFC 7685), or -1 for none. */
static void extensions(writer_t *w, const hello_offer_t *o, long pad)
{
  size_t sni = o->sni != NULL ? strlen(o->sni) : 0;
  size_t e;
  if (sni > 0) {
    e = begin_ext(w, EXT_SERVER_NAME);
    size_t list = begin_len(w, 2);
    u8(w, 0);                                       /* host_name */
    u16(w, (unsigned)sni);
    put(w, o->sni, sni);
    end_len(w, list, 2);
    end_len(w, e, 2);
  }
  if (o->n_groups > 0) {
    e = begin_ext(w, EXT_SUPPORTED_GROUPS);
    u16_list(w, o->groups, o->n_groups);
    end_len(w, e, 2);
    e = begin_ext(w, EXT_EC_POINT_FORMATS);
    u8(w, 1);
    u8(w, 0);                                       /* uncompressed */
    end_len(w, e, 2);
  }
  if (o->n_sigalgs > 0) {
    e = begin_ext(w, EXT_SIGNATURE_ALGORITHMS);
    u16_list(w, o->sigalgs, o->n_sigalgs);
    end_len(w, e, 2);
  }
  if (o->version == HELLO_TLS13) {
    e = begin_ext(w, EXT_SUPPORTED_VERSIONS);
    u8(w, 2);
    u16(w, HELLO_TLS13);
    end_len(w, e, 2);
    e = begin_ext(w, EXT_KEY_SHARE);
    size_t shares = begin_len(w, 2);
    if (o->x25519 != NULL) {
      u16(w, HELLO_GROUP_X25519);
      u16(w, 32);
      put(w, o->x25519, 32);
    }
    end_len(w, shares, 2);
    end_len(w, e, 2);
  }
  if (o->reneg == HELLO_RENEG_EXT) {
    e = begin_ext(w, EXT_RENEGOTIATION_INFO);
    u8(w, 0);                                       /* renegotiated_connection: empty */
    end_len(w, e, 2);
  }
  if (pad >= 0) {
    static const uint8_t zeros[512];
    e = begin_ext(w, EXT_PADDING);
    put(w, zeros, (size_t)pad);
    end_len(w, e, 2);
  }
}

static void client_hello(writer_t *w, const hello_offer_t *o, long pad)
{
  bool ssl3 = o->version == HELLO_SSL3;
  u8(w, 22);                                        /* handshake record */
  u16(w, ssl3 ? HELLO_SSL3 : HELLO_TLS10);
  size_t rec = begin_len(w, 2);
  u8(w, 1);                                         /* client_hello */
  size_t msg = begin_len(w, 3);
  u16(w, o->version == HELLO_TLS13 ? HELLO_TLS12 : o->version);
  put(w, o->random, 32);
  u8(w, (unsigned)o->session_id_len);
  put(w, o->session_id, o->session_id_len);
  size_t suites = begin_len(w, 2);
  for (size_t i = 0; i < o->n_suites; i++)
    u16(w, o->suites[i]);
  if (o->reneg == HELLO_RENEG_SCSV)
    u16(w, SUITE_RENEG_SCSV);
  end_len(w, suites, 2);
  u8(w, 1);
  u8(w, 0);                                         /* compression: null */
  writer_t probe = {NULL, 0};
  if (!ssl3)
    extensions(&probe, o, pad);                     /* counted only */
  if (probe.n > 0) {                                /* no extension: no block */
    size_t exts = begin_len(w, 2);
    extensions(w, o, pad);
    end_len(w, exts, 2);
  }
  end_len(w, msg, 3);
  end_len(w, rec, 2);
}

static bool valid(const hello_offer_t *o)
{
  size_t sni = o->sni != NULL ? strnlen(o->sni, HELLO_MAX_SNI + 1) : 0;
  return o->version >= HELLO_SSL3 && o->version <= HELLO_TLS13 && o->random != NULL &&
         o->session_id_len <= 32 && (o->session_id != NULL || o->session_id_len == 0) &&
         o->suites != NULL && o->n_suites >= 1 && o->n_suites <= HELLO_MAX_SUITES &&
         o->n_groups <= HELLO_MAX_GROUPS && (o->groups != NULL || o->n_groups == 0) &&
         o->n_sigalgs <= HELLO_MAX_SIGALGS && (o->sigalgs != NULL || o->n_sigalgs == 0) &&
         sni <= HELLO_MAX_SNI &&
         (o->reneg == HELLO_RENEG_NONE || o->reneg == HELLO_RENEG_SCSV ||
          (o->reneg == HELLO_RENEG_EXT && o->version != HELLO_SSL3));
}

long hello_padding(uint16_t version, size_t msg_len, bool has_extensions)
{
  /* Some TLS terminators (F5 BIG-IP, documented with RFC 7685) hang on a ClientHello whose
   * handshake message is 256 to 511 bytes long: such a server would look as if it refused
   * every version. Padded to 512, as browsers and testssl.sh do. Only where an extension
   * block exists already (SSLv3 has none; adding one would change the offer). */
  if (version == HELLO_SSL3 || !has_extensions || msg_len < 256 || msg_len >= 512)
    return -1;
  return msg_len + 4 <= 512 ? (long)(512 - msg_len - 4) : 0;
}

/* The hello's length without any extension block (record header included). */
static size_t hello_min_len(const hello_offer_t *o)
{
  size_t n = 5 + 4 + 2 + 32 + 1 + o->session_id_len + 2 + 2 * o->n_suites + 2;
  return o->reneg == HELLO_RENEG_SCSV ? n + 2 : n;
}

enum hello_build_err hello_build(const hello_offer_t *o, uint8_t *out, size_t cap, size_t *len)
{
  if (o == NULL || len == NULL || !valid(o))
    return HELLO_BUILD_INVALID;
  hello_offer_t plain = *o;
  if (o->version == HELLO_SSL3)                     /* SSLv3 has no extensions */
    plain.sni = NULL, plain.n_groups = 0, plain.n_sigalgs = 0, plain.x25519 = NULL;
  writer_t count = {NULL, 0};
  client_hello(&count, &plain, -1);
  long pad = o->no_padding ? -1 : hello_padding(o->version, count.n - 5,
                                                count.n > hello_min_len(&plain));
  if (pad >= 0) {
    count.n = 0;
    client_hello(&count, &plain, pad);
  }
  if (count.n > HELLO_BUILD_MAX)
    return HELLO_BUILD_INVALID;                     /* unreachable within the bounds */
  if (out == NULL || count.n > cap)
    return HELLO_BUILD_NO_SPACE;
  writer_t w = {out, 0};
  client_hello(&w, &plain, pad);
  *len = w.n;
  return HELLO_BUILD_OK;
}
