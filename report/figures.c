/* The catalogue of figures: which counters are shown, in which order, over which
 * denominator. Distributions ("status", "TLS version", ...) are every counter under a key
 * prefix: the expected values first in a fixed order (shown even when zero), then any
 * other value the records carry, by count. Unknown values are thus counted, never lost.
 *
 * The expected values of a record field are its enum's strings from record/schema.h: a
 * distribution names the enum values it lists (an array of enum values, in display order),
 * never the strings, so that a value the writer can produce is spelt in one place. Where
 * the display order is not the enum's, or a value is left to the "other values" (shown only
 * when present), the array says so; test_report_schema checks that every value of every
 * such enum is either listed or deliberately left out. Lists that are not the record's
 * enums (OpenSSL's TLS versions, TLSA parameters) are the report's own. */
#include "report/figures.h"
#include "report/compare.h"
#include "report/stats.h"
#include "report/stats_profile.h"
#include "record/schema.h"

#include <stdlib.h>
#include <string.h>

const struct section_info report_sections[] = {
  {"population", "Population"},
  {"transport", "Transport"},
  {"certs", "Certificates"},
  {"tls_profile", "TLS profile: what each MX address accepts (--tls-profile)"},
  {"dnssec", "DNSSEC"},
  {"dane", "DANE"},
  {"mta_sts", "MTA-STS and TLS-RPT"},
  {"sender", "What a sender would do"},
  {"conformity", "CNCS conformity (per domain)"},
  {"rollover", "TLSA rollover readiness (per distinct MX host)"},
  {"outlook", "Outlook: mail that breaks before the horizon"},
  {"changes", "Changes since the previous scan"},
  {NULL, NULL},
};


double figure_share(uint64_t count, uint64_t denom, int has_denom) {
  if (!has_denom || denom == 0) return -1;
  return 100.0 * (double)count / (double)denom;
}

const struct figure *report_find(const struct report *r, const char *key) {
  for (size_t i = 0; i < r->nfig; i++)
    if (strcmp(r->fig[i].key, key) == 0) return &r->fig[i];
  return NULL;
}

void fig_add(struct fig_ctx *c, const char *section, const char *key, const char *label,
             const char *denom_key) {
  struct report *r = c->r;
  if (r->nfig == r->capfig) {
    r->capfig = r->capfig ? r->capfig * 2 : 128;
    r->fig = realloc(r->fig, r->capfig * sizeof *r->fig);
    if (!r->fig) abort();
  }
  struct figure *f = &r->fig[r->nfig++];
  memset(f, 0, sizeof *f);
  f->section = section;
  snprintf(f->key, sizeof f->key, "%s", key);
  snprintf(f->label, sizeof f->label, "%s", label);
  f->count = rt_count(&c->now->counts, key);
  f->has_denom = denom_key != NULL;
  if (denom_key) f->denom = rt_count(&c->now->counts, denom_key);
  if (c->old) {
    f->has_prev = 1;
    f->prev_count = rt_count(&c->old->counts, key);
    if (denom_key) f->prev_denom = rt_count(&c->old->counts, denom_key);
  }
}

struct kv {
  const char *value;
  uint64_t n;
};

static int by_count(const void *a, const void *b) {
  const struct kv *x = a, *y = b;
  if (x->n != y->n) return x->n < y->n ? 1 : -1;
  return strcmp(x->value, y->value);
}

static int listed(const char *v, const char *const *order) {
  for (; order && *order; order++)
    if (strcmp(*order, v) == 0) return 1;
  return 0;
}

static void collect(const struct rtable *t, const char *prefix, const char *const *order,
                    struct kv **kv, size_t *n, size_t *cap) {
  size_t pl = strlen(prefix);
  size_t pos = 0;
  for (const struct rt_entry *e; t && (e = rt_next(t, &pos));) {
    const char *k = e->key;
    if (strncmp(k, prefix, pl) != 0 || listed(k + pl, order)) continue;
    int dup = 0;
    for (size_t j = 0; j < *n; j++) dup |= strcmp((*kv)[j].value, k + pl) == 0;
    if (dup) continue;
    if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 16;
      *kv = realloc(*kv, *cap * sizeof **kv);
      if (!*kv) abort();
    }
    (*kv)[(*n)++] = (struct kv){k + pl, e->v[0]};
  }
}

void fig_dist(struct fig_ctx *c, const char *section, const char *prefix, const char *label,
              const char *denom_key, const char *const *order) {
  char key[160], lab[200];
  for (const char *const *o = order; o && *o; o++) {
    snprintf(key, sizeof key, "%s%s", prefix, *o);
    snprintf(lab, sizeof lab, "%s: %s", label, *o);
    fig_add(c, section, key, lab, denom_key);
  }
  struct kv *kv = NULL;
  size_t n = 0, cap = 0;
  collect(&c->now->counts, prefix, order, &kv, &n, &cap);
  size_t nnow = n;
  if (c->old) collect(&c->old->counts, prefix, order, &kv, &n, &cap);
  for (size_t i = nnow; i < n; i++) kv[i].n = 0;  /* only in the old scan: 0 now */
  if (n) qsort(kv, n, sizeof *kv, by_count);
  for (size_t i = 0; i < n; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, kv[i].value);
    snprintf(lab, sizeof lab, "%s: %s", label, kv[i].value);
    fig_add(c, section, key, lab, denom_key);
  }
  free(kv);
}

/* The listed values of the distributions over record enums: enum values, in display
 * order. A value not listed is still counted, after the listed ones, when present. */
/* "excluded" (opt-outs, only with --exclude-file) is shown only when present. */
const int figures_status[FIGURES_STATUS_N] = {JOB_OK, JOB_NXDOMAIN, JOB_NO_MAIL,
                                              JOB_DNS_ERROR, JOB_INVALID};
/* In the order of the scan (TXT record, policy fetch, policy); unset: no "mta_sts" object. */
const int figures_sts[FIGURES_STS_N] = {STS_VALID, STS_NONE, STS_TXT_INVALID, STS_FETCH_ERROR,
                                        STS_POLICY_INVALID, STS_DNS_ERROR};
/* Unset: no "policy" object, no "mode". */
const int figures_sts_mode[FIGURES_STS_MODE_N] = {MTASTS_MODE_ENFORCE, MTASTS_MODE_TESTING,
                                                  MTASTS_MODE_NONE};
/* Unset: no "tls_rpt" object. */
const int figures_rpt[FIGURES_RPT_N] = {TLSRPT_VALID, TLSRPT_INVALID, TLSRPT_NONE,
                                        TLSRPT_DNS_ERROR};

/* Domains with an engaged MX address have all / some / none; those without, refused or
 * unreachable (docs/record.md, summary.starttls). */
const int figures_starttls[FIGURES_STARTTLS_N] = {SUM_TLS_ALL, SUM_TLS_SOME, SUM_TLS_NONE};
const int figures_no_engaged[FIGURES_NO_ENGAGED_N] = {SUM_TLS_REFUSED, SUM_TLS_UNREACHABLE};
/* DANE adoption over domains with an engaged address; "inconclusive" (no address engaged,
 * DANE applies) only where none engaged, with the DNS-decided "invalid" (tlsa-bogus,
 * unusable) and "none" (no DANE published). */
const int figures_dane[FIGURES_DANE_N] = {SUM_DANE_VALID, SUM_DANE_PARTIAL, SUM_DANE_INVALID,
                                          SUM_DANE_NONE};
const int figures_dane_no_engaged[FIGURES_DANE_NO_ENGAGED_N] = {
  SUM_DANE_INCONCLUSIVE, SUM_DANE_INVALID, SUM_DANE_NONE};
/* As far as the dialogue got, furthest first. */
const int figures_outcome[FIGURES_OUTCOME_N] = {
  SMTP_OUTCOME_ENGAGED, SMTP_OUTCOME_REFUSED, SMTP_OUTCOME_LOST, SMTP_OUTCOME_UNREACHABLE,
  SMTP_OUTCOME_NOT_ATTEMPTED};

const struct op_column op_columns[OP_COLS] = {
  [OP_DOMAINS] = {"domains", "domains", -1},
  [OP_ENGAGED] = {"engaged", "engaged", OP_DOMAINS},
  [OP_TLS_ALL] = {"starttls_all", "STARTTLS all", OP_ENGAGED},
  [OP_DANE_VALID] = {"dane_valid", "DANE valid", OP_ENGAGED},
  [OP_STS_VALID] = {"mta_sts_valid", "MTA-STS valid", OP_DOMAINS},
  [OP_STS_ENFORCE] = {"mta_sts_enforce", "MTA-STS enforce", OP_DOMAINS},
  [OP_REFUSED] = {"refused", "refused", OP_DOMAINS},
  [OP_LOST] = {"lost", "lost", OP_DOMAINS},
  [OP_PROFILED] = {"tls_profiled", "TLS profiled", OP_DOMAINS, 1},
  [OP_LEGACY] = {"legacy_tls", "legacy TLS", OP_PROFILED, 1},
  [OP_INSUFFICIENT] = {"tls_insufficient", "TLS insufficient", OP_PROFILED, 1},
};

/* Not the record's enums: OpenSSL's protocol names, strongest first, and the TLSA
 * parameters every DANE guide recommends. */
static const char *const TLSV[] = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", NULL};
static const char *const COMBO[] = {"3 1 1", NULL};

/* A NULL-terminated value list for dist(): the strings of table (n entries) at the enum
 * values vals[0..nv), or all n of them in enum order when vals is NULL. */
#define ORDER_MAX 24
struct order {
  const char *v[ORDER_MAX + 1];
};

static struct order order_of(const char *const *table, size_t n, const int *vals, size_t nv) {
  struct order o;
  size_t k = vals ? nv : n;
  if (k > ORDER_MAX) abort();
  for (size_t i = 0; i < k; i++) o.v[i] = table[vals ? (size_t)vals[i] : i];
  o.v[k] = NULL;
  return o;
}
#define ALL(table) order_of(table, sizeof table / sizeof table[0], NULL, 0).v
#define SOME(table, vals) order_of(table, sizeof table / sizeof table[0], vals, \
                                   sizeof vals / sizeof vals[0]).v

/* DANE per certificate key type: for each key type met, of the certificates DANE was
 * judged for, the share valid (each over its own key type's count). */
static void dane_per_key(struct fig_ctx *c) {
  static const char prefix[] = "tls_profile.dane_cert.";
  struct kv *kv = NULL;
  size_t n = 0, cap = 0;
  collect(&c->now->counts, prefix, NULL, &kv, &n, &cap);
  if (c->old) collect(&c->old->counts, prefix, NULL, &kv, &n, &cap);
  if (n) qsort(kv, n, sizeof *kv, by_count);
  for (size_t i = 0; i < n; i++) {
    char key[160], den[160], lab[200];
    snprintf(key, sizeof key, "tls_profile.dane_valid.%s", kv[i].value);
    snprintf(den, sizeof den, "%s%s", prefix, kv[i].value);
    snprintf(lab, sizeof lab, "DANE-valid %s certificates (of those DANE was judged for)",
             kv[i].value);
    fig_add(c, "tls_profile", key, lab, den);
  }
  free(kv);
}

/* The TLS profile's figures: per unique profiled address, then per domain. The full
 * mode's (cipher classes, server order, key exchange) are over the addresses profiled in
 * full mode, DANE per certificate over the addresses where DANE was judged for some. */
static void profile_figures(struct fig_ctx *c) {
  const char *S = "tls_profile", *A = "tls_profile.addresses", *F = "tls_profile.addresses_full";
  const char *const modes[] = {profile_mode_name(PROFILE_BASIC), profile_mode_name(PROFILE_FULL),
                               NULL};
  const char *const dhe[] = {tls_class_name(TLS_CLASS_GOOD), tls_class_name(TLS_CLASS_SUFFICIENT),
                             tls_class_name(TLS_CLASS_PHASE_OUT),
                             tls_class_name(TLS_CLASS_INSUFFICIENT), PROFILE_DHE_NONE, NULL};
  fig_add(c, S, A, "Unique addresses profiled", "population.addresses_unique");
  fig_dist(c, S, "tls_profile.mode.", "Profile mode (per profiled address)", A, modes);
  fig_dist(c, S, "tls_profile.accepts.", "Accepts (per profiled address)", A,
       ALL(schema_profile_version));
  fig_dist(c, S, "tls_profile.grade.", "Grade (per profiled address)", A, ALL(schema_tls_class));
  fig_add(c, S, "tls_profile.renegotiation_tested",
      "Secure renegotiation tested (a TLS 1.2 or older version accepted)", A);
  fig_add(c, S, "tls_profile.secure_renegotiation", "Secure renegotiation (RFC 5746)",
      "tls_profile.renegotiation_tested");
  fig_add(c, S, F, "Profiled in full mode", A);
  fig_dist(c, S, "tls_profile.cipher_class.", "Accepts a cipher suite of class (full mode)", F,
       ALL(schema_tls_class));
  fig_add(c, S, "tls_profile.server_order", "Server imposes its cipher order (full mode)", F);
  fig_dist(c, S, "tls_profile.dhe.", "DHE group class (full mode)", F, dhe);
  fig_dist(c, S, "tls_profile.dhe_bits.", "DHE group size in bits (full mode)", F, NULL);
  fig_dist(c, S, "tls_profile.ecdhe.", "Accepts ECDHE group (full mode)", F, ALL(schema_profile_group));
  fig_add(c, S, "tls_profile.addresses_certs", "With certificates in the profile", A);
  fig_add(c, S, "tls_profile.multi_cert", "More than one certificate", "tls_profile.addresses_certs");
  fig_add(c, S, "tls_profile.certs", "Certificates (distinct per address)", NULL);
  fig_dist(c, S, "tls_profile.cert_key.", "Certificate key type (per certificate)",
       "tls_profile.certs", NULL);
  fig_add(c, S, "tls_profile.dane_addresses", "DANE judged per certificate",
      "tls_profile.addresses_certs");
  fig_dist(c, S, "tls_profile.dane_match.",
       "DANE-valid certificates of the address (some: DANE fails some senders)",
       "tls_profile.dane_addresses", ALL(stats_dane_match));
  fig_add(c, S, "tls_profile.dane_certs", "Certificates DANE was judged for", NULL);
  dane_per_key(c);
  const char *D = "tls_profile.domains";
  fig_add(c, S, D, "Domains with a profiled MX address", "population.ok");
  fig_dist(c, S, "tls_profile.domain_accepts.", "Domains with an MX that accepts", D,
       ALL(schema_profile_version));
  fig_add(c, S, "tls_profile.legacy_domains",
      "Domains with an MX that accepts SSLv3, TLS 1.0 or TLS 1.1", D);
  fig_dist(c, S, "tls_profile.domain_grade.", "Domain grade (summary.tls_grade)", D,
       ALL(schema_tls_class));
  fig_add(c, S, "tls_profile.domains_full", "Domains with an MX profiled in full mode", D);
  fig_dist(c, S, "tls_profile.domain_cipher_class.",
       "Domains with an MX that accepts a suite of class (full mode)", "tls_profile.domains_full",
       ALL(schema_tls_class));
  fig_add(c, S, "tls_profile.domains_dane", "Domains where DANE was judged per certificate", D);
  fig_add(c, S, "tls_profile.domain_dane_some",
      "Domains with an MX whose certificates match TLSA only in part (DANE fails some senders)",
      "tls_profile.domains_dane");
}

static int made_profiles(const struct stats *s) {
  return rt_count(&s->counts, "tls_profile.addresses") || rt_count(&s->counts, "tls_profile.domains");
}

int chg_shown(const struct report *r, int k) {
  return r->profiled || (k != CHG_GRADE_WORSE && k != CHG_GRADE_BETTER);
}

/* a ranks before b in the operator table: more domains first, then by name. */
static int op_before(const struct rt_entry *a, const struct rt_entry *b) {
  if (a->v[0] != b->v[0]) return a->v[0] > b->v[0];
  return strcmp(a->key, b->key) < 0;
}

static int op_cmp(const void *a, const void *b) {
  const struct rt_entry *x = *(const struct rt_entry *const *)a;
  const struct rt_entry *y = *(const struct rt_entry *const *)b;
  return op_before(x, y) ? -1 : op_before(y, x) ? 1 : 0;
}

/* A heap whose root is the candidate ranking last. */
static void op_swap(const struct rt_entry **h, size_t i, size_t j) {
  const struct rt_entry *t = h[i];
  h[i] = h[j];
  h[j] = t;
}

static void op_sift_down(const struct rt_entry **h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < n && op_before(h[w], h[l])) w = l;
    if (r < n && op_before(h[w], h[r])) w = r;
    if (w == i) return;
    op_swap(h, i, w);
    i = w;
  }
}

static int chg_cmp(const void *a, const void *b) {
  const struct change_row *x = a, *y = b;
  int k = strcmp(x->kind, y->kind);
  return k ? k : strcmp(x->domain, y->domain);
}

/* Shared hosting makes nearly every domain its own operator (a million rows in a national
 * scan): the top rows are selected with a heap of `top` entries instead of sorting them all. */
static void operators(struct report *r, const struct stats *now, const struct stats *old,
                      size_t top) {
  const struct rtable *t = &now->ops;
  size_t cap = rt_len(t) < top ? rt_len(t) : top, n = 0, pos = 0;
  const struct rt_entry **h = calloc(cap ? cap : 1, sizeof *h);
  r->ops = calloc(cap ? cap : 1, sizeof *r->ops);
  if (!h || !r->ops) abort();
  for (const struct rt_entry *e; cap && (e = rt_next(t, &pos));) {
    if (n < cap) {
      size_t k = n++;
      h[k] = e;
      for (; k && op_before(h[(k - 1) / 2], h[k]); k = (k - 1) / 2) op_swap(h, k, (k - 1) / 2);
    } else if (op_before(e, h[0])) {
      h[0] = e;
      op_sift_down(h, n, 0);
    }
  }
  qsort(h, n, sizeof *h, op_cmp);
  for (size_t i = 0; i < n; i++) {
    struct operator_row *o = &r->ops[i];
    snprintf(o->name, sizeof o->name, "%s", h[i]->key);
    memcpy(o->v, h[i]->v, sizeof o->v);
    if (old) {
      const struct rt_entry *p = rt_find(&old->ops, h[i]->key);
      o->has_prev = 1;
      if (p) memcpy(o->prev, p->v, sizeof o->prev);
    }
  }
  free(h);
  r->nops = n;
  r->ops_total = rt_len(t);
}

static void change_list(struct report *r, const struct stats *now) {
  const struct rtable *t = &now->changes;
  r->chg = calloc(rt_len(t) ? rt_len(t) : 1, sizeof *r->chg);
  if (!r->chg) abort();
  size_t pos = 0;
  for (const struct rt_entry *e; (e = rt_next(t, &pos));) {
    const char *k = e->key;
    const char *sep = strchr(k, '\x1f');
    if (!sep) continue;
    struct change_row *c = &r->chg[r->nchg];
    for (int j = 0; j < CHG_COUNT; j++) {
      const char *kj = change_kind_key[j];
      if (strlen(kj) == (size_t)(sep - k) && strncmp(k, kj, sep - k) == 0) c->kind = kj;
    }
    if (!c->kind) continue;
    snprintf(c->domain, sizeof c->domain, "%s", sep + 1);
    snprintf(c->transition, sizeof c->transition, "%s", e->str ? e->str : "");
    r->nchg++;
  }
  if (r->nchg) qsort(r->chg, r->nchg, sizeof *r->chg, chg_cmp);
}

void figures_build(struct report *r, const struct stats *now, const struct stats *old,
                   size_t top) {
  struct fig_ctx c = {r, now, old};
  r->compare = old != NULL;
  /* "dane.host_tlsa" values (stats.c, host_fact): named by the record's strings. */
  const char *const host_tlsa[] = {dnssec_state_name(DNSSEC_SECURE),
                                   dnssec_state_name(DNSSEC_INSECURE),
                                   dnssec_state_name(DNSSEC_BOGUS), dns_outcome_name(DNS_ERROR),
                                   HOST_TLSA_NONE, NULL};
  fig_add(&c, "population", "population.records", "Domains scanned (records)", "population.records");
  fig_dist(&c, "population", "population.status.", "Status", "population.records",
       SOME(schema_job_status, figures_status));
  fig_add(&c, "population", "population.ok", "Domains with MX hosts (status ok)", "population.records");
  fig_add(&c, "population", "population.receives_mail",
      "Domains with an MX address that engaged (EHLO answered)", "population.records");
  fig_add(&c, "population", "population.mx_hosts_unique", "MX host names, unique", NULL);
  fig_add(&c, "population", "population.addresses_unique", "MX addresses, unique", NULL);

  fig_dist(&c, "transport", "transport.starttls.", "STARTTLS on the engaged MX addresses",
       "population.receives_mail", SOME(schema_sum_starttls, figures_starttls));
  fig_dist(&c, "transport", "transport.no_engaged.", "No MX address engaged", "population.ok",
       SOME(schema_sum_starttls, figures_no_engaged));
  fig_add(&c, "transport", "transport.some_inconclusive",
      "Domains with an MX address that did not engage (inconclusive)", "population.ok");
  fig_dist(&c, "transport", "transport.address_outcome.", "SMTP outcome (per unique address)",
       "population.addresses_unique", SOME(schema_smtp_outcome, figures_outcome));
  fig_add(&c, "transport", "transport.domains_tls", "Domains with TLS on some MX", "population.ok");
  fig_dist(&c, "transport", "transport.domain_tls_worst.", "Weakest TLS version of the domain",
       "transport.domains_tls", TLSV);
  fig_dist(&c, "transport", "transport.domain_cipher.", "Cipher at the weakest MX",
       "transport.domains_tls", NULL);
  fig_add(&c, "transport", "transport.domain_fs_all", "Forward secrecy on every MX address",
      "transport.domains_tls");
  fig_add(&c, "transport", "transport.addresses_tls", "Unique addresses that completed TLS",
      "population.addresses_unique");
  fig_dist(&c, "transport", "transport.address_tls_version.", "TLS version (per address)",
       "transport.addresses_tls", TLSV);
  fig_dist(&c, "transport", "transport.address_cipher.", "Cipher (per address)",
       "transport.addresses_tls", NULL);
  fig_add(&c, "transport", "transport.address_fs", "Forward secrecy (per address)",
      "transport.addresses_tls");
  fig_dist(&c, "transport", "transport.address_key.", "Certificate key (per address)",
       "transport.addresses_tls", NULL);
  /* --tls-profile (issue 15): only for a scan that made profiles */
  r->profiled = made_profiles(now) || (old && made_profiles(old));
  if (r->profiled) profile_figures(&c);

  fig_add(&c, "certs", "certs.pkix_valid_all", "PKIX-valid for the MX name at every TLS address",
      "certs.domains_tls");
  fig_add(&c, "certs", "certs.expired", "Some certificate expired", "certs.domains_tls");
  fig_add(&c, "certs", "certs.self_signed", "Some certificate self-signed", "certs.domains_tls");
  fig_add(&c, "certs", "certs.wrong_name", "Some certificate does not name its MX",
      "certs.domains_tls");
  fig_add(&c, "certs", "certs.expiring_30d", "Some certificate expires within 30 days",
      "certs.domains_tls");

  fig_dist(&c, "dnssec", "dnssec.domain.", "Domain (MX answer)", "dnssec.domains",
       ALL(schema_dnssec));
  fig_dist(&c, "dnssec", "dnssec.mx_host.", "MX host addresses (per unique host)",
       "population.mx_hosts_unique", ALL(schema_dnssec));

  fig_dist(&c, "dane", "dane.summary.", "DANE (domains with an engaged MX address)",
       "population.receives_mail", SOME(schema_sum_dane, figures_dane));
  fig_dist(&c, "dane", "dane.no_engaged.", "DANE where no MX address engaged", "population.ok",
       SOME(schema_sum_dane, figures_dane_no_engaged));
  fig_dist(&c, "dane", "dane.tlsa_mx.", "Secure TLSA on MX hosts", "population.ok",
       ALL(stats_tlsa_mx));
  fig_dist(&c, "dane", "dane.address.", "DANE per MX address", "dane.addresses",
       ALL(schema_dane_status));
  fig_dist(&c, "dane", "dane.host_tlsa.", "TLSA at unique MX hosts", "population.mx_hosts_unique",
       host_tlsa);
  fig_dist(&c, "dane", "dane.tlsa_combo.", "TLSA usage selector type (secure, unique hosts)",
       "dane.tlsa_records", COMBO);

  fig_add(&c, "mta_sts", "mta_sts.txt_present", "MTA-STS TXT record present", "mta_sts.domains");
  fig_dist(&c, "mta_sts", "mta_sts.status.", "MTA-STS", "mta_sts.domains",
       SOME(schema_sts_status, figures_sts));
  fig_dist(&c, "mta_sts", "mta_sts.mode.", "Policy mode (valid policies)", "mta_sts.status.valid",
       SOME(schema_sts_mode, figures_sts_mode));
  fig_add(&c, "mta_sts", "mta_sts.mx_mismatch", "Valid policy not matching every MX",
      "mta_sts.status.valid");
  fig_dist(&c, "mta_sts", "mta_sts.error.", "Error", "mta_sts.domains", NULL);
  fig_dist(&c, "mta_sts", "tls_rpt.status.", "TLS-RPT", "tls_rpt.domains",
       SOME(schema_tlsrpt_status, figures_rpt));

  fig_dist(&c, "sender", "sender.dane.action.", "DANE-enforcing sender", "sender.domains",
       ALL(schema_action));
  fig_dist(&c, "sender", "sender.dane.defer_reason.", "DANE sender defers because",
       "sender.dane.action.defer", NULL);
  fig_dist(&c, "sender", "sender.mta_sts.action.", "MTA-STS-enforcing sender", "sender.domains",
       ALL(schema_action));
  fig_dist(&c, "sender", "sender.mta_sts.defer_reason.", "MTA-STS sender defers because",
       "sender.mta_sts.action.defer", NULL);
  fig_dist(&c, "sender", "sender.dane.result_type.", "DANE sender reports", "sender.domains", NULL);
  fig_dist(&c, "sender", "sender.mta_sts.result_type.", "MTA-STS sender reports", "sender.domains",
       NULL);

  figures_ops(&c);

  if (old) {
    c.old = NULL;  /* changes have no previous value of their own */
    for (int k = 0; k < CHG_COUNT; k++) {
      if (!chg_shown(r, k)) continue;
      char key[64];
      snprintf(key, sizeof key, "changes.%s", change_kind_key[k]);
      fig_add(&c, "changes", key, change_kind_title[k], "population.records");
    }
    fig_add(&c, "changes", "changes.domains_new", "Domains not in the previous scan",
        "population.records");
    fig_add(&c, "changes", "changes.domains_gone", "Domains of the previous scan not in this one",
        NULL);
    change_list(r, now);
  }
  operators(r, now, old, top);
  figures_ops_operators(r, now);
  snprintf(r->first_scan, sizeof r->first_scan, "%s", now->first_scan);
  snprintf(r->last_scan, sizeof r->last_scan, "%s", now->last_scan);
  if (old) {
    snprintf(r->prev_first_scan, sizeof r->prev_first_scan, "%s", old->first_scan);
    snprintf(r->prev_last_scan, sizeof r->prev_last_scan, "%s", old->last_scan);
  }
}

void figures_free(struct report *r) {
  free(r->fig);
  free(r->ops);
  free(r->chg);
}
