/* Whose fault a failed answer may be: see blame.h.
 *
 * WHY every failed answer of a resolver goes to a check, whatever its Extended DNS Error.
 *
 * A survey publishes per domain: "bogus" says the domain's operator broke DNSSEC, a
 * dns-error says its servers fail. When the failure is the scanner's resolver's (it lost
 * its root trust anchor, its clock, its network, or its ACL changed), recording it against
 * the domains publishes a lie about every domain scanned while the fault lasts. The world
 * has genuinely broken domains too (expired signatures, DS without DNSKEY, lame servers),
 * and those must stay recorded as what they are, with their reason.
 *
 * Can the answer itself tell the two apart? No, not reliably, in any mode:
 * - libunbound (recursive, forward): a bogus answer's why_bogus names the element that
 *   failed, but as free text ("no DNSKEY rrset from 127.0.0.1 for trust anchor . while
 *   building chain of trust" and "signature crypto failed from ... for DNSKEY example." are
 *   both bogus); parsing it is guessing, and a forwarder's REFUSED comes back as SERVFAIL.
 * - the trusted mode (net/stub.c): RFC 8914's codes name WHAT failed, not WHERE. A
 *   validating resolver whose root key no longer validates (a missed KSK rollover, a
 *   wrong clock, a broken anchor file) answers every signed name with SERVFAIL and the
 *   same codes a broken domain gets: Unbound 1.17 builds the chain of trust from the
 *   anchor down and reports the first break, so a lost root key gives EDE 9 "DNSKEY
 *   Missing" (no DNSKEY rrset for trust anchor .), EDE 10 "RRSIGs Missing" or EDE 6
 *   "DNSSEC Bogus", EDE 7/8 "Signature Expired / Not Yet Valid" for a clock that is off,
 *   exactly as for a domain whose zone lacks its DNSKEY set or signatures. Unbound 1.17.1
 *   sends no EXTRA-TEXT for them in the test world (docs/dns.md), so not even the text
 *   names the zone. EDE 22 "No Reachable Authority" and 23 "Network Error" are as
 *   ambiguous: a domain's lame servers, or the resolver's own uplink gone. A SERVFAIL
 *   without EDE (an older Unbound, its "cannot reach the servers" path, or a resolver
 *   out of memory) says nothing at all; EDE 14 "Not Ready" and 13 "Cached Error" say the
 *   resolver's state. REFUSED from a recursive resolver is its ACL or its rate limit, never
 *   a domain's doing; FORMERR, NOTIMP and the rest are the resolver's reaction to our
 *   query, or its malformed message (the stub reports that as FORMERR).
 * So the EDE is kept for the record (it is the bogus reason), but does not decide.
 *
 * What decides is a check begun AFTER the failure came (net/dns.c: the anchor owner's
 * DNSKEY set, and a name no cache can hold, through the same servers, net/anchor.c): if
 * it passes, the chain from the anchor validates and the servers are reachable now, so
 * the failure was the domain's own and is delivered exactly as it was (bogus with the EDE
 * reason, indeterminate SERVFAIL, ...). If it fails, the resolver is at fault, and the
 * query is sent again once a check passes; a fault that does not end stops the scan with
 * a clear error (--resume completes it). The price: a domain's own failure reaches its
 * record up to about a second later (checks at most one per second), and a domain that
 * fails because its zone is broken costs no extra query of its own.
 *
 * Hence, branch by branch:
 *   no answer (deadline) and libunbound had no socket  ours   (fd budget: not the resolver)
 *   no answer (deadline)                              check  (a silent resolver, or lame)
 *   libunbound's own error, no result                 ours   (nothing was asked)
 *   an answer while libunbound had no socket          ours   (its SERVFAIL may be ours)
 *   NOERROR or NXDOMAIN, not bogus                    none   (an answer: delivered)
 *   bogus (any rcode; in the trusted mode SERVFAIL with a DNSSEC EDE)   check
 *   SERVFAIL with any other EDE, or none              check
 *   REFUSED, FORMERR, NOTIMP, any other error rcode   check
 * What cannot be caught this way (docs/dns.md): a resolver that stops validating and
 * answers AD-clear (recorded insecure, not failed: nothing to check), and one that filters
 * names by policy (EDE 15-17 with NXDOMAIN): both look like ordinary answers. */
#include "net/blame.h"

enum dns_blame dns_blame(const dns_failure_t *f) {
  if (f->sock_failed) return DNS_BLAME_OURS;
  if (!f->answered) return DNS_BLAME_CHECK;
  if (f->local_error) return DNS_BLAME_OURS;
  if (f->bogus) return DNS_BLAME_CHECK;
  if (f->rcode == 0 || f->rcode == 3) return DNS_BLAME_NONE;
  return DNS_BLAME_CHECK;   /* SERVFAIL (any EDE or none), REFUSED, FORMERR, NOTIMP, ... */
}

const char *dns_blame_name(enum dns_blame b) {
  return b == DNS_BLAME_NONE ? "none" : b == DNS_BLAME_CHECK ? "check" : "ours";
}
