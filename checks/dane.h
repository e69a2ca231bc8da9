/* DANE for SMTP (RFC 7672), per MX address: whether DANE applies (what the probe must
 * ask for: SNI, the judge's TLSA input) and the verdict once the address was probed. */
#ifndef MXS_CHECKS_DANE_H
#define MXS_CHECKS_DANE_H
#include "model/job.h"

/* A TLSA record a DANE client may use for SMTP (RFC 7672 §3.1.3): any. */
bool dane_usable_any(const host_t *h);
/* Whether DANE applies to address a of h: a secure TLSA RRset with a usable record and
 * secure address records (RFC 7672 §2.2). */
bool dane_applies(const host_t *h, const addr_t *a);
/* The judge's DANE input for a (names: room for 3), or NULL when DANE does not apply. */
const tls_dane_in_t *dane_input(const host_t *h, const addr_t *a, const char *names[3],
                                tls_dane_in_t *din);
/* The verdict for one probed address. Pure. */
dane_verdict_t dane_judge(const host_t *h, const addr_t *a);
/* The verdict for one more certificate the address presents (the TLS profile's certs,
 * judged by tls_result_judge against the same TLSA set): the address's rules up to the
 * observation (tlsa-bogus, dns-error, no-tlsa, unusable), then valid when a record
 * authenticated this certificate, mismatch otherwise. The address reached TLS (the profile
 * is made only then), so inconclusive and no-starttls do not arise. Pure. */
dane_verdict_t dane_cert_status(const host_t *h, const addr_t *a, const tls_result_t *cert);

#endif
