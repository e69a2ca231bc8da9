/* Validating DNS lookups on the libuv loop, through libunbound.
 *
 * libunbound resolves in its own thread and signals completion on a file descriptor
 * (ub_fd); a uv_poll_t on that descriptor calls ub_process(), which runs our callbacks on
 * the loop thread. Every query has its own deadline (a uv_timer): libunbound has no
 * per-query timeout, and a survey must not wait minutes on a lame delegation.
 *
 * mxsurvey always forwards to the resolvers it is given and validates locally against its
 * own trust anchor, so a DNSSEC verdict never depends on a resolver's AD bit. */
#ifndef MXS_RESOLVER_DNS_H
#define MXS_RESOLVER_DNS_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <uv.h>

/* The record's strings for this enum and the next: record/schema.c (dnssec_state_name). */
enum dnssec_state {
  DNSSEC_SECURE = 0,
  DNSSEC_INSECURE = 1,
  DNSSEC_BOGUS = 2,
  DNSSEC_INDETERMINATE = 3,   /* could not get an answer to judge (SERVFAIL, timeout) */
};
/* The weaker of two states: secure < insecure < indeterminate < bogus. */
enum dnssec_state dnssec_worst(enum dnssec_state a, enum dnssec_state b);

enum dns_outcome {
  DNS_DATA = 0,       /* at least one record of the type asked */
  DNS_NODATA,         /* the name exists, no record of that type */
  DNS_NXDOMAIN,
  DNS_ERROR,          /* SERVFAIL, bogus, timeout, library error: see reason */
};

/* One answer, valid only during the callback (the resolver frees it afterwards). */
typedef struct dns_answer {
  const char *qname;
  int qtype;
  enum dns_outcome outcome;
  enum dnssec_state dnssec;
  int rcode;
  const char *reason;        /* why_bogus, "timeout", "SERVFAIL", library error; or NULL.
                              * "not sent: no socket (too many open files)" (alone or after
                              * "SERVFAIL ") when libunbound could not open a socket while
                              * the query was in its hands: not the resolver's doing */
  const char *canonname;     /* CNAME target when the name was an alias, else NULL */
  int ttl;
  size_t count;              /* records in data/len */
  uint8_t **data;            /* RDATA in wire form, names uncompressed */
  int *len;
} dns_answer_t;

typedef void (*dns_cb)(void *arg, const dns_answer_t *ans);

typedef struct dns dns_t;

typedef struct dns_config {
  const char *const *resolvers;   /* "IP", "IP:PORT", "[IPv6]:PORT"; none: /etc/resolv.conf */
  size_t nresolvers;
  const char *trust_anchor;       /* file of DS/DNSKEY records */
  double timeout;                 /* seconds per query, from when it is sent */
  /* Load: queries per second (token bucket; 0 unlimited). A query held back by the rate
   * waits in a FIFO and its deadline starts when it is sent, so a "timeout" in a record
   * always means the resolver did not answer, never that we throttled ourselves. */
  double rate;
  size_t cache_mb;                /* libunbound's caches in total; 0: 256 */
  size_t outgoing;                /* libunbound's outgoing-range (its UDP sockets); 0: 4096 */
  /* Queries handed to libunbound at once; 0: half of outgoing. libunbound queues a query
   * that finds all its sockets busy, unseen, while its deadline runs: a full window of
   * domains would then be recorded as timeouts the resolver never saw. The rest wait in
   * our FIFO (with the --dns-rate ones), their deadlines starting when they are handed
   * over; the other half of the sockets is for libunbound's own DS/DNSKEY fetches. */
  size_t max_inflight;
  size_t max_queries;             /* num-queries-per-thread; 0: 8192 */
} dns_config_t;

dns_t *dns_new(uv_loop_t *loop, const dns_config_t *cfg, char *err, size_t errlen);
/* Starts a query; cb is always called exactly once, later, from the loop (never from
 * inside dns_query). 0 ok, -1 if the query could not be started (then cb is not called). */
int dns_query(dns_t *d, const char *name, int rrtype, dns_cb cb, void *arg);
size_t dns_inflight(const dns_t *d);
/* Queries held back by the rate limit or waiting for a free slot, not yet sent. */
size_t dns_queued(const dns_t *d);
/* Cancels what is in flight or queued (their callbacks are not called) and closes the poll handle;
 * dns_free after the loop has run the close callbacks. May be called from inside a dns
 * callback. Later dns_query calls fail. */
void dns_close(dns_t *d);
void dns_free(dns_t *d);

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
/* Joins the character-strings of one TXT RDATA (RFC 1035 §3.3.14: they form one record,
 * RFC 8461 §3.1, RFC 8460 §3) into out. Returns the joined length, or -1 when the RDATA is
 * malformed or the text does not fit in cap bytes (out is NUL-terminated). */
long dns_txt_join(const uint8_t *rdata, size_t len, char *out, size_t cap);
/* Parses the "IP[:PORT]" / "[IPv6]:PORT" syntax into unbound's "IP@PORT". 0 ok, -1 bad. */
int dns_parse_resolver(const char *spec, char *out, size_t cap);

#endif
