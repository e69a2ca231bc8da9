/* The stages a domain passes through, each a file of scan/ (data flows one way):
 *
 *   mx_start (scan/mx.c)        MX lookup; builds the hosts; starts the checks' lookups
 *   host_start (scan/host.c)    A and AAAA of one MX host, the implicit MX (RFC 5321 §5.1)
 *   tlsa_start (scan/tlsa.c)    TLSA of the host, with the CNAME fallback (RFC 7672 §2.2.3)
 *   probes_start (scan/probe.c) per address: PTR and the SMTP/STARTTLS observation
 *
 * Each stage is started by the one before, from its last callback, and ends the host
 * (host_finish/host_advance) or hands it on. None of them writes or frees anything of
 * the job's but what it owns; the job's end is job_advance's (model/job.c). */
#ifndef MXS_SCAN_STAGES_H
#define MXS_SCAN_STAGES_H
#include "model/job.h"

#define RR_A 1
#define RR_MX 15
#define RR_AAAA 28
#define RR_TLSA 52

void mx_start(job_t *j);
void host_start(host_t *h);
void tlsa_start(host_t *h);
void probes_start(host_t *h);

#endif
