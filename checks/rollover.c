/* The rollover check (issue 16; RFC 7671 §8, RFC 7672 §4, Internet.nl's rollover test):
 * per MX host with a secure TLSA RRset holding a usable record, would a change of the
 * server's key or certificate leave a record that still matches? Most DANE breakage is a
 * certificate renewed with a new key while the TLSA set stays the same, so a CERT wants
 * to know which hosts are one renewal away from failing.
 *
 * Judged against every certificate every address of the host presented (the probe's
 * chain, addr_t.tlsa_match[0], and the TLS profile's, [1 + i]), from which records match
 * its leaf and which a certificate above it (scan/probe.c, tls_tlsa_match). For one
 * certificate c, among the usable records (the first TLSA_MATCH_MAX):
 *   matching now  usage 3 matching c's leaf, or usage 2 matching a certificate above it;
 *   survivor      a record other than the one matching now that would still match after
 *                 c's key or certificate changes: usage 2 matching c's chain above the
 *                 leaf (the issuing CA), or a record that matches no certificate of any
 *                 address of the host (a pre-published next key, or a stale one: both
 *                 are listed as unmatched). A record matching c's own leaf does not
 *                 survive (3 1 1 + 3 0 1 for one key), nor one matching ANOTHER current
 *                 certificate's leaf (an RSA record does not save an ECDSA key change).
 * c is ready when it has a matching-now record and a survivor; the host when every
 * certificate is. The scheme and reason are those of the first certificate that is not
 * ready, else of the first one. Pure. */
#include "checks/check.h"
#include "checks/dane.h"

#include <stdio.h>
#include <string.h>

typedef struct rset {
  uint64_t usable, u2, u3;         /* the host's usable records, by usage */
  uint64_t published;              /* usable before digest agility: what the operator sees */
  uint64_t unmatched;              /* usable, matching no certificate of the host */
} rset_t;

typedef struct cert_verdict {
  bool ready;
  int now, survivor;               /* record indices, -1: none */
  const char *reason;
} cert_verdict_t;

#define BIT(k) (UINT64_C(1) << (k))

static int bit_lowest(uint64_t m) {
  for (int k = 0; k < 64; k++)
    if (m & BIT(k)) return k;
  return -1;
}

/* Every certificate the host's addresses presented, in order: address by address, the
 * probe's chain then the profile's. */
#define CERT_SLOTS (1 + PROFILE_CERTS_MAX)
#define EACH_MATCH(h, m)                                                   \
  for (size_t ea_ = 0; ea_ < (h)->naddrs; ea_++)                           \
    for (size_t es_ = 0; es_ < CERT_SLOTS; es_++)                          \
      if (((m) = &(h)->addrs[ea_].tlsa_match[es_])->have)

/* Digest agility (RFC 7671 §9), as OpenSSL applies it: where a usage and selector have a
 * usable SHA-512 record, their SHA-256 records are not used (3 1 1 right + 3 1 2 stale is
 * a DANE failure), so they neither match now nor survive. */
static bool hidden_by_agility(const host_t *h, size_t n, size_t k) {
  const tlsa_rec_t *t = &h->tlsa[k];
  if (t->mtype != 1) return false;
  for (size_t i = 0; i < n; i++) {
    const tlsa_rec_t *o = &h->tlsa[i];
    if (o->mtype == 2 && o->usage == t->usage && o->selector == t->selector &&
        !tlsa_unusable_reason(o))
      return true;
  }
  return false;
}

static rset_t rset_of(const host_t *h) {
  rset_t r = {0};
  size_t n = h->ntlsa < TLSA_MATCH_MAX ? h->ntlsa : TLSA_MATCH_MAX;
  for (size_t k = 0; k < n; k++) {
    if (tlsa_unusable_reason(&h->tlsa[k])) continue;
    r.published |= BIT(k);
    if (hidden_by_agility(h, h->ntlsa, k)) continue;
    r.usable |= BIT(k);
    if (h->tlsa[k].usage == 2) r.u2 |= BIT(k);
    else r.u3 |= BIT(k);
  }
  uint64_t matched = 0;
  const tlsa_match_t *m;
  EACH_MATCH(h, m) matched |= m->leaf | m->issuer;
  r.unmatched = r.usable & ~matched;
  return r;
}

/* The record matching now to name: a usage 3 one (the server's own) before a usage 2. */
static int pick_now(const rset_t *r, uint64_t now) {
  return now & r->u3 ? bit_lowest(now & r->u3) : bit_lowest(now);
}

static const char *not_ready_reason(const rset_t *r, const tlsa_match_t *c, uint64_t now) {
  if (!now) return "no record matches the certificate presented";
  if (!(r->published & (r->published - 1))) return "a single TLSA record";
  if (!(r->published & ~c->leaf)) return "every record matches the same key";
  if (r->published & ~r->usable & ~c->leaf)
    return "a SHA-256 record is not used beside a SHA-512 one (digest agility)";
  if (r->usable & ~c->leaf & ~c->issuer & ~r->unmatched)
    return "the other records match another certificate of the host";
  return "no other record would match after a change of the key";
}

static cert_verdict_t judge_cert(const rset_t *r, const tlsa_match_t *c) {
  uint64_t now = r->usable & ((r->u3 & c->leaf) | (r->u2 & c->issuer));
  uint64_t ca = r->u2 & c->issuer & ~c->leaf;
  uint64_t next = r->unmatched & ~c->leaf;
  /* survivors by preference: the issuing CA, a next key, a next CA */
  const uint64_t classes[3] = {ca, next & r->u3, next & r->u2};
  static const char *const why[3] = {"the issuing CA is published",
                                     "the next key is pre-published",
                                     "the next CA is pre-published"};
  for (int i = 0; i < 3; i++)
    for (uint64_t s = classes[i]; s; s &= s - 1) {
      int k = bit_lowest(s);
      uint64_t others = now & ~BIT(k);
      if (others) return (cert_verdict_t){true, pick_now(r, others), k, why[i]};
    }
  return (cert_verdict_t){false, now ? pick_now(r, now) : -1, -1, not_ready_reason(r, c, now)};
}

static void label(const tlsa_rec_t *t, char *out, size_t cap) {
  snprintf(out, cap, "%u %u %u", t->usage, t->selector, t->mtype);
}

static void set_scheme(host_t *h, const cert_verdict_t *v) {
  rollover_t *ro = &h->rollover;
  char a[16] = "", b[16] = "";
  if (v->now >= 0) label(&h->tlsa[v->now], a, sizeof a);
  if (v->survivor >= 0) label(&h->tlsa[v->survivor], b, sizeof b);
  snprintf(ro->scheme, sizeof ro->scheme, "%s%s%s", a, b[0] ? " + " : "", b);
  ro->reason = v->reason;
}

static bool judged(const host_t *h) {
  if (h->tlsa_outcome != DNS_DATA || h->tlsa_dnssec != DNSSEC_SECURE || !dane_usable_any(h))
    return false;
  const tlsa_match_t *m;
  EACH_MATCH(h, m) return true;
  return false;
}

static void judge_host(host_t *h) {
  memset(&h->rollover, 0, sizeof h->rollover);
  if (!judged(h)) return;
  rset_t r = rset_of(h);
  rollover_t *ro = &h->rollover;
  for (uint64_t u = r.unmatched; u && ro->nunmatched < ROLLOVER_UNMATCHED_MAX; u &= u - 1)
    ro->unmatched[ro->nunmatched++] = (uint16_t)bit_lowest(u);
  bool first = true, ready = true;
  const tlsa_match_t *m;
  EACH_MATCH(h, m) {
    cert_verdict_t v = judge_cert(&r, m);
    if (first || (ready && !v.ready)) set_scheme(h, &v);
    first = false;
    ready = ready && v.ready;
  }
  /* Only the first TLSA_MATCH_MAX records were matched: in a larger set the record that
   * authenticates the server (DANE saw them all) may lie beyond, and "not ready" would be
   * a verdict on records never looked at. Such a set is not judged. */
  if (!ready && h->ntlsa > TLSA_MATCH_MAX) {
    memset(ro, 0, sizeof *ro);
    return;
  }
  ro->state = ready ? ROLLOVER_READY : ROLLOVER_NOT_READY;
}

static void rollover_finish(job_t *j) {
  for (size_t i = 0; i < j->nhosts; i++) judge_host(&j->hosts[i]);
}

const check_t check_rollover = {"rollover", CHECK_ROLLOVER, NULL, NULL, rollover_finish};
