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

/* dns_name_from_wire's text, lowercased or (an SOA RNAME's mailbox) case kept. */
static int name_text(const uint8_t *wire, size_t len, char *out, size_t cap, bool lower) {
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
        out[o++] = lower ? (char)tolower(c) : (char)c;
      }
    }
    pos += l;
  }
  if (pos > 255) return -1;
  if (o == 0) out[o++] = '.';
  out[o] = '\0';
  return (int)pos;
}

int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t cap) {
  return name_text(wire, len, out, cap, true);
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

/* The message's header counts and the offset of its answer section (past the one
 * question libunbound always asks). -1 if malformed. */
static int pkt_sections(const uint8_t *pkt, size_t len, unsigned *an, unsigned *ns, size_t *pos) {
  if (!pkt || len < 12) return -1;
  unsigned qd = (unsigned)pkt[4] << 8 | pkt[5];
  *an = (unsigned)pkt[6] << 8 | pkt[7];
  *ns = (unsigned)pkt[8] << 8 | pkt[9];
  if (qd != 1) return -1;
  uint8_t q[255];
  *pos = 12;
  if (pkt_name(pkt, len, pos, q) < 0 || *pos + 4 > len) return -1;
  *pos += 4;
  return 0;
}

/* One resource record at *pos: its type and where its RDATA lies (checked against the
 * message); *pos moves past it. -1 if malformed. */
static int pkt_rr(const uint8_t *pkt, size_t len, size_t *pos, unsigned *type, size_t *rd,
                  size_t *rdlen) {
  uint8_t owner[255];
  if (pkt_name(pkt, len, pos, owner) < 0 || *pos + 10 > len) return -1;
  *type = (unsigned)pkt[*pos] << 8 | pkt[*pos + 1];
  *rdlen = (size_t)pkt[*pos + 8] << 8 | pkt[*pos + 9];
  *rd = *pos + 10;
  if (*rd + *rdlen > len) return -1;
  *pos = *rd + *rdlen;
  return 0;
}

int64_t dns_sig_time(uint32_t field, int64_t now) {
  /* RFC 4034 §3.1.5 / RFC 1982: the field names the instant within 2^31 seconds of now
   * whose low 32 bits it holds. Exactly 2^31 away is undefined there: read as the past. */
  uint32_t diff = field - (uint32_t)now;
  return now + (diff < 0x80000000u ? (int64_t)diff : (int64_t)diff - 0x100000000LL);
}

int dns_rrsig_expiry_from_packet(const uint8_t *pkt, size_t len, unsigned qtype, int64_t now,
                                 int64_t *expires, char *signer, size_t cap) {
  unsigned an, ns, type;
  size_t pos, rd, rdlen;
  if (pkt_sections(pkt, len, &an, &ns, &pos) != 0 || cap < 2) return -1;
  int found = 0;
  for (unsigned i = 0; i < an; i++) {
    if (pkt_rr(pkt, len, &pos, &type, &rd, &rdlen) != 0) return -1;
    /* RRSIG RDATA (RFC 4034 §3.1): covered(2) algorithm(1) labels(1) original TTL(4)
     * expiration(4) inception(4) key tag(2), then the signer's name, never compressed
     * (§3.1.7), then the signature. */
    if (type != 46 || rdlen < 19 || ((unsigned)pkt[rd] << 8 | pkt[rd + 1]) != qtype) continue;
    const uint8_t *r = pkt + rd;
    uint32_t field = (uint32_t)r[8] << 24 | (uint32_t)r[9] << 16 | (uint32_t)r[10] << 8 | r[11];
    int64_t t = dns_sig_time(field, now);
    char name[DNS_NAME_TEXT_MAX];
    if (dns_name_from_wire(r + 18, rdlen - 18, name, sizeof name) < 0) return -1;
    if (found && t >= *expires) continue;
    size_t nl = strlen(name);
    if (nl >= cap) return -1;
    memcpy(signer, name, nl + 1);
    *expires = t;
    found = 1;
  }
  return found;
}

int dns_soa_rname_from_packet(const uint8_t *pkt, size_t len, char *out, size_t cap) {
  unsigned an, ns, type;
  size_t pos, rd, rdlen;
  if (pkt_sections(pkt, len, &an, &ns, &pos) != 0) return -1;
  /* The answer's SOA (a SOA query at the apex), else the authority section's (NODATA or
   * NXDOMAIN: the SOA of the zone the name is in, RFC 2308 §2). */
  for (unsigned i = 0; i < an + ns; i++) {
    if (pkt_rr(pkt, len, &pos, &type, &rd, &rdlen) != 0) return -1;
    if (type != 6) continue;
    uint8_t mname[255], rname[255];
    size_t p = rd;
    if (pkt_name(pkt, len, &p, mname) < 0 || p > rd + rdlen) return -1;
    int rl = pkt_name(pkt, len, &p, rname);
    if (rl < 0 || p > rd + rdlen) return -1;
    /* The mailbox's local part is its first label: its case is kept, and a '.' in it
     * stays escaped (\046) so that the text still says where the local part ends. */
    return name_text(rname, (size_t)rl, out, cap, false) < 0 ? -1 : 1;
  }
  return 0;
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
