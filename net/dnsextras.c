/* The RRSIG expiry and SOA contact of an answer message: see dnsextras.h. */
#include "net/dnsextras.h"

#include <string.h>
#include <time.h>

void dns_answer_extras(dns_answer_t *a, const uint8_t *pkt, size_t len, char *rname, size_t cap) {
  if (!pkt || len == 0) return;
  int64_t exp = 0;
  char signer[DNS_NAME_TEXT_MAX];
  if (dns_rrsig_expiry_from_packet(pkt, len, (unsigned)a->qtype, (int64_t)time(NULL), &exp,
                                   signer, sizeof signer) == 1 && exp > 0) {
    a->sig.at = (time_t)exp;
    if (strlen(signer) <= DNS_QNAME_MAX) memcpy(a->sig.signer, signer, strlen(signer) + 1);
  }
  if (dns_soa_rname_from_packet(pkt, len, rname, cap) == 1) a->soa_rname = rname;
}
