/* A hand-built ClientHello (issue 15, the TLS profile): exactly the one version, the cipher
 * suites, groups and signature algorithms under test, so that the server's answer (read by
 * tls/hello_peek.h) says whether it accepts them. Built by hand, as testssl.sh does, because
 * Debian's OpenSSL 3.0 cannot offer SSLv3, 3DES, RC4 or EXPORT suites at all. Pure and
 * bounded: every input comes from the caller (the random and the key share too, so that
 * tests are deterministic), the output goes into the caller's buffer or not at all. */
#ifndef MXS_TLS_HELLO_BUILD_H
#define MXS_TLS_HELLO_BUILD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol versions on the wire. */
#define HELLO_SSL3 0x0300
#define HELLO_TLS10 0x0301
#define HELLO_TLS11 0x0302
#define HELLO_TLS12 0x0303
#define HELLO_TLS13 0x0304

/* Bounds of what one may offer (far above any real offer; a ClientHello is one record). */
#define HELLO_MAX_SUITES 512
#define HELLO_MAX_GROUPS 64
#define HELLO_MAX_SIGALGS 64
#define HELLO_MAX_SNI 253
/* The longest ClientHello built: one record header and a body of HELLO_RECORD_MAX. */
#define HELLO_BUILD_MAX (5 + 16384)

/* Named groups (RFC 8422, RFC 7919, RFC 8446 §4.2.7) and the one key share we build. */
#define HELLO_GROUP_P256 0x0017
#define HELLO_GROUP_P384 0x0018
#define HELLO_GROUP_P521 0x0019
#define HELLO_GROUP_X25519 0x001d
#define HELLO_GROUP_X448 0x001e
#define HELLO_GROUP_FFDHE2048 0x0100

/* renegotiation: how RFC 5746 support is signalled. */
enum hello_reneg {
  HELLO_RENEG_NONE = 0,  /* not at all */
  HELLO_RENEG_EXT,       /* an empty renegotiation_info extension (TLS only) */
  HELLO_RENEG_SCSV,      /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff) after the suites */
};

typedef struct hello_offer {
  uint16_t version;              /* the one version offered: HELLO_SSL3 .. HELLO_TLS13 */
  const uint8_t *random;         /* 32 bytes, required */
  const uint8_t *session_id;     /* session_id_len bytes (0..32) */
  size_t session_id_len;
  const uint16_t *suites;        /* sent exactly in this order, 1..HELLO_MAX_SUITES */
  size_t n_suites;
  const char *sni;               /* server_name (host_name), NULL or "" for none */
  const uint16_t *groups;        /* supported_groups (and ec_point_formats), may be 0 */
  size_t n_groups;
  const uint16_t *sigalgs;       /* signature_algorithms, may be 0 */
  size_t n_sigalgs;
  const uint8_t *x25519;         /* TLS 1.3: a 32-byte X25519 public key for key_share, or
                                    NULL for an empty key_share (a HelloRetryRequest then
                                    names the group the server wants) */
  enum hello_reneg reneg;
  bool no_padding;               /* leave out RFC 7685 padding (see hello_padding) */
} hello_offer_t;

enum hello_build_err {
  HELLO_BUILD_OK = 0,
  HELLO_BUILD_INVALID,   /* the offer breaks a bound or the protocol (see hello_build) */
  HELLO_BUILD_NO_SPACE,  /* the hello does not fit into cap bytes */
};

/* Writes one record holding the ClientHello into out (at most cap bytes) and its length to
 * *len. The version decides the shape:
 * - SSLv3: record and client_version 0x0300, no extensions (RFC 6101 has none): SNI,
 *   groups, signature algorithms and key share are left out, reneg must be NONE or SCSV.
 * - TLS 1.0-1.2: record version 0x0301, client_version the version, the extensions the
 *   caller asked for; no supported_versions, so a server that supports only older versions
 *   may answer with an older one (the caller compares).
 * - TLS 1.3: record 0x0301, legacy_version 0x0303, supported_versions holding 0x0304 alone
 *   and a key_share (with the X25519 share or none).
 * Extensions in this order: server_name, supported_groups, ec_point_formats (uncompressed;
 * with groups), signature_algorithms, supported_versions, key_share, renegotiation_info,
 * and padding (RFC 7685) when the handshake message would be 256-511 bytes long
 * (hello_padding).
 * Compression: null only. Nothing is written to out on an error. */
enum hello_build_err hello_build(const hello_offer_t *o, uint8_t *out, size_t cap, size_t *len);

/* Pure: the padding extension's data length for a handshake message of msg_len bytes
 * (4-byte header included), or -1 for none: lengths 256-511 are raised to 512 (or just
 * past it when fewer than 4 bytes were missing), because some TLS terminators hang on
 * them; never for SSLv3 or a hello without extensions. */
long hello_padding(uint16_t version, size_t msg_len, bool has_extensions);

#endif
