/* Cipher suites by IANA code point and IANA name, with their NCSC-NL class (issue 15, the
 * TLS profile): the names a record will carry for the suites a server accepts, independent
 * of any TLS library (the profile offers suites OpenSSL does not know: 3DES, RC4, DES,
 * EXPORT). The one table of suites: every TLS 1.0-1.2 suite a mail server may accept
 * without a pre-shared secret (key exchange ECDHE, DHE, static DH/ECDH, RSA or anonymous;
 * authentication RSA, ECDSA or DSS; every bulk cipher and MAC of the IANA registry that
 * Debian's OpenSSL or testssl.sh knows), the five TLS 1.3 suites, and the two SCSVs.
 * PSK, SRP, Kerberos, GOST, SM4, ECCPWD and the non-IANA code points are not here.
 *
 * Each suite carries its flaws: the properties for which the guidelines rate it below good
 * (TLS_FLAW_*). Its class is the worst class of its flaws (good when it has none), and the
 * reason is their texts, worst first. See tls/classes.h for the classes and sources; the
 * flaw -> class rules are in suites.c, each with its source. */
#ifndef MXS_TLS_SUITES_H
#define MXS_TLS_SUITES_H
#include <stddef.h>
#include <stdint.h>

#include "tls/classes.h"

/* Flaws, by the class each one alone gives. */
enum tls_flaw {
  /* sufficient */
  TLS_FLAW_TLS12 = 1u << 0,     /* an ECDHE AEAD suite of TLS <= 1.2 */
  TLS_FLAW_DHE = 1u << 1,       /* finite-field ephemeral DH key exchange */
  TLS_FLAW_CBC = 1u << 2,       /* CBC mode (MAC-then-encrypt) */
  /* phase-out */
  TLS_FLAW_RSA_KEX = 1u << 3,   /* RSA key transport: no forward secrecy */
  TLS_FLAW_3DES = 1u << 4,      /* 3DES: 64-bit block */
  /* insufficient */
  TLS_FLAW_EXPORT = 1u << 5,
  TLS_FLAW_NULL = 1u << 6,      /* no encryption */
  TLS_FLAW_ANON = 1u << 7,      /* no authentication */
  TLS_FLAW_STATIC_DH = 1u << 8, /* static DH/ECDH: no forward secrecy */
  TLS_FLAW_RC4 = 1u << 9,
  TLS_FLAW_RC2 = 1u << 10,
  TLS_FLAW_DES = 1u << 11,      /* single DES (and DES40) */
  TLS_FLAW_IDEA = 1u << 12,
  TLS_FLAW_MD5 = 1u << 13,      /* HMAC-MD5 */
  TLS_FLAW_DSS = 1u << 14,      /* DSA authentication */
  TLS_FLAW_CAMELLIA = 1u << 15,
  TLS_FLAW_ARIA = 1u << 16,
  TLS_FLAW_SEED = 1u << 17,
  TLS_FLAW_CCM = 1u << 18,      /* AES-CCM */
  TLS_FLAW_CCM8 = 1u << 19,     /* AES-CCM with an 8-byte tag */
  /* not a suite at all */
  TLS_FLAW_SCSV = 1u << 20,     /* a signalling value (RFC 5746, RFC 7507) */
};
#define TLS_FLAW_COUNT 21

typedef struct tls_suite {
  uint16_t code;     /* IANA code point */
  const char *name;  /* IANA name (the TLS Cipher Suites registry's Description) */
  uint32_t flaws;    /* TLS_FLAW_* */
} tls_suite_t;

/* The table, in ascending code order, and its length. */
extern const tls_suite_t tls_suites[];
extern const size_t tls_suites_count;

/* The IANA name of a code point, or NULL when the table does not have it. */
const char *tls_suite_name(uint16_t code);
/* The code point of an IANA name (exact spelling), or -1. */
int tls_suite_code(const char *name);
/* The table's entry for a code point, or NULL. */
const tls_suite_t *tls_suite_find(uint16_t code);

/* The class of a set of flaws: the worst of its flaws' classes, good for none. An SCSV is
 * not a suite: -1. */
int tls_flaws_class(uint32_t flaws);
/* The class of a code point: tls_flaws_class of its entry; insufficient for a code point
 * the table lacks (the guidelines list every suite they accept; Internet.nl: "anything not
 * in these lists is insufficient"), -1 for an SCSV. */
int tls_suite_class(uint16_t code);
/* One flaw's class and text; the class is -1 for TLS_FLAW_SCSV and for a value that is not
 * exactly one flaw (text NULL then). */
int tls_flaw_class(uint32_t flaw);
const char *tls_flaw_text(uint32_t flaw);
/* The reason of a set of flaws: their texts joined by "; ", worst class first, into buf
 * (always terminated when cap > 0; cut when it does not fit). Returns the length the whole
 * text needs, like snprintf; "" for no flaws. */
size_t tls_flaws_reason(uint32_t flaws, char *buf, size_t cap);

#endif
