/* issue 17 item 3: the trusted-resolver mode's wire code in net/dnswire.c: names to wire
 * form, the query (RD, AD, EDNS0 with DO), the EDE names, and dns_reply_parse over
 * replies built byte by byte: flags, the question check, CNAME chains, RDATA names
 * uncompressed, the OPT and its Extended DNS Error, NXDOMAIN with SOA, and the hostile
 * ones (truncated, bad counts, compression loops, oversized EDE). */
#include "net/dnswire.h"
#include "testlib.h"

#include <stdint.h>

#include "dnsmsg.h"
/* flags: the 16-bit header flags word */
static void header(msg_t *m, unsigned flags, const char *q, unsigned qtype, unsigned an,
                   unsigned ns, unsigned ar) {
  m->n = 0;
  put16(m, 0x1234); put16(m, flags); put16(m, 1); put16(m, an); put16(m, ns); put16(m, ar);
  putname(m, q);
  put16(m, qtype); put16(m, 1);
}
/* an RR header; the caller writes rdlen octets of RDATA */
static void rr(msg_t *m, const char *owner, unsigned type, uint32_t ttl, unsigned rdlen) {
  putname(m, owner);
  put16(m, type); put16(m, 1); put32(m, ttl); put16(m, rdlen);
}
static void opt(msg_t *m, unsigned ext_rcode, int ede, const char *text, size_t tlen) {
  put8(m, 0);
  put16(m, 41); put16(m, 1232); put8(m, ext_rcode); put8(m, 0); put16(m, 0x8000);
  if (ede < 0) { put16(m, 0); return; }
  put16(m, (unsigned)(4 + 2 + tlen));
  put16(m, 15); put16(m, (unsigned)(2 + tlen)); put16(m, (unsigned)ede);
  memcpy(m->b + m->n, text, tlen);
  m->n += tlen;
}

static uint8_t qw[255];
static size_t qwl;
static void q(const char *name) { qwl = (size_t)dns_name_to_wire(name, qw, sizeof qw); }

static void test_name_to_wire(void) {
  uint8_t w[255];
  CHECK_INT(dns_name_to_wire("example.org", w, sizeof w), 13);
  CHECK(memcmp(w, "\7example\3org\0", 13) == 0);
  CHECK_INT(dns_name_to_wire("example.org.", w, sizeof w), 13);
  CHECK_INT(dns_name_to_wire(".", w, sizeof w), 1);
  CHECK_INT(w[0], 0);
  CHECK_INT(dns_name_to_wire("a\\046b.c", w, sizeof w), 7);   /* \DDD: one label "a.b" */
  CHECK(memcmp(w, "\3a.b\1c\0", 7) == 0);
  CHECK_INT(dns_name_to_wire("a..b", w, sizeof w), -1);
  CHECK_INT(dns_name_to_wire("a\\", w, sizeof w), -1);
  char lab[70];
  memset(lab, 'x', 64); lab[64] = '\0';
  CHECK_INT(dns_name_to_wire(lab, w, sizeof w), -1);         /* label of 64 */
  lab[63] = '\0';
  CHECK_INT(dns_name_to_wire(lab, w, sizeof w), 65);
  char longn[400] = "";
  for (int i = 0; i < 5; i++) { strcat(longn, lab); strcat(longn, "."); }  /* 320 octets */
  CHECK_INT(dns_name_to_wire(longn, w, sizeof w), -1);
}

static void test_query(void) {
  uint8_t out[512];
  int n = dns_query_encode(0xbeef, "mx.example", 15, 1232, out, sizeof out);
  CHECK_INT(n, 12 + 12 + 4 + 11);
  CHECK_INT(out[0], 0xbe); CHECK_INT(out[1], 0xef);
  CHECK_INT(out[2], 0x01);                  /* RD */
  CHECK_INT(out[3], 0x20);                  /* AD */
  CHECK_INT(out[11], 1);                    /* ARCOUNT */
  const uint8_t *o = out + 12 + 12 + 4;
  CHECK_INT(o[0], 0);
  CHECK_INT(o[1] << 8 | o[2], 41);
  CHECK_INT(o[3] << 8 | o[4], 1232);
  CHECK_INT(o[7], 0x80);                    /* DO */
  CHECK_INT(dns_query_encode(1, "a..b", 1, 1232, out, sizeof out), -1);
  CHECK_INT(dns_query_encode(1, "mx.example", 1, 1232, out, 20), -1);
  CHECK_STR(dns_ede_name(6), "DNSSEC Bogus");
  CHECK_STR(dns_ede_name(7), "Signature Expired");
  CHECK_STR(dns_ede_name(24), "Invalid Data");
  CHECK_STR(dns_ede_name(99), "Unknown");
  CHECK_STR(dns_ede_name(-1), "Unknown");
}

/* a CNAME chain given out of order, MX RDATA with a compressed exchange, OPT without EDE */
static void test_chain(void) {
  msg_t m;
  dns_reply_t r;
  q("www.example");
  header(&m, 0x81a0, "www.example", 15, 4, 0, 1);      /* QR RD RA AD */
  rr(&m, "b.example", 5, 300, 12); putname(&m, "mx.example");   /* 2nd link */
  rr(&m, "www.example", 5, 600, 11); putname(&m, "b.example");  /* 1st link */
  size_t mxowner = m.n;
  rr(&m, "mx.example", 15, 120, 4); put16(&m, 10); put16(&m, 0xc000 | (unsigned)mxowner);
  rr(&m, "other.example", 15, 5, 4); put16(&m, 20); put16(&m, 0xc000 | (unsigned)mxowner);
  opt(&m, 0, -1, NULL, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 15, &r), 0);
  CHECK(r.ad);
  CHECK(!r.tc);
  CHECK_INT(r.id, 0x1234);
  CHECK_INT(r.rcode, 0);
  CHECK_INT(r.ede, -1);
  CHECK(r.aliased);
  CHECK_STR(r.canon, "mx.example");
  CHECK_INT(r.count, 1);                                 /* other.example is not the chain's */
  CHECK_INT(r.ttl, 120);
  CHECK_INT(r.len[0], 2 + 12);                           /* the exchange uncompressed */
  CHECK(memcmp(r.data[0], "\0\12\2mx\7example\0", 14) == 0);
  dns_reply_free(&r);
  /* the question is someone else's: -2 */
  q("ww2.example");
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 15, &r), -2);
  q("WWW.Example");                                      /* case does not matter */
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 15, &r), 0);
  dns_reply_free(&r);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -2);   /* another type */
  /* cut anywhere: malformed, never a crash */
  for (size_t cut = 0; cut < m.n - 11; cut++) {
    int rc = dns_reply_parse(m.b, cut, qw, qwl, 15, &r);
    CHECK(rc == -1 || (rc == 0 && cut >= 12));
    dns_reply_free(&r);
  }
}

static void test_nxdomain_soa(void) {
  msg_t m;
  dns_reply_t r;
  q("nope.example");
  header(&m, 0x8183, "nope.example", 1, 0, 1, 1);     /* NXDOMAIN, AD clear */
  size_t z = m.n;
  rr(&m, "example", 6, 3600, 9 + 15 + 20);
  putname(&m, "ns.example");
  putname(&m, "hostmaster"); m.n--; put16(&m, 0xc000 | (unsigned)(z));
  put32(&m, 1); put32(&m, 2); put32(&m, 3); put32(&m, 4); put32(&m, 300);
  /* fix the rdlen to what was written */
  size_t rdlen = m.n - (z + 9 + 10);
  m.b[z + 9 + 8] = (uint8_t)(rdlen >> 8); m.b[z + 9 + 9] = (uint8_t)rdlen;
  opt(&m, 0, -1, NULL, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), 0);
  CHECK_INT(r.rcode, 3);
  CHECK(!r.ad);
  CHECK(!r.aliased);
  CHECK_INT(r.count, 0);
  CHECK_INT(r.ttl, 300);                               /* min(TTL 3600, MINIMUM 300) */
  dns_reply_free(&r);
  /* SOA RDATA one octet short: malformed */
  m.b[z + 9 + 9] = (uint8_t)(rdlen - 1);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
}

static void test_ede(void) {
  msg_t m;
  dns_reply_t r;
  q("bogus.example");
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);   /* SERVFAIL */
  opt(&m, 0, 6, "signature crypto failed", 23);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), 0);
  CHECK_INT(r.rcode, 2);
  CHECK_INT(r.ede, 6);
  CHECK_STR(r.ede_text, "signature crypto failed");
  dns_reply_free(&r);
  /* no EXTRA-TEXT; a NUL-terminated one; control bytes */
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);
  opt(&m, 0, 7, "", 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), 0);
  CHECK_INT(r.ede, 7);
  CHECK_STR(r.ede_text, "");
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);
  opt(&m, 0, 9, "a\nb\0", 4);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), 0);
  CHECK_STR(r.ede_text, "a?b");
  /* oversized text: cut to DNS_EDE_TEXT_MAX - 1 */
  char big[1000];
  memset(big, 'e', sizeof big);
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);
  opt(&m, 0, 6, big, sizeof big);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), 0);
  CHECK_INT(strlen(r.ede_text), DNS_EDE_TEXT_MAX - 1);
  /* an option longer than the OPT's RDATA; an EDE without INFO-CODE */
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);
  opt(&m, 0, 6, "x", 1);
  m.b[m.n - 5] = 0x40;                                  /* option length 0x40xx */
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), -1);
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 1);
  put8(&m, 0); put16(&m, 41); put16(&m, 1232); put32(&m, 0x8000); put16(&m, 5);
  put16(&m, 15); put16(&m, 1); put8(&m, 6);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), -1);
  /* the extended rcode bits: BADVERS (16) */
  header(&m, 0x8180, "bogus.example", 52, 0, 0, 1);
  opt(&m, 1, -1, NULL, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), 0);
  CHECK_INT(r.rcode, 16);
  /* two OPTs; an OPT in the authority section */
  header(&m, 0x8182, "bogus.example", 52, 0, 0, 2);
  opt(&m, 0, -1, NULL, 0); opt(&m, 0, -1, NULL, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), -1);
  header(&m, 0x8182, "bogus.example", 52, 0, 1, 0);
  opt(&m, 0, -1, NULL, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 52, &r), -1);
}

static void test_hostile(void) {
  msg_t m;
  dns_reply_t r;
  q("x.example");
  /* counts beyond the message */
  header(&m, 0x8180, "x.example", 1, 3, 0, 0);
  rr(&m, "x.example", 1, 60, 4); put32(&m, 0x7f000001);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
  /* an A record: fine; then its RDLENGTH beyond the end */
  header(&m, 0x8180, "x.example", 1, 1, 0, 0);
  rr(&m, "x.example", 1, 60, 4); put32(&m, 0x7f000001);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), 0);
  CHECK_INT(r.count, 1);
  CHECK_INT(r.len[0], 4);
  dns_reply_free(&r);
  m.b[m.n - 5] = 9;
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
  /* a compression pointer to itself (a loop) in a CNAME target */
  header(&m, 0x8180, "x.example", 1, 1, 0, 0);
  rr(&m, "x.example", 5, 60, 2); put16(&m, 0xc000 | (unsigned)m.n);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
  /* a pointer forward, out of the message */
  header(&m, 0x8180, "x.example", 1, 1, 0, 0);
  rr(&m, "x.example", 5, 60, 2); put16(&m, 0xc000 | 0x3fff);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
  /* a CNAME loop (a -> b -> a): ends, canon is where it stopped, no data */
  q("a.example");
  header(&m, 0x8180, "a.example", 1, 2, 0, 0);
  rr(&m, "a.example", 5, 60, 11); putname(&m, "b.example");
  rr(&m, "b.example", 5, 60, 11); putname(&m, "a.example");
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), 0);
  CHECK(r.aliased);
  CHECK_INT(r.count, 0);
  dns_reply_free(&r);
  /* not a reply (QR clear), another opcode, two questions */
  header(&m, 0x0100, "a.example", 1, 0, 0, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -2);
  header(&m, 0x8900, "a.example", 1, 0, 0, 0);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -2);
  header(&m, 0x8180, "a.example", 1, 0, 0, 0);
  m.b[5] = 2;
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), -1);
  /* truncated (TC): the header only, the rest not read even if it is garbage */
  header(&m, 0x83a0, "a.example", 1, 9, 9, 9);
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 1, &r), 0);
  CHECK(r.tc);
  CHECK(r.ad);
  CHECK_INT(r.count, 0);
  CHECK_INT(dns_reply_parse(m.b, 11, qw, qwl, 1, &r), -1);
  CHECK_INT(dns_reply_parse(NULL, 0, qw, qwl, 1, &r), -1);
  /* MX RDATA whose name runs past RDLENGTH */
  q("x.example");
  header(&m, 0x8180, "x.example", 15, 1, 0, 0);
  rr(&m, "x.example", 15, 60, 4); put16(&m, 10); putname(&m, "mail.x.example");
  CHECK_INT(dns_reply_parse(m.b, m.n, qw, qwl, 15, &r), -1);
}

int main(void) {
  test_name_to_wire();
  test_query();
  test_chain();
  test_nxdomain_soa();
  test_ede();
  test_hostile();
  TEST_MAIN_END();
}
