/* The TLS profile's classes (tls/classes.c, tls/suites.c, tls/ffdhe.c), branch by branch:
 * the worst-of rule, versions, finite-field groups (the stored RFC 7919 primes against
 * OpenSSL's named groups), named groups (names against testssl.sh's curves-mapping.txt when
 * installed), renegotiation, compression; and the suite table: every entry's flaws against
 * its IANA name, the classes against the lists Internet.nl applies for NCSC-NL v2.1, the
 * reasons, and code point <-> name against testssl.sh's cipher-mapping.txt when installed. */
#include "tls/classes.h"
#include "tls/suites.h"
#include "tests/unit/testlib.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_worst(void)
{
  for (int a = 0; a < TLS_CLASS_COUNT; a++)
    for (int b = 0; b < TLS_CLASS_COUNT; b++)
      CHECK_INT(tls_class_worst((enum tls_class)a, (enum tls_class)b), a > b ? a : b);
  CHECK_INT(tls_class_worst(TLS_CLASS_GOOD, TLS_CLASS_COUNT), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_class_worst((enum tls_class)-1, TLS_CLASS_GOOD), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_class_fold(NULL, 3), TLS_CLASS_GOOD);
  CHECK_INT(tls_class_fold(NULL, 0), TLS_CLASS_GOOD);
  enum tls_class some[] = {TLS_CLASS_GOOD, TLS_CLASS_PHASE_OUT, TLS_CLASS_SUFFICIENT};
  CHECK_INT(tls_class_fold(some, N(some)), TLS_CLASS_PHASE_OUT);
  CHECK_INT(tls_class_fold(some, 1), TLS_CLASS_GOOD);
  CHECK_INT(tls_class_fold(some, 0), TLS_CLASS_GOOD);
  enum tls_class bad[] = {TLS_CLASS_SUFFICIENT, TLS_CLASS_INSUFFICIENT, TLS_CLASS_GOOD};
  CHECK_INT(tls_class_fold(bad, N(bad)), TLS_CLASS_INSUFFICIENT);
}

static void test_versions(void)
{
  const char *why = NULL;
  CHECK_INT(tls_class_version(0x0304, &why), TLS_CLASS_GOOD);
  CHECK_STR(why, "");
  CHECK_INT(tls_class_version(0x0303, &why), TLS_CLASS_SUFFICIENT);
  CHECK_STR(why, "TLS 1.2: good is TLS 1.3 only");
  CHECK_INT(tls_class_version(0x0302, &why), TLS_CLASS_PHASE_OUT);
  CHECK_STR(why, "TLS 1.1: deprecated (RFC 8996)");
  CHECK_INT(tls_class_version(0x0301, &why), TLS_CLASS_PHASE_OUT);
  CHECK_STR(why, "TLS 1.0: deprecated (RFC 8996)");
  CHECK_INT(tls_class_version(0x0300, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "SSL 3.0: broken (RFC 7568)");
  CHECK_INT(tls_class_version(0x0002, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "SSL 2.0: broken (RFC 6176)");
  CHECK_INT(tls_class_version(0x0305, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "unknown version");
  CHECK_INT(tls_class_version(0x0303, NULL), TLS_CLASS_SUFFICIENT);
}

/* OpenSSL's prime of a named finite-field group, big-endian into out (cap bytes); its
 * length, 0 on failure. */
static size_t openssl_ffdhe(const char *group, uint8_t *out, size_t cap)
{
  size_t n = 0;
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
  EVP_PKEY *k = NULL;
  BIGNUM *p = NULL, *g = NULL;
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string("group", (char *)group, 0),
                          OSSL_PARAM_construct_end()};
  if (c && EVP_PKEY_paramgen_init(c) > 0 && EVP_PKEY_CTX_set_params(c, params) > 0 &&
      EVP_PKEY_paramgen(c, &k) > 0 && EVP_PKEY_get_bn_param(k, "p", &p) > 0 &&
      EVP_PKEY_get_bn_param(k, "g", &g) > 0 && BN_is_word(g, 2) &&
      (size_t)BN_num_bytes(p) <= cap)
    n = (size_t)BN_bn2bin(p, out);
  BN_free(p);
  BN_free(g);
  EVP_PKEY_free(k);
  EVP_PKEY_CTX_free(c);
  return n;
}

static void test_dh(void)
{
  static const unsigned sizes[] = {2048, 3072, 4096, 6144, 8192};
  static const int cls[] = {TLS_CLASS_PHASE_OUT, TLS_CLASS_SUFFICIENT, TLS_CLASS_SUFFICIENT,
                            TLS_CLASS_SUFFICIENT, TLS_CLASS_SUFFICIENT};
  static uint8_t buf[1024 + 1];
  const uint8_t two[] = {2}, two0[] = {0, 0, 2}, five[] = {5};
  const char *why = NULL;
  for (size_t i = 0; i < N(sizes); i++) {
    char name[16];
    snprintf(name, sizeof name, "ffdhe%u", sizes[i]);
    size_t n = openssl_ffdhe(name, buf, sizeof buf);
    const uint8_t *ours = tls_ffdhe_prime(sizes[i]);
    CHECK_INT(n, sizes[i] / 8);
    CHECK(ours != NULL && n == sizes[i] / 8 && memcmp(ours, buf, n) == 0);
    CHECK_INT(tls_dh_bits(buf, n), sizes[i]);
    CHECK_INT(tls_ffdhe_match(buf, n, two, 1), sizes[i]);
    CHECK_INT(tls_ffdhe_match(buf, n, two0, 3), sizes[i]);   /* leading zeros of g */
    CHECK_INT(tls_ffdhe_match(buf, n, five, 1), 0);
    CHECK_INT(tls_class_dh_group(buf, n, two, 1, &why), cls[i]);
    /* the same prime with a leading zero byte, as an ASN.1-minded server might send */
    memmove(buf + 1, buf, n);
    buf[0] = 0;
    CHECK_INT(tls_ffdhe_match(buf, n + 1, two, 1), sizes[i]);
    CHECK_INT(tls_dh_bits(buf, n + 1), sizes[i]);
  }
  const uint8_t *p2048 = tls_ffdhe_prime(2048), *p3072 = tls_ffdhe_prime(3072);
  CHECK(tls_ffdhe_prime(1024) == NULL && tls_ffdhe_prime(0) == NULL);
  CHECK_INT(tls_class_dh_group(p2048, 256, two, 1, &why), TLS_CLASS_PHASE_OUT);
  CHECK_STR(why, "ffdhe2048: 2048-bit group");
  CHECK_INT(tls_class_dh_group(p3072, 384, two, 1, &why), TLS_CLASS_SUFFICIENT);
  CHECK_STR(why, "RFC 7919 group: finite field");
  /* a 1024-bit prime (any 128 bytes with the top bit set will do for the size) */
  CHECK_INT(tls_dh_bits(p2048, 128), 1024);
  CHECK_INT(tls_class_dh_group(p2048, 128, two, 1, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "DH group under 2048 bits");
  /* a 2047-bit value is under 2048 bits too */
  memcpy(buf, p2048, 256);
  buf[0] = 0x7f;
  CHECK_INT(tls_dh_bits(buf, 256), 2047);
  CHECK_INT(tls_class_dh_group(buf, 256, two, 1, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "DH group under 2048 bits");
  /* a 2048-bit group of the server's own, or ffdhe2048's prime with another generator */
  memcpy(buf, p2048, 256);
  buf[200] ^= 0x10;
  CHECK_INT(tls_class_dh_group(buf, 256, two, 1, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "DH group not one of RFC 7919's");
  CHECK_INT(tls_class_dh_group(p2048, 256, five, 1, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "DH group not one of RFC 7919's");
  CHECK_INT(tls_class_dh_group(p2048, 256, NULL, 0, &why), TLS_CLASS_INSUFFICIENT);
  /* nothing at all */
  CHECK_INT(tls_dh_bits(NULL, 5), 0);
  CHECK_INT(tls_dh_bits(two0, 2), 0);
  CHECK_INT(tls_dh_bits(two, 1), 2);
  CHECK_INT(tls_class_dh_group(NULL, 0, two, 1, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_ffdhe_match(NULL, 0, two, 1), 0);
}

/* The first readable copy of a testssl.sh mapping file: Debian puts them in /etc/testssl,
 * upstream in etc/ of its tree (/usr/share/testssl/etc when installed so). */
static FILE *open_mapping(const char *file)
{
  static const char *const dirs[] = {"/etc/testssl", "/usr/share/testssl/etc"};
  for (size_t i = 0; i < N(dirs); i++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dirs[i], file);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
      printf("testssl.sh mapping: %s\n", path);
      return f;
    }
  }
  printf("SKIP: testssl.sh's %s not found (apt-get install testssl.sh); not compared\n", file);
  return NULL;
}

static void test_groups(void)
{
  const char *why = NULL;
  static const uint16_t good[] = {0x0017, 0x0018, 0x0019, 0x001a, 0x001b, 0x001c,
                                  0x001d, 0x001e, 0x001f, 0x0020, 0x0021};
  for (size_t i = 0; i < N(good); i++) {
    CHECK_INT(tls_class_group(good[i], &why), TLS_CLASS_GOOD);
    CHECK_STR(why, "");
  }
  CHECK_STR(tls_group_name(0x001d), "x25519");
  CHECK_STR(tls_group_name(0x0017), "secp256r1");
  CHECK_INT(tls_class_group(0x0015, &why), TLS_CLASS_PHASE_OUT);
  CHECK_STR(why, "secp224r1: 224-bit curve");
  CHECK_INT(tls_class_group(0x0100, &why), TLS_CLASS_PHASE_OUT);
  CHECK_STR(why, "ffdhe2048: 2048-bit group");
  for (uint16_t g = 0x0101; g <= 0x0104; g++)
    CHECK_INT(tls_class_group(g, NULL), TLS_CLASS_SUFFICIENT);
  CHECK_INT(tls_class_group(0x0016, &why), TLS_CLASS_INSUFFICIENT);   /* secp256k1 */
  CHECK_STR(why, "curve not in the guidelines' list");
  CHECK_INT(tls_class_group(0x0001, &why), TLS_CLASS_INSUFFICIENT);   /* sect163k1 */
  CHECK_INT(tls_class_group(0x0013, NULL), TLS_CLASS_INSUFFICIENT);   /* secp192r1 */
  CHECK_INT(tls_class_group(0x0105, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "unknown group");
  CHECK(tls_group_name(0x0000) == NULL && tls_group_name(0x0105) == NULL);
  /* our names against testssl.sh's, for every group both have */
  FILE *f = open_mapping("curves-mapping.txt");
  size_t compared = 0;
  char line[256];
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    unsigned hi, lo;
    char name[64];
    if (sscanf(line, " 0x%x,0x%x - %63s", &hi, &lo, name) != 3 || hi > 0xff || lo > 0xff)
      continue;
    const char *ours = tls_group_name((uint16_t)(hi << 8 | lo));
    if (ours == NULL)
      continue;
    compared++;
    if (strcmp(ours, name) != 0)
      fprintf(stderr, "group 0x%02x%02x: ours %s, testssl.sh %s\n", hi, lo, ours, name);
    CHECK_STR(ours, name);
  }
  if (f != NULL) {
    fclose(f);
    printf("groups: %zu names compared with testssl.sh's\n", compared);
    CHECK(compared >= 30);
  }
}

static void test_options(void)
{
  const char *why = NULL;
  CHECK_INT(tls_class_secure_reneg(true, &why), TLS_CLASS_GOOD);
  CHECK_STR(why, "");
  CHECK_INT(tls_class_secure_reneg(false, &why), TLS_CLASS_INSUFFICIENT);
  CHECK_STR(why, "no secure renegotiation (RFC 5746)");
  CHECK_INT(tls_class_compression(0, &why), TLS_CLASS_GOOD);
  CHECK_STR(why, "");
  CHECK_INT(tls_class_compression(1, &why), TLS_CLASS_INSUFFICIENT);   /* DEFLATE */
  CHECK_STR(why, "TLS compression (CRIME)");
  CHECK_INT(tls_class_compression(0x40, NULL), TLS_CLASS_INSUFFICIENT);
}

/* Internet.nl's lists for NCSC-NL v2.1 (checks/tasks/tls.py, evaluate_tls_ciphers, the
 * sslyze version of 2023), restated as the oracle: every other suite is insufficient. */
static const char *const inl_good[] = {
  "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
};
static const char *const inl_sufficient[] = {
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
};
static const char *const inl_phase_out[] = {
  "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256",
  "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
};

static bool listed(const char *name, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], name) == 0)
      return true;
  return false;
}

static void test_suite_classes(void)
{
  size_t count[TLS_CLASS_COUNT] = {0}, scsv = 0;
  for (size_t i = 0; i < tls_suites_count; i++) {
    const tls_suite_t *s = &tls_suites[i];
    int want = listed(s->name, inl_good, N(inl_good))         ? TLS_CLASS_GOOD
             : listed(s->name, inl_sufficient, N(inl_sufficient)) ? TLS_CLASS_SUFFICIENT
             : listed(s->name, inl_phase_out, N(inl_phase_out))   ? TLS_CLASS_PHASE_OUT
             : strstr(s->name, "_SCSV")                           ? -1
                                                                  : TLS_CLASS_INSUFFICIENT;
    int got = tls_suite_class(s->code);
    if (got != want)
      fprintf(stderr, "0x%04x %s: class %d, Internet.nl's lists say %d\n", s->code, s->name,
              got, want);
    CHECK_INT(got, want);
    CHECK_INT(tls_flaws_class(s->flaws), got);
    if (got < 0)
      scsv++;
    else
      count[got]++;
  }
  /* every listed suite is in the table */
  CHECK_INT(count[TLS_CLASS_GOOD], N(inl_good));
  CHECK_INT(count[TLS_CLASS_SUFFICIENT], N(inl_sufficient));
  CHECK_INT(count[TLS_CLASS_PHASE_OUT], N(inl_phase_out));
  CHECK_INT(scsv, 2);
  printf("suites: %zu good, %zu sufficient, %zu phase-out, %zu insufficient, %zu SCSV\n",
         count[0], count[1], count[2], count[3], scsv);
  /* a code point the table lacks: insufficient; an SCSV is no suite */
  CHECK_INT(tls_suite_class(0x0000), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_suite_class(0xfefe), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_suite_class(0x00ff), -1);
  CHECK_INT(tls_suite_class(0x5600), -1);
  CHECK(tls_suite_find(0x1302) != NULL && tls_suite_find(0x1302)->flaws == 0);
  CHECK(tls_suite_find(0x0000) == NULL);
}

static bool has(const char *name, const char *part) { return strstr(name, part) != NULL; }
static bool starts(const char *name, const char *pre)
{
  return strncmp(name, pre, strlen(pre)) == 0;
}

/* Every entry's flaws, derived again from its IANA name (an independent reading of the
 * name's parts: key exchange, authentication, cipher, MAC). */
static uint32_t flaws_of_name(uint16_t code, const char *n)
{
  if (has(n, "_SCSV"))
    return TLS_FLAW_SCSV;
  if ((code >> 8) == 0x13)   /* TLS 1.3: the AEAD only */
    return has(n, "CCM_8") ? TLS_FLAW_CCM8 : has(n, "CCM") ? TLS_FLAW_CCM : 0;
  uint32_t f = 0;
  bool anon = has(n, "_anon_");
  if (has(n, "EXPORT")) f |= TLS_FLAW_EXPORT;
  if (anon) f |= TLS_FLAW_ANON;
  if (!anon && (starts(n, "TLS_DH_") || starts(n, "TLS_ECDH_"))) f |= TLS_FLAW_STATIC_DH;
  if (starts(n, "TLS_RSA_")) f |= TLS_FLAW_RSA_KEX;
  if (starts(n, "TLS_DHE_") || starts(n, "TLS_DH_anon_")) f |= TLS_FLAW_DHE;
  if (has(n, "_DSS_")) f |= TLS_FLAW_DSS;
  if (has(n, "_WITH_NULL_")) f |= TLS_FLAW_NULL;
  if (has(n, "_RC4_")) f |= TLS_FLAW_RC4;
  if (has(n, "_RC2_")) f |= TLS_FLAW_RC2;
  if (has(n, "_WITH_DES_") || has(n, "_DES40_")) f |= TLS_FLAW_DES;
  if (has(n, "_3DES_")) f |= TLS_FLAW_3DES;
  if (has(n, "_IDEA_")) f |= TLS_FLAW_IDEA;
  if (has(n, "_CAMELLIA_")) f |= TLS_FLAW_CAMELLIA;
  if (has(n, "_ARIA_")) f |= TLS_FLAW_ARIA;
  if (has(n, "_SEED_")) f |= TLS_FLAW_SEED;
  if (has(n, "_CCM_8")) f |= TLS_FLAW_CCM8;
  else if (has(n, "_CCM")) f |= TLS_FLAW_CCM;
  if (has(n, "_CBC_")) f |= TLS_FLAW_CBC;
  size_t len = strlen(n);
  if (len > 4 && strcmp(n + len - 4, "_MD5") == 0) f |= TLS_FLAW_MD5;
  if (starts(n, "TLS_ECDHE_") && f == 0) f |= TLS_FLAW_TLS12;
  return f;
}

static void test_suite_flaws(void)
{
  for (size_t i = 0; i < tls_suites_count; i++) {
    const tls_suite_t *s = &tls_suites[i];
    uint32_t want = flaws_of_name(s->code, s->name);
    if (s->flaws != want)
      fprintf(stderr, "0x%04x %s: flaws 0x%x, its name says 0x%x\n", s->code, s->name,
              (unsigned)s->flaws, (unsigned)want);
    CHECK_INT(s->flaws, want);
    CHECK(starts(s->name, "TLS_"));
  }
  /* each flaw's class and text */
  for (int i = 0; i < TLS_FLAW_COUNT; i++) {
    uint32_t f = 1u << i;
    CHECK(tls_flaw_text(f) != NULL);
    if (f == TLS_FLAW_SCSV)
      CHECK_INT(tls_flaw_class(f), -1);
    else
      CHECK(tls_flaw_class(f) >= TLS_CLASS_SUFFICIENT && tls_flaw_class(f) < TLS_CLASS_COUNT);
  }
  CHECK_INT(tls_flaw_class(TLS_FLAW_CBC), TLS_CLASS_SUFFICIENT);
  CHECK_INT(tls_flaw_class(TLS_FLAW_3DES), TLS_CLASS_PHASE_OUT);
  CHECK_INT(tls_flaw_class(TLS_FLAW_RSA_KEX), TLS_CLASS_PHASE_OUT);
  CHECK_INT(tls_flaw_class(TLS_FLAW_RC4), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_flaw_class(TLS_FLAW_CBC | TLS_FLAW_DHE), -1);   /* not one flaw */
  CHECK_INT(tls_flaw_class(0), -1);
  CHECK_INT(tls_flaw_class(1u << TLS_FLAW_COUNT), -1);
  CHECK(tls_flaw_text(0) == NULL && tls_flaw_text(3) == NULL);
  CHECK_INT(tls_flaws_class(0), TLS_CLASS_GOOD);
  CHECK_INT(tls_flaws_class(1u << 30), TLS_CLASS_INSUFFICIENT);
  CHECK_INT(tls_flaws_class(TLS_FLAW_SCSV | TLS_FLAW_CBC), -1);
}

static void test_suite_reasons(void)
{
  char buf[256];
  const tls_suite_t *s = tls_suite_find(0x000a);   /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */
  size_t n = tls_flaws_reason(s->flaws, buf, sizeof buf);
  CHECK_STR(buf, "RSA key exchange: no forward secrecy; 3DES: 64-bit block; CBC mode");
  CHECK_INT(n, strlen(buf));
  tls_flaws_reason(tls_suite_find(0xc012)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "3DES: 64-bit block; CBC mode");
  tls_flaws_reason(tls_suite_find(0x009c)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "RSA key exchange: no forward secrecy");
  tls_flaws_reason(tls_suite_find(0xc013)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "CBC mode");
  tls_flaws_reason(tls_suite_find(0xc02f)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "TLS 1.2 suite: good is TLS 1.3 only");
  tls_flaws_reason(tls_suite_find(0x0003)->flaws, buf, sizeof buf);   /* worst first */
  CHECK_STR(buf, "EXPORT: 40-bit key; RC4: broken stream cipher; MD5 MAC; "
                 "RSA key exchange: no forward secrecy");
  tls_flaws_reason(tls_suite_find(0x003b)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "NULL: no encryption; RSA key exchange: no forward secrecy");
  tls_flaws_reason(tls_suite_find(0x00ff)->flaws, buf, sizeof buf);
  CHECK_STR(buf, "signalling value, not a suite");
  CHECK_INT(tls_flaws_reason(0, buf, sizeof buf), 0);
  CHECK_STR(buf, "");
  /* cut to the buffer, always terminated, the whole length returned */
  size_t whole = tls_flaws_reason(s->flaws, NULL, 0);
  CHECK_INT(whole, strlen("RSA key exchange: no forward secrecy; 3DES: 64-bit block; CBC mode"));
  char small[12];
  memset(small, 'x', sizeof small);
  CHECK_INT(tls_flaws_reason(s->flaws, small, sizeof small), whole);
  CHECK_STR(small, "RSA key exc");
  memset(small, 'x', sizeof small);
  CHECK_INT(tls_flaws_reason(s->flaws, small, 1), whole);
  CHECK_INT(small[0], '\0');
  CHECK_INT(small[1], 'x');
  /* every entry's reason fits in 256 and names the worst flaw first */
  for (size_t i = 0; i < tls_suites_count; i++) {
    n = tls_flaws_reason(tls_suites[i].flaws, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK((tls_suites[i].flaws == 0) == (n == 0));
  }
}

/* Code point <-> IANA name against testssl.sh's cipher-mapping.txt, for every entry the
 * file has with an IANA name ("0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_... "). */
static void test_suite_testssl(void)
{
  FILE *f = open_mapping("cipher-mapping.txt");
  if (f == NULL)
    return;
  size_t compared = 0, absent = 0;
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned hi, lo;
    char ossl[96], iana[96], rest[8];
    /* two-byte code points only (the three-byte ones are SSLv2's) */
    if (sscanf(line, " 0x%x,0x%x %7s %95s %95s", &hi, &lo, rest, ossl, iana) != 5 ||
        strcmp(rest, "-") != 0 || hi > 0xff || lo > 0xff || strcmp(iana, "-") == 0)
      continue;
    uint16_t code = (uint16_t)(hi << 8 | lo);
    const char *ours = tls_suite_name(code);
    if (ours == NULL) {
      absent++;
      continue;
    }
    compared++;
    if (strcmp(ours, iana) != 0)
      fprintf(stderr, "0x%04x: ours %s, testssl.sh %s\n", code, ours, iana);
    CHECK_STR(ours, iana);
    CHECK_INT(tls_suite_code(iana), code);
  }
  fclose(f);
  printf("testssl.sh: %zu suites compared, %zu of its suites not in the table (PSK, SRP, "
         "GOST, ...)\n", compared, absent);
  CHECK(compared + 2 >= tls_suites_count);   /* all but the two SCSVs, which it lacks */
}

int main(void)
{
  test_worst();
  test_versions();
  test_dh();
  test_groups();
  test_options();
  test_suite_classes();
  test_suite_flaws();
  test_suite_reasons();
  test_suite_testssl();
  TEST_MAIN_END();
}
