/* The outlook (checks/outlook.c): outlook_fill's folding of a verification at the horizon
 * into addr_t.outlook (which verdicts break, when, and the reasons), the domain's
 * summary.outlook (an address's verdict valid now and not at its horizon, an RRSIG of the
 * domain or of a host expiring before the horizon; the earliest wins; a verdict already
 * failing now is no warning; only status-ok domains), and the horizon itself. */
#include "checks/check.h"
#include "checks/outlook.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

#define DAY 86400
#define T0 ((time_t)1764662400)          /* 2025-12-02T08:00:00Z */

static tls_expiring_t exp_at(int depth, time_t na, const char *subject) {
  tls_expiring_t e = {depth, false, na, ""};
  snprintf(e.subject, sizeof e.subject, "%s", subject);
  return e;
}

static void test_fill(void) {
  tls_result_t t;
  memset(&t, 0, sizeof t);
  t.pkix_valid = true;
  t.dane_enabled = true;
  t.dane_valid = true;
  tls_outlook_t o;
  memset(&o, 0, sizeof o);
  o.at = T0 + 30 * DAY;
  o.pkix.valid = true;
  o.dane_enabled = true;
  o.dane.valid = true;
  outlook_t out;
  /* everything holds */
  outlook_fill(&out, &t, true, &o);
  CHECK(out.have);
  CHECK_INT(out.at, T0 + 30 * DAY);
  CHECK(out.pkix_now && out.pkix_valid && out.dane_applies && out.dane_now && out.dane_valid);
  CHECK_INT(out.breaks, 0);
  CHECK_INT(out.nreasons, 0);

  /* DANE-EE: PKIX breaks with the leaf in 5 days, DANE holds */
  o.pkix.valid = false;
  o.pkix.expiring[0] = exp_at(0, T0 + 5 * DAY + 7200, "CN=mx.example.pt");
  o.pkix.nexpiring = 1;
  outlook_fill(&out, &t, true, &o);
  CHECK(!out.pkix_valid);
  CHECK(out.dane_valid);
  CHECK_INT(out.breaks, T0 + 5 * DAY + 7200);
  CHECK_INT(out.nreasons, 1);
  CHECK_STR(out.reasons[0], "leaf certificate expires 2025-12-07T10:00:00Z");

  /* DANE-TA: both break; the intermediate earlier; reasons once each, PKIX's first */
  o.pkix.expiring[1] = exp_at(1, T0 + 3 * DAY, "CN=Test CA R3,O=Test");
  o.pkix.nexpiring = 2;
  o.dane.valid = false;
  o.dane.expiring[0] = exp_at(0, T0 + 5 * DAY + 7200, "CN=mx.example.pt");
  o.dane.nexpiring = 1;
  outlook_fill(&out, &t, true, &o);
  CHECK(!out.dane_valid);
  CHECK_INT(out.breaks, T0 + 3 * DAY);
  CHECK_INT(out.nreasons, 2);
  CHECK_STR(out.reasons[1], "intermediate CN=Test CA R3,O=Test expires 2025-12-05T08:00:00Z");

  /* the root of the trust store expires (OpenSSL checks its dates for PKIX) */
  o.pkix.expiring[2] = exp_at(2, T0 + 6 * DAY, "CN=Test Root");
  o.pkix.expiring[2].anchor = true;
  o.pkix.nexpiring = 3;
  outlook_fill(&out, &t, true, &o);
  CHECK_INT(out.nreasons, 3);
  CHECK_STR(out.reasons[2], "root CN=Test Root expires 2025-12-08T08:00:00Z");
  o.pkix.nexpiring = 2;

  /* PKIX already invalid now: its failure at the horizon is no break; DANE's is */
  t.pkix_valid = false;
  outlook_fill(&out, &t, true, &o);
  CHECK(!out.pkix_now);
  CHECK_INT(out.breaks, T0 + 5 * DAY + 7200);
  CHECK_INT(out.nreasons, 1);
  CHECK_STR(out.reasons[0], "leaf certificate expires 2025-12-07T10:00:00Z");

  /* DANE does not apply: never dane_valid, never a DANE break */
  outlook_fill(&out, &t, false, &o);
  CHECK(!out.dane_applies && !out.dane_now && !out.dane_valid);
  CHECK_INT(out.breaks, 0);
  CHECK_INT(out.nreasons, 0);

  /* a verdict that ends without a date: the error named, no breaks */
  t.pkix_valid = true;
  o.pkix.nexpiring = 0;
  snprintf(o.pkix.error, sizeof o.pkix.error, "unable to get local issuer certificate");
  outlook_fill(&out, &t, false, &o);
  CHECK_INT(out.breaks, 0);
  CHECK_STR(out.reasons[0], "PKIX not valid at the horizon: unable to get local issuer certificate");

  /* more reasons than room: the first OUTLOOK_REASONS_MAX */
  o.pkix.nexpiring = TLS_EXPIRING_MAX;
  for (int i = 0; i < TLS_EXPIRING_MAX; i++) o.pkix.expiring[i] = exp_at(i, T0 + i * DAY, "CN=x");
  o.dane.expiring[0] = exp_at(0, T0 + 9 * DAY, "CN=y");
  outlook_fill(&out, &t, true, &o);
  CHECK_INT(out.nreasons, OUTLOOK_REASONS_MAX);
  CHECK_INT(out.breaks, T0);
}

/* An address whose outlook is set directly. */
static void set_outlook(addr_t *a, bool pkix_now, bool pkix_at, bool dane, bool dane_now,
                        bool dane_at, time_t breaks, const char *reason) {
  outlook_t *o = &a->outlook;
  memset(o, 0, sizeof *o);
  *o = (outlook_t){.have = true, .at = T0 + 30 * DAY, .pkix_now = pkix_now, .pkix_valid = pkix_at,
                   .dane_applies = dane, .dane_now = dane_now, .dane_valid = dane_at,
                   .breaks = breaks};
  if (reason) snprintf(o->reasons[o->nreasons++], sizeof o->reasons[0], "%s", reason);
}

static void finish(job_t *j) {
  j->has_summary = j->status == JOB_OK;
  check_outlook.finish(j);
}

static void test_finish(void) {
  job_t *j = fx_job(2);
  addr_t *a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  addr_t *b = fx_addr(&j->hosts[1], DNSSEC_SECURE);
  set_outlook(a, true, true, true, true, true, 0, NULL);
  set_outlook(b, true, true, false, false, false, 0, NULL);
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_OK);
  CHECK_INT(j->outlook_breaks, 0);
  CHECK_STR(j->outlook_reason, "");

  /* PKIX breaks on mx2 in 5 days */
  set_outlook(b, true, false, false, false, false, T0 + 5 * DAY, "leaf certificate expires 2025-12-07T08:00:00Z");
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_WARN);
  CHECK_INT(j->outlook_breaks, T0 + 5 * DAY);
  CHECK_STR(j->outlook_reason, "mx2.example.pt: leaf certificate expires 2025-12-07T08:00:00Z");

  /* DANE on mx1 breaks earlier (3 days): it wins */
  set_outlook(a, false, false, true, true, false, T0 + 3 * DAY, "intermediate CN=CA expires 2025-12-05T08:00:00Z");
  finish(j);
  CHECK_INT(j->outlook_breaks, T0 + 3 * DAY);
  CHECK_STR(j->outlook_reason, "mx1.example.pt: intermediate CN=CA expires 2025-12-05T08:00:00Z");

  /* a break without a date counts at the horizon */
  set_outlook(a, true, true, true, true, true, 0, NULL);
  set_outlook(b, true, false, false, false, false, 0, NULL);
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_WARN);
  CHECK_INT(j->outlook_breaks, T0 + 30 * DAY);
  CHECK_STR(j->outlook_reason, "mx2.example.pt: PKIX not valid at the horizon");

  /* verdicts already failing now: no warning */
  set_outlook(b, false, false, true, false, false, 0, NULL);
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_OK);

  /* the domain's RRSIG expires in 10 days: warn; after the horizon: not */
  j->dnssec_expires.at = T0 + 10 * DAY;
  snprintf(j->dnssec_expires.what, sizeof j->dnssec_expires.what, "DNSKEY example.pt");
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_WARN);
  CHECK_INT(j->outlook_breaks, T0 + 10 * DAY);
  CHECK_STR(j->outlook_reason, "RRSIG of DNSKEY example.pt expires 2025-12-12T08:00:00Z");
  j->dnssec_expires.at = T0 + 31 * DAY;
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_OK);
  /* exactly at the horizon: warn (at <= horizon) */
  j->dnssec_expires.at = T0 + 30 * DAY;
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_WARN);
  /* a host's TLSA RRSIG in 3 days beats the domain's */
  host_t *h = &j->hosts[1];
  h->dnssec_expires.at = T0 + 3 * DAY;
  snprintf(h->dnssec_expires.what, sizeof h->dnssec_expires.what, "TLSA _25._tcp.mx2.example.pt");
  finish(j);
  CHECK_INT(j->outlook_breaks, T0 + 3 * DAY);
  CHECK_STR(j->outlook_reason, "RRSIG of TLSA _25._tcp.mx2.example.pt expires 2025-12-05T08:00:00Z");
  /* ... and an address breaking in 2 days beats that */
  set_outlook(a, true, false, false, false, false, T0 + 2 * DAY, "leaf certificate expires 2025-12-04T08:00:00Z");
  finish(j);
  CHECK_INT(j->outlook_breaks, T0 + 2 * DAY);
  CHECK_STR(j->outlook_reason, "mx1.example.pt: leaf certificate expires 2025-12-04T08:00:00Z");

  /* not status ok: not judged (and an earlier verdict does not linger) */
  j->status = JOB_DNS_ERROR;
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_OK);
  CHECK_STR(j->outlook_reason, "");
  job_free(j);
}

/* The horizon without any address outlook: scanned_at + --horizon days. */
static void test_horizon(void) {
  job_t *j = fx_job(1);
  CHECK_INT(outlook_horizon(j), 0);               /* no env, no outlook */
  job_env_t env;
  memset(&env, 0, sizeof env);
  env.horizon_days = 30;
  j->env = &env;
  snprintf(j->scanned_at, sizeof j->scanned_at, "2025-12-02T08:00:00Z");
  CHECK_INT(outlook_horizon(j), T0 + 30 * DAY);
  snprintf(j->scanned_at, sizeof j->scanned_at, "2024-02-29T00:00:00Z");
  CHECK_INT(outlook_horizon(j), (time_t)1709164800 + 30 * DAY);
  snprintf(j->scanned_at, sizeof j->scanned_at, "garbage");
  CHECK_INT(outlook_horizon(j), 0);
  snprintf(j->scanned_at, sizeof j->scanned_at, "2025-12-02T08:00:00Z");
  /* an RRSIG in 10 days with no address at all: warned */
  j->dnssec_expires.at = T0 + 10 * DAY;
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_WARN);
  /* --horizon 0: not */
  env.horizon_days = 0;
  finish(j);
  CHECK_INT(j->outlook, OUTLOOK_OK);
  /* an address outlook's time wins over the computed one */
  addr_t *a = fx_addr(&j->hosts[0], DNSSEC_SECURE);
  set_outlook(a, true, true, false, false, false, 0, NULL);
  CHECK_INT(outlook_horizon(j), T0 + 30 * DAY);
  j->env = NULL;
  job_free(j);
  char buf[32];
  outlook_time_str(0, buf, sizeof buf);
  CHECK_STR(buf, "");
  outlook_time_str(T0, buf, sizeof buf);
  CHECK_STR(buf, "2025-12-02T08:00:00Z");
}

int main(void) {
  test_fill();
  test_finish();
  test_horizon();
  TEST_MAIN_END();
}
