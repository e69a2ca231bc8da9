/* The TLS grade (checks/tls_grade.c) branch by branch: no profile, no version accepted
 * (no grade), each version's class, basic mode's chosen suites and its coverage finding,
 * full mode's enumerated suites, DHE groups (under 2048 bits, ffdhe2048, RFC 7919, other),
 * ECDHE groups, secure renegotiation either way, RSA keys of the main probe and the
 * profile's certificates, a partial profile, duplicate subjects, the findings' bound; and
 * summary.tls_grade, the worst over the graded addresses, through the table's checks. */
#include "checks/check.h"
#include "checks/summary.h"
#include "checks/tls_grade.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"
#include "tls/suites.h"

#include <stdlib.h>
#include <string.h>

static profile_result_t prof(enum profile_mode mode) {
  profile_result_t p;
  profile_result_init(&p);
  p.done = true;
  p.mode = mode;
  for (int v = 0; v < PV_COUNT; v++) p.versions[v] = PVS_REFUSED;
  return p;
}

static const tls_finding_t *find(const tls_grade_t *g, enum tls_finding_check c, uint32_t subj) {
  for (size_t i = 0; i < g->nfindings; i++)
    if (g->findings[i].check == c && g->findings[i].subject == subj) return &g->findings[i];
  return NULL;
}

static tls_grade_t g;

static void test_none(void) {
  profile_result_t p;
  profile_result_init(&p);
  tls_grade_compute(&p, NULL, &g);
  CHECK(!g.have);
  p = prof(PROFILE_BASIC);                      /* made, nothing accepted */
  tls_grade_compute(&p, NULL, &g);
  CHECK(!g.have && g.nfindings == 0);
}

static void test_versions_basic(void) {
  profile_result_t p = prof(PROFILE_BASIC);
  p.versions[PV_TLS13] = PVS_ACCEPTED;
  p.suites[PV_TLS13] = 0x1301;
  tls_grade_compute(&p, NULL, &g);
  CHECK(g.have);
  CHECK_INT(g.grade, TLS_CLASS_GOOD);
  CHECK_INT(g.nfindings, 1);                    /* the coverage finding only */
  CHECK_INT(g.findings[0].check, TFC_COVERAGE);
  CHECK_INT(g.findings[0].level, TLS_LEVEL_INFO);
  p.versions[PV_TLS12] = PVS_ACCEPTED;
  p.suites[PV_TLS12] = 0xc02f;                  /* sufficient: a TLS 1.2 AEAD suite */
  p.secure_reneg = PT_YES;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_SUFFICIENT);
  CHECK(find(&g, TFC_VERSION, 0x0303) && find(&g, TFC_CIPHER, 0xc02f));
  CHECK(!find(&g, TFC_RENEG, 0));               /* secure: good, no finding */
  CHECK_STR(find(&g, TFC_VERSION, 0x0303)->reason, "TLS 1.2: good is TLS 1.3 only");
  p.versions[PV_TLS10] = PVS_ACCEPTED;
  p.suites[PV_TLS10] = 0xc013;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_PHASE_OUT);
  CHECK_INT(find(&g, TFC_VERSION, 0x0301)->level, TLS_CLASS_PHASE_OUT);
  p.secure_reneg = PT_NO;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK_INT(find(&g, TFC_RENEG, 0)->level, TLS_CLASS_INSUFFICIENT);
  p.secure_reneg = PT_YES;
  p.versions[PV_SSL3] = PVS_ACCEPTED;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK_INT(find(&g, TFC_VERSION, 0x0300)->level, TLS_CLASS_INSUFFICIENT);
  /* the same suite chosen for two versions: one finding */
  p = prof(PROFILE_BASIC);
  p.versions[PV_TLS11] = p.versions[PV_TLS10] = PVS_ACCEPTED;
  p.suites[PV_TLS11] = p.suites[PV_TLS10] = 0x000a;
  tls_grade_compute(&p, NULL, &g);
  size_t n = 0;
  for (size_t i = 0; i < g.nfindings; i++) n += g.findings[i].check == TFC_CIPHER;
  CHECK_INT(n, 1);
}

static void test_full(void) {
  profile_result_t p = prof(PROFILE_FULL);
  p.versions[PV_TLS13] = PVS_ACCEPTED;
  p.ciphers[TLS_CLASS_GOOD].nsuites = 1;
  p.ciphers[TLS_CLASS_GOOD].suites[0] = 0x1302;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_GOOD);
  CHECK_INT(g.nfindings, 0);                    /* full: no coverage finding */
  p.ciphers[TLS_CLASS_INSUFFICIENT].nsuites = 1;
  p.ciphers[TLS_CLASS_INSUFFICIENT].suites[0] = 0x0001;   /* NULL-MD5 */
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK_INT(find(&g, TFC_CIPHER, 0x0001)->level, TLS_CLASS_INSUFFICIENT);
  /* key exchange */
  p = prof(PROFILE_FULL);
  p.versions[PV_TLS13] = PVS_ACCEPTED;
  p.dhe_tested = true;
  p.dhe_bits = 1024;
  p.dhe_class = TLS_CLASS_INSUFFICIENT;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK_STR(find(&g, TFC_KEX, 1024)->reason, "DH group under 2048 bits");
  p.dhe_bits = 2048;
  p.dhe_class = TLS_CLASS_PHASE_OUT;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_PHASE_OUT);
  CHECK_STR(find(&g, TFC_KEX, 2048)->reason, "ffdhe2048: 2048-bit group");
  p.dhe_bits = 3072;
  p.dhe_class = TLS_CLASS_SUFFICIENT;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_SUFFICIENT);
  p.dhe_bits = 4096;
  p.dhe_class = TLS_CLASS_INSUFFICIENT;
  tls_grade_compute(&p, NULL, &g);
  CHECK_STR(find(&g, TFC_KEX, 4096)->reason, "DH group not one of RFC 7919's");
  p.dhe_bits = 0;                               /* no DHE accepted: nothing */
  p.ecdhe[PG_X25519] = PVS_ACCEPTED;
  p.ecdhe[PG_P521] = PVS_REFUSED;
  tls_grade_compute(&p, NULL, &g);
  CHECK_INT(g.grade, TLS_CLASS_GOOD);
  CHECK_INT(g.nfindings, 0);
}

static void test_certs_partial_bound(void) {
  profile_result_t p = prof(PROFILE_FULL);
  p.versions[PV_TLS13] = PVS_ACCEPTED;
  smtp_result_t r;
  smtp_result_init(&r);
  r.have_tls = true;
  r.tls.have_cert = true;
  strcpy(r.tls.cert.key_type, "RSA");
  r.tls.cert.key_bits = 2048;
  tls_grade_compute(&p, &r, &g);
  CHECK_INT(g.grade, TLS_CLASS_GOOD);           /* 2048: not graded down */
  r.tls.cert.key_bits = 1024;
  tls_grade_compute(&p, &r, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK_INT(find(&g, TFC_CERT, 1024)->kind, TFK_RSA_KEY);
  strcpy(r.tls.cert.key_type, "EC");            /* EC keys: not graded */
  tls_grade_compute(&p, &r, &g);
  CHECK_INT(g.grade, TLS_CLASS_GOOD);
  /* a profile certificate */
  p.ncerts = 1;
  p.certs[0].tls.have_cert = true;
  strcpy(p.certs[0].tls.cert.key_type, "RSA");
  p.certs[0].tls.cert.key_bits = 1536;
  tls_grade_compute(&p, &r, &g);
  CHECK_INT(g.grade, TLS_CLASS_INSUFFICIENT);
  CHECK(find(&g, TFC_CERT, 1536) != NULL);
  p.ncerts = 0;
  /* partial: an info finding */
  char why[] = "timeout";
  p.partial = why;
  tls_grade_compute(&p, NULL, &g);
  CHECK(find(&g, TFC_COVERAGE, 1) && find(&g, TFC_COVERAGE, 1)->level == TLS_LEVEL_INFO);
  p.partial = NULL;
  /* more findings than fit: truncated, the grade still the worst */
  p.versions[PV_TLS12] = PVS_ACCEPTED;
  size_t k = 0;
  for (size_t i = 0; i < tls_suites_count && k < 2 * PROFILE_CLASS_SUITES_MAX; i++) {
    int c = tls_suite_class(tls_suites[i].code);
    if (c != TLS_CLASS_PHASE_OUT && c != TLS_CLASS_INSUFFICIENT) continue;
    profile_class_res_t *cr = &p.ciphers[c];
    if (cr->nsuites < PROFILE_CLASS_SUITES_MAX) cr->suites[cr->nsuites++] = tls_suites[i].code, k++;
  }
  p.versions[PV_TLS10] = p.versions[PV_TLS11] = p.versions[PV_SSL3] = PVS_ACCEPTED;
  p.dhe_tested = true, p.dhe_bits = 1024, p.dhe_class = TLS_CLASS_INSUFFICIENT;
  tls_grade_compute(&p, NULL, &g);
  CHECK(k > PROFILE_CLASS_SUITES_MAX);          /* insufficient full, phase-out's all */
  CHECK_INT(g.nfindings, 4 + k + 1);            /* versions, suites, DHE */
  CHECK(!g.truncated);
  /* the bound holds every finding a profile can give: five versions and their chosen
   * suites, two enumerated classes, DHE, four groups, renegotiation, the certificates
   * (the main probe's and the profile's), two coverage findings: never truncated */
  CHECK(TLS_FINDINGS_MAX >= 2 * PV_COUNT + 2 * PROFILE_CLASS_SUITES_MAX + 1 + PG_COUNT + 1 +
                                1 + PROFILE_CERTS_MAX + 2);
}

static void test_summary(void) {
  job_t *j = fx_job(2);
  addr_t *a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  addr_t *b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  fx_tls(a, "TLSv1.3", true, NULL);
  fx_tls(b, "TLSv1.3", true, NULL);
  checks_finish(j);
  CHECK(j->has_summary && !j->summary.have_grade);     /* no profile: no grade */
  a->profile = prof(PROFILE_BASIC);
  a->profile.versions[PV_TLS13] = PVS_ACCEPTED;
  checks_finish(j);
  CHECK(a->grade.have && !b->grade.have);
  CHECK(j->summary.have_grade);
  CHECK_INT(j->summary.tls_grade, TLS_CLASS_GOOD);
  b->profile = prof(PROFILE_BASIC);
  b->profile.versions[PV_TLS10] = PVS_ACCEPTED;
  checks_finish(j);
  CHECK_INT(j->summary.tls_grade, TLS_CLASS_PHASE_OUT);
  CHECK(CHECK_TLS_GRADE < CHECK_SUMMARY);
  CHECK(checks_table[CHECK_TLS_GRADE] == &check_tls_grade);
  CHECK_STR(check_tls_grade.name, "tls_grade");
  job_free(j);
}

int main(void) {
  test_none();
  test_versions_basic();
  test_full();
  test_certs_partial_bound();
  test_summary();
  TEST_MAIN_END();
}
