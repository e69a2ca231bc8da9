/* The finding texts (see advice.h): one entry per finding id, in English, marked for
 * translation with N_() (xgettext collects them into po/mxsurvey.pot). The references name
 * the RFC sections the rule comes from and the point of the CNCS recommendation on
 * STARTTLS and DANE (advisory ids: the companion standards, which the recommendation
 * does not require). */
#include "report/advice.h"
#include "report/i18n.h"

#include <string.h>

static const struct advice table[ADV_COUNT] = {
  [CNCS_STARTTLS] = {
    N_("STARTTLS is not offered, or does not work, on some MX address."),
    N_("Every MX address offers STARTTLS and completes the TLS handshake."),
    N_("Enable STARTTLS on port 25 of every MX host and address (IPv4 and IPv6) with a "
       "certificate and a current TLS configuration; check each address of a load-balanced host."),
    N_("Without STARTTLS mail crosses the network in clear text; a single address without it "
       "is enough for an attacker to steer delivery there."),
    N_("RFC 3207; RFC 7672 section 1.3; CNCS recommendation: STARTTLS on every MX")},
  [CNCS_TLS_VERSION] = {
    N_("An MX address accepts SSLv3, TLS 1.0 or TLS 1.1."),
    N_("No MX address accepts SSLv3, TLS 1.0 or TLS 1.1."),
    N_("Disable SSLv3, TLS 1.0 and TLS 1.1 on the mail servers; offer TLS 1.2 and TLS 1.3 only."),
    N_("These versions are deprecated and have known weaknesses; every current sender speaks "
       "TLS 1.2 or later."),
    N_("RFC 8996; RFC 7568; CNCS recommendation: no insecure TLS version")},
  [CNCS_TLS_CIPHER] = {
    N_("An MX address accepts obsolete cipher suites."),
    N_("No MX address accepts obsolete cipher suites."),
    N_("Remove RC4, 3DES, export, NULL and anonymous suites from the server's cipher list; "
       "keep to the NCSC-NL classes good and sufficient."),
    N_("An attacker who can downgrade the handshake to an obsolete cipher can read or alter "
       "the mail."),
    N_("RFC 7465; NCSC-NL IT Security Guidelines for TLS; CNCS recommendation: no obsolete "
       "cipher")},
  [CNCS_CERT_NAME] = {
    N_("The certificate of some MX host does not name the host in its subjectAltName."),
    N_("Every MX certificate names its host in the subjectAltName."),
    N_("Issue the certificate with the MX host name, as the MX record spells it, as a DNS "
       "name in the subjectAltName extension."),
    N_("Senders that authenticate the server (MTA-STS, DANE-TA) compare the MX name with the "
       "certificate's names; a mismatch makes them defer or refuse delivery."),
    N_("RFC 6125 section 6; RFC 8461 section 4.2; RFC 7672 section 3.2.3; CNCS "
       "recommendation: certificate for the MX name")},
  [CNCS_CERT_CHAIN] = {
    N_("Some MX host does not send its whole certificate chain."),
    N_("Every MX host sends its whole certificate chain."),
    N_("Configure the server with the full chain (the certificate followed by its "
       "intermediate certificates), not the certificate alone."),
    N_("Mail servers do not fetch missing intermediate certificates: a chain that validates "
       "only with them fails at the senders."),
    N_("RFC 8446 section 4.4.2; CNCS recommendation: complete certificate chain")},
  [CNCS_DNSSEC_DOMAIN] = {
    N_("The mail domain is not signed with DNSSEC, or does not validate."),
    N_("The mail domain is signed with DNSSEC and validates."),
    N_("Sign the domain's zone with DNSSEC and have the DS record published in the parent "
       "zone (for .pt, through the registrar)."),
    N_("Without a secure MX record set a sender cannot trust which hosts receive the "
       "domain's mail, and DANE does not apply."),
    N_("RFC 4033; RFC 7672 section 2.2.1; CNCS recommendation: DNSSEC on the mail domain")},
  [CNCS_DNSSEC_MX] = {
    N_("The zone of some MX host is not signed with DNSSEC, or does not validate."),
    N_("The zones of all MX hosts are signed with DNSSEC and validate."),
    N_("Sign the zones of the MX hosts (their A and AAAA records) with DNSSEC, or move the "
       "mail to hosts in signed zones."),
    N_("Senders look up TLSA records only for MX hosts whose addresses are DNSSEC-secure."),
    N_("RFC 7672 section 2.2; CNCS recommendation: DNSSEC on the zones of the MX hosts")},
  [CNCS_TLSA] = {
    N_("Some MX host has no DNSSEC-secure, usable TLSA record."),
    N_("Every MX host publishes DNSSEC-secure, usable TLSA records."),
    N_("Publish a TLSA record at _25._tcp.<MX host> in a signed zone, preferably 3 1 1 (the "
       "SHA-256 digest of the server's public key); only usages 2 and 3 count for SMTP."),
    N_("TLSA records tell DANE senders which key to expect: this protects the mail against "
       "downgrade and forged certificates."),
    N_("RFC 7672 section 3.1; RFC 6698; CNCS recommendation: TLSA records for every MX")},
  [CNCS_DANE] = {
    N_("DANE does not validate on some MX address: the certificate matches none of the TLSA "
       "records."),
    N_("DANE validates on every MX address."),
    N_("Make the TLSA records match the certificate each address presents: compute them "
       "again from the current key (3 1 1), for every host and address, IPv6 included."),
    N_("A DANE sender does not deliver to a server whose certificate matches no TLSA "
       "record: mail to the domain is deferred, then returned."),
    N_("RFC 7672 section 3; RFC 7671; CNCS recommendation: valid DANE on every MX")},
  [CNCS_TLSA_ROLLOVER] = {
    N_("The TLSA records of some MX host would all stop matching when its key or "
       "certificate changes."),
    N_("The TLSA records of every MX host survive a change of key or certificate."),
    N_("Keep two TLSA records per MX host: the current key and the next one (3 1 1 + 3 1 "
       "1), or the current key and the issuing CA (3 1 1 + 2 1 1). Publish the new record "
       "two TTLs before changing the key; remove the old one afterwards."),
    N_("Most DANE failures are a certificate or key renewed while the TLSA records stayed "
       "the same; with a second record one of them still matches."),
    N_("RFC 7671 section 8; RFC 7672 section 4; CNCS recommendation: two TLSA records per "
       "MX, one valid at any moment")},
  [CNCS_ADV_MTASTS] = {
    N_("No valid MTA-STS policy in enforce mode."),
    N_("A valid MTA-STS policy in enforce mode is published."),
    N_("Publish the _mta-sts TXT record and the policy at https://mta-sts.<domain>/.well-"
       "known/mta-sts.txt naming every MX host, in testing mode first, then in enforce mode."),
    N_("MTA-STS protects the mail from senders that do not validate DNSSEC, most large "
       "providers among them, against downgrade."),
    N_("RFC 8461 (advisory: not part of CNCS conformity)")},
  [CNCS_ADV_TLSRPT] = {
    N_("No TLS-RPT record is published."),
    N_("A TLS-RPT record is published."),
    N_("Publish a TXT record at _smtp._tls.<domain>: \"v=TLSRPTv1; rua=mailto:<address>\"."),
    N_("Senders then report their TLS failures to that address: the domain learns of a "
       "broken certificate or TLSA record before its mail is returned."),
    N_("RFC 8460 section 3 (advisory: not part of CNCS conformity)")},
  [CNCS_ADV_TESTING_RPT] = {
    N_("The MTA-STS policy is in testing mode, but no TLS-RPT record receives its reports."),
    N_("No MTA-STS policy in testing mode is left without TLS-RPT."),
    N_("Publish TLS-RPT (a TXT record at _smtp._tls.<domain> with rua=) so that the testing "
       "phase yields reports, then move the policy to enforce mode."),
    N_("Testing mode changes no delivery: its only use is the reports, which go nowhere "
       "without TLS-RPT."),
    N_("RFC 8461 section 5; RFC 8460 (advisory: not part of CNCS conformity)")},
  [ADV_OUTLOOK_PKIX] = {
    N_("A certificate of an MX host expires before the horizon: PKIX validation will fail."),
    N_("The MX certificates are still valid at the horizon."),
    N_("Renew the certificate (or the intermediate certificate, if that is the one that "
       "expires) before that date, and make sure renewal is automated."),
    N_("From that date senders that check certificates (MTA-STS) will not deliver."),
    N_("RFC 5280 section 4.1.2.5; RFC 8461 section 4.2")},
  [ADV_OUTLOOK_DANE] = {
    N_("DANE on an MX host stops validating before the horizon."),
    N_("DANE still validates at the horizon."),
    N_("Before that date, renew the certificate the TLSA record rests on (the CA of a 2 x x "
       "record) or publish a 3 1 1 record of the server's key, two TTLs before the change."),
    N_("With DANE-TA (usage 2) the chain's dates count: once it expires DANE senders "
       "defer the mail, then return it."),
    N_("RFC 7672 section 3.1; RFC 7671 section 8")},
  [ADV_OUTLOOK_DNSSEC] = {
    N_("A DNSSEC signature the mail's security rests on expires before the horizon."),
    N_("The DNSSEC signatures are valid beyond the horizon."),
    N_("Check that the zone's signer is running and signs again before the signature "
       "expires (RRSIG expiration)."),
    N_("When the signature expires the zone becomes bogus: validating senders cannot "
       "resolve the MX, address or TLSA records, and the mail is deferred."),
    N_("RFC 4034 section 3.1.5; RFC 4035 section 5.3")},
};

static const char *const outlook_ids[] = {ADV_ID_OUTLOOK_PKIX, ADV_ID_OUTLOOK_DANE,
                                          ADV_ID_OUTLOOK_DNSSEC};

const char *advice_id_name(enum advice_id a) {
  if ((int)a < CNCS_CHECK_COUNT) return schema_cncs_check[a];
  return outlook_ids[a - ADV_OUTLOOK_PKIX];
}

int advice_lookup(const char *id) {
  if (!id) return -1;
  for (int a = 0; a < ADV_COUNT; a++)
    if (strcmp(advice_id_name((enum advice_id)a), id) == 0) return a;
  return -1;
}

const struct advice *advice_get(enum advice_id a) {
  return &table[a];
}

int advice_advisory(enum advice_id a) {
  return (int)a >= CNCS_FIRST_ADVISORY && (int)a < CNCS_CHECK_COUNT;
}
