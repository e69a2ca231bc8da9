/* Whom a CERT writes to about a domain (mxsurvey report --notify): the address the domain
 * asked to receive TLS failure reports on (TLS-RPT rua, RFC 8460), else the mailbox of its
 * zone's SOA RNAME (RFC 1035 section 3.3.13: a mailbox written as a domain name). Pure,
 * apart from notify.c so that it is unit-tested and fuzzed on its own. */
#ifndef MXS_REPORT_CONTACT_H
#define MXS_REPORT_CONTACT_H

#include <json-c/json.h>
#include <stddef.h>

/* Where the contact hint comes from: the domain's TLS-RPT rua (mailto: preferred over
 * https:), else its zone's SOA RNAME as a mailbox, else none. */
enum contact_source { CONTACT_TLSRPT, CONTACT_SOA, CONTACT_NONE, CONTACT_SOURCE_COUNT };
extern const char *const contact_source_name[CONTACT_SOURCE_COUNT];  /* "tls-rpt", "soa", "none" */

/* The SOA RNAME as a mailbox: the first unescaped label, "@", the rest
 * ("host\.master.example.pt" -> "host.master@example.pt"; \DDD and \c escapes of the
 * first label undone). 0, or -1 when it is no mailbox (no second part, a control
 * character, longer than cap). */
int contact_soa_mailbox(const char *rname, char *buf, size_t cap);

/* rec's contact hint into buf ("" for none). */
enum contact_source contact_hint(json_object *rec, char *buf, size_t cap);

#endif
