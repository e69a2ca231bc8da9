/* --compare, issue 16: why a DANE verdict broke since the previous scan, and MTA-STS
 * policies whose content changed under the same id. A domain's operational observation
 * (struct ops_obs) is a few fingerprints small enough to keep per domain of the previous
 * scan (about 60 bytes more per domain, beside compare.h's state); the classification is a pure function
 * of two of them, unit-tested cause by cause (tests/unit/test_report_ops.c).
 *
 * The fingerprints are order-independent 64-bit hashes of sets (sorted, duplicates
 * dropped), so that the same MX hosts, TLSA records or server keys in another order are
 * the same: only a change of content changes them. */
#ifndef MXS_REPORT_COMPARE_OPS_H
#define MXS_REPORT_COMPARE_OPS_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

struct ops_obs {
  int have;              /* filled from a record (status ok) */
  int dane_valid;        /* summary.dane is valid */
  int dane_inconclusive; /* summary.dane is inconclusive: no observation of the deployment */
  int valid_addrs;       /* addresses whose dane.status is valid */
  int failing_addrs;     /* addresses whose dane.status says DANE fails (mismatch, unusable,
                            no-starttls, tlsa-bogus); not dns-error, no-tlsa, inconclusive */
  uint64_t hosts_fp;     /* the MX host names */
  uint64_t tlsa_fp;      /* every host's TLSA records: host, usage, selector, type, data */
  uint64_t spki_fp;      /* the keys (smtp.tls.cert.spki_sha256) the addresses presented */
  int tlsa_hosts;        /* MX hosts with TLSA records (mx[].tlsa.result records) */
  int spki_known;        /* some address presented a key */
  int dnssec_broken;     /* bogus somewhere (the record, an MX host, a TLSA set), or an RRSIG
                            expiry (dnssec_expires) at or before scanned_at */
  char sts_id[65];       /* mta_sts.id ("" when none) */
  char sts_sha[65];      /* mta_sts.policy_sha256 ("" when none) */
};

/* The causes of a broken DANE verdict, in the order they are tested (the first that
 * holds is the cause); figure "changes.<key>". */
enum dane_cause {
  DANE_CAUSE_DNSSEC,        /* DNSSEC broke: bogus, or signatures expired */
  DANE_CAUSE_MX_MOVED,      /* the MX host set changed and no host has TLSA now */
  DANE_CAUSE_KEY_CHANGED,   /* the server's key changed, the TLSA set did not: the rollover
                               failure */
  DANE_CAUSE_TLSA_CHANGED,  /* the TLSA set changed and matches nothing presented */
  DANE_CAUSE_OTHER,         /* none of these: same keys, same TLSA (e.g. a new address) */
  DANE_CAUSE_COUNT
};
/* The change kind's key and title of a cause are compare.h's change_kind_key/_title at
 * CHG_DANE_CAUSE + cause; the words of its transition: */
extern const char *const dane_cause_text[DANE_CAUSE_COUNT];  /* the transition's words */

/* The observation of one record; scanned is its scanned_at (-1 unknown). */
void ops_obs_of(json_object *rec, time_t scanned, struct ops_obs *o);
/* Text form for the previous scan's map (no '\x1f', '\x1e'); at most OPS_OBS_MAX bytes. */
#define OPS_OBS_MAX 320   /* 11 numbers, 3 x 16 hex digits, 2 x 64 bytes, spaces */
void ops_obs_str(const struct ops_obs *o, char *buf, size_t cap);
/* 0, or -1 when s is no ops_obs_str (o is then zeroed: have 0). */
int ops_obs_parse(const char *s, struct ops_obs *o);

/* Whether DANE broke between the two observations: summary.dane went from valid to
 * neither valid nor inconclusive, or a domain with a DANE-valid address before has more
 * addresses failing DANE now (and is not inconclusive). */
bool compare_dane_broke(const struct ops_obs *was, const struct ops_obs *now);
/* The cause of a break (compare_dane_broke true). */
enum dane_cause compare_dane_cause(const struct ops_obs *was, const struct ops_obs *now);
/* The MTA-STS policy's content changed while its id stayed: senders that cached the old
 * policy keep it (RFC 8461 §3.3 refetches only on a new id). Both scans fetched a body. */
bool compare_sts_same_id(const struct ops_obs *was, const struct ops_obs *now);

/* The order-independent fingerprint of n item hashes (sorted in place, duplicates
 * dropped); 0 for none. Exported for the unit test. */
uint64_t ops_set_fp(uint64_t *h, size_t n);
uint64_t ops_hash(const char *s, size_t n, uint64_t seed);

#endif
