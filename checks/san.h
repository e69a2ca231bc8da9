/* RFC 6125 name matching of a certificate's dNSName SAN against a host name
 * (checks/san.c): pure and free of the model, so that the fuzz target
 * (tests/fuzz/fuzz_san_match.c) builds it alone. Its user is the conformity check's
 * cert-name (checks/cncs.c); the SANs come from the network, so nothing about them is
 * assumed but that they are C strings (tls/cert_info.c replaces NUL bytes and bounds them). */
#ifndef MXS_CHECKS_SAN_H
#define MXS_CHECKS_SAN_H
#include <stdbool.h>

/* Does the dNSName SAN san name host (RFC 6125 §6.4)? ASCII case-insensitive, a trailing
 * dot on either ignored; a wildcard only as the whole left-most label ("*.example.pt"),
 * matching exactly one non-empty label, and only above two labels ("*.pt" matches
 * nothing); no partial wildcards ("mx*.example.pt", "*mx.example.pt"), no "*" elsewhere
 * and none in host; empty labels match nothing. NULL matches nothing. */
bool cncs_san_match(const char *san, const char *host);

#endif
