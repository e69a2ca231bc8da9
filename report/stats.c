/* From one scan record to counters. Every figure key is "section.name[.value]"; the
 * renderers pick them up by prefix (figures.c).
 *
 * The record's keys (RK_*) and the enum strings a record field is compared with
 * (dane_status_name(DANE_VALID), ...) come from record/schema.h, the table the record
 * writer uses: the report has no list of its own. Strings compared here that are not ours
 * come from OpenSSL (protocol and group names, certificate error texts). */
#include "report/stats.h"
#include "report/compare.h"
#include "report/compare_ops.h"
#include "report/jsonget.h"
#include "report/stats_profile.h"
#include "record/schema.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define C1(k) rt_add3(&s->counts, 1, k, NULL, NULL)
#define C2(a, b) rt_add3(&s->counts, 1, a, b, NULL)

static int jbool(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static int64_t jint(json_object *o, const char *key, int64_t dflt) {
  json_object *v = jget(o, key);
  return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : dflt;
}

static size_t jlen(json_object *a) {
  return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

const char *const stats_tlsa_mx[TLSA_MX_COUNT] = {
  [TLSA_MX_ALL] = "all", [TLSA_MX_SOME] = "some", [TLSA_MX_NONE] = "none",
};

/* A value used inside a figure key: bounded, printable, no separators. */
static const char *keyval(const char *v, char *buf, size_t cap) {
  if (!v || !*v) return "(none)";
  size_t i = 0;
  for (; v[i] && i + 1 < cap && i < 80; i++) {
    unsigned char c = (unsigned char)v[i];
    buf[i] = (c < 0x20 || c == 0x7f || c == 0x1f) ? '?' : (char)c;
  }
  buf[i] = '\0';
  return buf;
}

/* TLS versions (OpenSSL's protocol names) from weakest to strongest; unknown strings
 * rank below all. */
static int tls_rank(const char *v) {
  static const char *const order[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  for (int i = 0; i < 5; i++)
    if (eq(v, order[i])) return i + 1;
  return 0;
}

const char *mx_operator(const psl_ctx_t *psl, const char *host, char *buf, size_t cap) {
  size_t n = strlen(host);
  if (n >= cap) n = cap - 1;
  for (size_t i = 0; i < n; i++) buf[i] = (char)tolower((unsigned char)host[i]);
  buf[n] = '\0';
  if (n > 1 && buf[n - 1] == '.') buf[n - 1] = '\0';
  const char *reg = psl ? psl_registrable_domain(psl, buf) : NULL;
  return reg ? reg : buf;
}

_Static_assert(OP_COLS <= RT_NVALS_MAX, "the operator table's counters fit an rtable entry");

void stats_init(struct stats *s) {
  memset(s, 0, sizeof *s);
  rt_init(&s->counts);
  rt_init(&s->hosts);
  rt_init(&s->addrs);
  rt_init_n(&s->ops, OP_COLS);
  rt_init(&s->changes);
  ops_stats_init(&s->ops16);
}

void stats_free(struct stats *s) {
  rt_free(&s->counts);
  rt_free(&s->hosts);
  rt_free(&s->addrs);
  rt_free(&s->ops);
  rt_free(&s->changes);
  ops_stats_free(&s->ops16);
}

static void scan_time(struct stats *s, const char *t) {
  if (!t || strlen(t) >= sizeof s->first_scan) return;
  if (!s->first_scan[0] || strcmp(t, s->first_scan) < 0) strcpy(s->first_scan, t);
  if (strcmp(t, s->last_scan) > 0) strcpy(s->last_scan, t);
}

/* What one MX host tells about itself, stored once per unique host name. */
static void host_fact(struct stats *s, json_object *mx, const char *host) {
  json_object *tlsa = jget(mx, RK_TLSA);
  const char *res = jstr(tlsa, RK_RESULT), *tdnssec = jstr(tlsa, RK_DNSSEC);
  /* The host's TLSA state is named by the record's own strings: its DNSSEC state, the
   * "error" outcome, or HOST_TLSA_NONE (figures.c lists them in this order). */
  const char *bogus = dnssec_state_name(DNSSEC_BOGUS), *error = dns_outcome_name(DNS_ERROR);
  const char *secure = dnssec_state_name(DNSSEC_SECURE);
  const char *state = HOST_TLSA_NONE;
  if (eq(tdnssec, bogus)) state = bogus;
  else if (eq(res, error)) state = error;
  else if (eq(res, dns_outcome_name(DNS_DATA)))
    state = eq(tdnssec, secure) ? secure : dnssec_state_name(DNSSEC_INSECURE);
  char buf[512], v[96];
  int n = snprintf(buf, sizeof buf, "%s|%s|", keyval(jstr(mx, RK_DNSSEC), v, sizeof v), state);
  json_object *recs = jget(tlsa, RK_RECORDS);
  for (size_t i = 0; i < jlen(recs) && n < (int)sizeof buf - 16; i++) {
    json_object *r = json_object_array_get_idx(recs, i);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%d %d %d", i ? "," : "",
                  (int)jint(r, RK_USAGE, -1), (int)jint(r, RK_SELECTOR, -1),
                  (int)jint(r, RK_MTYPE, -1));
  }
  rt_keep_max(rt_get(&s->hosts, host, strlen(host)), buf);
}

struct domain_acc {
  int tls_addrs, fs_addrs, pkix_ok, expired, selfsigned, wrongname, expiring;
  int worst_rank;
  char worst_cipher[96];
  struct profile_acc prof;   /* --tls-profile: its profiled addresses */
};

/* An address's SMTP outcome (smtp.outcome). A record written before the outcome existed
 * has none: its address engaged when it has smtp.starttls (EHLO was answered, the rule of
 * smtp_outcome_of), else it is ADDR_OUTCOME_UNKNOWN; refused and lost cannot be told apart
 * from unreachable without it. Returns the enum value, or -1 for a value the report does
 * not know (then *name is that value, as a key part) and for unknown. */
static int outcome_of(json_object *smtp, const char **name, char *buf, size_t cap) {
  const char *o = jstr(smtp, RK_OUTCOME);
  if (!o) {
    int engaged = jstr(smtp, RK_STARTTLS) != NULL;
    *name = engaged ? smtp_outcome_name(SMTP_OUTCOME_ENGAGED) : ADDR_OUTCOME_UNKNOWN;
    return engaged ? SMTP_OUTCOME_ENGAGED : -1;
  }
  for (int i = 0; i < SMTP_OUTCOME_COUNT; i++)
    if (eq(o, smtp_outcome_name((enum smtp_outcome)i))) {
      *name = smtp_outcome_name((enum smtp_outcome)i);
      return i;
    }
  *name = keyval(o, buf, cap);
  return -1;
}

/* The rank of an outcome in an address's fact string: when one address shows different
 * outcomes in different records, the observation kept (rt_keep_max) is the one that got
 * furthest in the dialogue, so an address that engaged anywhere counts as engaged. */
static char outcome_rank(int outcome) {
  static const char rank[SMTP_OUTCOME_COUNT] = {
    [SMTP_OUTCOME_NOT_ATTEMPTED] = '1', [SMTP_OUTCOME_UNREACHABLE] = '2',
    [SMTP_OUTCOME_LOST] = '3', [SMTP_OUTCOME_REFUSED] = '4', [SMTP_OUTCOME_ENGAGED] = '5'};
  return outcome >= 0 && outcome < SMTP_OUTCOME_COUNT ? rank[outcome] : '0';
}

/* One MX address: its DANE status, its TLS facts into the domain's accumulator, and its
 * fact string (outcome, then TLS) into the unique-address set. Returns its outcome
 * (outcome_of). */
static int address(struct stats *s, json_object *a, time_t scanned, struct domain_acc *d) {
  const char *ip = jstr(a, RK_IP);
  json_object *smtp = jget(a, RK_SMTP), *tls = jget(smtp, RK_TLS);
  char v[96], fact[400], ob[96];
  json_object *dane = jget(a, RK_DANE);
  if (dane) {
    C1("dane.addresses");
    C2("dane.address.", keyval(jstr(dane, RK_STATUS), v, sizeof v));
  }
  const char *oname;
  int outcome = outcome_of(smtp, &oname, ob, sizeof ob);
  strcpy(fact, "-");
  if (tls) {
    const char *ver = jstr(tls, RK_VERSION), *cipher = jstr(tls, RK_CIPHER);
    const char *group = jstr(tls, RK_GROUP);
    json_object *cert = jget(tls, RK_CERT), *pkix = jget(tls, RK_PKIX);
    /* Static RSA key transport is the one exchange without forward secrecy; TLS 1.3 has
     * none of it. A missing group is unknown, not counted as forward-secret. */
    int fs = (group && !eq(group, "RSA")) || eq(ver, "TLSv1.3");
    d->tls_addrs++;
    d->fs_addrs += fs;
    int r = tls_rank(ver);
    char cb[96];
    keyval(cipher, cb, sizeof cb);
    if (d->tls_addrs == 1 || r < d->worst_rank ||
        (r == d->worst_rank && strcmp(cb, d->worst_cipher) < 0)) {
      d->worst_rank = r;
      snprintf(d->worst_cipher, sizeof d->worst_cipher, "%s", cb);
    }
    const char *err = jstr(pkix, RK_ERROR);
    time_t na = jtime_str(jstr(cert, RK_NOT_AFTER));
    int expired = (err && strstr(err, "expired")) || (na >= 0 && scanned >= 0 && na < scanned);
    if (jbool(pkix, RK_VALID)) d->pkix_ok++;
    if (expired) d->expired++;
    else if (na >= 0 && scanned >= 0 && na - scanned <= 30 * 86400) d->expiring++;
    if (jbool(cert, RK_SELF_SIGNED)) d->selfsigned++;
    if (err && strstr(err, "hostname mismatch")) d->wrongname++;
    /* The key type gets its own 32-byte buffer (31 characters kept, as always), so that
     * the compiler sees the bound: "%s-%d" then needs at most 31 + 1 + 11 + 1 bytes. */
    char kb[64], ktb[32];
    const char *kt = jstr(cert, RK_KEY_TYPE);
    snprintf(kb, sizeof kb, "%s-%d", kt ? keyval(kt, ktb, sizeof ktb) : "?",
             (int)jint(cert, RK_KEY_BITS, 0));
    char vb[32];
    snprintf(fact, sizeof fact, "%s\x1f%s\x1f%s\x1f%s", keyval(ver, vb, sizeof vb), cb,
             fs ? "fs" : "nofs", cert ? kb : "(no certificate)");
  }
  json_object *tp = jget(a, RK_TLS_PROFILE);
  profile_domain(tp, &d->prof);
  if (ip) {
    char full[PROFILE_FACT_MAX + 512], prof[PROFILE_FACT_MAX];
    profile_fact(tp, prof, sizeof prof);
    snprintf(full, sizeof full, "%c%s\x1f%s\x1f%s", outcome_rank(outcome), oname, prof, fact);
    rt_keep_max(rt_get(&s->addrs, ip, strlen(ip)), full);
  }
  return outcome;
}

static void mta_sts(struct stats *s, json_object *m) {
  char v[96];
  const char *st = jstr(m, RK_STATUS);
  C1("mta_sts.domains");
  C2("mta_sts.status.", keyval(st, v, sizeof v));
  if (st && !eq(st, sts_status_name(STS_NONE)) && !eq(st, sts_status_name(STS_DNS_ERROR)))
    C1("mta_sts.txt_present");
  if (eq(st, sts_status_name(STS_VALID))) {
    C2("mta_sts.mode.", keyval(jstr(m, RK_MODE), v, sizeof v));
    json_object *hosts = jget(m, RK_HOSTS);
    int mismatch = 0;
    for (size_t i = 0; i < jlen(hosts); i++)
      if (!jbool(json_object_array_get_idx(hosts, i), RK_POLICY_MATCH)) mismatch = 1;
    if (mismatch) C1("mta_sts.mx_mismatch");
  } else if (eq(st, sts_status_name(STS_FETCH_ERROR)) ||
             eq(st, sts_status_name(STS_POLICY_INVALID)) ||
             eq(st, sts_status_name(STS_TXT_INVALID))) {
    /* The kind of error: the reason without the URL prefix libcurl puts in front, and
     * without quoted values (a Content-Type, a host name), so that alike errors add up. */
    const char *r = jstr(m, RK_REASON);
    char kind[128];
    size_t k = 0;
    if (r && strncmp(r, "https://", 8) == 0 && strstr(r, ": ")) r = strstr(r, ": ") + 2;
    for (int quoted = 0; r && *r && k + 2 < sizeof kind && k < 90; r++) {
      if (*r == '\'') {
        if (!quoted) kind[k++] = '*';
        quoted = !quoted;
        continue;
      }
      if (!quoted) kind[k++] = (*r == '.' || (unsigned char)*r < 0x20) ? ' ' : *r;
    }
    kind[k] = '\0';
    char full[200];
    snprintf(full, sizeof full, "%s: %s", st, k ? kind : "(no reason)");
    C2("mta_sts.error.", full);
  }
}

static void sender(struct stats *s, json_object *snd) {
  static const char *const act_key[POL_COUNT] = {
    [POL_DANE] = "sender.dane.action.", [POL_STS] = "sender.mta_sts.action."};
  static const char *const rt_key[POL_COUNT] = {
    [POL_DANE] = "sender.dane.result_type.", [POL_STS] = "sender.mta_sts.result_type."};
  static const char *const defer_key[POL_COUNT] = {
    [POL_DANE] = "sender.dane.defer_reason.", [POL_STS] = "sender.mta_sts.defer_reason."};
  char v[96], w[96];
  C1("sender.domains");
  for (int i = 0; i < POL_COUNT; i++) {
    json_object *k = jget(snd, policy_name((enum policy_kind)i));
    const char *act = jstr(k, RK_ACTION), *rt = jstr(k, RK_RESULT_TYPE);
    C2(act_key[i], keyval(act, v, sizeof v));
    if (rt) C2(rt_key[i], keyval(rt, v, sizeof v));
    if (eq(act, action_name(ACT_DEFER)))
      C2(defer_key[i], rt ? keyval(rt, w, sizeof w) : "no MX host answered");
  }
}

/* The three parts of a comparable state (compare_state), in place; "-" for a part
 * missing. */
static void state_parts(char *st, char *part[3]) {
  for (int i = 0; i < 3; i++) {
    part[i] = st && *st ? st : "-";
    st = st ? strchr(st, '\x1f') : NULL;
    if (st) *st++ = '\0';
  }
}

/* Issue 16's changes (compare_ops.h): the cause of a DANE break, an MTA-STS policy changed
 * under its id. was_ops is the previous scan's observation (NULL: none). */
static void change_row(struct stats *s, const char *dom, int kind, const char *val) {
  const char *k = change_kind_key[kind];
  char key[400];
  int n = snprintf(key, sizeof key, "%s\x1f%s", k, dom);
  rt_keep_max(rt_get(&s->changes, key, n < (int)sizeof key ? (size_t)n : sizeof key - 1), val);
  C2("changes.", k);
}

static void ops_changes(struct stats *s, json_object *rec, time_t scanned, const char *dom,
                        const char *was_ops, const char *was_dane, const char *now_dane) {
  struct ops_obs was, now;
  if (!was_ops || ops_obs_parse(was_ops, &was) < 0) return;
  ops_obs_of(rec, scanned, &now);
  char val[300];
  if (compare_dane_broke(&was, &now)) {
    enum dane_cause c = compare_dane_cause(&was, &now);
    snprintf(val, sizeof val, "%s -> %s: %s", was_dane, now_dane, dane_cause_text[c]);
    change_row(s, dom, CHG_DANE_CAUSE + (int)c, val);
  }
  if (compare_sts_same_id(&was, &now)) {
    snprintf(val, sizeof val, "id %.64s: policy sha256 %.12s... -> %.12s...", now.sts_id,
             was.sts_sha, now.sts_sha);
    change_row(s, dom, CHG_STS_SAME_ID, val);
  }
}

static void changes(struct stats *s, json_object *rec, time_t scanned,
                    const struct prevscan *prev) {
  const char *dom = jstr(rec, RK_DOMAIN);
  if (!dom) return;
  char now[COMPARE_STATE_MAX], was[COMPARE_STATE_MAX + OPS_OBS_MAX + 2] = "-\x1f-\x1f-";
  compare_state(rec, now, sizeof now);
  struct rt_entry *e = rt_find(&prev->map, dom);
  if (e) {
    __atomic_store_n(&e->v[1], 1, __ATOMIC_RELAXED);
    if (e->str) snprintf(was, sizeof was, "%s", e->str);
  } else {
    C1("changes.domains_new");
  }
  char *was_ops = strchr(was, COMPARE_OPS_SEP);
  if (was_ops) *was_ops++ = '\0';
  char *np[3], *wp[3];
  state_parts(now, np);
  state_parts(was, wp);
  /* What counts as a change (an inconclusive DANE state is none of adopted or broken; no
   * grade is no observation): compare.c. */
  int kind[3] = {compare_dane_change(wp[0], np[0]), compare_sts_change(wp[1], np[1]),
                 compare_grade_change(wp[2], np[2])};
  for (int i = 0; i < 3; i++) {
    if (kind[i] < 0) continue;
    char val[2 * COMPARE_STATE_MAX];
    snprintf(val, sizeof val, "%s -> %s", wp[i], np[i]);
    change_row(s, dom, kind[i], val);
  }
  ops_changes(s, rec, scanned, dom, was_ops, wp[0], np[0]);
}

void stats_add_record(struct stats *s, json_object *rec, const psl_ctx_t *psl,
                      const struct prevscan *prev) {
  char v[96];
  const char *status = jstr(rec, RK_STATUS);
  const char *scanned_at = jstr(rec, RK_SCANNED_AT);
  time_t scanned = jtime_str(scanned_at);
  scan_time(s, scanned_at);
  C1("population.records");
  C2("population.status.", keyval(status, v, sizeof v));
  const char *dnssec = jstr(rec, RK_DNSSEC);
  if (dnssec) {
    C1("dnssec.domains");
    C2("dnssec.domain.", keyval(dnssec, v, sizeof v));
  }
  if (jget(rec, RK_SENDER)) sender(s, jget(rec, RK_SENDER));
  if (prev) changes(s, rec, scanned, prev);
  if (!eq(status, job_status_name(JOB_OK))) return;

  C1("population.ok");
  json_object *sum = jget(rec, RK_SUMMARY);
  const char *starttls = jstr(sum, RK_STARTTLS), *dane = jstr(sum, RK_DANE);
  /* Some MX address engaged (EHLO answered): summary.starttls is counted over those
   * addresses (all, some, none). Otherwise (refused, unreachable, or a summary without it)
   * nothing is known of the domain's STARTTLS, nor whether a DANE it publishes works: its
   * figures are kept apart, so that the adoption shares are over domains that said
   * something. */
  int engaged = eq(starttls, sum_starttls_name(SUM_TLS_ALL)) ||
                eq(starttls, sum_starttls_name(SUM_TLS_SOME)) ||
                eq(starttls, sum_starttls_name(SUM_TLS_NONE));
  if (engaged) C1("population.receives_mail");
  C2(engaged ? "transport.starttls." : "transport.no_engaged.", keyval(starttls, v, sizeof v));
  C2(engaged ? "dane.summary." : "dane.no_engaged.", keyval(dane, v, sizeof v));
  if (jint(sum, RK_INCONCLUSIVE, 0) > 0) C1("transport.some_inconclusive");

  json_object *mxs = jget(rec, RK_MX);
  size_t nmx = jlen(mxs);
  int tlsa_hosts = 0;
  struct domain_acc d;
  memset(&d, 0, sizeof d);
  char ops[16][256];
  int nops = 0, refused[16] = {0}, lost[16] = {0}, pflags[16] = {0};
  for (size_t i = 0; i < nmx; i++) {
    json_object *mx = json_object_array_get_idx(mxs, i);
    const char *host = jstr(mx, RK_HOST);
    if (!host) continue;
    host_fact(s, mx, host);
    ops_stats_host(&s->ops16, mx, host);
    json_object *tlsa = jget(mx, RK_TLSA);
    if (eq(jstr(tlsa, RK_RESULT), dns_outcome_name(DNS_DATA)) &&
        eq(jstr(tlsa, RK_DNSSEC), dnssec_state_name(DNSSEC_SECURE)))
      tlsa_hosts++;
    char ob[256];
    const char *op = mx_operator(psl, host, ob, sizeof ob);
    int k = 0;
    while (k < nops && strcmp(ops[k], op) != 0) k++;
    if (k == nops && nops < 16) snprintf(ops[nops++], sizeof ops[0], "%s", op);
    json_object *addrs = jget(mx, RK_ADDRESSES);
    for (size_t j = 0; j < jlen(addrs); j++) {
      json_object *a = json_object_array_get_idx(addrs, j);
      int o = address(s, a, scanned, &d);
      if (k < nops) {   /* this operator's host refused or lost us; its profiles */
        refused[k] |= o == SMTP_OUTCOME_REFUSED;
        lost[k] |= o == SMTP_OUTCOME_LOST;
        pflags[k] |= profile_flags(jget(a, RK_TLS_PROFILE));
      }
    }
  }
  ops_stats_add(&s->ops16, &s->counts, rec, scanned, ops, nops);
  C2("dane.tlsa_mx.", stats_tlsa_mx[tlsa_hosts == 0              ? TLSA_MX_NONE
                                     : (size_t)tlsa_hosts == nmx ? TLSA_MX_ALL
                                                                 : TLSA_MX_SOME]);

  json_object *legacy = jget(sum, RK_LEGACY_TLS);
  if (legacy) {                       /* --tls-profile made a profile for some address */
    C1("tls_profile.domains");
    if (json_object_get_boolean(legacy)) C1("tls_profile.legacy_domains");
    profile_domain_count(&s->counts, sum, &d.prof);
  }
  if (d.tls_addrs) {
    C1("transport.domains_tls");
    C2("transport.domain_tls_worst.", keyval(jstr(sum, RK_TLS_WORST), v, sizeof v));
    C2("transport.domain_cipher.", d.worst_cipher);
    if (d.fs_addrs == d.tls_addrs) C1("transport.domain_fs_all");
    C1("certs.domains_tls");
    if (d.pkix_ok == d.tls_addrs) C1("certs.pkix_valid_all");
    if (d.expired) C1("certs.expired");
    if (d.expiring) C1("certs.expiring_30d");
    if (d.selfsigned) C1("certs.self_signed");
    if (d.wrongname) C1("certs.wrong_name");
  }

  json_object *sts = jget(rec, RK_MTA_STS);
  const char *sts_status = jstr(sts, RK_STATUS);
  if (sts) mta_sts(s, sts);
  json_object *rpt = jget(rec, RK_TLS_RPT);
  if (rpt) {
    C1("tls_rpt.domains");
    C2("tls_rpt.status.", keyval(jstr(rpt, RK_STATUS), v, sizeof v));
  }

  int tls_all = eq(starttls, sum_starttls_name(SUM_TLS_ALL));
  int dane_valid = eq(dane, sum_dane_name(SUM_DANE_VALID));
  int sts_valid = eq(sts_status, sts_status_name(STS_VALID));
  int sts_enforce = sts_valid && eq(jstr(sts, RK_MODE), sts_mode_name(MTASTS_MODE_ENFORCE));
  for (int k = 0; k < nops; k++) {
    struct rt_entry *e = rt_get(&s->ops, ops[k], strlen(ops[k]));
    e->v[OP_DOMAINS]++;
    e->v[OP_ENGAGED] += engaged;
    e->v[OP_TLS_ALL] += tls_all;
    e->v[OP_DANE_VALID] += dane_valid;
    e->v[OP_STS_VALID] += sts_valid;
    e->v[OP_STS_ENFORCE] += sts_enforce;
    e->v[OP_REFUSED] += refused[k];
    e->v[OP_LOST] += lost[k];
    e->v[OP_PROFILED] += (pflags[k] & PF_PROFILED) != 0;
    e->v[OP_LEGACY] += (pflags[k] & PF_LEGACY) != 0;
    e->v[OP_INSUFFICIENT] += (pflags[k] & PF_INSUFFICIENT) != 0;
  }
}

struct merge_job {
  struct rtable *dst, *src;
};

static void *merge_thread(void *arg) {
  struct merge_job *j = arg;
  rt_merge(j->dst, j->src);
  return NULL;
}

void stats_merge(struct stats *dst, struct stats *src) {
  /* The MX host set is as big as the rest together (a million names in a national scan):
   * it is merged on a second thread while this one merges the others. */
  struct merge_job hosts = {&dst->hosts, &src->hosts};
  pthread_t th;
  int threaded = pthread_create(&th, NULL, merge_thread, &hosts) == 0;
  if (!threaded) merge_thread(&hosts);
  rt_merge(&dst->counts, &src->counts);
  rt_merge(&dst->addrs, &src->addrs);
  rt_merge(&dst->ops, &src->ops);
  rt_merge(&dst->changes, &src->changes);
  ops_stats_merge(&dst->ops16, &src->ops16);
  if (threaded) pthread_join(th, NULL);
  if (src->first_scan[0]) scan_time(dst, src->first_scan);
  if (src->last_scan[0]) scan_time(dst, src->last_scan);
}

void stats_finish(struct stats *s) {
  ops_stats_finish(&s->ops16, &s->counts);
  size_t pos = 0;
  for (struct rt_entry *e; (e = rt_next(&s->hosts, &pos));) {
    C1("population.mx_hosts_unique");
    char buf[512];
    snprintf(buf, sizeof buf, "%s", e->str ? e->str : "||");
    char *state = strchr(buf, '|');
    if (!state) continue;
    *state++ = '\0';
    char *combos = strchr(state, '|');
    if (!combos) continue;
    *combos++ = '\0';
    C2("dnssec.mx_host.", *buf ? buf : "(none)");
    C2("dane.host_tlsa.", state);
    if (strcmp(state, dnssec_state_name(DNSSEC_SECURE)) != 0) continue;
    char *save = NULL;
    for (char *c = strtok_r(combos, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
      C1("dane.tlsa_records");
      C2("dane.tlsa_combo.", c);
    }
  }
  pos = 0;
  for (struct rt_entry *e; (e = rt_next(&s->addrs, &pos));) {
    C1("population.addresses_unique");
    /* "<rank><outcome>\x1f<profile or ->\x1f<TLS facts or ->" (address()) */
    char buf[PROFILE_FACT_MAX + 512];
    snprintf(buf, sizeof buf, "%s", e->str ? e->str : "");
    char *prof = strchr(buf, '\x1f');
    if (!prof || !buf[0]) continue;
    *prof++ = '\0';
    C2("transport.address_outcome.", buf + 1);
    char *tls = strchr(prof, '\x1f');
    if (!tls) continue;
    *tls++ = '\0';
    profile_finish(&s->counts, prof);
    if (strcmp(tls, "-") == 0) continue;
    memmove(buf, tls, strlen(tls) + 1);
    char *f[4] = {buf, NULL, NULL, NULL};
    for (int k = 1; k < 4; k++) {
      f[k] = f[k - 1] ? strchr(f[k - 1], '\x1f') : NULL;
      if (f[k]) *f[k]++ = '\0';
    }
    if (!f[3]) continue;
    C1("transport.addresses_tls");
    C2("transport.address_tls_version.", f[0]);
    C2("transport.address_cipher.", f[1]);
    if (strcmp(f[2], "fs") == 0) C1("transport.address_fs");
    C2("transport.address_key.", f[3]);
  }
}
