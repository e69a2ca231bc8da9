/* Internal to tls/: the server's first handshake message (ServerHello or
 * HelloRetryRequest), read from the raw records as they arrive, before OpenSSL reads them,
 * to learn the key exchange the server chose early enough to run the expensive steps off
 * the event loop (tls_conn_costly). A pure parser of outside data: records of any size, a
 * message split over any number of them, at most HELLO_PEEK_MAX bytes kept. */
#ifndef MXS_TLS_HELLO_PEEK_H
#define MXS_TLS_HELLO_PEEK_H
#include <stddef.h>
#include <stdint.h>

/* A legitimate ServerHello is 90-200 bytes; a longer first message is HELLO_TOO_LONG. */
#define HELLO_PEEK_MAX 512

enum hello_state {
  HELLO_MORE = 0,   /* feed more bytes */
  HELLO_FOUND,      /* suite and group are set */
  HELLO_NONE,       /* the first record is not a handshake, or the message is not a
                       well-formed ServerHello: OpenSSL will refuse it, cheaply */
  HELLO_TOO_LONG,   /* the first handshake message is longer than HELLO_PEEK_MAX */
};

typedef struct hello_peek {
  enum hello_state state;
  uint8_t hdr[5];          /* the current record's header */
  size_t hdr_have, rec_left;
  uint8_t msg[HELLO_PEEK_MAX];
  size_t have;
  uint16_t suite;          /* cipher suite chosen */
  uint16_t group;          /* key_share group (TLS 1.3), 0 without one */
} hello_peek_t;

void hello_peek_init(hello_peek_t *h);
/* Consumes len bytes of the server's stream; returns the state (once not HELLO_MORE, it
 * stays and further bytes are ignored). */
enum hello_state hello_peek_feed(hello_peek_t *h, const uint8_t *buf, size_t len);

#endif
