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

#endif
