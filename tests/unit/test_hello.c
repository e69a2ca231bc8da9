/* The hello codec of the TLS profile (issue 15), branch by branch: the ClientHello builder
 * (tls/hello_build.c: every version's shape, every extension, every bound, byte-exact for
 * SSLv3), the parser of the server's answer (tls/hello_peek.c: ServerHello, HelloRetryRequest,
 * alerts, SSLv2, non-TLS, malformed, truncated, any fragmentation) and the suite table
 * (tls/suites.c, its names checked against OpenSSL's for the suites OpenSSL knows). */
#include "tls/hello_build.h"
#include "tls/hello_peek.h"
#include "tls/suites.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

static const uint8_t rnd[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
/* RFC 7748 §6.1: Alice's X25519 public key. */
static const uint8_t x25519_pub[32] = {
  0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
  0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
static const uint16_t suites2[] = {0xc02f, 0x000a};
static const uint16_t groups[] = {HELLO_GROUP_X25519, HELLO_GROUP_P256};
static const uint16_t sigalgs[] = {0x0804, 0x0401};

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* ---- a walk through a built ClientHello, independent of the builder ---- */

typedef struct walked {
  bool ok;
  unsigned rec_version, client_version, n_suites, suites[8], n_exts, ext_types[16];
  size_t sid_len, ext_len[16];
  const uint8_t *ext[16];
  bool has_ext_block;
} walked_t;

static walked_t walk(const uint8_t *b, size_t n)
{
  walked_t w = {0};
  if (n < 9 || b[0] != 22 || be16(b + 3) != n - 5 || b[5] != 1)
    return w;
  size_t mlen = (size_t)b[6] << 16 | (size_t)b[7] << 8 | b[8];
  if (mlen != n - 9)
    return w;
  w.rec_version = be16(b + 1);
  w.client_version = be16(b + 9);
  size_t i = 9 + 2 + 32;
  w.sid_len = b[i];
  i += 1 + w.sid_len;
  size_t sl = be16(b + i);
  i += 2;
  for (size_t k = 0; k < sl / 2 && k < 8; k++)
    w.suites[w.n_suites++] = be16(b + i + 2 * k);
  i += sl;
  if (b[i] != 1 || b[i + 1] != 0)
    return w;
  i += 2;
  if (i == n)
    return w.ok = true, w;
  w.has_ext_block = true;
  if (be16(b + i) != n - i - 2)
    return w;
  for (i += 2; i + 4 <= n && w.n_exts < 16;) {
    size_t len = be16(b + i + 2);
    w.ext_types[w.n_exts] = be16(b + i);
    w.ext_len[w.n_exts] = len;
    w.ext[w.n_exts++] = b + i + 4;
    i += 4 + len;
  }
  w.ok = i == n;
  return w;
}

static int find_ext(const walked_t *w, unsigned type)
{
  for (unsigned k = 0; k < w->n_exts; k++)
    if (w->ext_types[k] == type)
      return (int)k;
  return -1;
}

static hello_offer_t offer(uint16_t version)
{
  hello_offer_t o = {.version = version, .random = rnd, .suites = suites2, .n_suites = 2,
                     .sni = "mx.example.mxlab", .groups = groups, .n_groups = 2,
                     .sigalgs = sigalgs, .n_sigalgs = 2, .x25519 = x25519_pub,
                     .reneg = HELLO_RENEG_EXT};
  return o;
}

static void test_build_ssl3_exact(void)
{
  static const uint16_t one[] = {0x000a};
  hello_offer_t o = {.version = HELLO_SSL3, .random = rnd, .suites = one, .n_suites = 1,
                     .sni = "ignored.example", .groups = groups, .n_groups = 2,
                     .reneg = HELLO_RENEG_SCSV};
  uint8_t out[128], want[128];
  size_t len = 0, k = 0;
  uint8_t head[] = {22, 3, 0, 0, 47, 1, 0, 0, 43, 3, 0};
  memcpy(want, head, sizeof head), k = sizeof head;
  memcpy(want + k, rnd, 32), k += 32;
  uint8_t tail[] = {0, 0, 4, 0x00, 0x0a, 0x00, 0xff, 1, 0};
  memcpy(want + k, tail, sizeof tail), k += sizeof tail;
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  CHECK_INT(len, k);
  CHECK(memcmp(out, want, k) == 0);
  o.reneg = HELLO_RENEG_EXT;                        /* no extensions in SSLv3 */
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_INVALID);
}

static void test_build_tls12(void)
{
  uint8_t out[512];
  size_t len = 0;
  hello_offer_t o = offer(HELLO_TLS12);
  uint8_t sid[32];
  memset(sid, 0x5a, sizeof sid);
  o.session_id = sid, o.session_id_len = 32;
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  walked_t w = walk(out, len);
  CHECK(w.ok);
  CHECK_INT(w.rec_version, 0x0301);
  CHECK_INT(w.client_version, 0x0303);
  CHECK_INT(w.sid_len, 32);
  CHECK(memcmp(out + 11, rnd, 32) == 0);
  CHECK_INT(w.n_suites, 2);
  CHECK_INT(w.suites[0], 0xc02f);
  CHECK_INT(w.suites[1], 0x000a);
  CHECK_INT(w.n_exts, 5);
  static const unsigned order[] = {0, 10, 11, 13, 0xff01};
  for (unsigned k = 0; k < 5 && k < w.n_exts; k++)
    CHECK_INT(w.ext_types[k], order[k]);
  int e = find_ext(&w, 0);                          /* server_name: list, host_name, name */
  CHECK(e >= 0 && w.ext_len[e] == 5 + 16 && be16(w.ext[e]) == 3 + 16 && w.ext[e][2] == 0 &&
        be16(w.ext[e] + 3) == 16 && memcmp(w.ext[e] + 5, "mx.example.mxlab", 16) == 0);
  e = find_ext(&w, 10);
  CHECK(e >= 0 && w.ext_len[e] == 6 && be16(w.ext[e]) == 4 && be16(w.ext[e] + 2) == 0x001d &&
        be16(w.ext[e] + 4) == 0x0017);
  e = find_ext(&w, 11);
  CHECK(e >= 0 && w.ext_len[e] == 2 && w.ext[e][0] == 1 && w.ext[e][1] == 0);
  e = find_ext(&w, 13);
  CHECK(e >= 0 && w.ext_len[e] == 6 && be16(w.ext[e] + 2) == 0x0804 && be16(w.ext[e] + 4) == 0x0401);
  e = find_ext(&w, 0xff01);
  CHECK(e >= 0 && w.ext_len[e] == 1 && w.ext[e][0] == 0);
  CHECK(find_ext(&w, 43) < 0 && find_ext(&w, 51) < 0);   /* no TLS 1.3 extensions */
}

static void test_build_tls10_11_bare(void)
{
  uint8_t out[256];
  size_t len = 0;
  static const uint16_t one[] = {0x002f};
  hello_offer_t o = {.version = HELLO_TLS10, .random = rnd, .suites = one, .n_suites = 1};
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  walked_t w = walk(out, len);
  CHECK(w.ok && !w.has_ext_block);                 /* nothing asked for: no extension block */
  CHECK_INT(w.client_version, 0x0301);
  size_t exact = len;                               /* into exactly its length: no byte more */
  memset(out, 0xee, sizeof out);
  CHECK_INT(hello_build(&o, out, exact, &len), HELLO_BUILD_OK);
  CHECK(len == exact && out[exact] == 0xee && out[exact + 1] == 0xee);
  o.version = HELLO_TLS11, o.reneg = HELLO_RENEG_SCSV, o.sni = "";
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  w = walk(out, len);
  CHECK(w.ok && !w.has_ext_block);
  CHECK_INT(w.client_version, 0x0302);
  CHECK_INT(w.rec_version, 0x0301);
  CHECK(w.n_suites == 2 && w.suites[1] == 0x00ff);
}

static void test_build_tls13(void)
{
  uint8_t out[512];
  size_t len = 0;
  hello_offer_t o = offer(HELLO_TLS13);
  o.reneg = HELLO_RENEG_NONE;
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  walked_t w = walk(out, len);
  CHECK(w.ok);
  CHECK_INT(w.rec_version, 0x0301);
  CHECK_INT(w.client_version, 0x0303);
  CHECK(find_ext(&w, 0xff01) < 0);
  int e = find_ext(&w, 43);
  CHECK(e >= 0 && w.ext_len[e] == 3 && w.ext[e][0] == 2 && be16(w.ext[e] + 1) == 0x0304);
  e = find_ext(&w, 51);
  CHECK(e >= 0 && w.ext_len[e] == 2 + 4 + 32 && be16(w.ext[e]) == 36 &&
        be16(w.ext[e] + 2) == 0x001d && be16(w.ext[e] + 4) == 32 &&
        memcmp(w.ext[e] + 6, x25519_pub, 32) == 0);
  o.x25519 = NULL;                                  /* an empty key_share: HRR wanted */
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  w = walk(out, len);
  e = find_ext(&w, 51);
  CHECK(w.ok && e >= 0 && w.ext_len[e] == 2 && be16(w.ext[e]) == 0);
}

static void test_build_bounds(void)
{
  uint8_t out[512];
  size_t len = 0, full = 0;
  hello_offer_t o = offer(HELLO_TLS12);
  CHECK_INT(hello_build(&o, out, sizeof out, &full), HELLO_BUILD_OK);
  memset(out, 0xaa, sizeof out);
  len = 7;
  CHECK_INT(hello_build(&o, out, full - 1, &len), HELLO_BUILD_NO_SPACE);
  CHECK_INT(len, 7);                                /* nothing written */
  CHECK(out[0] == 0xaa && out[full - 2] == 0xaa);
  CHECK_INT(hello_build(&o, NULL, 0, &len), HELLO_BUILD_NO_SPACE);
  CHECK_INT(hello_build(&o, out, full, &len), HELLO_BUILD_OK);
  CHECK_INT(len, full);
  CHECK_INT(hello_build(NULL, out, sizeof out, &len), HELLO_BUILD_INVALID);
  CHECK_INT(hello_build(&o, out, sizeof out, NULL), HELLO_BUILD_INVALID);
  struct { const char *what; hello_offer_t o; } bad[12];
  size_t n = 0;
  for (size_t k = 0; k < 12; k++)
    bad[k].o = o;
  bad[n].what = "version 0x0200", bad[n++].o.version = 0x0200;
  bad[n].what = "version 0x0305", bad[n++].o.version = 0x0305;
  bad[n].what = "no random", bad[n++].o.random = NULL;
  bad[n].what = "no suites", bad[n++].o.n_suites = 0;
  bad[n].what = "too many suites", bad[n++].o.n_suites = HELLO_MAX_SUITES + 1;
  bad[n].what = "suites NULL", bad[n++].o.suites = NULL;
  bad[n].what = "session id 33", bad[n].o.session_id = rnd, bad[n++].o.session_id_len = 33;
  bad[n].what = "session id NULL", bad[n++].o.session_id_len = 4;
  bad[n].what = "groups NULL", bad[n++].o.groups = NULL;
  bad[n].what = "too many sigalgs", bad[n++].o.n_sigalgs = HELLO_MAX_SIGALGS + 1;
  static char longname[HELLO_MAX_SNI + 2];
  memset(longname, 'a', HELLO_MAX_SNI + 1);
  bad[n].what = "SNI too long", bad[n++].o.sni = longname;
  bad[n].what = "reneg 7", bad[n++].o.reneg = (enum hello_reneg)7;
  for (size_t k = 0; k < n; k++) {
    enum hello_build_err r = hello_build(&bad[k].o, out, sizeof out, &len);
    if (r != HELLO_BUILD_INVALID)
      fprintf(stderr, "accepted: %s\n", bad[k].what);
    CHECK_INT(r, HELLO_BUILD_INVALID);
  }
  /* the largest offer within the bounds fits the bound of the output */
  static uint16_t many[HELLO_MAX_SUITES], mg[HELLO_MAX_GROUPS];
  static uint8_t big[HELLO_BUILD_MAX];
  o.suites = many, o.n_suites = HELLO_MAX_SUITES, o.groups = mg, o.n_groups = HELLO_MAX_GROUPS;
  o.sigalgs = mg, o.n_sigalgs = HELLO_MAX_SIGALGS, o.sni = longname + 1;
  o.version = HELLO_TLS13;
  CHECK_INT(hello_build(&o, big, sizeof big, &len), HELLO_BUILD_OK);
  CHECK(walk(big, len).ok);
}

/* ---- the answer ---- */

/* A ServerHello record: version, random, sid length, suite, compression, then ext_len bytes
 * of extensions (NULL: no extension block). Returns its length. */
static size_t server_hello(uint8_t *b, unsigned version, const uint8_t *random, size_t sid,
                           unsigned suite, const uint8_t *ext, size_t ext_len)
{
  size_t body = 2 + 32 + 1 + sid + 3 + (ext ? 2 + ext_len : 0);
  size_t i = 0;
  b[i++] = 22, b[i++] = 3, b[i++] = 3, b[i++] = (uint8_t)((body + 4) >> 8), b[i++] = (uint8_t)(body + 4);
  b[i++] = 2, b[i++] = 0, b[i++] = (uint8_t)(body >> 8), b[i++] = (uint8_t)body;
  b[i++] = (uint8_t)(version >> 8), b[i++] = (uint8_t)version;
  memcpy(b + i, random, 32), i += 32;
  b[i++] = (uint8_t)sid;
  memset(b + i, 0x11, sid), i += sid;
  b[i++] = (uint8_t)(suite >> 8), b[i++] = (uint8_t)suite, b[i++] = 0;
  if (ext) {
    b[i++] = (uint8_t)(ext_len >> 8), b[i++] = (uint8_t)ext_len;
    memcpy(b + i, ext, ext_len), i += ext_len;
  }
  return i;
}

static enum hello_answer feed_all(hello_peek_t *h, const uint8_t *b, size_t n, size_t step)
{
  hello_peek_init(h);
  for (size_t off = 0; off < n; off += step)
    hello_peek_feed(h, b + off, n - off < step ? n - off : step);
  return hello_peek_answer(h, true);
}

static const uint8_t hrr[32] = {
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

static void test_parse_server_hello(void)
{
  uint8_t b[700];
  hello_peek_t h;
  size_t n = server_hello(b, 0x0303, rnd, 0, 0x000a, NULL, 0);
  for (size_t step = 1; step <= n; step++) {         /* any fragmentation, same answer */
    CHECK_INT(feed_all(&h, b, n, step), HELLO_ANS_SERVER_HELLO);
    CHECK(h.version == 0x0303 && h.legacy_version == 0x0303 && h.suite == 0x000a &&
          h.group == 0 && !h.reneg && !h.retry && h.compression == 0);
  }
  static const uint8_t reneg[] = {0xff, 0x01, 0, 1, 0};
  n = server_hello(b, 0x0301, rnd, 32, 0x002f, reneg, sizeof reneg);
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_SERVER_HELLO);
  CHECK(h.version == 0x0301 && h.suite == 0x002f && h.reneg);
  static const uint8_t tls13[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 6, 0, 0x1d, 0, 2, 9, 9};
  n = server_hello(b, 0x0303, rnd, 32, 0x1301, tls13, sizeof tls13);
  CHECK_INT(feed_all(&h, b, n, 3), HELLO_ANS_SERVER_HELLO);
  CHECK(h.version == 0x0304 && h.legacy_version == 0x0303 && h.group == 0x001d && !h.reneg);
  static const uint8_t retry[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x17};
  n = server_hello(b, 0x0303, hrr, 32, 0x1302, retry, sizeof retry);
  CHECK_INT(feed_all(&h, b, n, 7), HELLO_ANS_RETRY);
  CHECK(h.retry && h.version == 0x0304 && h.group == 0x0017 && h.suite == 0x1302);
  n = server_hello(b, 0x0300, rnd, 0, 0x0005, NULL, 0);   /* SSLv3 */
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.version, 0x0300);
}

static void test_parse_split_and_joined(void)
{
  uint8_t sh[200], b[400];
  hello_peek_t h;
  static const uint8_t reneg[] = {0xff, 0x01, 0, 1, 0};
  size_t n = server_hello(sh, 0x0303, rnd, 0, 0xc02f, reneg, sizeof reneg);
  /* the message (sh + 5) over three records of 10, 1 and the rest */
  size_t msg = n - 5, i = 0, parts[3] = {10, 1, msg - 11}, at = 5;
  for (int p = 0; p < 3; p++) {
    b[i++] = 22, b[i++] = 3, b[i++] = 3, b[i++] = 0, b[i++] = (uint8_t)parts[p];
    memcpy(b + i, sh + at, parts[p]), i += parts[p], at += parts[p];
  }
  CHECK_INT(feed_all(&h, b, i, 1), HELLO_ANS_SERVER_HELLO);
  CHECK(h.suite == 0xc02f && h.reneg);
  /* an empty handshake record first, then the ServerHello and a Certificate in one record */
  uint8_t empty[5] = {22, 3, 3, 0, 0};
  memcpy(b, empty, 5);
  memcpy(b + 5, sh, n);
  size_t cert = 100;
  b[5 + 3] = 0, b[5 + 4] = (uint8_t)(msg + 4 + cert);
  uint8_t *c = b + 5 + n;
  c[0] = 11, c[1] = 0, c[2] = 0, c[3] = (uint8_t)cert;
  memset(c + 4, 0x30, cert);
  CHECK_INT(feed_all(&h, b, 5 + n + 4 + cert, 1), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.suite, 0xc02f);
  CHECK(h.have <= HELLO_PEEK_MAX);
  /* bytes after a final state are ignored and the state stays */
  CHECK_INT(hello_peek_feed(&h, (const uint8_t *)"xxxx", 4), HELLO_FOUND);
}

static void test_parse_alerts(void)
{
  hello_peek_t h;
  static const uint8_t a70[] = {21, 3, 3, 0, 2, 2, 70};
  for (size_t step = 1; step <= sizeof a70; step++) {
    CHECK_INT(feed_all(&h, a70, sizeof a70, step), HELLO_ANS_ALERT);
    CHECK(h.alert[0] == 2 && h.alert[1] == 70);
  }
  static const uint8_t a40[] = {21, 3, 1, 0, 2, 2, 40};
  CHECK_INT(feed_all(&h, a40, sizeof a40, 2), HELLO_ANS_ALERT);
  CHECK_INT(h.alert[1], 40);
  /* an alert over two records (legal before TLS 1.3), and after half a ServerHello */
  static const uint8_t split[] = {21, 3, 3, 0, 1, 2, 21, 3, 3, 0, 1, 71};
  CHECK_INT(feed_all(&h, split, sizeof split, 1), HELLO_ANS_ALERT);
  CHECK_INT(h.alert[1], 71);
  static const uint8_t mid[] = {22, 3, 3, 0, 3, 2, 0, 0, 21, 3, 3, 0, 2, 2, 80};
  CHECK_INT(feed_all(&h, mid, sizeof mid, 4), HELLO_ANS_ALERT);
  CHECK_INT(h.alert[1], 80);
  static const uint8_t half[] = {21, 3, 3, 0, 2, 2};
  CHECK_INT(feed_all(&h, half, sizeof half, 1), HELLO_ANS_TRUNCATED);
}

static void test_parse_other_answers(void)
{
  hello_peek_t h;
  static const uint8_t ssl2[] = {0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02};
  CHECK_INT(feed_all(&h, ssl2, sizeof ssl2, 1), HELLO_ANS_SSL2);
  static const uint8_t ssl2err[] = {0x80, 0x03, 0x00, 0x00, 0x01};
  CHECK_INT(feed_all(&h, ssl2err, sizeof ssl2err, 1), HELLO_ANS_NOT_TLS);
  const char *smtp = "220 mx.example.mxlab ESMTP\r\n";
  CHECK_INT(feed_all(&h, (const uint8_t *)smtp, strlen(smtp), 1), HELLO_ANS_NOT_TLS);
  CHECK_INT(h.seen, 1);                             /* told from the first byte */
  static const uint8_t v2[] = {22, 2, 0, 0, 2};
  CHECK_INT(feed_all(&h, v2, sizeof v2, 5), HELLO_ANS_NOT_TLS);
  static const uint8_t second[] = {22, 3, 3, 0, 0, 0x42, 3, 3, 0, 0};
  CHECK_INT(feed_all(&h, second, sizeof second, 1), HELLO_ANS_MALFORMED);
  static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
  CHECK_INT(feed_all(&h, ccs, sizeof ccs, 1), HELLO_ANS_UNEXPECTED);
  static const uint8_t cert[] = {22, 3, 3, 0, 8, 11, 0, 0, 4, 0, 0, 0, 0};
  CHECK_INT(feed_all(&h, cert, sizeof cert, 1), HELLO_ANS_UNEXPECTED);
  static const uint8_t huge_rec[] = {22, 3, 3, 0x40, 0x01};   /* 16385 */
  CHECK_INT(feed_all(&h, huge_rec, sizeof huge_rec, 5), HELLO_ANS_MALFORMED);
  static const uint8_t long_msg[] = {22, 3, 3, 0x10, 0, 2, 0, 0x02, 0x58};   /* 600 */
  CHECK_INT(feed_all(&h, long_msg, sizeof long_msg, 1), HELLO_ANS_TOO_LONG);
  static const uint8_t short_msg[] = {22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0};
  CHECK_INT(feed_all(&h, short_msg, sizeof short_msg, 1), HELLO_ANS_MALFORMED);
  /* malformed ServerHellos: a session id of 33, a cut suite, extensions beyond the end,
   * a supported_versions of 3 bytes */
  uint8_t b[300];
  size_t n = server_hello(b, 0x0303, rnd, 33, 0xc02f, NULL, 0);
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_MALFORMED);
  n = server_hello(b, 0x0303, rnd, 0, 0xc02f, NULL, 0);
  b[3] = 0, b[4] = (uint8_t)(n - 5 - 2), b[8] = (uint8_t)(n - 9 - 2);
  CHECK_INT(feed_all(&h, b, n - 2, 1), HELLO_ANS_MALFORMED);
  static const uint8_t over[] = {0, 51, 0, 9, 0, 0x1d};
  n = server_hello(b, 0x0303, rnd, 0, 0x1301, over, sizeof over);
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_MALFORMED);
  n = server_hello(b, 0x0303, rnd, 0, 0x1301, over, sizeof over);
  b[n - 8] = 0, b[n - 7] = 9;                       /* extensions' length beyond the message */
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_MALFORMED);
  static const uint8_t sv3[] = {0, 43, 0, 3, 3, 4, 0};
  n = server_hello(b, 0x0303, rnd, 0, 0x1301, sv3, sizeof sv3);
  CHECK_INT(feed_all(&h, b, n, n), HELLO_ANS_MALFORMED);
  static const uint8_t one_byte[] = {0};
  n = server_hello(b, 0x0303, rnd, 0, 0x1301, one_byte, 0);
  b[3] = 0, b[4] = (uint8_t)(n - 5 - 1), b[8] = (uint8_t)(n - 9 - 1);   /* 1 byte of ext len */
  CHECK_INT(feed_all(&h, b, n - 1, n), HELLO_ANS_MALFORMED);
}

static void test_answer_end(void)
{
  hello_peek_t h;
  hello_peek_init(&h);
  CHECK_INT(hello_peek_answer(&h, false), HELLO_ANS_MORE);
  CHECK_INT(hello_peek_answer(&h, true), HELLO_ANS_CLOSED);
  hello_peek_feed(&h, (const uint8_t *)"\x16\x03", 2);
  CHECK_INT(hello_peek_answer(&h, false), HELLO_ANS_MORE);
  CHECK_INT(hello_peek_answer(&h, true), HELLO_ANS_TRUNCATED);
  uint8_t b[200];
  size_t n = server_hello(b, 0x0303, rnd, 0, 0x000a, NULL, 0);
  CHECK_INT(feed_all(&h, b, n - 1, 1), HELLO_ANS_TRUNCATED);
  CHECK_STR(hello_answer_name(HELLO_ANS_SERVER_HELLO), "server_hello");
  CHECK_STR(hello_answer_name(HELLO_ANS_RETRY), "hello_retry_request");
  CHECK_STR(hello_answer_name(HELLO_ANS_CLOSED), "closed");
  CHECK_STR(hello_answer_name(HELLO_ANS_COUNT), "?");
  for (int a = 0; a < HELLO_ANS_COUNT; a++)
    CHECK(hello_answer_name((enum hello_answer)a) != NULL);
}

static void test_suites(void)
{
  for (size_t i = 1; i < tls_suites_count; i++)
    CHECK(tls_suites[i - 1].code < tls_suites[i].code);   /* sorted, unique */
  CHECK_STR(tls_suite_name(0x000a), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
  CHECK_STR(tls_suite_name(0x003b), "TLS_RSA_WITH_NULL_SHA256");
  CHECK_STR(tls_suite_name(0x0001), "TLS_RSA_WITH_NULL_MD5");
  CHECK_STR(tls_suite_name(0xccaa), "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  /* TLS_NULL_WITH_NULL_NULL, the non-IANA EXPORT1024 and GOST code points, unassigned */
  CHECK(tls_suite_name(0x0000) == NULL && tls_suite_name(0xffff) == NULL &&
        tls_suite_name(0x0060) == NULL && tls_suite_name(0x0081) == NULL &&
        tls_suite_name(0x0050) == NULL);
  CHECK_STR(tls_suite_name(0x0006), "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5");
  CHECK_STR(tls_suite_name(0xc0ad), "TLS_ECDHE_ECDSA_WITH_AES_256_CCM");
  CHECK_STR(tls_suite_name(0x1305), "TLS_AES_128_CCM_8_SHA256");
  CHECK_INT(tls_suite_code("TLS_AES_128_GCM_SHA256"), 0x1301);
  CHECK_INT(tls_suite_code("TLS_AES_128_GCM"), -1);
  CHECK_INT(tls_suite_code(NULL), -1);
  /* the names against OpenSSL's, for every suite OpenSSL knows */
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  SSL *ssl = SSL_new(ctx);
  size_t known = 0;
  for (size_t i = 0; i < tls_suites_count; i++) {
    uint8_t id[2] = {(uint8_t)(tls_suites[i].code >> 8), (uint8_t)tls_suites[i].code};
    const SSL_CIPHER *c = SSL_CIPHER_find(ssl, id);
    if (c == NULL)
      continue;
    known++;
    const char *std = SSL_CIPHER_standard_name(c);
    if (std == NULL || strcmp(std, tls_suites[i].name) != 0)
      fprintf(stderr, "0x%04x: ours %s, OpenSSL %s\n", tls_suites[i].code, tls_suites[i].name,
              std ? std : "(none)");
    CHECK(std != NULL && strcmp(std, tls_suites[i].name) == 0);
  }
  printf("suite table: %zu entries, %zu known to OpenSSL with the same name\n",
         tls_suites_count, known);
  CHECK(known >= 100);
  SSL_free(ssl);
  /* and the other way: every suite OpenSSL has at any level, but for the PSK, SRP and GOST
   * ones (they need a secret we do not have), is in the table */
  SSL_CTX_set_security_level(ctx, 0);
  CHECK(SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1);
  ssl = SSL_new(ctx);
  STACK_OF(SSL_CIPHER) *all = SSL_get_ciphers(ssl);
  size_t listed = 0;
  for (int i = 0; all != NULL && i < sk_SSL_CIPHER_num(all); i++) {
    const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
    const char *std = SSL_CIPHER_standard_name(c);
    if (std == NULL || strstr(std, "PSK") || strstr(std, "SRP") || strstr(std, "GOST"))
      continue;
    uint16_t code = (uint16_t)SSL_CIPHER_get_protocol_id(c);
    listed++;
    if (tls_suite_name(code) == NULL)
      fprintf(stderr, "0x%04x %s: OpenSSL has it, the table does not\n", code, std);
    CHECK(tls_suite_name(code) != NULL);
  }
  printf("OpenSSL at level 0: %zu suites (no PSK, SRP, GOST) looked up in the table\n", listed);
  CHECK(listed >= 60);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

/* RFC 7685 padding: a handshake message of 256-511 bytes is raised to 512 (the F5 hang);
 * shorter and longer ones, SSLv3 and hellos without extensions are left as they are. */
static void test_padding(void)
{
  CHECK(hello_padding(HELLO_TLS12, 255, true) == -1);
  CHECK(hello_padding(HELLO_TLS12, 256, true) == 252);
  CHECK(hello_padding(HELLO_TLS12, 508, true) == 0);
  CHECK(hello_padding(HELLO_TLS12, 509, true) == 0);     /* just past 512: 513 */
  CHECK(hello_padding(HELLO_TLS12, 511, true) == 0);
  CHECK(hello_padding(HELLO_TLS12, 512, true) == -1);
  CHECK(hello_padding(HELLO_SSL3, 300, true) == -1);
  CHECK(hello_padding(HELLO_TLS10, 300, false) == -1);
  CHECK(hello_padding(HELLO_TLS13, 300, true) == 208);
  /* built: enough suites for a 300-byte message, with and without padding */
  uint16_t many[120];
  for (size_t i = 0; i < 120; i++) many[i] = (uint16_t)(0xc000 + i);
  hello_offer_t o = offer(HELLO_TLS12);
  o.suites = many;
  o.n_suites = 120;
  uint8_t out[1024];
  size_t len = 0, plain = 0;
  o.no_padding = true;
  CHECK_INT(hello_build(&o, out, sizeof out, &plain), HELLO_BUILD_OK);
  CHECK(plain - 9 >= 256 && plain - 9 < 512);
  o.no_padding = false;
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  CHECK_INT(len, 5 + 4 + 508);                          /* message raised to 512 */
  walked_t w = walk(out, len);
  CHECK(w.ok);
  int k = find_ext(&w, 21);
  CHECK(k >= 0 && k == (int)w.n_exts - 1);              /* last, all zeros */
  if (k >= 0) {
    bool zero = true;
    for (size_t i = 0; i < w.ext_len[k]; i++) zero &= w.ext[k][i] == 0;
    CHECK(zero);
  }
  CHECK_INT(hello_build(&o, out, len - 1, &len), HELLO_BUILD_NO_SPACE);
  /* a short hello is not padded */
  o = offer(HELLO_TLS12);
  CHECK_INT(hello_build(&o, out, sizeof out, &len), HELLO_BUILD_OK);
  CHECK(len - 9 < 256);
  w = walk(out, len);
  CHECK(w.ok && find_ext(&w, 21) < 0);
}


/* ---- want_ske: reading on to the ServerKeyExchange ---- */

/* Appends a handshake message (type, len body bytes, each fill) to the stream m. */
static size_t hs_msg(uint8_t *m, size_t at, uint8_t type, const uint8_t *body, size_t len,
                     uint8_t fill)
{
  m[at] = type, m[at + 1] = (uint8_t)(len >> 16), m[at + 2] = (uint8_t)(len >> 8);
  m[at + 3] = (uint8_t)len;
  if (body) memcpy(m + at + 4, body, len);
  else memset(m + at + 4, fill, len);
  return at + 4 + len;
}

/* The handshake stream hs (n bytes) cut into records of at most rec bytes, into b. */
static size_t records(uint8_t *b, const uint8_t *hs, size_t n, size_t rec)
{
  size_t i = 0;
  for (size_t at = 0; at < n; at += rec) {
    size_t k = n - at < rec ? n - at : rec;
    b[i++] = 22, b[i++] = 3, b[i++] = 3, b[i++] = (uint8_t)(k >> 8), b[i++] = (uint8_t)k;
    memcpy(b + i, hs + at, k), i += k;
  }
  return i;
}

/* A TLS 1.2 ServerHello choosing suite, then the messages of tail (its bytes), as one
 * handshake stream into hs. */
static size_t flight(uint8_t *hs, unsigned suite, const uint8_t *tail, size_t tlen)
{
  uint8_t sh[200];
  size_t n = server_hello(sh, 0x0303, rnd, 0, suite, NULL, 0) - 5;
  memcpy(hs, sh + 5, n);
  if (tlen) memcpy(hs + n, tail, tlen);
  return n + tlen;
}

/* A DHE ServerKeyExchange's start: p (plen bytes, top bit set unless p given), g. */
static size_t dh_ske(uint8_t *m, const uint8_t *p, size_t plen, const uint8_t *g, size_t glen)
{
  size_t i = 0;
  m[i++] = (uint8_t)(plen >> 8), m[i++] = (uint8_t)plen;
  if (p) memcpy(m + i, p, plen);
  else memset(m + i, 0xc5, plen);
  i += plen;
  m[i++] = (uint8_t)(glen >> 8), m[i++] = (uint8_t)glen;
  memcpy(m + i, g, glen), i += glen;
  m[i++] = 0, m[i++] = 1, m[i++] = 7;              /* Ys, then the signature (not read) */
  return i;
}

static enum hello_answer feed_ske(hello_peek_t *h, const uint8_t *b, size_t n, size_t step,
                                  bool want, bool eof)
{
  hello_peek_init(h);
  h->want_ske = want;
  for (size_t off = 0; off < n; off += step)
    hello_peek_feed(h, b + off, n - off < step ? n - off : step);
  return hello_peek_answer(h, eof);
}

static uint8_t big_hs[80000], big_b[90000], tail[75000];

static void test_ske_dhe(void)
{
  static const uint8_t two[] = {2};
  uint8_t ske[1200];
  hello_peek_t h;
  /* Certificate (3000 bytes), a 1024-bit DHE group, ServerHelloDone; records of 1000 */
  size_t t = hs_msg(tail, 0, 11, NULL, 3000, 0x30);
  t = hs_msg(tail, t, 12, ske, dh_ske(ske, NULL, 128, two, 1), 0);
  t = hs_msg(tail, t, 14, NULL, 0, 0);
  size_t n = records(big_b, big_hs, flight(big_hs, 0x009e, tail, t), 1000);
  size_t steps[] = {1, 5, 999, n};
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    CHECK_INT(feed_ske(&h, big_b, n, steps[i], true, false), HELLO_ANS_SERVER_HELLO);
    CHECK(h.state == HELLO_FOUND && !h.ske_wait && h.suite == 0x009e);
    CHECK_INT(h.dhe_bits, 1024);
    CHECK_INT(h.dhe_class, TLS_CLASS_INSUFFICIENT);
    CHECK(h.have <= HELLO_PEEK_MAX);
  }
  /* without want_ske: final at the ServerHello, nothing of the SKE */
  CHECK_INT(feed_ske(&h, big_b, n, 7, false, false), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.dhe_bits, 0);
  /* ffdhe2048, a CertificateStatus skipped too: phase-out */
  t = hs_msg(tail, 0, 11, NULL, 500, 0x30);
  t = hs_msg(tail, t, 22, NULL, 300, 0x01);
  t = hs_msg(tail, t, 12, ske, dh_ske(ske, tls_ffdhe_prime(2048), 256, two, 1), 0);
  n = records(big_b, big_hs, flight(big_hs, 0x009f, tail, t), 16384);
  CHECK_INT(feed_ske(&h, big_b, n, 3, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.dhe_bits, 2048);
  CHECK_INT(h.dhe_class, TLS_CLASS_PHASE_OUT);
  /* the same prime with a generator longer than HELLO_DH_G_MAX: no RFC 7919 group */
  uint8_t g17[17] = {0};
  g17[16] = 2;
  t = hs_msg(tail, 0, 12, ske, dh_ske(ske, tls_ffdhe_prime(2048), 256, g17, 17), 0);
  n = records(big_b, big_hs, flight(big_hs, 0x009f, tail, t), 16384);
  CHECK_INT(feed_ske(&h, big_b, n, 64, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.dhe_bits, 2048);
  CHECK_INT(h.dhe_class, TLS_CLASS_INSUFFICIENT);
  /* a prime longer than HELLO_DH_MAX: its size from its length, insufficient */
  t = hs_msg(tail, 0, 12, ske, dh_ske(ske, NULL, 1100, two, 1), 0);
  n = records(big_b, big_hs, flight(big_hs, 0x0033, tail, t), 16384);
  CHECK_INT(feed_ske(&h, big_b, n, 100, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK_INT(h.dhe_bits, 8800);
  CHECK_INT(h.dhe_class, TLS_CLASS_INSUFFICIENT);
  /* an SKE shorter than its p: nothing learnt, the ServerHello stands */
  t = hs_msg(tail, 0, 12, ske, 10, 0);
  ske[0] = 0, ske[1] = 128;
  memcpy(tail + 4, ske, 10);
  t = hs_msg(tail, t, 14, NULL, 0, 0);
  n = records(big_b, big_hs, flight(big_hs, 0x009e, tail, t), 16384);
  CHECK_INT(feed_ske(&h, big_b, n, 1, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(h.state == HELLO_FOUND && h.dhe_bits == 0);
}

static void test_ske_ecdhe_and_ends(void)
{
  static const uint8_t curve[] = {3, 0, 0x17, 65, 4};
  hello_peek_t h;
  size_t t = hs_msg(tail, 0, 11, NULL, 2000, 0x30);
  t = hs_msg(tail, t, 12, curve, sizeof curve, 0);
  size_t n = records(big_b, big_hs, flight(big_hs, 0xc02f, tail, t), 700);
  CHECK_INT(feed_ske(&h, big_b, n, 2, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(h.ske_group == 0x0017 && h.dhe_bits == 0);
  static const uint8_t explicit_curve[] = {1, 0, 0x17};    /* curve_type 1: not named */
  t = hs_msg(tail, 0, 12, explicit_curve, sizeof explicit_curve, 0);
  n = records(big_b, big_hs, flight(big_hs, 0xc02f, tail, t), 700);
  CHECK_INT(feed_ske(&h, big_b, n, 2, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(h.state == HELLO_FOUND && h.ske_group == 0);
  /* a ServerHelloDone without SKE ends the reading; an RSA suite is not read on */
  t = hs_msg(tail, 0, 14, NULL, 0, 0);
  n = records(big_b, big_hs, flight(big_hs, 0xc02f, tail, t), 700);
  CHECK_INT(feed_ske(&h, big_b, n, 1, true, false), HELLO_ANS_SERVER_HELLO);
  n = records(big_b, big_hs, flight(big_hs, 0x009c, NULL, 0), 700);
  CHECK_INT(feed_ske(&h, big_b, n, n, true, false), HELLO_ANS_SERVER_HELLO);
  /* the stream ends inside the Certificate: the ServerHello (at the end only) */
  t = hs_msg(tail, 0, 11, NULL, 5000, 0x30);
  n = records(big_b, big_hs, flight(big_hs, 0xc02f, tail, t), 16384) - 1000;
  CHECK_INT(feed_ske(&h, big_b, n, 9, true, false), HELLO_ANS_MORE);
  CHECK(h.ske_wait);
  CHECK_INT(hello_peek_answer(&h, true), HELLO_ANS_SERVER_HELLO);
  /* an alert after the ServerHello: it stands, no alert reported */
  n = records(big_b, big_hs, flight(big_hs, 0xc02f, NULL, 0), 16384);
  memcpy(big_b + n, "\x15\x03\x03\x00\x02\x02\x28", 7);
  CHECK_INT(feed_ske(&h, big_b, n + 7, 1, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(h.why == HELLO_WHY_NONE && h.state == HELLO_FOUND);
  /* a certificate longer than the whole bound: reading stops at HELLO_SKE_READ_MAX */
  t = hs_msg(tail, 0, 11, NULL, 70000, 0x30);
  t = hs_msg(tail, t, 12, curve, sizeof curve, 0);
  size_t hs = flight(big_hs, 0xc02f, tail, t);
  n = records(big_b, big_hs, hs, 16384);
  CHECK_INT(feed_ske(&h, big_b, n, 4096, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(h.state == HELLO_FOUND && h.seen == HELLO_SKE_READ_MAX && h.ske_group == 0);
  /* TLS 1.3 is final at its ServerHello */
  static const uint8_t tls13[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 6, 0, 0x1d, 0, 2, 9, 9};
  n = server_hello(big_b, 0x0303, rnd, 32, 0x1301, tls13, sizeof tls13);
  CHECK_INT(feed_ske(&h, big_b, n, n, true, false), HELLO_ANS_SERVER_HELLO);
  CHECK(!h.ske_wait);
}

int main(void)
{
  test_padding();
  test_build_ssl3_exact();
  test_build_tls12();
  test_build_tls10_11_bare();
  test_build_tls13();
  test_build_bounds();
  test_parse_server_hello();
  test_parse_split_and_joined();
  test_parse_alerts();
  test_parse_other_answers();
  test_answer_end();
  test_suites();
  test_ske_dhe();
  test_ske_ecdhe_and_ends();
  TEST_MAIN_END();
}
