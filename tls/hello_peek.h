/* Internal to tls/ and the probe's offer mode (smtp/smtp_probe.h): the server's first
 * handshake message (ServerHello or HelloRetryRequest), read from the raw records as they
 * arrive. Two users: the probe reads it before OpenSSL does, to learn the key exchange the
 * server chose early enough to run the expensive steps off the event loop
 * (tls_conn_costly); the TLS profile (issue 15), through the probe's offer mode, sends a
 * hand-built ClientHello (tls/hello_build.h) and learns from this parser what the
 * server answered: the version, suite and group it chose, whether it echoed
 * renegotiation_info, a HelloRetryRequest, an alert, an SSLv2 or a non-TLS answer. This is
 * the one reader of the TLS record layer in the program. A pure parser of outside data:
 * records of any size, a message split over any number of them, several messages in one
 * record (only the first is read), at most HELLO_PEEK_MAX bytes kept.
 *
 * With want_ske (the profile's full mode: the DH group's size, the ECDHE curve of TLS <=
 * 1.2, which only the ServerKeyExchange names) a ServerHello of TLS <= 1.2 choosing a DHE
 * or ECDHE suite is not final: the messages after it are read on, Certificate and
 * CertificateStatus skipped (never kept, whatever their 24-bit length says), until the
 * ServerKeyExchange's start (DHE: p and g, p kept up to HELLO_DH_MAX bytes; ECDHE:
 * curve_type 3, the named curve), another message, a non-handshake record, a malformed
 * one, or HELLO_SKE_READ_MAX bytes of the whole answer: then the state is HELLO_FOUND with
 * whatever was learnt (the ServerHello stands in every case). */
#ifndef MXS_TLS_HELLO_PEEK_H
#define MXS_TLS_HELLO_PEEK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/classes.h"

/* A legitimate ServerHello is 90-200 bytes; a longer first message is HELLO_TOO_LONG. */
#define HELLO_PEEK_MAX 512
/* The longest TLSPlaintext fragment (RFC 8446 §5.1, RFC 5246 §6.2.1): a longer record is
 * malformed. */
#define HELLO_RECORD_MAX 16384
/* want_ske: the most of a server's answer read looking for the ServerKeyExchange (a
 * certificate chain of a few KiB comes first); beyond, the answer is the ServerHello. */
#define HELLO_SKE_READ_MAX 65536
/* The longest DH prime read (8192 bits, ffdhe8192's size); a longer one is insufficient
 * (no RFC 7919 group) and its size is counted from its length. */
#define HELLO_DH_MAX 1024
/* The longest generator compared (the RFC 7919 groups' is 2); a longer one is no RFC
 * 7919 group's. */
#define HELLO_DH_G_MAX 16

enum hello_state {
  HELLO_MORE = 0,   /* feed more bytes */
  HELLO_FOUND,      /* suite and group are set */
  HELLO_NONE,       /* no well-formed ServerHello comes first (why says what came): OpenSSL
                       will refuse it, cheaply */
  HELLO_TOO_LONG,   /* the first handshake message is longer than HELLO_PEEK_MAX */
};

/* What came instead of a ServerHello (state HELLO_NONE). */
enum hello_why {
  HELLO_WHY_NONE = 0,   /* not HELLO_NONE */
  HELLO_WHY_ALERT,      /* an alert record: alert_level, alert_desc */
  HELLO_WHY_SSL2,       /* an SSLv2 record header with a SERVER-HELLO (RFC 6101 app. E) */
  HELLO_WHY_NOT_TLS,    /* the first bytes are no TLS record header (an SMTP reply, ...) */
  HELLO_WHY_UNEXPECTED, /* a TLS record or handshake message other than a ServerHello */
  HELLO_WHY_MALFORMED,  /* a ServerHello or record that breaks the format */
};

typedef struct hello_peek {
  enum hello_state state;
  enum hello_why why;
  uint8_t hdr[5];          /* the current record's header */
  size_t hdr_have, rec_left;
  size_t seen;             /* bytes fed so far (0: the server sent nothing) */
  uint8_t msg[HELLO_PEEK_MAX];
  size_t have;
  uint16_t suite;          /* cipher suite chosen */
  uint16_t group;          /* key_share group (TLS 1.3), 0 without one */
  /* what else a ServerHello says (state HELLO_FOUND) */
  uint16_t legacy_version; /* server_version / legacy_version */
  uint16_t version;        /* negotiated: supported_versions (RFC 8446 §4.2.1) or legacy */
  uint8_t compression;     /* compression method chosen */
  bool retry;              /* a HelloRetryRequest (its special random, RFC 8446 §4.1.3) */
  bool reneg;              /* renegotiation_info came back (RFC 5746 §3.6) */
  /* an alert (why HELLO_WHY_ALERT) */
  uint8_t alert[2];
  size_t alert_have;
  /* want_ske (set by the caller after hello_peek_init, before the first feed) */
  bool want_ske;
  bool ske_wait;           /* the ServerHello is read; reading on for its SKE */
  uint8_t ske_kind;        /* 1 DHE, 2 ECDHE: what the chosen suite's SKE carries */
  uint8_t mhdr[4];         /* the current handshake message's header after the hello */
  size_t mhdr_have;
  size_t skip;             /* bytes of a Certificate / CertificateStatus still to skip */
  size_t ske_len;          /* the ServerKeyExchange's length (0: not in it) */
  uint8_t ske[2 + HELLO_DH_MAX + 2 + HELLO_DH_G_MAX];
  size_t ske_have;
  /* what the ServerKeyExchange said (state HELLO_FOUND), zero when nothing */
  unsigned dhe_bits;       /* DHE: the prime's size in bits */
  enum tls_class dhe_class;/* DHE (dhe_bits > 0): tls_class_dh_group of p and g */
  uint16_t ske_group;      /* ECDHE: the named curve */
} hello_peek_t;

void hello_peek_init(hello_peek_t *h);
/* Consumes len bytes of the server's stream; returns the state (once not HELLO_MORE, it
 * stays and further bytes are ignored). */
enum hello_state hello_peek_feed(hello_peek_t *h, const uint8_t *buf, size_t len);

/* What the server answered to a hand-built ClientHello, once the stream ended (eof) or the
 * parser reached a final state. */
enum hello_answer {
  HELLO_ANS_MORE = 0,     /* not final yet and no end of stream */
  HELLO_ANS_SERVER_HELLO, /* a ServerHello: version, suite, group, reneg (want_ske: also
                             when the stream ends while reading on for the SKE) */
  HELLO_ANS_RETRY,        /* a HelloRetryRequest: version, suite, group */
  HELLO_ANS_ALERT,        /* an alert: alert[0] level, alert[1] description */
  HELLO_ANS_SSL2,
  HELLO_ANS_NOT_TLS,
  HELLO_ANS_UNEXPECTED,
  HELLO_ANS_MALFORMED,
  HELLO_ANS_TOO_LONG,
  HELLO_ANS_TRUNCATED,    /* the stream ended inside a record or a message */
  HELLO_ANS_CLOSED,       /* the stream ended before its first byte */
  HELLO_ANS_COUNT
};
enum hello_answer hello_peek_answer(const hello_peek_t *h, bool eof);
/* A short fixed name of an answer ("server_hello", "alert", ...), never NULL. */
const char *hello_answer_name(enum hello_answer a);

#endif
