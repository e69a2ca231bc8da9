/* The TLS profile's counters (--tls-profile, issue 15): what addresses[].tls_profile and
 * summary.tls_grade say, for stats.c. Its own file because the profile has a dozen facts of
 * its own (versions, mode, grade, cipher classes, key exchange, renegotiation, every
 * certificate and its DANE state) and stats.c would pass its size limit with them.
 *
 * An address is counted once however many domains it serves (as every per-address figure):
 * stats.c keeps one fact string per IP (stats.h, addrs) whose profile part profile_fact
 * writes and profile_finish counts. A domain's figures are counted from its own record
 * (profile_domain, profile_domain_count). */
#ifndef MXS_REPORT_STATS_PROFILE_H
#define MXS_REPORT_STATS_PROFILE_H

#include "report/table.h"

#include <json-c/json.h>
#include <stddef.h>

/* A profile's fact string: at most this long, and never a '\x1f' (stats.c's separator). */
#define PROFILE_FACT_MAX 900
/* "tls_profile.dhe.X" of a full profile whose server accepted no DHE suite (kex.dhe.bits 0):
 * the report's own word, as the record has no class for it. */
#define PROFILE_DHE_NONE "none"
/* "tls_profile.dane_match.X": of the certificates DANE was judged for at one address, all,
 * some or none valid ("some": the address fails some DANE senders, those that happen to
 * ask for the certificate that does not match). */
enum dane_match { DANE_MATCH_ALL, DANE_MATCH_SOME, DANE_MATCH_NONE, DANE_MATCH_COUNT };
extern const char *const stats_dane_match[DANE_MATCH_COUNT];

/* What one domain's profiled addresses tell, summed over its addresses. */
struct profile_acc {
  unsigned accepts;   /* bit v: some address accepts profile_version v */
  unsigned classes;   /* bit c: some full-mode address accepts a suite of tls_class c */
  int full;           /* some address was profiled in full mode */
  int dane;           /* DANE was judged for some certificate of some address */
  int dane_some;      /* some address has DANE-valid and not DANE-valid certificates */
};

/* The profile part of an address's fact string; "-" without a profile (tp NULL or without
 * versions). */
void profile_fact(json_object *tp, char *out, size_t cap);
/* Adds one address's profile (tp may be NULL) to its domain's accumulator. */
void profile_domain(json_object *tp, struct profile_acc *d);
/* What the operator table counts of one address's profile (tp may be NULL): PF_* bits. */
enum { PF_PROFILED = 1, PF_LEGACY = 2, PF_INSUFFICIENT = 4 };
int profile_flags(json_object *tp);
/* The domain figures, for a domain whose summary says it was profiled. */
void profile_domain_count(struct rtable *counts, json_object *sum, const struct profile_acc *d);
/* The address figures of one unique address's profile fact (profile_fact's string). */
void profile_finish(struct rtable *counts, const char *fact);

#endif
