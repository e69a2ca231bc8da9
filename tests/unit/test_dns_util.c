/* Pure helpers of the resolver: wire-name decoding (hostile RDATA), --resolver syntax, the
 * number of libunbound contexts. */
#include "net/dns.h"
#include "net/ubconf.h"
#include "testlib.h"

int main(void) {
  char out[256];
  const uint8_t mx[] = {2, 'm', 'x', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'p', 't', 0};
  CHECK_INT(dns_name_from_wire(mx, sizeof mx, out, sizeof out), (int)sizeof mx);
  CHECK_STR(out, "mx.example.pt");
  const uint8_t root[] = {0};
  CHECK_INT(dns_name_from_wire(root, 1, out, sizeof out), 1);
  CHECK_STR(out, ".");
  const uint8_t trunc[] = {5, 'a', 'b'};
  CHECK_INT(dns_name_from_wire(trunc, sizeof trunc, out, sizeof out), -1);
  const uint8_t noterm[] = {1, 'a'};
  CHECK_INT(dns_name_from_wire(noterm, sizeof noterm, out, sizeof out), -1);
  const uint8_t ptr[] = {0xc0, 0x0c};
  CHECK_INT(dns_name_from_wire(ptr, sizeof ptr, out, sizeof out), -1);
  const uint8_t odd[] = {3, 'a', '.', ' ', 0};
  CHECK(dns_name_from_wire(odd, sizeof odd, out, sizeof out) == 5);
  CHECK_STR(out, "a\\046\\032");
  /* 200 labels of 63 octets cannot fit in a 256-byte buffer: refused, not overflowed. */
  uint8_t big[200 * 64 + 1];
  for (int i = 0; i < 200; i++) { big[i * 64] = 63; memset(big + i * 64 + 1, 'a', 63); }
  big[200 * 64] = 0;
  CHECK_INT(dns_name_from_wire(big, sizeof big, out, sizeof out), -1);
  CHECK_INT(dns_name_from_wire(mx, sizeof mx, out, 5), -1);
  /* Exact fit: the text and its NUL, no more (issue 13: the 253rd character was refused). */
  CHECK_INT(dns_name_from_wire(mx, sizeof mx, out, 14), (int)sizeof mx);
  CHECK_STR(out, "mx.example.pt");
  CHECK_INT(dns_name_from_wire(mx, sizeof mx, out, 13), -1);
  /* The longest legal name: 255 octets, 253 characters, fits 256 bytes. */
  uint8_t l255[255];
  for (int i = 0; i < 3; i++) { l255[i * 64] = 63; memset(l255 + i * 64 + 1, 'a', 63); }
  l255[192] = 61;
  memset(l255 + 193, 'b', 61);
  l255[254] = 0;
  CHECK_INT(dns_name_from_wire(l255, sizeof l255, out, sizeof out), 255);
  CHECK_INT((int)strlen(out), 253);
  /* The same octets all escaped: 1003 characters, which DNS_NAME_TEXT_MAX holds. */
  uint8_t e255[255];
  memcpy(e255, l255, sizeof e255);
  for (int i = 0; i < 255; i++)
    if (e255[i] == 'a' || e255[i] == 'b') e255[i] = 1;
  char big_out[DNS_NAME_TEXT_MAX];
  CHECK_INT(dns_name_from_wire(e255, sizeof e255, big_out, sizeof big_out), 255);
  CHECK_INT((int)strlen(big_out), DNS_NAME_TEXT_MAX - 1);
  CHECK_INT(dns_name_from_wire(e255, sizeof e255, big_out, DNS_NAME_TEXT_MAX - 1), -1);
  /* 256 octets is no name (RFC 1035 §2.3.4), whatever the buffer. */
  uint8_t l256[256];
  for (int i = 0; i < 4; i++) { l256[i * 64] = 63; memset(l256 + i * 64 + 1, 'a', 63); }
  l256[255] = 0;
  l256[192] = 62;
  memset(l256 + 193, 'a', 62);
  CHECK_INT(dns_name_from_wire(l256, sizeof l256, big_out, sizeof big_out), -1);

  /* Canonical name from an answer message: a.x CNAME b.x (compressed), b.x CNAME c.x,
   * listed in reverse order; a loop; a pointer forward; the question name only. */
  {
    const uint8_t pkt[] = {
      0, 1, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
      1, 'a', 1, 'x', 0, 0, 1, 0, 1,                      /* 12: a.x A IN */
      1, 'b', 0xc0, 14, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4,     /* 21: b.x CNAME */
      1, 'C', 0xc0, 14,                                    /* 35: C.x */
      0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 21,   /* 39: a.x CNAME b.x */
      0xc0, 35, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
    CHECK_INT(dns_canonname_from_packet(pkt, sizeof pkt, out, sizeof out), 5);
    CHECK_STR(out, "c.x");
    CHECK_INT(dns_canonname_from_packet(pkt, 30, out, sizeof out), -1);   /* cut short */
    uint8_t loop[sizeof pkt];
    memcpy(loop, pkt, sizeof pkt);
    loop[36] = 'a';                    /* b.x CNAME a.x: a loop, which ends */
    CHECK(dns_canonname_from_packet(loop, sizeof loop, out, sizeof out) > 0);
    memcpy(loop, pkt, sizeof pkt);
    loop[24] = 60;                     /* a pointer that does not point back */
    CHECK_INT(dns_canonname_from_packet(loop, sizeof loop, out, sizeof out), -1);
    memcpy(loop, pkt, sizeof pkt);
    loop[7] = 0;                       /* no answers: the question's name */
    CHECK_INT(dns_canonname_from_packet(loop, sizeof loop, out, sizeof out), 5);
    CHECK_STR(out, "a.x");
  }

  CHECK_INT(dns_parse_resolver("127.0.0.1", out, sizeof out), 0);
  CHECK_STR(out, "127.0.0.1@53");
  CHECK_INT(dns_parse_resolver("127.0.53.53:5353", out, sizeof out), 0);
  CHECK_STR(out, "127.0.53.53@5353");
  CHECK_INT(dns_parse_resolver("::1", out, sizeof out), 0);
  CHECK_STR(out, "::1@53");
  CHECK_INT(dns_parse_resolver("[::1]:5300", out, sizeof out), 0);
  CHECK_STR(out, "::1@5300");
  CHECK_INT(dns_parse_resolver("[::1]x", out, sizeof out), -1);
  CHECK_INT(dns_parse_resolver("resolver.example", out, sizeof out), -1);
  CHECK_INT(dns_parse_resolver("1.2.3.4:0", out, sizeof out), -1);
  CHECK_INT(dns_parse_resolver("1.2.3.4:65536", out, sizeof out), -1);
  CHECK_INT(dns_parse_resolver("1.2.3.4:", out, sizeof out), -1);

  const uint8_t txt[] = {5, 'v', '=', 'a', ';', ' ', 3, 'b', '=', 'c', 0};
  CHECK_INT(dns_txt_join(txt, sizeof txt, out, sizeof out), 8);
  CHECK_STR(out, "v=a; b=c");
  const uint8_t txtbad[] = {9, 'a', 'b'};
  CHECK_INT(dns_txt_join(txtbad, sizeof txtbad, out, sizeof out), -1);
  CHECK_INT(dns_txt_join(txt, sizeof txt, out, 8), -1);   /* no room for the NUL */
  CHECK_INT(dns_txt_join(txt, 0, out, sizeof out), 0);
  CHECK_STR(out, "");

  CHECK_INT(dnssec_worst(DNSSEC_SECURE, DNSSEC_INSECURE), DNSSEC_INSECURE);
  CHECK_INT(dnssec_worst(DNSSEC_BOGUS, DNSSEC_INDETERMINATE), DNSSEC_BOGUS);
  CHECK_INT(dnssec_worst(DNSSEC_INDETERMINATE, DNSSEC_INSECURE), DNSSEC_INDETERMINATE);
  CHECK_INT(dnssec_worst(DNSSEC_SECURE, DNSSEC_SECURE), DNSSEC_SECURE);
  /* --dns-contexts: 0 is one per core, capped, never none; an explicit count is kept. */
  CHECK_INT((int)ubconf_contexts(0, 2), 2);
  CHECK_INT((int)ubconf_contexts(0, 1), 1);
  CHECK_INT((int)ubconf_contexts(0, 0), 1);
  CHECK_INT((int)ubconf_contexts(0, 64), UBCONF_AUTO_CONTEXTS);
  CHECK_INT((int)ubconf_contexts(3, 1), 3);
  CHECK_INT((int)ubconf_contexts(16, 2), 16);
  CHECK_INT((int)ubconf_contexts(1000, 2), 64);
  TEST_MAIN_END();
}
