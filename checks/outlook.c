/* The outlook check (issue 16): warn before mail breaks. A CERT wants the operators to
 * tell this week, not today's failures: a verdict that holds now and will not at the
 * horizon (scan time + --horizon days) is the thing to warn about, with the first date it
 * breaks and why.
 *
 * Two sources, both observations computed elsewhere:
 *  - per address, the probe's chain judged again at the horizon (scan/probe.c calls
 *    tls_result_outlook and folds it with outlook_fill below): PKIX breaks when the leaf
 *    or an intermediate expires before then; DANE-EE(3) never breaks on dates (RFC 7672
 *    §3.1.1: OpenSSL ignores them for a leaf match), DANE-TA(2) does through the chain
 *    below the anchor;
 *  - the earliest RRSIG expiration of the RRsets the domain's and each host's DNSSEC
 *    verdicts rest on (job_t.dnssec_expires, host_t.dnssec_expires): a signer that stopped
 *    makes the zone bogus on that date.
 * A verdict already failing now is not an outlook warning (the record says so already);
 * only status-ok domains (has_summary) are judged. */
#include "checks/outlook.h"
#include "checks/check.h"

#include <stdio.h>
#include <string.h>

void outlook_time_str(time_t t, char *out, size_t cap) {
  struct tm tm;
  if (cap) out[0] = 0;
  if (!t || !gmtime_r(&t, &tm)) return;
  if (strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && cap) out[0] = 0;
}

static void add_reason(outlook_t *out, const char *s) {
  for (size_t i = 0; i < out->nreasons; i++)
    if (strcmp(out->reasons[i], s) == 0) return;
  if (out->nreasons < OUTLOOK_REASONS_MAX)
    snprintf(out->reasons[out->nreasons++], sizeof out->reasons[0], "%s", s);
}

/* A verdict valid now that the horizon's verification failed: its expired certificates. */
static void broke(outlook_t *out, const tls_verdict_at_t *v, const char *kind) {
  char buf[sizeof out->reasons[0]];
  if (v->nexpiring == 0) {
    snprintf(buf, sizeof buf, "%s not valid at the horizon: %.90s", kind,
             v->error[0] ? v->error : "verification failed");
    add_reason(out, buf);
    return;
  }
  for (size_t i = 0; i < v->nexpiring && i < TLS_EXPIRING_MAX; i++) {
    const tls_expiring_t *e = &v->expiring[i];
    if (e->not_after && (!out->breaks || e->not_after < out->breaks)) out->breaks = e->not_after;
    char ts[32];
    outlook_time_str(e->not_after, ts, sizeof ts);
    if (e->depth == 0) snprintf(buf, sizeof buf, "leaf certificate expires %s", ts);
    else snprintf(buf, sizeof buf, "%s %.80s expires %s", e->anchor ? "root" : "intermediate",
                  e->subject, ts);
    add_reason(out, buf);
  }
}

void outlook_fill(outlook_t *out, const tls_result_t *t, bool dane_applies,
                  const tls_outlook_t *o) {
  memset(out, 0, sizeof *out);
  out->have = true;
  out->at = o->at;
  out->pkix_now = t->pkix_valid;
  out->pkix_valid = o->pkix.valid;
  out->dane_applies = dane_applies;
  out->dane_now = dane_applies && t->dane_enabled && t->dane_valid;
  out->dane_valid = dane_applies && o->dane_enabled && o->dane.valid;
  if (out->pkix_now && !out->pkix_valid) broke(out, &o->pkix, "PKIX");
  if (out->dane_now && !out->dane_valid) broke(out, &o->dane, "DANE");
}

/* "2026-12-02T08:00:00Z" (admit's scanned_at) as seconds since the epoch, 0 if not. */
static time_t parse_utc(const char *s) {
  int y, mo, d, h, mi, se;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6 || mo < 1 || mo > 12)
    return 0;
  long yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
  long doy = (153L * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return (time_t)days * 86400 + h * 3600 + mi * 60 + se;
}

time_t outlook_horizon(const job_t *j) {
  time_t at = 0;
  for (size_t i = 0; i < j->nhosts; i++)
    for (size_t k = 0; k < j->hosts[i].naddrs; k++) {
      const outlook_t *o = &j->hosts[i].addrs[k].outlook;
      if (o->have && o->at > at) at = o->at;
    }
  if (at || !j->env) return at;
  time_t scanned = parse_utc(j->scanned_at);
  return scanned ? scanned + (time_t)j->env->horizon_days * 86400 : 0;
}

/* Keeps the earliest warning. */
static void warn(job_t *j, time_t when, const char *who, const char *what) {
  if (j->outlook == OUTLOOK_WARN && j->outlook_breaks <= when) return;
  j->outlook = OUTLOOK_WARN;
  j->outlook_breaks = when;
  snprintf(j->outlook_reason, sizeof j->outlook_reason, "%s%s%s", who ? who : "", who ? ": " : "", what);
}

static void warn_rrsig(job_t *j, const expiry_t *e, time_t horizon) {
  if (!e->at || e->at > horizon) return;
  char ts[32], buf[sizeof j->outlook_reason];
  outlook_time_str(e->at, ts, sizeof ts);
  snprintf(buf, sizeof buf, "RRSIG of %.100s expires %s", e->what[0] ? e->what : "an RRset", ts);
  warn(j, e->at, NULL, buf);
}

static void warn_address(job_t *j, const host_t *h, const outlook_t *o) {
  if (!o->have) return;
  bool pkix = o->pkix_now && !o->pkix_valid;
  bool dane = o->dane_applies && o->dane_now && !o->dane_valid;
  if (!pkix && !dane) return;
  const char *what = o->nreasons ? o->reasons[0]
                     : pkix && dane ? "PKIX and DANE not valid at the horizon"
                     : pkix ? "PKIX not valid at the horizon" : "DANE not valid at the horizon";
  warn(j, o->breaks ? o->breaks : o->at, h->name, what);
}

static void outlook_finish(job_t *j) {
  j->outlook = OUTLOOK_OK;
  j->outlook_breaks = 0;
  j->outlook_reason[0] = 0;
  if (!j->has_summary) return;
  time_t horizon = outlook_horizon(j);
  if (horizon) warn_rrsig(j, &j->dnssec_expires, horizon);
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    if (horizon) warn_rrsig(j, &h->dnssec_expires, horizon);
    for (size_t k = 0; k < h->naddrs; k++) warn_address(j, h, &h->addrs[k].outlook);
  }
}

const check_t check_outlook = {"outlook", CHECK_OUTLOOK, NULL, NULL, outlook_finish};
