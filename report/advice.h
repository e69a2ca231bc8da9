/* The texts a CERT sends about a finding: for each finding id, what was found (failing and
 * passing), what to change, why, and the reference (RFC section, CNCS recommendation). The
 * one place these texts live: `mxsurvey explain` and `mxsurvey report --notify` both read
 * them here, so the two can never tell an operator different things. The texts are English
 * msgids (translated with _(): report/i18n.h, po/pt_PT.po); the ids are not translated.
 *
 * Finding ids: the CNCS checks' ids (conformity.cncs.checks[].id, record/schema.c's
 * schema_cncs_check, indexed by enum cncs_check), then the report's own outlook ids, which
 * name a verdict valid at scan time that stops being valid before the horizon (--horizon):
 *   outlook-pkix    a certificate of the chain an MX address showed expires (PKIX)
 *   outlook-dane    DANE on an MX address stops validating (DANE-TA: the chain's dates)
 *   outlook-dnssec  an RRSIG the domain's DNSSEC or DANE verdict rests on expires
 * These ids are stable (docs/report.md): a CERT's scripts filter on them. */
#ifndef MXS_REPORT_ADVICE_H
#define MXS_REPORT_ADVICE_H

#include "record/schema.h"

enum advice_id {
  /* 0 .. CNCS_CHECK_COUNT - 1: enum cncs_check */
  ADV_OUTLOOK_PKIX = CNCS_CHECK_COUNT,
  ADV_OUTLOOK_DANE,
  ADV_OUTLOOK_DNSSEC,
  ADV_COUNT
};

#define ADV_ID_OUTLOOK_PKIX "outlook-pkix"
#define ADV_ID_OUTLOOK_DANE "outlook-dane"
#define ADV_ID_OUTLOOK_DNSSEC "outlook-dnssec"

/* Untranslated msgids: pass each through _() where it is printed. */
struct advice {
  const char *fail;     /* the finding when it fails (or, outlook: when it warns) */
  const char *pass;     /* what works, when it passes */
  const char *change;   /* what to change */
  const char *why;      /* why it matters */
  const char *ref;      /* RFC sections; the CNCS recommendation's point */
};

/* The id's string ("starttls", "outlook-pkix"). */
const char *advice_id_name(enum advice_id a);
/* The id of a string, or -1. */
int advice_lookup(const char *id);
/* The texts of a (0 <= a < ADV_COUNT). */
const struct advice *advice_get(enum advice_id a);
/* Whether a is one of the CNCS recommendation's companions (advisory: fails no conformity). */
int advice_advisory(enum advice_id a);

#endif
