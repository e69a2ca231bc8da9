/* Reading the TXT records a check asks for (checks/txt.c). */
#ifndef MXS_CHECKS_TXT_H
#define MXS_CHECKS_TXT_H
#include <stddef.h>
#include "net/dns.h"

#define TXT_MAX_LEN 4096         /* bytes of one joined TXT record */
#define TXT_ANSWER_MAX 65535     /* RDATA bytes of one TXT RRset: one DNS message's worth */
extern const char TXT_OOM[];     /* txt_select's reason for our own allocation failure */

/* A parser's selection over joined records: 1 one valid record (out filled), 0 none of
 * the kind, -1 invalid (*why). */
typedef int (*txt_select_fn)(const char *const *txts, const size_t *lens, size_t n, void *out,
                             const char **why);

/* Joins every TXT record of ans and hands them to fn. A record longer than TXT_MAX_LEN
 * joined that starts with tag is refused (-1, not "none"); *why == TXT_OOM when memory
 * ran out. */
int txt_select(const dns_answer_t *ans, const char *tag, txt_select_fn fn, void *out,
               const char **why);

/* Asks for the TXT RRset at <prefix>.<domain> of job j (cb gets j): 1 started, 0 the name
 * would be longer than 253 octets (no record can exist there: nothing asked), -1 the
 * query could not start (job_oom was called). */
struct job;
int txt_query(struct job *j, const char *prefix, dns_cb cb);

#endif
