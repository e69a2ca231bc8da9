/* The operational part of the domain model (issue 16): what tells an operator that mail
 * will break before it does. Included by model/job.h, which holds these structs in its
 * hosts, addresses and jobs; like every verdict there, each is computed by a check
 * (checks/) from the observations, and record/ only serialises it.
 *
 *   tlsa_match_t  which TLSA records match which certificate of a chain the address
 *                 presented (observed by scan/probe.c with tls_tlsa_match: pure OpenSSL
 *                 hashing, no verification)
 *   rollover_t    would a change of the server's key or certificate leave a TLSA record
 *                 that still matches (RFC 7671 §8, Internet.nl's rollover check)?
 *                 checks/rollover.c, per MX host
 *   outlook_t     would the chain that address showed still validate (PKIX, DANE) at scan
 *                 time + --horizon days? judged by scan/probe.c with tls_result_outlook
 *                 (OpenSSL's verification at a chosen time), folded by checks/outlook.c
 *   expiry_t      the earliest RRSIG expiration among the RRsets a verdict rests on
 *                 (the DNSSEC stage of scan/, checks/zonekeys.c for the zones' DNSKEYs)
 *   cncs_t        the CNCS recommendation's points a scan can see (checks/cncs.c)
 *
 * Every string below is static or owned by the struct's holder as documented; none needs
 * freeing except where "owned" says so (job_free frees those). */
#ifndef MXS_MODEL_OPS_H
#define MXS_MODEL_OPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* TLSA records considered for rollover and matching: the first TLSA_MATCH_MAX of the
 * RRset in canonical order (a mask bit per record). DANE itself sees them all. */
#define TLSA_MATCH_MAX 64

/* One chain against the host's TLSA RRset. Bit k is record k of host_t.tlsa. */
typedef struct tlsa_match {
  bool have;                       /* computed (a chain and a TLSA set were there) */
  uint64_t leaf;                   /* records whose data matches the leaf (certificate for
                                      selector 0, its SubjectPublicKeyInfo for selector 1),
                                      whatever their usage */
  uint64_t issuer;                 /* records whose data matches a certificate above the
                                      leaf in the chain as sent (depth >= 1) */
  char spki_sha256[65];            /* the leaf's key, to tell "another key" from this one */
} tlsa_match_t;

/* Rollover readiness of one MX host's secure, usable TLSA set. */
enum rollover_state { ROLLOVER_UNSET = 0, ROLLOVER_READY, ROLLOVER_NOT_READY, ROLLOVER_COUNT };
#define ROLLOVER_UNMATCHED_MAX 8
typedef struct rollover {
  enum rollover_state state;       /* UNSET: not judged (no secure usable TLSA, nothing
                                      presented a certificate) */
  char scheme[64];                 /* e.g. "3 1 1 + 2 1 1": the record matching now, then the
                                      one that would survive the change ("" when none) */
  const char *reason;              /* static: why not ready, or what ready rests on */
  /* records that match no certificate any address of the host presented (a pre-published
   * next key, or a stale one): indices into host_t.tlsa */
  uint16_t unmatched[ROLLOVER_UNMATCHED_MAX];
  size_t nunmatched;
} rollover_t;

/* The outlook of one address at the horizon (scan time + --horizon days). */
#define OUTLOOK_REASONS_MAX 4
typedef struct outlook {
  bool have;                       /* judged: the address presented a chain */
  time_t at;                       /* the horizon */
  bool pkix_now, pkix_valid;       /* PKIX (MX name) now, and at the horizon */
  bool dane_applies;               /* DANE applies (then dane_now, dane_valid) */
  bool dane_now, dane_valid;
  time_t breaks;                   /* the first instant a verdict valid now stops being valid
                                      (the earliest not_after that counts), 0: none before
                                      the horizon */
  char reasons[OUTLOOK_REASONS_MAX][128];  /* e.g. "leaf certificate expires 2026-12-07" */
  size_t nreasons;
} outlook_t;

/* The earliest RRSIG expiration among some RRsets, and which RRset it is. */
typedef struct expiry {
  time_t at;                       /* 0: none known (nothing signed, or not learnt) */
  char what[300];                  /* "TLSA _25._tcp.mx.example.pt", "DNSKEY example.pt" */
  bool warn;                       /* at falls before the DNSSEC horizon (scan time +
                                      --horizon-dnssec days): checks/outlook.c */
} expiry_t;

/* A domain's summary.outlook (checks/outlook.c). */
enum outlook_status { OUTLOOK_OK = 0, OUTLOOK_WARN, OUTLOOK_STATUS_COUNT };

/* The CNCS recommendation, one entry per point a scan can see. Stable ids (record
 * strings: record/schema.c schema_cncs_check); the advisory ones (the companions:
 * MTA-STS, TLS-RPT) never fail conformity. docs/conformity.md maps each id to the text. */
enum cncs_check {
  CNCS_STARTTLS,        /* STARTTLS offered and working on every MX address */
  CNCS_TLS_VERSION,     /* no insecure TLS version accepted (TLS profile) */
  CNCS_TLS_CIPHER,      /* no obsolete cipher accepted (full TLS profile) */
  CNCS_CERT_NAME,       /* the certificate names the MX FQDN in a SAN */
  CNCS_CERT_CHAIN,      /* the whole chain is sent */
  CNCS_DNSSEC_DOMAIN,   /* the mail domain is signed (secure) */
  CNCS_DNSSEC_MX,       /* the zones of its MX hosts are signed (secure addresses) */
  CNCS_TLSA,            /* secure TLSA on every MX host */
  CNCS_DANE,            /* DANE valid on every MX address */
  CNCS_TLSA_ROLLOVER,   /* two TLSA records per MX host, rollover-ready */
  CNCS_ADV_MTASTS,      /* advisory: MTA-STS enforce with a valid policy */
  CNCS_ADV_TLSRPT,      /* advisory: TLS-RPT published */
  CNCS_ADV_TESTING_RPT, /* advisory: an MTA-STS policy in testing without TLS-RPT */
  CNCS_CHECK_COUNT
};
#define CNCS_FIRST_ADVISORY CNCS_ADV_MTASTS
enum cncs_result { CNCS_PASS = 0, CNCS_FAIL, CNCS_NOT_TESTED, CNCS_NOT_APPLICABLE,
                   CNCS_RESULT_COUNT };
typedef struct cncs_entry {
  enum cncs_result result;
  char detail[160];                /* what was seen, e.g. "mx2.example.pt: TLSv1 accepted" */
} cncs_entry_t;
typedef struct cncs {
  bool have;                       /* computed (status ok) */
  bool pass;                       /* no non-advisory check failed */
  bool complete;                   /* ... and none was not-tested (e.g. ciphers without
                                      --tls-profile full) */
  cncs_entry_t checks[CNCS_CHECK_COUNT];
} cncs_t;

#endif
