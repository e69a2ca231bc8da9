/* The domain model: what mxsurvey learns about one domain, and what it concludes.
 *
 * A job is one input line. It owns its MX hosts (job_t.hosts), a host owns its addresses
 * and its TLSA records, an address owns its SMTP/TLS observation. The scan stages
 * (scan/mx.c, scan/host.c, scan/tlsa.c, scan/probe.c) and the checks' lookups
 * (checks/mtasts.c, checks/tlsrpt.c) fill in the observations; the checks' finish
 * functions then compute every verdict into the *_verdict fields below, purely from the
 * observations; record/write.c serialises the result and computes nothing. Everything a
 * job owns is freed in one place, job_free (model/job.c).
 *
 * Every state and every verdict is an enum here; the strings a record uses for them exist
 * only in record/schema.c (the one table enum -> record string, shared with report/).
 *
 * Progress is explicit, not a reference count: a job is in one of the job_state states;
 * each host in one of host_state; each address waits for a set of operations (addr_t.wait);
 * each check that looks something up has a bit in job_t.checks_waiting. scan/pipeline.c's
 * job_advance() moves a job on when what it waits for is done, and calls the pipeline's
 * one completion callback (job_env_t.done) exactly once. */
#ifndef MXS_MODEL_JOB_H
#define MXS_MODEL_JOB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/dns.h"
#include "net/rdns.h"
#include "net/https_fetch.h"
#include "polite/addrpolicy.h"
#include "polite/exclude.h"
#include "polite/route.h"
#include "smtp/smtp_probe.h"
#include "smtp/observe.h"
#include "smtp/profile.h"
#include "lib/domain.h"
#include "lib/list.h"
#include "model/policy.h"
#include "model/ops.h"

#define MAX_MX 16          /* MX hosts scanned per domain; more are recorded as truncated */
#define MAX_ADDRS 8        /* addresses probed per family per host */
#define TLSA_LISTED 32     /* TLSA records listed in a record; DANE is judged with all */

typedef struct job job_t;
typedef struct host host_t;
typedef struct job_env job_env_t;

/* ---- states and verdicts (record strings: record/schema.c) ---- */

/* The record's "status": what became of the domain as a whole. */
enum job_status {
  JOB_OK,              /* MX hosts (or the implicit MX) found and examined */
  JOB_NXDOMAIN,
  JOB_NO_MAIL,         /* null MX, or no MX and no address */
  JOB_DNS_ERROR,
  JOB_INVALID,         /* the input line is no domain name */
  JOB_EXCLUDED,        /* opt-out: nothing sent */
  JOB_STATUS_COUNT
};

/* Error stages of a domain or an MX host ("error.stage"; the SMTP probe has its own). */
enum job_stage { STAGE_NONE, STAGE_DNS, STAGE_INPUT, STAGE_COUNT };

/* Where a job is. JOB_MX: the MX lookup is out; JOB_HOSTS: hosts and checks' lookups are
 * out; JOB_DONE: verdicts computed, the completion callback has run or is running. */
enum job_state { JOB_MX, JOB_HOSTS, JOB_DONE };

/* Where an MX host is: addresses looked up, then TLSA, then every address probed. */
enum host_state { HOST_ADDRESSES, HOST_TLSA, HOST_PROBES, HOST_DONE };

/* What one address still waits for (addr_t.wait). */
#define ADDR_WAIT_PROBE 1u
#define ADDR_WAIT_PTR 2u
#define ADDR_WAIT_PROFILE 4u

/* RFC 7672 DANE status of one address ("dane.status"). */
enum dane_status {
  DANE_VALID, DANE_MISMATCH, DANE_UNUSABLE, DANE_NO_STARTTLS, DANE_TLSA_BOGUS,
  DANE_DNS_ERROR, DANE_NO_TLSA, DANE_INCONCLUSIVE, DANE_STATUS_COUNT
};

/* TLS-RPT (RFC 8460) record of the domain ("tls_rpt.status"). */
enum tlsrpt_status { TLSRPT_UNSET, TLSRPT_VALID, TLSRPT_NONE, TLSRPT_INVALID, TLSRPT_DNS_ERROR,
                     TLSRPT_STATUS_COUNT };

/* MTA-STS (RFC 8461) policy of the domain ("mta_sts.status"). */
enum sts_status { STS_UNSET, STS_NONE, STS_VALID, STS_FETCH_ERROR, STS_POLICY_INVALID,
                  STS_TXT_INVALID, STS_DNS_ERROR, STS_STATUS_COUNT };

/* RFC 8460 §4.3 result types, as sender verdicts and MTA-STS failures name them. */
enum result_type {
  RT_NONE, RT_STARTTLS_NOT_SUPPORTED, RT_CERT_HOST_MISMATCH, RT_CERT_EXPIRED,
  RT_CERT_NOT_TRUSTED, RT_VALIDATION_FAILURE, RT_TLSA_INVALID, RT_DNSSEC_INVALID,
  RT_STS_POLICY_FETCH_ERROR, RT_STS_POLICY_INVALID, RT_STS_WEBPKI_INVALID, RT_COUNT
};

/* What a sender would do with a message ("sender.*.action"). */
enum sender_action { ACT_DELIVER, ACT_DELIVER_UNAUTH, ACT_DEFER, ACT_NO_ROUTE, ACT_COUNT };

/* The two kinds of sender modelled ("sender.dane", "sender.mta_sts"). */
enum policy_kind { POL_DANE, POL_STS, POL_COUNT };

/* "summary.starttls" and "summary.dane". */
enum sum_starttls { SUM_TLS_ALL, SUM_TLS_SOME, SUM_TLS_NONE, SUM_TLS_REFUSED, SUM_TLS_UNREACHABLE,
                   SUM_TLS_COUNT };
enum sum_dane { SUM_DANE_VALID, SUM_DANE_PARTIAL, SUM_DANE_INVALID, SUM_DANE_NONE,
                SUM_DANE_INCONCLUSIVE, SUM_DANE_COUNT };

typedef struct dane_verdict {
  enum dane_status status;
  const char *reason;        /* points into the model (or static): NULL when none */
} dane_verdict_t;

typedef struct sender_verdict {
  enum sender_action action;
  enum result_type result_type;   /* RT_NONE: none */
  const char *mx;                  /* the host that would take the message, or NULL */
} sender_verdict_t;

typedef struct summary {
  enum sum_starttls starttls;
  enum sum_dane dane;
  const char *tls_best, *tls_worst;   /* protocol names from the observations, or NULL */
  size_t mx_hosts, addresses;
  size_t inconclusive;                /* addresses whose SMTP outcome is not ENGAGED */
  bool have_legacy;                   /* some address has a TLS profile ... */
  bool legacy_tls;                    /* ... and one accepts SSLv3, TLS 1.0 or TLS 1.1 */
  bool have_grade;                    /* some address has a TLS grade ... */
  enum tls_class tls_grade;           /* ... and the worst of them */
} summary_t;

/* The TLS grade of one profiled address (checks/tls_grade.c): the worst class of all it
 * accepts, and the findings that say why. A finding names its subject by value (the
 * record's writer spells it: a version, a suite, a group) and carries the rule's reason
 * (a static string of tls/classes.c or tls/suites.c, or the check's own). */
enum tls_finding_check { TFC_VERSION, TFC_CIPHER, TFC_KEX, TFC_RENEG, TFC_CERT, TFC_COVERAGE,
                         TFC_COUNT };
enum tls_finding_kind {
  TFK_NONE,          /* renegotiation, coverage: the reason alone */
  TFK_VERSION,       /* subject: the version's wire value */
  TFK_SUITE,         /* subject: the suite's code point (reason: its flaws) */
  TFK_DHE,           /* subject: the DH prime's size in bits */
  TFK_GROUP,         /* subject: the ECDHE group's code point */
  TFK_RSA_KEY,       /* subject: the RSA key's size in bits */
};
#define TLS_LEVEL_INFO TLS_CLASS_COUNT   /* a finding that explains, not grades */
#define TLS_FINDINGS_MAX 96
typedef struct tls_finding {
  uint8_t check;                   /* enum tls_finding_check */
  uint8_t kind;                    /* enum tls_finding_kind */
  uint8_t level;                   /* enum tls_class, or TLS_LEVEL_INFO */
  uint32_t subject;
  const char *reason;              /* static; "" for none */
} tls_finding_t;

typedef struct tls_grade {
  bool have;                       /* graded: the address was profiled and accepted a version */
  enum tls_class grade;
  tls_finding_t findings[TLS_FINDINGS_MAX];
  size_t nfindings;
  bool truncated;                  /* more findings than TLS_FINDINGS_MAX */
} tls_grade_t;

/* ---- observations ---- */

typedef struct addr {
  host_t *host;
  int family;
  uint8_t ip[16];
  enum dnssec_state dnssec;
  unsigned wait;                   /* ADDR_WAIT_* still outstanding */
  char *ptr;                       /* reverse name, informational (c-ares) */
  const char *ptr_error;
  smtp_result_t smtp;
  profile_result_t profile;        /* --tls-profile: what the address accepts (done: made) */
  dane_verdict_t dane;             /* checks/dane.c */
  dane_verdict_t cert_dane[PROFILE_CERTS_MAX];   /* checks/dane.c: each of profile.certs
                                      (dane_cert_status), for the first profile.ncerts */
  tls_grade_t grade;               /* checks/tls_grade.c (--tls-profile) */
  /* issue 16 (model/ops.h): [0] the probe's chain, [1 + i] profile.certs[i] */
  tlsa_match_t tlsa_match[1 + PROFILE_CERTS_MAX];
  outlook_t outlook;               /* the probe's chain at the horizon (scan/probe.c) */
} addr_t;

typedef struct lookup {            /* outcome of one address lookup */
  bool done;
  enum dns_outcome outcome;
  enum dnssec_state dnssec;
  char *reason;
} lookup_t;

struct host {
  job_t *job;
  enum host_state state;
  char *name;                      /* presentation form, \DDD escapes included (owned) */
  int pref;
  bool implicit;
  char *cname;
  const char *invalid;             /* static reason when the host is not resolved */
  bool bad_name;                   /* ... because the MX target is no host name */
  lookup_t a, aaaa;
  bool have_dnssec;                /* both address lookups done: dnssec is their worst */
  enum dnssec_state dnssec;
  /* canonical order: IPv4 then IPv6, each by address; naddrs of them, at most
   * 2 * MAX_ADDRS, owned. An array of its own rather than inside host_t: an addr_t is
   * 8.5 KB, and 2 * MAX_ADDRS of them made every host_t 138 KB, calloc'ed per MX host and
   * paid in page faults (issue 17 item 7: 18 % of the event loop's CPU) for the one or two
   * addresses most hosts have. */
  addr_t *addrs;
  size_t naddrs;
  bool addrs_truncated;
  char *error;                     /* "error.reason" of a host without addresses (owned) */
  /* TLSA */
  bool tlsa_looked_up;
  char tlsa_name[300];             /* "_25._tcp." + base: may exceed DNS_QNAME_MAX */
  char tlsa_base[256];             /* a host name or a canonical name: <= 254 characters */
  bool tlsa_fallback_done;
  enum dns_outcome tlsa_outcome;
  enum dnssec_state tlsa_dnssec;
  char *tlsa_reason;
  /* Every record of the answer, in canonical order (usage, selector, mtype, data): DANE
   * must see them all, or a matching record after the first few reads as a mismatch.
   * Bounded by the answer, which the resolver bounds (64 KiB: at most ~4 700 records).
   * Array and data owned here. */
  tlsa_rec_t *tlsa;
  size_t ntlsa;
  /* MTA-STS verdicts for this host (checks/mtasts.c), when a policy was fetched */
  bool sts_match, sts_cert_ok;
  /* issue 16 (model/ops.h) */
  rollover_t rollover;             /* checks/rollover.c */
  expiry_t dnssec_expires;         /* its A/AAAA and TLSA RRsets and their zones' DNSKEYs */
  /* issue 16: secure answers' earliest RRSIG expiry (a, aaaa: the lookups above) */
  dns_sigexp_t a_sig, aaaa_sig, tlsa_sig;
};

/* Zones whose DNSKEY set is asked per job (checks/zonekeys.c): the signers of its MX,
 * A/AAAA and TLSA answers, usually one or two. */
#define ZONEKEYS_MAX 8

struct job {
  job_env_t *env;
  list_t link;                     /* in the pipeline's list of jobs in flight */
  enum job_state state;
  unsigned checks_waiting;         /* one bit per check with a lookup out (checks/check.h) */
  bool after_done;                 /* the checks' after() hooks have run (job_advance) */
  char domain[DOMAIN_MAX];         /* for an invalid line: its start, for messages only */
  char *line;                      /* an invalid line: the record's domain (line_len bytes) */
  size_t line_len;
  char *input;                     /* the line as given, when it differs (input_len bytes) */
  size_t input_len;
  enum job_status status;
  bool have_dnssec;
  enum dnssec_state dnssec;
  char *dnssec_reason;
  char *cname;
  bool null_mx;
  enum job_stage err_stage;
  char *err_reason;
  char scanned_at[32];
  host_t *hosts;
  size_t nhosts;
  bool mx_truncated;
  /* TLS-RPT (RFC 8460), looked up for domains that can receive mail */
  enum tlsrpt_status tlsrpt_status;
  enum dnssec_state tlsrpt_dnssec;
  char *tlsrpt_reason;
  tlsrpt_t *tlsrpt;
  /* MTA-STS (RFC 8461) */
  enum sts_status sts_status;
  enum result_type sts_result_type;  /* RFC 8460 failure name, when one applies */
  char *sts_reason;
  char sts_id[MTASTS_ID_MAX + 1];
  long sts_http_status;
  char sts_host[DOMAIN_MAX + 16];
  mtasts_policy_t *sts_policy;
  /* verdicts (checks/) */
  bool has_sender;                 /* sender verdicts computed (not for invalid/excluded) */
  sender_verdict_t sender[POL_COUNT];
  bool has_summary;                /* summary computed (status ok) */
  summary_t summary;
  /* issue 16 (model/ops.h) */
  char sts_policy_sha256[65];      /* SHA-256 (hex) of the policy body fetched, "" none */
  expiry_t dnssec_expires;         /* the MX RRset, the domain's zone DNSKEY, every host's */
  char *soa_rname;                 /* RNAME of the domain's zone SOA, presentation form
                                      (owned), or NULL */
  enum outlook_status outlook;     /* checks/outlook.c (with has_summary) */
  time_t outlook_breaks;           /* OUTLOOK_WARN: the first date something breaks */
  char outlook_reason[160];        /* ... and what */
  cncs_t cncs;                     /* checks/cncs.c */
  /* issue 16: RRSIG expiries (scan/mx.c, checks/zonekeys.c), kept from secure answers */
  dns_sigexp_t mx_sig;             /* the MX RRset's */
  struct zonekey {
    job_t *job;
    char zone[DNS_QNAME_MAX + 1];  /* a signer name of the answers above */
    dns_sigexp_t keys;             /* its DNSKEY RRset's (at 0: not secure, not answered) */
  } zonekeys[ZONEKEYS_MAX];
  size_t nzonekeys;                /* distinct signer zones asked (the first ZONEKEYS_MAX) */
  size_t zonekeys_waiting;         /* DNSKEY answers still out */
};

/* ---- the services a job's stages and checks use (set up by scan/pipeline.c) ---- */

struct job_env {
  dns_t *dns;
  rdns_t *rdns;
  fetcher_t *fetch;
  tls_ctx_t *tls;
  observe_t *obs;
  profile_t *profile;              /* --tls-profile (NULL: off) */
  struct progress *prog;           /* scan/progress.h: failures counted by stage */
  const exclude_t *exclude;        /* opt-outs (NULL: none) */
  const addrpolicy_t *policy;      /* special-purpose ranges not opened with --allow */
  const routes_t *routes;          /* families this host can reach (NULL: not checked) */
  int https_port;                  /* MTA-STS policy hosts' port */
  int horizon_days;                /* --horizon: the outlook's distance from scan time */
  int horizon_dnssec_days;         /* --horizon-dnssec: the RRSIG warning's distance */
  double t_https;                  /* seconds allowed for a policy fetch */
  bool failed;                     /* our own failure (out of memory): see job_oom */
  void (*oom)(job_env_t *env);     /* called once per failure of ours */
  void (*after)(job_t *j);         /* observations complete: the checks' after() lookups
                                      (checks_after), once per job; NULL: none */
  void (*done)(job_t *j);          /* the pipeline's completion callback */
};

/* A new job for one input line, state JOB_MX, status JOB_OK, or NULL. */
job_t *job_new(job_env_t *env);
/* Frees the job and everything it owns. The one place where that happens. */
void job_free(job_t *j);
/* Our own allocation failure while working on j: the scan stops (see scan/pipeline.c). */
void job_oom(job_t *j);
/* Records a domain-level error: status, stage and a copy of reason. */
void job_set_error(job_t *j, enum job_status status, enum job_stage stage, const char *reason);
/* Starts a lookup the job waits for through its caller's state. 0 started; -1 not (the
 * callback will never run; job_oom has been called). */
int job_query(job_t *j, const char *name, int type, dns_cb cb, void *arg);
char *job_strdup(const char *s);
/* The job is done when it is in JOB_HOSTS, no check waits and every host is done: then
 * JOB_DONE and the completion callback (which frees the job: touch nothing after). */
void job_advance(job_t *j);
/* A host in HOST_PROBES whose addresses wait for nothing is done (then job_advance). */
void host_advance(host_t *h);
/* A host that ends before its probes (not resolved, no address): done, then job_advance. */
void host_finish(host_t *h);
/* Frees what a host owns and zeroes it (an implicit MX that turned out not to exist). */
void host_clear(host_t *h);

#endif
