/* issue 16: what net/dnswire.c reads from an answer message beyond the records: the
 * earliest RRSIG expiration covering the type asked (and its signer), in RFC 4034 §3.1.5
 * serial-number arithmetic, and the SOA RNAME of the answer or authority section. The
 * messages are built here byte by byte, hostile ones included. */
#include "net/dnswire.h"
#include "testlib.h"

#include <stdint.h>

#include "dnsmsg.h"
/* header with one question (name, type), an answers, ns authority records */
static void header(msg_t *m, const char *q, unsigned qtype, unsigned an, unsigned ns) {
  m->n = 0;
  put16(m, 0); put16(m, 0x8180); put16(m, 1); put16(m, an); put16(m, ns); put16(m, 0);
  putname(m, q);
  put16(m, qtype); put16(m, 1);
}
/* An RR whose owner is a pointer to the question name (offset 12). */
static size_t rr_begin(msg_t *m, unsigned type) {
  put16(m, 0xc00c); put16(m, type); put16(m, 1); put32(m, 300);
  size_t at = m->n;
  put16(m, 0);
  return at;
}
static void rr_end(msg_t *m, size_t at) {
  size_t l = m->n - at - 2;
  m->b[at] = (uint8_t)(l >> 8);
  m->b[at + 1] = (uint8_t)(l & 0xff);
}
static void rrsig(msg_t *m, unsigned covered, uint32_t expiration, const char *signer) {
  size_t at = rr_begin(m, 46);
  put16(m, covered); put8(m, 13); put8(m, 2); put32(m, 300);
  put32(m, expiration); put32(m, expiration - 86400 * 28); put16(m, 4711);
  putname(m, signer);
  for (int i = 0; i < 64; i++) put8(m, 0xaa);   /* the signature */
  rr_end(m, at);
}
static void a_rr(msg_t *m) {
  size_t at = rr_begin(m, 1);
  put32(m, 0x7f000001);
  rr_end(m, at);
}
/* SOA with mname written in full and rname as given in wire form (label list) */
static void soa(msg_t *m, const uint8_t *rname, size_t rl) {
  size_t at = rr_begin(m, 6);
  putname(m, "ns.example.pt");
  memcpy(m->b + m->n, rname, rl);
  m->n += rl;
  put32(m, 1); put32(m, 3600); put32(m, 600); put32(m, 86400); put32(m, 300);
  rr_end(m, at);
}

static void test_serial(void) {
  const int64_t now = 1796200000;                      /* 2026-12-02 */
  CHECK_INT(dns_sig_time((uint32_t)(now + 3 * 86400), now), now + 3 * 86400);
  CHECK_INT(dns_sig_time((uint32_t)(now - 60), now), now - 60);   /* already expired */
  /* After the 32-bit wrap (2106): a field of 100 means 2^32 + 100 when now is near it. */
  const int64_t late = 0x100000000LL - 1000;
  CHECK_INT(dns_sig_time(100, late), 0x100000000LL + 100);
  CHECK_INT(dns_sig_time(0xFFFFFF00u, 0x100000000LL + 50), 0xFFFFFF00LL);
  /* 2^31 away is undefined in RFC 1982: read as the past, never far in the future. */
  CHECK_INT(dns_sig_time((uint32_t)(now + 0x80000000LL), now), now - 0x80000000LL);
  CHECK_INT(dns_sig_time((uint32_t)(now + 0x7fffffffLL), now), now + 0x7fffffffLL);
}

static void test_rrsig(void) {
  const int64_t now = 1796200000;
  msg_t m;
  int64_t exp = 0;
  char signer[DNS_NAME_TEXT_MAX];
  /* A answer, two RRSIGs over A (the earlier one wins, its signer with it), one over
   * another type (ignored although earlier still). */
  header(&m, "mx.example.pt", 1, 4, 0);
  a_rr(&m);
  rrsig(&m, 1, (uint32_t)(now + 10 * 86400), "example.pt");
  rrsig(&m, 1, (uint32_t)(now + 3 * 86400), "Sub.Example.pt");
  rrsig(&m, 5, (uint32_t)(now + 86400), "other.pt");
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, sizeof signer), 1);
  CHECK_INT(exp, now + 3 * 86400);
  CHECK_STR(signer, "sub.example.pt");
  /* The same message asked for AAAA: nothing covers it. */
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 28, now, &exp, signer, sizeof signer), 0);
  /* The signer does not fit: refused, not cut. */
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, 5), -1);
  /* Every cut of the message is refused or read within it (never past the end). */
  for (size_t n = 0; n < m.n; n++) {
    int rc = dns_rrsig_expiry_from_packet(m.b, n, 1, now, &exp, signer, sizeof signer);
    CHECK(rc == -1);
  }
  /* An RRSIG too short to hold its fixed part is skipped. */
  header(&m, "mx.example.pt", 1, 1, 0);
  size_t at = rr_begin(&m, 46);
  put16(&m, 1); put8(&m, 13);
  rr_end(&m, at);
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, sizeof signer), 0);
  /* A signer name that runs past its RDATA (a label longer than what is left). */
  header(&m, "mx.example.pt", 1, 1, 0);
  at = rr_begin(&m, 46);
  put16(&m, 1); put8(&m, 13); put8(&m, 2); put32(&m, 300); put32(&m, (uint32_t)now);
  put32(&m, (uint32_t)now); put16(&m, 1); put8(&m, 40); put8(&m, 'a');
  rr_end(&m, at);
  put16(&m, 0);   /* bytes after the RR: the name must not borrow them */
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, sizeof signer), -1);
  /* More answers counted than present; no question; NULL. */
  header(&m, "mx.example.pt", 1, 3, 0);
  a_rr(&m);
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, sizeof signer), -1);
  m.b[5] = 0;
  CHECK_INT(dns_rrsig_expiry_from_packet(m.b, m.n, 1, now, &exp, signer, sizeof signer), -1);
  CHECK_INT(dns_rrsig_expiry_from_packet(NULL, 0, 1, now, &exp, signer, sizeof signer), -1);
}

static void test_soa(void) {
  msg_t m;
  char out[DNS_NAME_TEXT_MAX];
  /* A SOA answer: RNAME hostmaster.example.pt, case kept. */
  const uint8_t plain[] = {10, 'H', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r',
                           7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'p', 't', 0};
  header(&m, "example.pt", 6, 1, 0);
  soa(&m, plain, sizeof plain);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), 1);
  CHECK_STR(out, "Hostmaster.example.pt");
  /* "host\.master.example.pt.": the dot inside the local part stays escaped. */
  const uint8_t dotted[] = {11, 'h', 'o', 's', 't', '.', 'm', 'a', 's', 't', 'e', 'r',
                            7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'p', 't', 0};
  header(&m, "example.pt", 6, 1, 0);
  soa(&m, dotted, sizeof dotted);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), 1);
  CHECK_STR(out, "host\\046master.example.pt");
  /* NODATA for a name below the apex: the authority section's SOA, its RNAME compressed
   * (a pointer to the question's "example.pt" at offset 12 + 3). */
  const uint8_t comp[] = {4, 'h', 'o', 's', 't', 0xc0, 15};
  header(&m, "mx.example.pt", 6, 0, 1);
  soa(&m, comp, sizeof comp);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), 1);
  CHECK_STR(out, "host.example.pt");
  /* An answer without SOA: none. */
  header(&m, "mx.example.pt", 1, 1, 0);
  a_rr(&m);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), 0);
  /* A pointer forward (could loop), an RNAME past the RDATA, a short buffer. */
  const uint8_t fwd[] = {4, 'h', 'o', 's', 't', 0xc0, 0xff};
  header(&m, "example.pt", 6, 1, 0);
  soa(&m, fwd, sizeof fwd);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), -1);
  header(&m, "example.pt", 6, 1, 0);
  size_t at = rr_begin(&m, 6);
  putname(&m, "ns.example.pt");
  rr_end(&m, at);
  putname(&m, "host.example.pt");   /* outside the RDATA */
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, sizeof out), -1);
  header(&m, "example.pt", 6, 1, 0);
  soa(&m, plain, sizeof plain);
  CHECK_INT(dns_soa_rname_from_packet(m.b, m.n, out, 8), -1);
  for (size_t n = 0; n < m.n; n++) CHECK(dns_soa_rname_from_packet(m.b, n, out, sizeof out) == -1);
}

int main(void) {
  test_serial();
  test_rrsig();
  test_soa();
  TEST_MAIN_END();
}
