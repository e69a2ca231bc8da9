/* libunbound's result turned into the dns_answer_t callers get (net/dns.h): the outcome,
 * the DNSSEC state, the reason, the canonical name read from the answer packet, and the
 * issue 16 extras (RRSIG expiry, SOA RNAME). Pure: no I/O, no libunbound call. */
#ifndef MXS_NET_UBANSWER_H
#define MXS_NET_UBANSWER_H
#include "net/dnstypes.h"
#include <stdbool.h>
#include <unbound.h>

/* The texts out points into; they live as long as it is read. */
typedef struct ubanswer {
  char rcbuf[32];
  char rname[DNS_NAME_TEXT_MAX];
  char canon[DNS_NAME_TEXT_MAX];
} ubanswer_t;

/* res is read (its canonname may be lowercased in place), not freed. sockfail: libunbound
 * could not open a socket while the query was in its hands (a SERVFAIL may be ours). */
void ubanswer_fill(struct ub_result *res, const char *qname, int qtype, bool sockfail,
                   dns_answer_t *out, ubanswer_t *b);

#endif
