/* What an answer message says beyond its RRset (issue 16), read the same way whoever
 * resolved it: libunbound's answer_packet (net/ubanswer.c) or the trusted resolver's reply
 * (net/stub.c). Pure. */
#ifndef MXS_NET_DNSEXTRAS_H
#define MXS_NET_DNSEXTRAS_H
#include "net/dnstypes.h"
#include <stddef.h>
#include <stdint.h>

/* Sets a->sig from the RRSIGs of the answer RRset covering a->qtype (a signer too long to
 * be queried again is left out: its DNSKEY set cannot be asked) and a->soa_rname (into
 * rname, cap bytes) from the answer or authority SOA. Nothing when pkt is empty. */
void dns_answer_extras(dns_answer_t *a, const uint8_t *pkt, size_t len, char *rname, size_t cap);

#endif
