/* DNS wire data: names, canonical names from answer messages, TXT character-strings, and
 * the --resolver syntax. Pure functions over hostile bytes (net/dnswire.c), apart from the
 * resolver (net/dns.c), so that the parsers can be tested and fuzzed alone. */
#ifndef MXS_NET_DNSWIRE_H
#define MXS_NET_DNSWIRE_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest presentation form of a wire name, NUL included: 255 octets hold at most 250
 * label octets, each written as a 4-character \DDD escape at worst, and 3 dots. A legal
 * name of 253 characters with nothing to escape needs 254, so 256 is not enough for
 * escaped names. */
#define DNS_NAME_TEXT_MAX 1004
/* Longest name that can be queried: 253 characters (255 octets on the wire). */
#define DNS_QNAME_MAX 253

/* Wire-form name (uncompressed, as libunbound returns RDATA) to presentation form without
 * the trailing dot, lowercased, with every byte that is not a letter, digit or
 * punctuation other than '.' and '\\' written \DDD; "." for the root. Returns the number
 * of wire octets used, or -1 if malformed (longer than 255 octets, a label over 63, cut
 * short) or the text does not fit in out (cap >= DNS_NAME_TEXT_MAX always suffices). */
int dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t cap);
/* The canonical name of a DNS answer message (the CNAME chain from the question's name,
 * followed through the answer section in any order, compression pointers resolved) in
 * dns_name_from_wire's form. Returns > 0, or -1 when the message is malformed or the text
 * does not fit. */
int dns_canonname_from_packet(const uint8_t *pkt, size_t len, char *out, size_t cap);
/* RFC 4034 §3.1.5: an RRSIG's 32-bit inception or expiration field as seconds since the
 * epoch, in serial-number arithmetic (RFC 1982) relative to now: the instant within
 * 2^31 seconds of now whose low 32 bits it is, so that the fields wrap in 2106. */
int64_t dns_sig_time(uint32_t field, int64_t now);
/* The earliest expiration (dns_sig_time, relative to now) among the RRSIGs in the answer
 * section of a DNS message that cover qtype, and that RRSIG's signer name (in
 * dns_name_from_wire's form) in signer. 1 found, 0 none, -1 malformed or the signer does
 * not fit in cap. */
int dns_rrsig_expiry_from_packet(const uint8_t *pkt, size_t len, unsigned qtype, int64_t now,
                                 int64_t *expires, char *signer, size_t cap);
/* The RNAME (RFC 1035 §3.3.13: the zone's contact mailbox, its first label the local part)
 * of the SOA in the answer section of a DNS message, else of the first SOA in the authority
 * section (a NODATA or NXDOMAIN answer), in presentation form without the trailing dot:
 * dns_name_from_wire's escapes, a '.' inside a label written \046, case kept. 1 found,
 * 0 no SOA, -1 malformed or the text does not fit in cap. */
int dns_soa_rname_from_packet(const uint8_t *pkt, size_t len, char *out, size_t cap);
/* Joins the character-strings of one TXT RDATA (RFC 1035 §3.3.14: they form one record,
 * RFC 8461 §3.1, RFC 8460 §3) into out. Returns the joined length, or -1 when the RDATA is
 * malformed or the text does not fit in cap bytes (out is NUL-terminated). */
long dns_txt_join(const uint8_t *rdata, size_t len, char *out, size_t cap);
/* Parses the "IP[:PORT]" / "[IPv6]:PORT" syntax into unbound's "IP@PORT". 0 ok, -1 bad. */
int dns_parse_resolver(const char *spec, char *out, size_t cap);

/* Trusted-resolver mode (issue 17, net/stub.c): queries and the resolver's replies. */
/* Presentation name (trailing dot optional, \DDD and \X escapes) to uncompressed wire
 * form in out (255 octets suffice). The length, or -1 if malformed or too long. */
int dns_name_to_wire(const char *name, uint8_t *out, size_t cap);
/* A query: RD, AD (RFC 6840 §5.7: ask for the AD bit) and an EDNS0 OPT with the DO bit
 * and the given UDP payload size. The message length, or -1. */
int dns_query_encode(uint16_t id, const char *qname, unsigned qtype, uint16_t payload,
                     uint8_t *out, size_t cap);
/* RFC 8914's INFO-CODE names ("DNSSEC Bogus"); "Unknown" beyond the registry. */
const char *dns_ede_name(int code);
#define DNS_EDE_TEXT_MAX 256
/* A reply, decoded: header flags, the rcode (with the OPT's upper bits), the first
 * Extended DNS Error (RFC 8914) and the answer: the CNAME chain from the question's name
 * (canon, aliased) and the qtype RRset at its end, RDATA names of NS, CNAME, PTR, MX and
 * SOA uncompressed (as libunbound hands them). ttl: the least TTL of the chain and the
 * RRset, or of a NODATA/NXDOMAIN answer's SOA (min of its TTL and MINIMUM), else 0. */
typedef struct dns_reply {
  uint16_t id;
  bool tc, ad;
  int rcode;
  int ede;                          /* -1: none */
  char ede_text[DNS_EDE_TEXT_MAX];  /* EXTRA-TEXT, bytes outside printable ASCII as '?' */
  bool aliased;
  char canon[DNS_NAME_TEXT_MAX];    /* dns_name_from_wire's form; valid when aliased */
  int ttl;
  size_t count;
  uint8_t **data;                   /* malloc'd (one block): dns_reply_free */
  int *len;
} dns_reply_t;
/* Parses pkt as the reply to (qwire, qtype, class IN): 0 ok, -1 malformed (truncated,
 * counts beyond the message, bad names, compression loops, an OPT that is not one),
 * -2 a well-formed message that is not a reply to this question. r is zeroed first and
 * needs dns_reply_free after 0 (harmless otherwise). A truncated (TC) reply's answer is
 * not read: only the header. */
int dns_reply_parse(const uint8_t *pkt, size_t len, const uint8_t *qwire, size_t qwlen,
                    unsigned qtype, dns_reply_t *r);
void dns_reply_free(dns_reply_t *r);

#endif
