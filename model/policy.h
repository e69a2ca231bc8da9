/* What the MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) records of a domain hold once parsed:
 * part of the domain model, filled in by the parsers of checks/ (mtasts_parse.h,
 * tlsrpt_parse.h). Fixed-size: a hostile record can at worst be rejected. */
#ifndef MXS_MODEL_POLICY_H
#define MXS_MODEL_POLICY_H
#include <stdbool.h>
#include <stddef.h>

#define MTASTS_ID_MAX 32            /* sts-id = 1*32(ALPHA / DIGIT) */
#define MTASTS_MAX_MX 64            /* mx patterns kept; more sets mx_truncated */
#define MTASTS_MX_LEN 253           /* longest pattern kept (a full domain name) */
#define MTASTS_BODY_MAX 65536       /* policy bodies larger than this are rejected */
#define MTASTS_MAX_AGE_MAX 31557600L /* RFC 8461 §3.2: about one year */

/* The TXT record at _mta-sts.<domain> (§3.1). */
typedef struct mtasts_txt {
  char id[MTASTS_ID_MAX + 1];
} mtasts_txt_t;

enum mtasts_mode {
  MTASTS_MODE_UNSET = 0,            /* only seen on a failed parse */
  MTASTS_MODE_ENFORCE,
  MTASTS_MODE_TESTING,
  MTASTS_MODE_NONE,
};

/* The policy body from https://mta-sts.<domain>/.well-known/mta-sts.txt (§3.2). */
typedef struct mtasts_policy {
  enum mtasts_mode mode;
  const char *mode_name;            /* "enforce" | "testing" | "none" (static), "" if unset */
  long max_age;                     /* seconds, 0..MTASTS_MAX_AGE_MAX */
  char mx[MTASTS_MAX_MX][MTASTS_MX_LEN + 1]; /* lowercased, trailing dot stripped */
  size_t nmx;                       /* patterns kept in mx[] */
  bool mx_truncated;                /* more than MTASTS_MAX_MX mx lines (all were valid) */
} mtasts_policy_t;

#define TLSRPT_MAX_RUA 8            /* report URIs kept; more sets rua_truncated */
#define TLSRPT_URI_MAX 511          /* longer URIs make the record invalid for us */

typedef struct tlsrpt {
  char rua[TLSRPT_MAX_RUA][TLSRPT_URI_MAX + 1]; /* as published (scheme case kept) */
  size_t nrua;
  bool rua_truncated;
} tlsrpt_t;

#endif
