/* Whether the trust anchor validates through the servers the scan asks (issue 17).
 *
 * A resolver that strips DNSSEC (an empty NOERROR to ". DNSKEY"), answers REFUSED or is
 * silent would otherwise make every domain bogus or a DNS error. A check asks the anchor
 * owner's DNSKEY set in a FRESH libunbound context (its own thread, set up by ubconf.h
 * exactly like the scan's), so that the answer comes from the servers now and never from
 * the scan's cache, where the validated key set stays for its TTL. On the loop, with a
 * deadline; nothing blocks. */
#ifndef MXS_NET_ANCHOR_H
#define MXS_NET_ANCHOR_H
#include "net/dnstypes.h"
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct anchor_check anchor_check_t;
/* failure: NULL when the DNSKEY set came back secure; otherwise why not, valid only
 * during the callback. Called once, from the loop, unless the check was cancelled. */
typedef void (*anchor_cb)(void *arg, const char *failure);

/* owner: the anchor's owner name ("."); timeout: seconds. NULL with err set when the
 * context cannot be made (then cb is never called). */
anchor_check_t *anchor_check_start(uv_loop_t *loop, const dns_config_t *cfg, const char *owner,
                                   double timeout, anchor_cb cb, void *arg, char *err, size_t errlen);
/* cb is not called; the check frees itself once the loop has closed its handles. */
void anchor_check_cancel(anchor_check_t *c);

/* A name under owner that no cache can hold: "mxsurvey-check-" and 15 random characters
 * (a letter, then hex), e.g. "mxsurvey-check-q3fa09c11be27d0." for ".". 0 ok, -1. */
int anchor_probe_name(const char *owner, char *out, size_t cap);
/* What is wrong with one of a check's answers, into out ("" when nothing): the DNSKEY set
 * (probe false) must be NOERROR, data, secure; the probe name's answer (probe true) must
 * be secure, NXDOMAIN or NOERROR. err/errtext: libunbound's error; have: a result came. */
void anchor_answer_failure(bool probe, const char *probe_name, int err, const char *errtext,
                           bool have, int rcode, bool bogus, const char *why_bogus,
                           bool havedata, bool secure, char *out, size_t cap);

#endif
