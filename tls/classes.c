/* The classes of the TLS profile (see classes.h). Each rule names its source:
 *   [NCSC]  NCSC-NL, "IT Security Guidelines for Transport Layer Security (TLS)", v2.1,
 *           January 2021 (english.ncsc.nl): its security levels good / sufficient /
 *           phase-out / insufficient, the tables of chapter 3 and the guidelines B1-B8.
 *   [INL]   Internet.nl (github.com/internetstandards/Internet.nl), which applies [NCSC] to
 *           mail servers: checks/tasks/tls.py of the v2.1 era (evaluate_tls_protocols,
 *           evaluate_tls_fs_params, the renegotiation and compression subtests) and
 *           checks/tasks/tls/tls_constants.py (FS_EC_GOOD, FS_EC_PHASE_OUT).
 *   [DHE]   github.com/internetstandards/dhe_groups, README: "NCSC-NL considers ffdhe4096
 *           and ffdhe3072 to be 'sufficient', and ffdhe2048 to be 'phase out'" (guideline
 *           B6-1 and table 10 of [NCSC]).
 * The rules are restated, not copied; docs/verdicts.md lists them with the same sources. */
#include "tls/classes.h"

static enum tls_class ret(enum tls_class c, const char *why, const char **reason)
{
  if (reason != NULL)
    *reason = why;
  return c;
}

enum tls_class tls_class_worst(enum tls_class a, enum tls_class b)
{
  if ((unsigned)a >= TLS_CLASS_COUNT || (unsigned)b >= TLS_CLASS_COUNT)
    return TLS_CLASS_INSUFFICIENT;
  return a > b ? a : b;
}

enum tls_class tls_class_fold(const enum tls_class *classes, size_t n)
{
  enum tls_class worst = TLS_CLASS_GOOD;
  for (size_t i = 0; classes != NULL && i < n; i++)
    worst = tls_class_worst(worst, classes[i]);
  return worst;
}

/* [NCSC] guideline B1-1 and its table of versions: TLS 1.3 good, TLS 1.2 sufficient (v2.1
 * lowered it from good), TLS 1.1 and 1.0 phase-out, SSL 3.0 and 2.0 insufficient; [INL]
 * evaluate_tls_protocols classifies the same way. */
enum tls_class tls_class_version(uint16_t version, const char **reason)
{
  switch (version) {
  case 0x0304: return ret(TLS_CLASS_GOOD, "", reason);
  case 0x0303: return ret(TLS_CLASS_SUFFICIENT, "TLS 1.2: good is TLS 1.3 only", reason);
  case 0x0302: return ret(TLS_CLASS_PHASE_OUT, "TLS 1.1: deprecated (RFC 8996)", reason);
  case 0x0301: return ret(TLS_CLASS_PHASE_OUT, "TLS 1.0: deprecated (RFC 8996)", reason);
  case 0x0300: return ret(TLS_CLASS_INSUFFICIENT, "SSL 3.0: broken (RFC 7568)", reason);
  case 0x0002: return ret(TLS_CLASS_INSUFFICIENT, "SSL 2.0: broken (RFC 6176)", reason);
  default: return ret(TLS_CLASS_INSUFFICIENT, "unknown version", reason);
  }
}

/* [NCSC] table 10 and guideline B6-1, via [DHE] and [INL] evaluate_tls_fs_params: a prime
 * under 2048 bits is insufficient; ffdhe2048 phase-out; ffdhe3072, 4096, 6144, 8192
 * sufficient (no finite-field group is good); any other group ("unknown ff group" in [INL])
 * insufficient, whatever its size. */
enum tls_class tls_class_dh_group(const uint8_t *p, size_t p_len, const uint8_t *g,
                                  size_t g_len, const char **reason)
{
  unsigned bits = tls_dh_bits(p, p_len);
  if (bits < 2048)
    return ret(TLS_CLASS_INSUFFICIENT, "DH group under 2048 bits", reason);
  switch (tls_ffdhe_match(p, p_len, g, g_len)) {
  case 2048: return ret(TLS_CLASS_PHASE_OUT, "ffdhe2048: 2048-bit group", reason);
  case 3072: case 4096: case 6144: case 8192:
    return ret(TLS_CLASS_SUFFICIENT, "RFC 7919 group: finite field", reason);
  default:
    return ret(TLS_CLASS_INSUFFICIENT, "DH group not one of RFC 7919's", reason);
  }
}

static const struct { uint16_t code; const char *name; } groups[] = {
  /* IANA "TLS Supported Groups" (RFC 8422, RFC 7919, RFC 8446, RFC 8734) */
  {0x0001, "sect163k1"}, {0x0002, "sect163r1"}, {0x0003, "sect163r2"},
  {0x0004, "sect193r1"}, {0x0005, "sect193r2"}, {0x0006, "sect233k1"},
  {0x0007, "sect233r1"}, {0x0008, "sect239k1"}, {0x0009, "sect283k1"},
  {0x000a, "sect283r1"}, {0x000b, "sect409k1"}, {0x000c, "sect409r1"},
  {0x000d, "sect571k1"}, {0x000e, "sect571r1"}, {0x000f, "secp160k1"},
  {0x0010, "secp160r1"}, {0x0011, "secp160r2"}, {0x0012, "secp192k1"},
  {0x0013, "secp192r1"}, {0x0014, "secp224k1"}, {0x0015, "secp224r1"},
  {0x0016, "secp256k1"}, {0x0017, "secp256r1"}, {0x0018, "secp384r1"},
  {0x0019, "secp521r1"}, {0x001a, "brainpoolP256r1"}, {0x001b, "brainpoolP384r1"},
  {0x001c, "brainpoolP512r1"}, {0x001d, "x25519"}, {0x001e, "x448"},
  {0x001f, "brainpoolP256r1tls13"}, {0x0020, "brainpoolP384r1tls13"},
  {0x0021, "brainpoolP512r1tls13"},
  {0x0100, "ffdhe2048"}, {0x0101, "ffdhe3072"}, {0x0102, "ffdhe4096"},
  {0x0103, "ffdhe6144"}, {0x0104, "ffdhe8192"},
};

const char *tls_group_name(uint16_t group)
{
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
    if (groups[i].code == group)
      return groups[i].name;
  return NULL;
}

/* Elliptic curves: [NCSC] §3.3.2.1 (curves for key exchange) as [INL] tls_constants.py
 * lists them: secp256r1, secp384r1, secp521r1, the three brainpool curves (and their TLS 1.3
 * code points), X25519 and X448 good; secp224r1 phase-out; every other curve (the binary
 * sect*, the 160- and 192-bit ones, secp256k1) insufficient. The RFC 7919 groups as named
 * groups (TLS 1.3 key_share, or supported_groups in 1.2) follow table 10 as above. */
enum tls_class tls_class_group(uint16_t group, const char **reason)
{
  switch (group) {
  case 0x0017: case 0x0018: case 0x0019: case 0x001a: case 0x001b: case 0x001c:
  case 0x001d: case 0x001e: case 0x001f: case 0x0020: case 0x0021:
    return ret(TLS_CLASS_GOOD, "", reason);
  case 0x0015: return ret(TLS_CLASS_PHASE_OUT, "secp224r1: 224-bit curve", reason);
  case 0x0100: return ret(TLS_CLASS_PHASE_OUT, "ffdhe2048: 2048-bit group", reason);
  case 0x0101: case 0x0102: case 0x0103: case 0x0104:
    return ret(TLS_CLASS_SUFFICIENT, "RFC 7919 group: finite field", reason);
  default:
    if (tls_group_name(group) != NULL)
      return ret(TLS_CLASS_INSUFFICIENT, "curve not in the guidelines' list", reason);
    return ret(TLS_CLASS_INSUFFICIENT, "unknown group", reason);
  }
}

/* [NCSC] options table (renegotiation): insecure renegotiation is insufficient; [INL]'s
 * renegotiation_secure subtest fails a server without RFC 5746 support. (Client-initiated
 * renegotiation, sufficient since v2.1 per guideline B8-1, is not measured here.) */
enum tls_class tls_class_secure_reneg(bool offered, const char **reason)
{
  if (offered)
    return ret(TLS_CLASS_GOOD, "", reason);
  return ret(TLS_CLASS_INSUFFICIENT, "no secure renegotiation (RFC 5746)", reason);
}

/* [NCSC] options table (compression): TLS compression is insufficient (CRIME); [INL]'s
 * tls_compression subtest fails a server that compresses. */
enum tls_class tls_class_compression(uint8_t method, const char **reason)
{
  if (method == 0)
    return ret(TLS_CLASS_GOOD, "", reason);
  return ret(TLS_CLASS_INSUFFICIENT, "TLS compression (CRIME)", reason);
}
