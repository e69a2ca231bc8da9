/* The record's "smtp" object (and the "tls" object inside it) from a probe's result.
 *
 * Serialisation lives in record/, not beside the probe: tls/ and smtp/ observe and judge,
 * and know nothing of JSON; the record layer knows the record's shape and depends on them,
 * never the other way round (tests/layout/check_layout.py holds that rule). These
 * functions only serialise what the result holds: what to write is decided by the result's
 * fields; the probe's enums (connect, starttls, error stage) are spelt by record/schema.c,
 * and the one value made up here is a missing error reason, written as "error". */
#ifndef MXS_RECORD_WRITE_PROBE_H
#define MXS_RECORD_WRITE_PROBE_H
#include "model/job.h"
#include "record/json.h"
#include "smtp/smtp_probe.h"
#include "smtp/profile.h"
#include "tls/tls_client.h"

/* Writes the record's "smtp" object under key: connect (and connect_ms when "ok"),
 * banner, banner_code, ehlo_code, starttls, starttls_reply, injected_bytes, tls,
 * ehlo_tls_code, starttls_again, shared, inferred, inferred_from, error {stage, reason},
 * attempts and retry_reasons (when retried); absent fields are left out. */
void write_smtp_result(jw_t *w, const char *key, const smtp_result_t *r);

/* Writes the record's "tls" object under key: {version, cipher, group, chain_len, cert:
 * {subject, issuer, san:[], san_truncated, not_before, not_after, key_type, key_bits,
 * curve, sig_alg, sha256, spki_sha256, self_signed}, pkix: {valid, error}}. The DANE
 * verdict is not here: the record writes it with the domain's TLSA view. */
void write_tls_result(jw_t *w, const char *key, const tls_result_t *r);

/* Writes the record's "tls_profile" object under key when r->done: versions {SSLv3 ...
 * TLSv1.3: accepted | refused | error} (untested ones left out), reasons {version: why}
 * for the refused and failed ones, suites {version: IANA name} for the accepted ones,
 * the full mode's ciphers {class: {accepted, suites, complete}}, server_order, kex {dhe:
 * {bits, class}, ecdhe: [group]}, the verdict g (NULL or not graded: none) as grade and
 * findings [{check, level, detail}], partial (why the profile stopped early), connections,
 * shared. */
void write_profile_result(jw_t *w, const char *key, const profile_result_t *r,
                          const tls_grade_t *g);

#endif
