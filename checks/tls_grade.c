/* The TLS grade check (issue 15): per profiled address, the worst NCSC-NL class
 * (tls_class_fold) of everything the server accepts, and findings that say why.
 *
 * What counts, each by its rule in tls/classes.c or tls/suites.c (docs/verdicts.md):
 *  - every accepted protocol version (tls_class_version);
 *  - cipher suites: in full mode every suite the ciphers phase found, class by class; in
 *    basic mode the one suite the server chose per accepted version (all the profile
 *    knows: a finding "coverage" at level info says the suites were not enumerated);
 *  - key exchange (full): the DHE group's class, each accepted ECDHE group's;
 *  - secure renegotiation (RFC 5746) when a TLS 1.0-1.2 version was accepted;
 *  - certificate keys: an RSA key under 2048 bits is insufficient (NCSC-NL, table of key
 *    lengths; Internet.nl's cert check). No other key is graded here: the guidelines'
 *    finer classes of RSA and EC keys are left to the certificate checks.
 * Findings list only what lowers the grade below good (the good part explains nothing),
 * plus the info findings; at most TLS_FINDINGS_MAX (truncated says more were cut; the
 * grade counts them all). Runs before check_summary, which folds the addresses' grades. */
#include "checks/tls_grade.h"
#include "checks/check.h"
#include "tls/hello_build.h"
#include "tls/suites.h"

#include <string.h>


static void add(tls_grade_t *g, enum tls_finding_check check, enum tls_finding_kind kind,
                unsigned level, uint32_t subject, const char *reason) {
  if (level < TLS_LEVEL_INFO) g->grade = tls_class_worst(g->grade, (enum tls_class)level);
  if (level == TLS_CLASS_GOOD) return;
  for (size_t i = 0; i < g->nfindings; i++)      /* one finding per subject */
    if (g->findings[i].kind == kind && g->findings[i].subject == subject &&
        g->findings[i].check == check)
      return;
  if (g->nfindings >= TLS_FINDINGS_MAX) {
    g->truncated = true;
    return;
  }
  g->findings[g->nfindings++] = (tls_finding_t){(uint8_t)check, (uint8_t)kind, (uint8_t)level,
                                                subject, reason ? reason : ""};
}

static void suite(tls_grade_t *g, uint16_t code) {
  int c = tls_suite_class(code);
  if (c < 0) return;                             /* an SCSV: no suite */
  add(g, TFC_CIPHER, TFK_SUITE, (unsigned)c, code, "");
}

static void versions(tls_grade_t *g, const profile_result_t *p) {
  for (int v = 0; v < PV_COUNT; v++) {
    if (p->versions[v] != PVS_ACCEPTED) continue;
    const char *why;
    uint16_t wire = profile_version_wire((enum profile_version)v);
    enum tls_class c = tls_class_version(wire, &why);   /* why set before it is read */
    add(g, TFC_VERSION, TFK_VERSION, c, wire, why);
    if (p->suites[v]) suite(g, p->suites[v]);
  }
}

static void kex(tls_grade_t *g, const profile_result_t *p) {
  static const uint16_t wire[PG_COUNT] = {HELLO_GROUP_X25519, HELLO_GROUP_P256,
                                          HELLO_GROUP_P384, HELLO_GROUP_P521};
  if (p->dhe_tested && p->dhe_bits > 0) {
    const char *why = p->dhe_class == TLS_CLASS_PHASE_OUT ? "ffdhe2048: 2048-bit group"
                      : p->dhe_class == TLS_CLASS_SUFFICIENT ? "RFC 7919 group: finite field"
                      : p->dhe_bits < 2048 ? "DH group under 2048 bits"
                                           : "DH group not one of RFC 7919's";
    add(g, TFC_KEX, TFK_DHE, p->dhe_class, p->dhe_bits, why);
  }
  for (int i = 0; i < PG_COUNT; i++) {
    if (p->ecdhe[i] != PVS_ACCEPTED) continue;
    const char *why;
    enum tls_class c = tls_class_group(wire[i], &why);
    add(g, TFC_KEX, TFK_GROUP, c, wire[i], why);
  }
}

static void cert(tls_grade_t *g, const tls_result_t *t) {
  if (!t->have_cert || strcmp(t->cert.key_type, "RSA") != 0 || t->cert.key_bits <= 0) return;
  if (t->cert.key_bits < 2048)
    add(g, TFC_CERT, TFK_RSA_KEY, TLS_CLASS_INSUFFICIENT, (uint32_t)t->cert.key_bits,
        "RSA key under 2048 bits");
}

void tls_grade_compute(const profile_result_t *p, const smtp_result_t *main_probe,
                       tls_grade_t *out) {
  memset(out, 0, sizeof *out);
  if (!p->done) return;
  bool any = false;
  for (int v = 0; v < PV_COUNT; v++) any |= p->versions[v] == PVS_ACCEPTED;
  if (!any) return;
  out->have = true;
  out->grade = TLS_CLASS_GOOD;
  versions(out, p);
  if (p->mode == PROFILE_FULL)
    for (int c = 0; c < TLS_CLASS_COUNT; c++)
      for (size_t i = 0; i < p->ciphers[c].nsuites && i < PROFILE_CLASS_SUITES_MAX; i++)
        suite(out, p->ciphers[c].suites[i]);
  kex(out, p);
  if (p->secure_reneg != PT_UNKNOWN) {
    const char *why;
    enum tls_class c = tls_class_secure_reneg(p->secure_reneg == PT_YES, &why);
    add(out, TFC_RENEG, TFK_NONE, c, 0, why);
  }
  if (main_probe && main_probe->have_tls) cert(out, &main_probe->tls);
  for (size_t i = 0; i < p->ncerts && i < PROFILE_CERTS_MAX; i++) cert(out, &p->certs[i].tls);
  if (p->mode != PROFILE_FULL)
    add(out, TFC_COVERAGE, TFK_NONE, TLS_LEVEL_INFO, 0,
        "basic mode: cipher suites not enumerated (only the one chosen per version counts)");
  if (p->partial)
    add(out, TFC_COVERAGE, TFK_NONE, TLS_LEVEL_INFO, 1,
        "the profile ended early: what it did not learn does not count");
}

static void grade_finish(job_t *j) {
  for (size_t i = 0; i < j->nhosts; i++)
    for (size_t k = 0; k < j->hosts[i].naddrs; k++) {
      addr_t *a = &j->hosts[i].addrs[k];
      tls_grade_compute(&a->profile, &a->smtp, &a->grade);
    }
}

const check_t check_tls_grade = {"tls_grade", CHECK_TLS_GRADE, NULL, NULL, grade_finish};
