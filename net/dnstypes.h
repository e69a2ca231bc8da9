/* The types of net/dns.h: DNSSEC states, outcomes, one answer, the resolver's
 * configuration. Apart so that dns.c's own pieces (net/ubconf.h, net/anchor.h,
 * net/ubanswer.h) can use them without a cycle through dns.h. */
#ifndef MXS_NET_DNSTYPES_H
#define MXS_NET_DNSTYPES_H
#include "net/dnswire.h"
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>

enum dnssec_state {
  DNSSEC_SECURE = 0,
  DNSSEC_INSECURE = 1,
  DNSSEC_BOGUS = 2,
  DNSSEC_INDETERMINATE = 3,   /* could not get an answer to judge (SERVFAIL, timeout) */
};

enum dns_outcome {
  DNS_DATA = 0,       /* at least one record of the type asked */
  DNS_NODATA,         /* the name exists, no record of that type */
  DNS_NXDOMAIN,
  DNS_ERROR,          /* SERVFAIL, bogus, timeout, library error: see reason */
};

/* The earliest expiration among the RRSIGs of one RRset, and their signer (the zone whose
 * DNSKEY set signed it). at 0: none known. Copied by value: the scan keeps it. */
typedef struct dns_sigexp {
  time_t at;
  char signer[DNS_QNAME_MAX + 1];  /* presentation form; "" when it could not be queried */
} dns_sigexp_t;

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
  /* issue 16, read from the answer message libunbound validated (it asks with the DO bit
   * and keeps the RRSIGs in answer_packet). sig: the RRSIGs in the answer section covering
   * qtype (whatever the security: callers keep it for DNSSEC_SECURE only). soa_rname: the
   * SOA RNAME of the answer or authority section (dns_soa_rname_from_packet), or NULL;
   * not read from a bogus answer. */
  dns_sigexp_t sig;
  const char *soa_rname;
} dns_answer_t;

typedef void (*dns_cb)(void *arg, const dns_answer_t *ans);

enum dns_mode {
  DNS_MODE_RECURSIVE = 0,
  DNS_MODE_FORWARD,
  DNS_MODE_TRUSTED,
};

typedef struct dns_config {
  enum dns_mode mode;
  const char *const *resolvers;   /* "IP", "IP:PORT", "[IPv6]:PORT" (FORWARD, TRUSTED) */
  size_t nresolvers;
  const char *root_hints;         /* RECURSIVE: a root hints file; NULL: libunbound's own */
  bool trust_remote;              /* TRUSTED: a resolver not on loopback is accepted */
  size_t contexts;                /* libunbound contexts (threads); 0: from the cores */
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
  /* Called once, from the loop, when the trust anchor cannot be validated through the
   * servers asked: at the first query (the scan must not start) or after a fault that
   * lasted too long mid-scan. msg says why, in full. Every query still waiting then ends
   * with an error (DNSSEC_INDETERMINATE) and later dns_query calls fail: the caller should
   * stop (and not record those). NULL: msg goes to stderr. */
  void (*on_fatal)(void *arg, const char *msg);
  void *fatal_arg;
} dns_config_t;

#endif
