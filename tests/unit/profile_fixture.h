/* Results the TLS profile's unit tests feed to its pure functions (smtp/profile.h): one
 * definition of "an engaged dialogue whose offer got this answer". Header-only, test-only. */
#ifndef MXS_TESTS_UNIT_PROFILE_FIXTURE_H
#define MXS_TESTS_UNIT_PROFILE_FIXTURE_H
#include "smtp/smtp_probe.h"

/* EHLO answered, STARTTLS offered and accepted, the offer sent, and the server's answer of
 * that kind choosing version and suite. */
static inline smtp_result_t fixture_offer_answer(enum hello_answer kind, uint16_t version,
                                                 uint16_t suite) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.outcome = SMTP_OUTCOME_ENGAGED;
  r.connect = SMTP_CONNECT_OK;
  r.starttls = SMTP_STARTTLS_OFFERED;
  r.offer_sent = true;
  r.offer.kind = kind;
  r.offer.version = version;
  r.offer.suite = suite;
  r.offer.retry = kind == HELLO_ANS_RETRY;
  return r;
}

#endif
