/* The zone keys check (issue 16): when the domain's DNSSEC signatures stop being valid.
 *
 * The DNSSEC and DANE verdicts of a domain rest on its MX RRset, its MX hosts' A/AAAA
 * RRsets and their TLSA RRsets, and on the DNSKEY sets of the zones that signed them: a
 * zone whose signer stops goes bogus when the first of those signatures expires. The
 * scan stages keep each secure answer's earliest RRSIG expiration and signer (read from
 * the message libunbound validated: net/dns.c); after() asks the DNSKEY RRset of each
 * distinct signer zone (at most ZONEKEYS_MAX per job), whose answers libunbound has in its
 * key and RRset caches from validating those answers, so they normally cost no packet;
 * finish() folds everything into host_t.dnssec_expires and job_t.dnssec_expires with the
 * RRset that expires first ("TLSA _25._tcp.mx.example.pt", "DNSKEY example.pt").
 *
 * Only secure answers count (an insecure RRset has no signature a verdict rests on); the
 * earliest of several RRSIGs over one RRset is taken, which errs early when a zone is
 * signed twice (an algorithm rollover). Ties keep the RRset considered first: MX, then
 * each host's A, AAAA, TLSA, each followed by its zone's DNSKEY. */
#include "checks/check.h"

#include <stdio.h>
#include <string.h>

#define RR_DNSKEY 48

static void zone_add(job_t *j, const dns_sigexp_t *s) {
  if (!s->at || !s->signer[0]) return;
  for (size_t k = 0; k < j->nzonekeys; k++)
    if (strcmp(j->zonekeys[k].zone, s->signer) == 0) return;
  if (j->nzonekeys == ZONEKEYS_MAX) return;
  struct zonekey *z = &j->zonekeys[j->nzonekeys++];
  memset(z, 0, sizeof *z);
  z->job = j;
  memcpy(z->zone, s->signer, sizeof z->zone);
}

static void on_dnskey(void *arg, const dns_answer_t *ans) {
  struct zonekey *z = arg;
  job_t *j = z->job;
  if (ans->dnssec == DNSSEC_SECURE && ans->outcome == DNS_DATA) z->keys = ans->sig;
  if (--j->zonekeys_waiting == 0) check_done(j, CHECK_ZONEKEYS);   /* may free j */
}

static bool zonekeys_after(job_t *j) {
  if (j->status != JOB_OK) return false;
  zone_add(j, &j->mx_sig);
  for (size_t i = 0; i < j->nhosts; i++) {
    zone_add(j, &j->hosts[i].a_sig);
    zone_add(j, &j->hosts[i].aaaa_sig);
    zone_add(j, &j->hosts[i].tlsa_sig);
  }
  /* Callbacks never run inside dns_query: the count cannot reach 0 before the loop ends. */
  for (size_t k = 0; k < j->nzonekeys; k++)
    if (job_query(j, j->zonekeys[k].zone, RR_DNSKEY, on_dnskey, &j->zonekeys[k]) == 0)
      j->zonekeys_waiting++;
  return j->zonekeys_waiting > 0;
}

/* e becomes (at, "TYPE owner") when at is known and earlier than what e holds. */
static void consider(expiry_t *e, time_t at, const char *type, const char *owner) {
  if (!at || (e->at && e->at <= at)) return;
  e->at = at;
  /* An owner of more than ~290 characters (escaped odd labels) is cut: the text is a
   * pointer for a person, the instant is what counts. */
  if (snprintf(e->what, sizeof e->what, "%s %s", type, owner) < 0) e->what[0] = '\0';
}

/* An RRset's signatures, then the DNSKEY set of the zone that made them. */
static void consider_sig(const job_t *j, expiry_t *e, const dns_sigexp_t *s, const char *type,
                         const char *owner) {
  if (!s->at) return;
  consider(e, s->at, type, owner);
  for (size_t k = 0; k < j->nzonekeys; k++)
    if (strcmp(j->zonekeys[k].zone, s->signer) == 0)
      consider(e, j->zonekeys[k].keys.at, "DNSKEY", s->signer);
}

static void zonekeys_finish(job_t *j) {
  j->dnssec_expires = (expiry_t){0};
  if (j->status != JOB_OK) return;
  consider_sig(j, &j->dnssec_expires, &j->mx_sig, "MX", j->cname ? j->cname : j->domain);
  for (size_t i = 0; i < j->nhosts; i++) {
    host_t *h = &j->hosts[i];
    const char *owner = h->cname ? h->cname : h->name;   /* where the address RRsets are */
    h->dnssec_expires = (expiry_t){0};
    consider_sig(j, &h->dnssec_expires, &h->a_sig, "A", owner);
    consider_sig(j, &h->dnssec_expires, &h->aaaa_sig, "AAAA", owner);
    consider_sig(j, &h->dnssec_expires, &h->tlsa_sig, "TLSA", h->tlsa_name);
    const expiry_t *he = &h->dnssec_expires;
    if (he->at && (!j->dnssec_expires.at || he->at < j->dnssec_expires.at)) j->dnssec_expires = *he;
  }
}

const check_t check_zonekeys = {"dnssec_expires", CHECK_ZONEKEYS, NULL, zonekeys_after,
                                zonekeys_finish};
