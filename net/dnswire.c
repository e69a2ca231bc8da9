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

/* One resource record at *pos with its owner (wire form, uncompressed), type, class, TTL
 * and where its RDATA lies (checked against the message); *pos moves past it. -1 if
 * malformed. */
typedef struct {
  uint8_t owner[255];
  int ol;
  unsigned type, cls;
  uint32_t ttl;
  size_t rd, rdlen;
} wire_rr_t;
static int rr_read(const uint8_t *pkt, size_t len, size_t *pos, wire_rr_t *rr) {
  if ((rr->ol = pkt_name(pkt, len, pos, rr->owner)) < 0 || *pos + 10 > len) return -1;
  const uint8_t *h = pkt + *pos;
  rr->type = (unsigned)h[0] << 8 | h[1];
  rr->cls = (unsigned)h[2] << 8 | h[3];
  rr->ttl = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
  rr->rdlen = (size_t)h[8] << 8 | h[9];
  rr->rd = *pos + 10;
  if (rr->rd + rr->rdlen > len) return -1;
  *pos = rr->rd + rr->rdlen;
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

/* ---- trusted-resolver mode (issue 17): queries and replies ---- */

int dns_name_to_wire(const char *name, uint8_t *out, size_t cap) {
  size_t o = 0, lab = 0;           /* lab: offset of the current label's length octet */
  if (cap < 1) return -1;
  if (strcmp(name, ".") == 0 || name[0] == '\0') { out[0] = 0; return 1; }
  out[o++] = 0;
  for (const char *p = name; *p; p++) {
    unsigned c = (unsigned char)*p;
    if (c == '.') {
      if (o - lab - 1 == 0) return -1;                   /* empty label */
      if (p[1] == '\0') break;                           /* the trailing dot */
      lab = o;
      if (o >= cap) return -1;
      out[o++] = 0;
      continue;
    }
    if (c == '\\') {
      if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3])) {
        c = (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 + (unsigned)(p[3] - '0');
        if (c > 255) return -1;
        p += 3;
      } else if (p[1]) {
        c = (unsigned char)*++p;
      } else {
        return -1;
      }
    }
    if (o >= cap || o - lab > 63) return -1;
    out[o++] = (uint8_t)c;
    out[lab] = (uint8_t)(o - lab - 1);
  }
  if (o - lab - 1 == 0 || o >= cap || o + 1 > 255) return -1;
  out[o++] = 0;
  return (int)o;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static unsigned get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int dns_query_encode(uint16_t id, const char *qname, unsigned qtype, uint16_t payload,
                     uint8_t *out, size_t cap) {
  uint8_t q[255];
  int ql = dns_name_to_wire(qname, q, sizeof q);
  if (ql < 0 || cap < 12 + (size_t)ql + 4 + 11) return -1;
  memset(out, 0, 12);
  put16(out, id);
  out[2] = 0x01;                    /* RD */
  out[3] = 0x20;                    /* AD: tell us whether it validated */
  put16(out + 4, 1);                /* QDCOUNT */
  put16(out + 10, 1);               /* ARCOUNT: the OPT */
  size_t o = 12;
  memcpy(out + o, q, (size_t)ql);
  o += (size_t)ql;
  put16(out + o, qtype); put16(out + o + 2, 1); o += 4;
  /* OPT (RFC 6891 §6.1.2): root owner, class = payload, TTL = ext-rcode 0, version 0,
   * flags with DO (RFC 3225), no options */
  out[o++] = 0;
  put16(out + o, 41); put16(out + o + 2, payload);
  out[o + 4] = 0; out[o + 5] = 0; out[o + 6] = 0x80; out[o + 7] = 0;
  put16(out + o + 8, 0);
  o += 10;
  return (int)o;
}

const char *dns_ede_name(int code) {
  static const char *names[] = {
    "Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer",
    "Forged Answer", "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
    "Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing", "No Zone Key Bit Set",
    "NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored", "Filtered",
    "Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
    "No Reachable Authority", "Network Error", "Invalid Data"};
  return code >= 0 && (size_t)code < sizeof names / sizeof names[0] ? names[code] : "Unknown";
}

/* The OPT RR's RDATA (RFC 6891 §6.1.2): its options, the first EDE (code 15) kept. */
static int opt_read(const uint8_t *rd, size_t rdlen, dns_reply_t *r) {
  size_t p = 0;
  while (p < rdlen) {
    if (p + 4 > rdlen) return -1;
    unsigned code = get16(rd + p), ol = get16(rd + p + 2);
    p += 4;
    if (p + ol > rdlen) return -1;
    if (code == 15 && r->ede < 0) {
      if (ol < 2) return -1;                     /* RFC 8914 §2: INFO-CODE is mandatory */
      r->ede = (int)get16(rd + p);
      size_t tl = ol - 2, o = 0;
      for (size_t i = 0; i < tl && o + 1 < sizeof r->ede_text; i++) {
        unsigned char c = rd[p + 2 + i];
        if (c == 0 && i + 1 == tl) break;       /* some servers NUL-terminate it */
        r->ede_text[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
      }
      r->ede_text[o] = '\0';
    }
    p += ol;
  }
  return 0;
}

/* Appends bytes to the reply's growing RDATA block. */
typedef struct { uint8_t *buf; size_t used, cap; } rdbuf_t;
static int rd_put(rdbuf_t *b, const uint8_t *p, size_t n) {
  if (n == 0) return 0;                         /* an empty RDATA (memcpy of NULL is UB) */
  if (b->used + n > b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 1024;
    while (nc < b->used + n) nc *= 2;
    uint8_t *nb = realloc(b->buf, nc);
    if (!nb) return -1;
    b->buf = nb;
    b->cap = nc;
  }
  memcpy(b->buf + b->used, p, n);
  b->used += n;
  return 0;
}

/* One RDATA uncompressed (names of NS, CNAME, SOA, PTR, MX), exactly filling rdlen. */
static int rdata_copy(const uint8_t *pkt, unsigned type, size_t rd, size_t rdlen, rdbuf_t *b) {
  size_t end = rd + rdlen, p = rd;
  uint8_t name[255];
  int names = 0, nl;
  size_t fixed_pre = 0, fixed_post = 0;
  if (type == 2 || type == 5 || type == 12) names = 1;
  else if (type == 15) { names = 1; fixed_pre = 2; }
  else if (type == 6) { names = 2; fixed_post = 20; }
  if (names == 0) return rd_put(b, pkt + rd, rdlen);
  if (rdlen < fixed_pre || rd_put(b, pkt + p, fixed_pre) != 0) return -1;
  p += fixed_pre;
  for (int i = 0; i < names; i++) {
    if ((nl = pkt_name(pkt, end, &p, name)) < 0 || rd_put(b, name, (size_t)nl) != 0) return -1;
  }
  if (p + fixed_post != end) return -1;
  return rd_put(b, pkt + p, fixed_post);
}

/* The reply's question: one, equal to ours (case-insensitive), class IN. */
static int reply_question(const uint8_t *pkt, size_t len, const uint8_t *qwire, size_t qwlen,
                          unsigned qtype, size_t *pos) {
  uint8_t q[255];
  *pos = 12;
  int ql = pkt_name(pkt, len, pos, q);
  if (ql < 0 || *pos + 4 > len) return -1;
  if (!wire_name_eq(q, ql, qwire, (int)qwlen) || get16(pkt + *pos) != qtype ||
      get16(pkt + *pos + 2) != 1) return -2;
  *pos += 4;
  return 0;
}

static void ttl_min(dns_reply_t *r, bool *set, uint32_t t) {
  if (t > 0x7fffffffu) t = 0;                   /* RFC 2181 §8: such a TTL means zero */
  if (!*set || (int)t < r->ttl) r->ttl = (int)t;
  *set = true;
}

/* The answer section: CNAME links from the question's name in order (each pass follows
 * what it can, as dns_canonname_from_packet), then the qtype RRset at the chain's end. */
static int reply_answer(const uint8_t *pkt, size_t len, size_t ans, unsigned an, unsigned qtype,
                        const uint8_t *qwire, size_t qwlen, dns_reply_t *r, rdbuf_t *b,
                        size_t **offs, bool *ttlset) {
  uint8_t cur[255], target[255];
  int cl = (int)qwlen;
  memcpy(cur, qwire, qwlen);
  size_t pos;
  for (unsigned pass = 0; pass <= an; pass++) {
    bool moved = false;
    pos = ans;
    for (unsigned i = 0; i < an; i++) {
      wire_rr_t rr;
      if (rr_read(pkt, len, &pos, &rr) != 0) return -1;
      if (rr.type != 5 || qtype == 5 || !wire_name_eq(rr.owner, rr.ol, cur, cl)) continue;
      size_t rp = rr.rd, end = rr.rd + rr.rdlen;
      int tl = pkt_name(pkt, end, &rp, target);
      if (tl < 0 || rp != end) return -1;
      if (wire_name_eq(target, tl, cur, cl)) continue;
      memcpy(cur, target, (size_t)tl);
      cl = tl;
      moved = r->aliased = true;
      ttl_min(r, ttlset, rr.ttl);
    }
    if (!moved) break;
  }
  if (r->aliased && dns_name_from_wire(cur, (size_t)cl, r->canon, sizeof r->canon) < 0) return -1;
  pos = ans;
  size_t n = 0;
  for (unsigned i = 0; i < an; i++) {
    wire_rr_t rr;
    if (rr_read(pkt, len, &pos, &rr) != 0) return -1;
    if (rr.type != qtype || rr.cls != 1 || !wire_name_eq(rr.owner, rr.ol, cur, cl)) continue;
    size_t *no = realloc(*offs, (n + 2) * sizeof *no);
    if (!no) return -1;
    *offs = no;
    no[n] = b->used;
    if (rdata_copy(pkt, rr.type, rr.rd, rr.rdlen, b) != 0) return -1;
    no[++n] = b->used;
    ttl_min(r, ttlset, rr.ttl);
  }
  r->count = n;
  return 0;
}

/* The authority and additional sections: the OPT (once, root owner: its EDE and upper
 * rcode bits) and, for an answer without data, the SOA's negative TTL (RFC 2308 §5). */
static int reply_rest(const uint8_t *pkt, size_t len, size_t pos, unsigned ns, unsigned ar,
                      dns_reply_t *r, bool *ttlset) {
  bool opt = false, soa = false;
  for (unsigned i = 0; i < ns + ar; i++) {
    wire_rr_t rr;
    if (rr_read(pkt, len, &pos, &rr) != 0) return -1;
    unsigned type = rr.type;
    uint32_t ttl = rr.ttl;
    size_t rdlen = rr.rdlen, rd = rr.rd;
    int ol = rr.ol;
    if (type == 6 && i < ns && !soa && r->count == 0 && !*ttlset) {
      size_t p = rd;
      uint8_t n[255];
      if (pkt_name(pkt, rd + rdlen, &p, n) < 0 || pkt_name(pkt, rd + rdlen, &p, n) < 0 ||
          p + 20 != rd + rdlen) return -1;
      uint32_t min = get32(pkt + p + 16);
      ttl_min(r, ttlset, ttl < min ? ttl : min);
      soa = true;
    }
    if (type == 41) {
      if (i < ns || opt || ol != 1) return -1;  /* RFC 6891 §6.1.1: one, in additional, root */
      opt = true;
      r->rcode |= (int)(ttl >> 24) << 4;
      if (opt_read(pkt + rd, rdlen, r) != 0) return -1;
    }
  }
  return 0;                       /* trailing bytes are tolerated, as by resolvers */
}

int dns_reply_parse(const uint8_t *pkt, size_t len, const uint8_t *qwire, size_t qwlen,
                    unsigned qtype, dns_reply_t *r) {
  memset(r, 0, sizeof *r);
  r->ede = -1;
  if (!pkt || len < 12 || qwlen == 0 || qwlen > 255) return -1;
  r->id = (uint16_t)get16(pkt);
  if (!(pkt[2] & 0x80) || ((pkt[2] >> 3) & 0x0f) != 0) return -2;   /* QR, opcode QUERY */
  r->tc = pkt[2] & 0x02;
  r->ad = pkt[3] & 0x20;
  r->rcode = pkt[3] & 0x0f;
  if (get16(pkt + 4) != 1) return r->tc ? -2 : -1;
  size_t pos;
  int rc = reply_question(pkt, len, qwire, qwlen, qtype, &pos);
  if (rc != 0 || r->tc) return rc;
  unsigned an = get16(pkt + 6), ns = get16(pkt + 8), ar = get16(pkt + 10);
  rdbuf_t b = {0};
  size_t *offs = NULL;
  bool ttlset = false;
  size_t p = pos;
  /* skip the answer section once to find the authority section (and check it) */
  for (unsigned i = 0; i < an; i++) {
    uint8_t o[255];
    if (pkt_name(pkt, len, &p, o) < 0 || p + 10 > len) goto bad;
    p += 10 + get16(pkt + p + 8);
    if (p > len) goto bad;
  }
  if (reply_answer(pkt, len, pos, an, qtype, qwire, qwlen, r, &b, &offs, &ttlset) != 0 ||
      reply_rest(pkt, len, p, ns, ar, r, &ttlset) != 0) goto bad;
  if (r->count) {
    /* one block: the pointers, the lengths, the bytes */
    size_t hdr = r->count * (sizeof(uint8_t *) + sizeof(int));
    uint8_t *blk = malloc(hdr + b.used + 1);
    if (!blk) goto bad;
    r->data = (uint8_t **)blk;
    r->len = (int *)(blk + r->count * sizeof(uint8_t *));
    uint8_t *bytes = blk + hdr;
    if (b.used) memcpy(bytes, b.buf, b.used);
    for (size_t i = 0; i < r->count; i++) {
      r->data[i] = bytes + offs[i];
      r->len[i] = (int)(offs[i + 1] - offs[i]);
    }
  }
  free(b.buf);
  free(offs);
  return 0;
bad:
  free(b.buf);
  free(offs);
  r->count = 0;
  return -1;
}

void dns_reply_free(dns_reply_t *r) {
  free(r->data);
  r->data = NULL;
  r->len = NULL;
  r->count = 0;
}
