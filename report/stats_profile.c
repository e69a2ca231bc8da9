/* From addresses[].tls_profile and summary.tls_grade to counters: see stats_profile.h. The
 * record's keys and enum strings are record/schema.h's; key types (cert key_type) and DHE
 * sizes are counted as the record spells them, so that a value the report does not know is
 * counted, not lost.
 *
 * The fact string of one address (profile_fact), fields separated by '\x1e':
 *   versions   one letter per profile_version: A accepted, R refused, E error, - untested
 *   mode       "basic", "full" ("" absent)
 *   grade      tls_profile.grade ("" absent)
 *   flags      per tls_class (enum order) A accepted, N not, - no such class object; then
 *              server_order and renegotiation.secure, each Y, N or - (absent)
 *   dhe        kex.dhe.class, PROFILE_DHE_NONE for bits 0, "" without kex.dhe
 *   dhe bits   kex.dhe.bits when not 0, else ""
 *   ecdhe      kex.ecdhe, comma-separated
 *   certs      "key_type:D" comma-separated, D: V DANE-valid, X DANE judged and not valid,
 *              - no DANE for it
 * Values from the record are bounded and stripped of the separators (part()). */
#include "report/stats_profile.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS "\x1e"
#define FIELDS 8
#define LIST_MAX 8      /* certificates, ECDHE groups: a server has 3 and 4 at most */

const char *const stats_dane_match[DANE_MATCH_COUNT] = {
  [DANE_MATCH_ALL] = "all", [DANE_MATCH_SOME] = "some", [DANE_MATCH_NONE] = "none",
};

static int eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static size_t jlen(json_object *a) {
  return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* 'Y', 'N' or '-' for a boolean member that may be absent. */
static char tri(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  if (!v || !json_object_is_type(v, json_type_boolean)) return '-';
  return json_object_get_boolean(v) ? 'Y' : 'N';
}

/* A record value as a fact part: at most 40 bytes, no control characters (the field
 * separator among them), no ',' or ':' (the list separators); "" when absent. */
static const char *part(const char *v, char *buf, size_t cap) {
  size_t i = 0;
  for (; v && v[i] && i + 1 < cap && i < 40; i++) {
    unsigned char c = (unsigned char)v[i];
    buf[i] = (c < 0x20 || c == 0x7f || c == ',' || c == ':') ? '?' : (char)c;
  }
  buf[i] = '\0';
  return buf;
}

/* A certificate's DANE letter (see the file comment). */
static char cert_dane(json_object *cert) {
  const char *st = jstr(jget(cert, RK_DANE), RK_STATUS);
  if (!st) return '-';
  return eq(st, dane_status_name(DANE_VALID)) ? 'V' : 'X';
}

/* tls_profile.versions when it is an object: without it there is no profile. */
static json_object *versions_of(json_object *tp) {
  json_object *vs = jget(tp, RK_VERSIONS);
  return vs && json_object_is_type(vs, json_type_object) ? vs : NULL;
}

static int is_full(json_object *tp) {
  return eq(jstr(tp, RK_MODE), profile_mode_name(PROFILE_FULL));
}

void profile_fact(json_object *tp, char *out, size_t cap) {
  json_object *vs = versions_of(tp);
  if (!vs || cap < PROFILE_FACT_MAX) {
    snprintf(out, cap, "-");
    return;
  }
  char vers[PV_COUNT + 1], flags[TLS_CLASS_COUNT + 3], m[48], g[48], dc[48], bits[24];
  for (int v = 0; v < PV_COUNT; v++) {
    const char *st = jstr(vs, profile_version_name((enum profile_version)v));
    vers[v] = !st ? '-' : eq(st, profile_vstate_name(PVS_ACCEPTED)) ? 'A'
            : eq(st, profile_vstate_name(PVS_REFUSED)) ? 'R' : 'E';
  }
  vers[PV_COUNT] = '\0';
  json_object *ciphers = jget(tp, RK_CIPHERS);
  for (int c = 0; c < TLS_CLASS_COUNT; c++) {
    json_object *k = jget(ciphers, tls_class_name((enum tls_class)c));
    flags[c] = !k ? '-' : tri(k, RK_ACCEPTED) == 'Y' ? 'A' : 'N';
  }
  flags[TLS_CLASS_COUNT] = tri(tp, RK_SERVER_ORDER);
  flags[TLS_CLASS_COUNT + 1] = tri(jget(tp, RK_RENEGOTIATION), RK_SECURE);
  flags[TLS_CLASS_COUNT + 2] = '\0';
  json_object *dhe = jget(jget(tp, RK_KEX), RK_DHE), *b = jget(dhe, RK_BITS);
  int64_t nbits = b && json_object_is_type(b, json_type_int) ? json_object_get_int64(b) : -1;
  const char *dclass = !dhe ? "" : nbits == 0 ? PROFILE_DHE_NONE : part(jstr(dhe, RK_CLASS), dc, sizeof dc);
  bits[0] = '\0';
  if (nbits > 0) snprintf(bits, sizeof bits, "%lld", (long long)nbits);
  int n = snprintf(out, cap, "%s" FS "%s" FS "%s" FS "%s" FS "%s" FS "%s" FS, vers,
                   part(jstr(tp, RK_MODE), m, sizeof m), part(jstr(tp, RK_GRADE), g, sizeof g),
                   flags, dclass, bits);
  json_object *ecdhe = jget(jget(tp, RK_KEX), RK_ECDHE);
  for (size_t i = 0; i < jlen(ecdhe) && i < LIST_MAX; i++) {
    json_object *e = json_object_array_get_idx(ecdhe, i);
    const char *name = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "?";
    n += snprintf(out + n, cap - (size_t)n, "%s%s", i ? "," : "", part(name, g, sizeof g));
  }
  n += snprintf(out + n, cap - (size_t)n, FS);
  json_object *certs = jget(tp, RK_CERTS);
  for (size_t i = 0; i < jlen(certs) && i < LIST_MAX; i++) {
    json_object *c = json_object_array_get_idx(certs, i);
    const char *kt = jstr(c, RK_KEY_TYPE);
    n += snprintf(out + n, cap - (size_t)n, "%s%s:%c", i ? "," : "",
                  kt ? part(kt, g, sizeof g) : "?", cert_dane(c));
  }
}

void profile_domain(json_object *tp, struct profile_acc *d) {
  json_object *vs = versions_of(tp);
  if (!vs) return;
  for (int v = 0; v < PV_COUNT; v++)
    if (eq(jstr(vs, profile_version_name((enum profile_version)v)), profile_vstate_name(PVS_ACCEPTED)))
      d->accepts |= 1u << v;
  if (is_full(tp)) {
    d->full = 1;
    json_object *ciphers = jget(tp, RK_CIPHERS);
    for (int c = 0; c < TLS_CLASS_COUNT; c++)
      if (tri(jget(ciphers, tls_class_name((enum tls_class)c)), RK_ACCEPTED) == 'Y')
        d->classes |= 1u << c;
  }
  json_object *certs = jget(tp, RK_CERTS);
  int judged = 0, valid = 0;
  for (size_t i = 0; i < jlen(certs) && i < LIST_MAX; i++) {
    char l = cert_dane(json_object_array_get_idx(certs, i));
    judged += l != '-';
    valid += l == 'V';
  }
  if (judged) d->dane = 1;
  if (valid && valid < judged) d->dane_some = 1;
}

int profile_flags(json_object *tp) {
  json_object *vs = versions_of(tp);
  if (!vs) return 0;
  int f = PF_PROFILED;
  /* legacy as summary.legacy_tls has it: SSLv3, TLS 1.0 or TLS 1.1 accepted */
  for (int v = PV_SSL3; v <= PV_TLS11; v++)
    if (eq(jstr(vs, profile_version_name((enum profile_version)v)), profile_vstate_name(PVS_ACCEPTED)))
      f |= PF_LEGACY;
  if (eq(jstr(tp, RK_GRADE), tls_class_name(TLS_CLASS_INSUFFICIENT))) f |= PF_INSUFFICIENT;
  return f;
}

void profile_domain_count(struct rtable *counts, json_object *sum, const struct profile_acc *d) {
  char g[48];
  for (int v = 0; v < PV_COUNT; v++)
    if (d->accepts & (1u << v))
      rt_add3(counts, 1, "tls_profile.domain_accepts.", profile_version_name((enum profile_version)v), NULL);
  const char *grade = jstr(sum, RK_TLS_GRADE);
  rt_add3(counts, 1, "tls_profile.domain_grade.", grade ? part(grade, g, sizeof g) : "(none)", NULL);
  if (d->full) {
    rt_add3(counts, 1, "tls_profile.domains_full", NULL, NULL);
    for (int c = 0; c < TLS_CLASS_COUNT; c++)
      if (d->classes & (1u << c))
        rt_add3(counts, 1, "tls_profile.domain_cipher_class.", tls_class_name((enum tls_class)c), NULL);
  }
  if (d->dane) rt_add3(counts, 1, "tls_profile.domains_dane", NULL, NULL);
  if (d->dane_some) rt_add3(counts, 1, "tls_profile.domain_dane_some", NULL, NULL);
}

/* The certificates' part of a fact: per key type, and DANE per key type. */
static void finish_certs(struct rtable *counts, char *list) {
  int n = 0, judged = 0, valid = 0;
  char *save = NULL;
  for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    char *colon = strrchr(c, ':');
    if (!colon || !colon[1]) continue;
    *colon = '\0';
    const char *kt = *c ? c : "(none)";
    char l = colon[1];
    n++;
    rt_add3(counts, 1, "tls_profile.cert_key.", kt, NULL);
    if (l == '-') continue;
    judged++;
    rt_add3(counts, 1, "tls_profile.dane_certs", NULL, NULL);
    rt_add3(counts, 1, "tls_profile.dane_cert.", kt, NULL);
    if (l == 'V') {
      valid++;
      rt_add3(counts, 1, "tls_profile.dane_valid.", kt, NULL);
    }
  }
  if (!n) return;
  rt_add3(counts, 1, "tls_profile.addresses_certs", NULL, NULL);
  rt_add3(counts, (uint64_t)n, "tls_profile.certs", NULL, NULL);
  if (n > 1) rt_add3(counts, 1, "tls_profile.multi_cert", NULL, NULL);
  if (!judged) return;
  rt_add3(counts, 1, "tls_profile.dane_addresses", NULL, NULL);
  enum dane_match m = valid == judged ? DANE_MATCH_ALL : valid ? DANE_MATCH_SOME : DANE_MATCH_NONE;
  rt_add3(counts, 1, "tls_profile.dane_match.", stats_dane_match[m], NULL);
}

void profile_finish(struct rtable *counts, const char *fact) {
  char buf[PROFILE_FACT_MAX + 1];
  snprintf(buf, sizeof buf, "%s", fact);
  char *f[FIELDS] = {buf};
  for (int k = 1; k < FIELDS; k++) {
    f[k] = f[k - 1] ? strchr(f[k - 1], '\x1e') : NULL;
    if (f[k]) *f[k]++ = '\0';
  }
  if (strlen(f[0]) != PV_COUNT) return;   /* "-": no profile */
  rt_add3(counts, 1, "tls_profile.addresses", NULL, NULL);
  for (int v = 0; v < PV_COUNT; v++)
    if (f[0][v] == 'A')
      rt_add3(counts, 1, "tls_profile.accepts.", profile_version_name((enum profile_version)v), NULL);
  if (!f[FIELDS - 1]) return;             /* a fact of the versions only */
  rt_add3(counts, 1, "tls_profile.mode.", *f[1] ? f[1] : "(none)", NULL);
  rt_add3(counts, 1, "tls_profile.grade.", *f[2] ? f[2] : "(none)", NULL);
  const char *flags = f[3];
  if (strlen(flags) != TLS_CLASS_COUNT + 2) return;
  char reneg = flags[TLS_CLASS_COUNT + 1];
  if (reneg != '-') rt_add3(counts, 1, "tls_profile.renegotiation_tested", NULL, NULL);
  if (reneg == 'Y') rt_add3(counts, 1, "tls_profile.secure_renegotiation", NULL, NULL);
  /* The full mode's facts, over the addresses profiled in full mode only: a basic profile
   * learns none of them. */
  if (strcmp(f[1], profile_mode_name(PROFILE_FULL)) == 0) {
    rt_add3(counts, 1, "tls_profile.addresses_full", NULL, NULL);
    for (int c = 0; c < TLS_CLASS_COUNT; c++)
      if (flags[c] == 'A')
        rt_add3(counts, 1, "tls_profile.cipher_class.", tls_class_name((enum tls_class)c), NULL);
    if (flags[TLS_CLASS_COUNT] == 'Y') rt_add3(counts, 1, "tls_profile.server_order", NULL, NULL);
    if (*f[4]) rt_add3(counts, 1, "tls_profile.dhe.", f[4], NULL);
    if (*f[5]) rt_add3(counts, 1, "tls_profile.dhe_bits.", f[5], NULL);
    /* each group once an address, should a list name one twice */
    char *save = NULL, *seen[LIST_MAX];
    int nseen = 0;
    for (char *g = strtok_r(f[6], ",", &save); g && nseen < LIST_MAX; g = strtok_r(NULL, ",", &save)) {
      int dup = 0;
      for (int i = 0; i < nseen; i++) dup |= strcmp(seen[i], g) == 0;
      if (dup) continue;
      seen[nseen++] = g;
      rt_add3(counts, 1, "tls_profile.ecdhe.", g, NULL);
    }
  }
  finish_certs(counts, f[7]);
}
