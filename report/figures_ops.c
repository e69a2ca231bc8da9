/* Issue 16's part of the figure catalogue: CNCS conformity per check (advisory ones
 * marked), TLSA rollover readiness per distinct MX host, the outlook by week until the
 * horizon and what breaks; the list of the domains whose mail breaks soonest and the
 * operators' conformity. Each section is shown only when the records have its fields
 * (a scan before issue 16 gets the report it always had). The check ids and results are
 * record/schema.c's; the descriptions here are the report's words for them. */
#include "report/figures.h"
#include "report/stats_ops.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>

#define WEEK_S (7 * 86400)
#define STR(x) #x
#define XSTR(x) STR(x)

/* What each check asks, for a reader of the report (docs/conformity.md has the text of
 * the recommendation each comes from). */
const char *const cncs_check_title[CNCS_CHECK_COUNT] = {
  [CNCS_STARTTLS] = "STARTTLS on every MX address",
  [CNCS_TLS_VERSION] = "no insecure TLS version accepted",
  [CNCS_TLS_CIPHER] = "no obsolete cipher accepted",
  [CNCS_CERT_NAME] = "certificate names the MX host",
  [CNCS_CERT_CHAIN] = "whole chain sent",
  [CNCS_DNSSEC_DOMAIN] = "mail domain signed (DNSSEC)",
  [CNCS_DNSSEC_MX] = "MX hosts' zones signed (DNSSEC)",
  [CNCS_TLSA] = "secure TLSA on every MX host",
  [CNCS_DANE] = "DANE valid on every MX address",
  [CNCS_TLSA_ROLLOVER] = "two TLSA records per MX host, rollover-ready",
  [CNCS_ADV_MTASTS] = "MTA-STS enforce with a valid policy",
  [CNCS_ADV_TLSRPT] = "TLS-RPT published",
  [CNCS_ADV_TESTING_RPT] = "no MTA-STS testing policy without TLS-RPT",
};

static uint64_t count(const struct stats *s, const char *key) {
  return s ? rt_count(&s->counts, key) : 0;
}

static int present(const struct fig_ctx *c, const char *key) {
  return count(c->now, key) || count(c->old, key);
}

static void conformity(struct fig_ctx *c) {
  const char *S = "conformity", *D = "conformity.domains";
  const char *const results[] = {
    schema_cncs_result[CNCS_PASS], schema_cncs_result[CNCS_FAIL],
    schema_cncs_result[CNCS_NOT_TESTED], schema_cncs_result[CNCS_NOT_APPLICABLE], NULL};
  fig_add(c, S, D, "Domains judged (conformity.cncs)", "population.ok");
  fig_add(c, S, "conformity.pass", "Conform to the CNCS recommendation (no non-advisory check "
          "fails)", D);
  fig_add(c, S, "conformity.complete", "Every non-advisory check tested", D);
  for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
    char prefix[96], label[200];
    snprintf(prefix, sizeof prefix, "conformity.check.%s.", schema_cncs_check[k]);
    snprintf(label, sizeof label, "%s%s (%s)", k >= CNCS_FIRST_ADVISORY ? "advisory: " : "",
             schema_cncs_check[k], cncs_check_title[k]);
    fig_dist(c, S, prefix, label, D, results);
  }
  fig_dist(c, S, "conformity.unknown_check.", "Check the report does not know", D, NULL);
}

static void rollover(struct fig_ctx *c) {
  const char *S = "rollover", *H = "rollover.hosts";
  fig_add(c, S, H, "MX hosts judged (secure usable TLSA, a certificate presented)",
          "dane.host_tlsa.secure");
  fig_add(c, S, "rollover.ready", "Rollover-ready (a key or certificate change leaves a "
          "matching record)", H);
  fig_add(c, S, "rollover.not_ready", "Not rollover-ready", H);
  fig_dist(c, S, "rollover.scheme_ready.", "Scheme of the ready hosts", "rollover.ready", NULL);
  fig_dist(c, S, "rollover.scheme_not_ready.", "Scheme of the hosts not ready",
           "rollover.not_ready", NULL);
  fig_dist(c, S, "rollover.reason.", "Why not ready", "rollover.not_ready", NULL);
  fig_add(c, S, "rollover.unmatched", "With a TLSA record matching no certificate presented "
          "(a next key, or a stale one)", H);
}

/* The weeks shown: every week until the horizon, and any later one met. */
static int weeks(const struct stats *s) {
  if (!s) return 0;
  int w = (int)((s->ops16.horizon_s + WEEK_S - 1) / WEEK_S);
  return s->ops16.max_week > w ? s->ops16.max_week : w;
}

static void outlook(struct fig_ctx *c) {
  const char *S = "outlook", *W = "outlook.status.warn";
  static const char *const what_title[OW_COUNT] = {
    [OW_PKIX] = "What breaks: a certificate (PKIX-valid now, not at the horizon)",
    [OW_DANE] = "What breaks: DANE (valid now, not at the horizon)",
    [OW_DNSSEC] = "What breaks: a DNSSEC signature expires (dnssec_expires)",
    [OW_OTHER] = "What breaks: none of these named (see outlook_reason)",
  };
  fig_add(c, S, "outlook.domains", "Domains with an outlook (summary.outlook)", "population.ok");
  const char *const st[] = {schema_outlook_status[OUTLOOK_OK], schema_outlook_status[OUTLOOK_WARN],
                            NULL};
  fig_dist(c, S, "outlook.status.", "Outlook", "outlook.domains", st);
  int nw = weeks(c->now), ow = weeks(c->old);
  if (ow > nw) nw = ow;
  if (nw > OUTLOOK_WEEKS_MAX) nw = OUTLOOK_WEEKS_MAX;
  for (int w = 1; w <= nw; w++) {
    char key[64], label[128];
    snprintf(key, sizeof key, "outlook.week.%d", w);
    snprintf(label, sizeof label, "Breaks in week %d (days %d-%d after the scan)", w,
             (w - 1) * 7, w * 7 - 1);
    fig_add(c, S, key, label, W);
  }
  if (present(c, "outlook.week.past"))
    fig_add(c, S, "outlook.week.past", "Breaks before the scan time", W);
  if (present(c, "outlook.week.later"))
    fig_add(c, S, "outlook.week.later", "Breaks after week " XSTR(OUTLOOK_WEEKS_MAX), W);
  if (present(c, "outlook.week.unknown"))
    fig_add(c, S, "outlook.week.unknown", "Warning without outlook_breaks", W);
  for (int k = 0; k < OW_COUNT; k++) {
    char key[64];
    snprintf(key, sizeof key, "outlook.what.%s", outlook_what_name[k]);
    if (k != OW_OTHER || present(c, key)) fig_add(c, S, key, what_title[k], W);
  }
}

void figures_ops(struct fig_ctx *c) {
  struct report *r = c->r;
  r->conformity = present(c, "conformity.domains");
  r->outlook = present(c, "outlook.domains");
  if (r->conformity) conformity(c);
  if (present(c, "rollover.hosts")) rollover(c);
  if (r->outlook) outlook(c);
  r->horizon_days = (int)(c->now->ops16.horizon_s / 86400);
  r->nsoon = c->now->ops16.nsoon;
  memcpy(r->soon, c->now->ops16.soon, sizeof r->soon);
}

void figures_ops_operators(struct report *r, const struct stats *now) {
  const struct rtable *t = &now->ops16.opcncs;
  for (size_t i = 0; i < r->nops; i++) {
    struct operator_row *o = &r->ops[i];
    const struct rt_entry *e = rt_find(t, o->name);
    if (!e) continue;
    o->cncs_domains = e->v[0];
    o->cncs_pass = e->v[1];
    for (int k = 0; k < CNCS_CHECK_COUNT; k++) {
      char key[300];
      snprintf(key, sizeof key, "%s\x1f%s", o->name, schema_cncs_check[k]);
      const struct rt_entry *ck = rt_find(t, key);
      if (ck) memcpy(o->cncs[k], ck->v, sizeof o->cncs[k]);
    }
  }
}
