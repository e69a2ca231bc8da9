/* A stub resolver on the libuv loop for DNS_MODE_TRUSTED (issue 17): queries a validating
 * resolver (on loopback unless --resolver-validates-remote) over UDP, over TCP when the
 * answer is truncated, with EDNS0, DO and AD set, and trusts what it says about DNSSEC:
 *   AD set, NOERROR/NXDOMAIN           secure
 *   AD clear, NOERROR/NXDOMAIN         insecure
 *   SERVFAIL with an Extended DNS Error of the DNSSEC family (RFC 8914 codes 1-12, e.g.
 *   6 "DNSSEC Bogus", 7 "Signature Expired")      bogus, reason = the EDE code's name
 *                                      and the resolver's EXTRA-TEXT
 *   SERVFAIL without one, REFUSED, timeout         indeterminate
 * Every failure among these (all but the first two rows) waits in net/dns.c for a trust
 * anchor check begun after it before it reaches a record (net/blame.c says why; stub_keep
 * holds the answer meanwhile): the resolver's own faults are not the domains'.
 * Nothing is validated here: this mode is Postfix's model (trust a local validating
 * resolver) and exists because validating every answer twice is the scan's largest CPU
 * cost. Everything from the wire is hostile: the reply is parsed by net/dnswire.h's pure
 * functions (bounded, fuzzed), its id, question and source checked against the query.
 *
 * net/dns.c owns the deadline, the rate limit and the window; the stub only sends, matches
 * and decodes. */
#ifndef MXS_NET_STUB_H
#define MXS_NET_STUB_H
#include "net/dns.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

typedef struct stub stub_t;

/* The reply, as dns.h's answer (RDATA names uncompressed, as libunbound hands them);
 * valid only during the callback. */
typedef void (*stub_cb)(void *arg, const dns_answer_t *ans);

/* resolvers: as dns_config_t's (IP, IP:PORT, [IPv6]:PORT). NULL with err set. */
stub_t *stub_new(uv_loop_t *loop, const char *const *resolvers, size_t n, char *err, size_t errlen);
/* Sends one query; cb exactly once, later, from the loop, unless stub_cancel(id) first.
 * Resends over UDP within the caller's deadline are the stub's (every resend_ms), the
 * deadline is net/dns.c's. 0 ok (*id set), -1 could not send (cb not called). */
int stub_send(stub_t *s, const char *qname, int qtype, stub_cb cb, void *arg, uint64_t *id);
void stub_cancel(stub_t *s, uint64_t id);
/* Closes its handles (callbacks of what is in flight are not called); stub_free once the
 * loop has run the close callbacks. */
void stub_close(stub_t *s);
void stub_free(stub_t *s);
/* A --resolver spec as a socket address; 0 ok, -1 bad. */
int stub_addr(const char *spec, struct sockaddr_storage *ss);
/* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104. */
bool stub_addr_loopback(const struct sockaddr_storage *ss);
/* Before the loop runs (it blocks up to timeout_ms): asks the resolver for ". DNSKEY", the
 * trust anchor's owner, and requires NOERROR with the AD bit. 0 it validates, -1 with
 * err set ("the resolver at X does not validate ..." or does not answer). */
int stub_check_validates(const char *resolver, int timeout_ms, char *err, size_t errlen);

/* DNS_MODE_TRUSTED's set-up (net/dns.c): only resolvers on loopback unless
 * cfg->trust_remote (refused before any packet is sent), each of which must validate
 * (stub_check_validates, blocking up to --timeout-dns before the loop runs); then stub_new.
 * NULL with err set. */
stub_t *stub_new_trusted(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen);

/* ---- the pure pieces of net/stub.c (tests/unit/test_stub.c) ---- */
/* What to do with a message that came on a query's socket (UDP datagram or TCP message):
 * IGNORE  not a reply to it (short, another id, another question: forged or stale);
 * RETRY_TCP  truncated (TC) over UDP: ask again over TCP (RFC 7766);
 * MALFORMED  its id and question but unreadable, or truncated over TCP: FORMERR;
 * DELIVER  r holds the decoded reply (dns_reply_free after use).
 * r needs no freeing for the other three; its header (rcode, ad, tc) is read for every
 * step but IGNORE (stub_check_validates reads the AD bit of a truncated reply). */
enum stub_step { STUB_IGNORE, STUB_RETRY_TCP, STUB_MALFORMED, STUB_DELIVER };
enum stub_step stub_classify(const uint8_t *pkt, size_t len, uint16_t msgid, const uint8_t *qwire,
                             size_t qwlen, unsigned qtype, bool over_tcp, dns_reply_t *r);
/* A decoded reply as the answer's outcome, dnssec, rcode, ttl, reason, canonname and
 * records (pointers into r; reason may point to the reason buffer of cap octets): the
 * table in the comment at the top. qname, qtype, sig and soa_rname are the caller's. */
void stub_judge(const dns_reply_t *r, dns_answer_t *a, char *reason, size_t cap);
/* Which of naddr resolvers a query's next UDP send goes to after sends sends (rotating),
 * or, tcp, the one whose truncated reply sends the query to TCP (the last one sent to). */
size_t stub_resolver_for(size_t sends, size_t naddr, bool tcp);

/* A failed answer (DNS_ERROR: no records) kept while net/dns.c's health machinery decides
 * whose fault it is (net/blame.h): the answer is valid only during the stub's callback. */
typedef struct stub_kept {
  enum dns_outcome outcome;
  enum dnssec_state dnssec;
  int rcode, ttl;
  bool aliased;
  char reason[DNS_EDE_TEXT_MAX + 64];
  char canon[DNS_NAME_TEXT_MAX];
} stub_kept_t;
/* malloc'd copy (free() it), NULL when out of memory or a has records (not a failure). */
stub_kept_t *stub_keep(const dns_answer_t *a);
/* The kept answer again, for qname and qtype; valid while k is. */
void stub_kept_answer(const stub_kept_t *k, const char *qname, int qtype, dns_answer_t *a);

#endif
