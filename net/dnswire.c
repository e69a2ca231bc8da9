/* DNS wire data, read by pure functions (see dnswire.h): every byte is hostile, every
 * length is checked against the buffer before it is used, and each function has a fuzz
 * target (tests/fuzz/fuzz_dns_*.c). */
#include "net/dnswire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t cap) {
  size_t pos = 0, o = 0;
  if (cap < 2) return -1;
  for (;;) {
    if (pos >= len || pos >= 255) return -1;  /* RFC 1035 §2.3.4: 255 octets at most */
    uint8_t l = wire[pos++];
    if (l == 0) break;
    if (l > 63 || pos + l > len) return -1;   /* compression pointers never appear here */
    if (o) {
      if (o + 2 > cap) return -1;             /* the dot and the NUL */
      out[o++] = '.';
    }
    for (uint8_t i = 0; i < l; i++) {
      unsigned char c = wire[pos + i];
      bool esc = c == '.' || c == '\\' || c <= 0x20 || c >= 0x7f;
      if (o + (esc ? 4 : 1) + 1 > cap) return -1;
      if (esc) {
        o += (size_t)snprintf(out + o, cap - o, "\\%03u", c);  /* keep odd labels visible */
      } else {
        out[o++] = (char)tolower(c);
      }
    }
    pos += l;
  }
  if (pos > 255) return -1;
  if (o == 0) out[o++] = '.';
  out[o] = '\0';
  return (int)pos;
}

/* One name of a DNS message at *pos, compression pointers followed (each must point
 * before itself, so a loop cannot be built), into uncompressed wire form in out (255
 * octets at most). *pos moves past the name as it stands in the message. The length, or
 * -1 if malformed. */
static int pkt_name(const uint8_t *pkt, size_t len, size_t *pos, uint8_t out[255]) {
  size_t p = *pos, o = 0;
  bool jumped = false;
  for (;;) {
    if (p >= len) return -1;
    uint8_t l = pkt[p];
    if ((l & 0xC0) == 0xC0) {
      if (p + 1 >= len) return -1;
      size_t target = ((size_t)(l & 0x3F) << 8) | pkt[p + 1];
      if (target >= p) return -1;
      if (!jumped) *pos = p + 2;
      jumped = true;
      p = target;
      continue;
    }
    if (l & 0xC0 || p + 1 + l > len || o + 1 + l > 255) return -1;
    memcpy(out + o, pkt + p, 1 + (size_t)l);
    o += 1 + (size_t)l;
    p += 1 + (size_t)l;
    if (l == 0) {
      if (!jumped) *pos = p;
      return (int)o;
    }
  }
}

static bool wire_name_eq(const uint8_t *a, int al, const uint8_t *b, int bl) {
  if (al != bl) return false;
  for (int i = 0; i < al; i++)      /* length octets compare equal too: they are < 'A' */
    if (tolower(a[i]) != tolower(b[i])) return false;
  return true;
}

int dns_canonname_from_packet(const uint8_t *pkt, size_t len, char *out, size_t cap) {
  if (!pkt || len < 12) return -1;
  unsigned qd = (unsigned)pkt[4] << 8 | pkt[5], an = (unsigned)pkt[6] << 8 | pkt[7];
  if (qd != 1) return -1;
  size_t pos = 12;
  uint8_t cur[255], owner[255], target[255];
  int cl = pkt_name(pkt, len, &pos, cur);
  if (cl < 0 || pos + 4 > len) return -1;
  size_t answers = pos + 4;
  /* The chain's links may come in any order: each pass over the answer section follows
   * what it can; a pass that moves nothing ends it (a loop ends after 'an' passes). */
  for (unsigned pass = 0; pass <= an; pass++) {
    bool moved = false;
    pos = answers;
    for (unsigned i = 0; i < an; i++) {
      int ol = pkt_name(pkt, len, &pos, owner);
      if (ol < 0 || pos + 10 > len) return -1;
      unsigned type = (unsigned)pkt[pos] << 8 | pkt[pos + 1];
      size_t rdlen = (size_t)pkt[pos + 8] << 8 | pkt[pos + 9];
      pos += 10;
      if (pos + rdlen > len) return -1;
      if (type == 5 && wire_name_eq(owner, ol, cur, cl)) {
        size_t rp = pos;
        int tl = pkt_name(pkt, len, &rp, target);
        if (tl < 0 || rp > pos + rdlen) return -1;
        if (!wire_name_eq(target, tl, cur, cl)) {
          memcpy(cur, target, (size_t)tl);
          cl = tl;
          moved = true;
        }
      }
      pos += rdlen;
    }
    if (!moved) break;
  }
  return dns_name_from_wire(cur, (size_t)cl, out, cap);
}

long dns_txt_join(const uint8_t *rdata, size_t len, char *out, size_t cap) {
  size_t pos = 0, o = 0;
  if (cap == 0) return -1;
  while (pos < len) {
    size_t l = rdata[pos++];
    if (pos + l > len || o + l >= cap) return -1;
    memcpy(out + o, rdata + pos, l);
    o += l;
    pos += l;
  }
  out[o] = '\0';
  return (long)o;
}

int dns_parse_resolver(const char *spec, char *out, size_t cap) {
  char host[INET6_ADDRSTRLEN + 1];
  const char *port = NULL;
  size_t hl;
  if (spec[0] == '[') {
    const char *end = strchr(spec, ']');
    if (!end) return -1;
    hl = (size_t)(end - spec - 1);
    if (hl >= sizeof host) return -1;
    memcpy(host, spec + 1, hl);
    host[hl] = '\0';
    if (end[1] == ':') port = end + 2;
    else if (end[1] != '\0') return -1;
  } else {
    const char *colon = strchr(spec, ':');
    if (colon && strchr(colon + 1, ':')) colon = NULL;      /* bare IPv6, no port */
    hl = colon ? (size_t)(colon - spec) : strlen(spec);
    if (hl >= sizeof host) return -1;
    memcpy(host, spec, hl);
    host[hl] = '\0';
    if (colon) port = colon + 1;
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1) return -1;
  long p = 53;
  if (port) {
    char *endp;
    p = strtol(port, &endp, 10);
    if (*port == '\0' || *endp != '\0' || p < 1 || p > 65535) return -1;
  }
  int n = snprintf(out, cap, "%s@%ld", host, p);
  return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}
