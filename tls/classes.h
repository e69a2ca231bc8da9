/* The classes of the TLS profile (issue 15): good, sufficient, phase-out, insufficient, as
 * NCSC-NL's "IT Security Guidelines for Transport Layer Security (TLS)" v2.1 (2021) defines
 * them and as Internet.nl's mail test applies them, for what a server accepts: protocol
 * versions, key-exchange groups (finite-field and elliptic), secure renegotiation and
 * compression. The cipher suites' classes are in tls/suites.h (one table). Each function is
 * pure: it returns the class and points *reason (when reason is not NULL) at a static
 * string saying why, "" for good. The sources, rule by rule, are cited in classes.c and in
 * docs/verdicts.md ("TLS profile classes").
 *
 * The enum is ordered from best to worst, so that the worst of two is the larger; the
 * record's strings for it are record/schema.c's schema_tls_class[] (tls/ names nothing of
 * the record). */
#ifndef MXS_TLS_CLASSES_H
#define MXS_TLS_CLASSES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tls_class {
  TLS_CLASS_GOOD = 0,
  TLS_CLASS_SUFFICIENT,
  TLS_CLASS_PHASE_OUT,
  TLS_CLASS_INSUFFICIENT,
  TLS_CLASS_COUNT
};

/* The worst-of rule (good < sufficient < phase-out < insufficient): the grade of a server
 * is the worst class of what it accepts. tls_class_fold of no classes is good (nothing
 * accepted that could lower it); an out-of-range value counts as insufficient. */
enum tls_class tls_class_worst(enum tls_class a, enum tls_class b);
enum tls_class tls_class_fold(const enum tls_class *classes, size_t n);

/* A protocol version by its wire value (0x0002 SSLv2, 0x0300 SSLv3, 0x0301..0x0304 TLS 1.0
 * to 1.3); any other value is insufficient ("unknown version"). */
enum tls_class tls_class_version(uint16_t version, const char **reason);

/* A finite-field DH group as a ServerKeyExchange carries it: the prime p and the generator
 * g, big-endian, leading zero bytes allowed. The RFC 7919 groups are recognised by value
 * (ffdhe2048 phase-out, ffdhe3072..8192 sufficient); any other group is insufficient, as is
 * a prime under 2048 bits. */
enum tls_class tls_class_dh_group(const uint8_t *p, size_t p_len, const uint8_t *g,
                                  size_t g_len, const char **reason);
/* The size in bits of p (leading zeros skipped), 0 for none. */
unsigned tls_dh_bits(const uint8_t *p, size_t p_len);
/* The RFC 7919 group of that prime and generator: 2048, 3072, 4096, 6144 or 8192, or 0. */
unsigned tls_ffdhe_match(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len);
/* The prime of ffdhe<bits> (big-endian, bits / 8 bytes), NULL for other sizes. */
const uint8_t *tls_ffdhe_prime(unsigned bits);

/* A named group (RFC 8446 §4.2.7 / RFC 8422 / RFC 7919 code point), as offered or chosen in
 * supported_groups, key_share or an ECDHE ServerKeyExchange. Unknown groups are
 * insufficient. tls_group_name gives its IANA name, or NULL. */
enum tls_class tls_class_group(uint16_t group, const char **reason);
const char *tls_group_name(uint16_t group);

/* RFC 5746 secure renegotiation (renegotiation_info in the ServerHello) for TLS <= 1.2. */
enum tls_class tls_class_secure_reneg(bool offered, const char **reason);
/* The ServerHello's compression method: 0 (null) is good, any other insufficient. */
enum tls_class tls_class_compression(uint8_t method, const char **reason);

#endif
