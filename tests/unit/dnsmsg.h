/* DNS messages built byte by byte for the wire parsers' unit tests (test_dnswire_sig.c,
 * test_dnswire_reply.c): big-endian fields and uncompressed names. No bounds checks: a
 * test's messages are its own and far below the buffer. */
#ifndef MXS_TESTS_DNSMSG_H
#define MXS_TESTS_DNSMSG_H
#include <stdint.h>
#include <string.h>

typedef struct { uint8_t b[4096]; size_t n; } msg_t;

static inline void put8(msg_t *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static inline void put16(msg_t *m, unsigned v) { put8(m, v >> 8); put8(m, v & 0xff); }
static inline void put32(msg_t *m, uint32_t v) { put16(m, v >> 16); put16(m, v & 0xffff); }
/* "a.b.c" as wire labels (no compression) */
static inline void putname(msg_t *m, const char *s) {
  while (*s) {
    const char *dot = strchr(s, '.');
    size_t l = dot ? (size_t)(dot - s) : strlen(s);
    put8(m, (unsigned)l);
    memcpy(m->b + m->n, s, l);
    m->n += l;
    s += l + (dot ? 1 : 0);
  }
  put8(m, 0);
}

#endif
