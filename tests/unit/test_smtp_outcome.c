/* smtp_outcome_of (smtp/smtp_probe.c): every branch, from results shaped as the probe
 * leaves them (stage by stage, as the misbehaving servers of the test world end them), and
 * the record's spelling through the writer (smtp.outcome is the first key, always there). */
#include "record/write_probe.h"
#include "record/schema.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

/* A result that connected and got banner `code` (0: no banner). */
static smtp_result_t greeted(int code) {
  smtp_result_t r;
  smtp_result_init(&r);
  r.connect = SMTP_CONNECT_OK;
  if (code) {
    r.banner = strdup("xxx mx.example.pt");
    if (!r.banner) abort();
    r.banner_len = strlen(r.banner);
    r.banner_code = code;
  }
  return r;
}

static void test_outcomes(void) {
  smtp_result_t r;
  smtp_result_init(&r);                      /* never probed: excluded, special, no route */
  CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_NOT_ATTEMPTED);
  static const enum smtp_connect down[] = {SMTP_CONNECT_REFUSED, SMTP_CONNECT_TIMEOUT,
                                           SMTP_CONNECT_UNREACHABLE, SMTP_CONNECT_ERROR};
  for (size_t i = 0; i < sizeof down / sizeof down[0]; i++) {
    r.connect = down[i];
    CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_UNREACHABLE);
  }
  /* connected, no greeting: silence (banner timeout) or non-SMTP bytes are unreachable;
   * the server closing or resetting on us is lost */
  r = greeted(0);
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "timeout");
  CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_UNREACHABLE);
  smtp_result_free(&r);
  r = greeted(0);
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "malformed reply: not an SMTP reply");
  CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_UNREACHABLE);
  r.peer_closed = true;                      /* ... then it hung up */
  CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_LOST);
  smtp_result_free(&r);
  /* greetings: 4xx/5xx refused, 220 goes on, others are no greeting */
  static const struct { int code; enum smtp_outcome o; } g[] = {
    {421, SMTP_OUTCOME_REFUSED}, {450, SMTP_OUTCOME_REFUSED}, {554, SMTP_OUTCOME_REFUSED},
    {599, SMTP_OUTCOME_REFUSED}, {400, SMTP_OUTCOME_REFUSED}, {250, SMTP_OUTCOME_UNREACHABLE},
    {354, SMTP_OUTCOME_UNREACHABLE}, {220, SMTP_OUTCOME_LOST},
  };
  for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
    r = greeted(g[i].code);
    CHECK_INT(smtp_outcome_of(&r), g[i].o);
    smtp_result_free(&r);
  }
  /* 220, then EHLO: 4xx/5xx refused; closed, reset, silent or another code lost */
  static const struct { int ehlo; bool closed; enum smtp_outcome o; } e[] = {
    {421, false, SMTP_OUTCOME_REFUSED}, {554, false, SMTP_OUTCOME_REFUSED},
    {502, false, SMTP_OUTCOME_REFUSED}, {0, true, SMTP_OUTCOME_LOST},
    {0, false, SMTP_OUTCOME_LOST}, {354, false, SMTP_OUTCOME_LOST},
  };
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
    r = greeted(220);
    r.ehlo_code = e[i].ehlo;
    r.peer_closed = e[i].closed;
    smtp_result_set_error(&r, SMTP_STAGE_EHLO, e[i].closed ? "connection closed by server" : "timeout");
    CHECK_INT(smtp_outcome_of(&r), e[i].o);
    smtp_result_free(&r);
  }
  /* EHLO 250: engaged, whatever happened later (no STARTTLS, 454, a failed handshake,
   * a reset inside TLS) */
  static const enum smtp_starttls st[] = {SMTP_STARTTLS_NOT_OFFERED, SMTP_STARTTLS_OFFERED};
  for (size_t i = 0; i < 2; i++) {
    r = greeted(220);
    r.ehlo_code = 250;
    r.starttls = st[i];
    r.peer_closed = true;
    smtp_result_set_error(&r, SMTP_STAGE_TLS, "connection reset by peer");
    CHECK_INT(smtp_outcome_of(&r), SMTP_OUTCOME_ENGAGED);
    smtp_result_free(&r);
  }
}

static void test_written(void) {
  smtp_result_t r = greeted(421);
  r.outcome = smtp_outcome_of(&r);
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  write_smtp_result(&w, "smtp", &r);
  jw_obj_end(&w);
  CHECK(w.len > 0 && strstr(w.buf, "{\"smtp\":{\"outcome\":\"refused\",\"connect\":\"ok\"") == w.buf);
  jw_free(&w);
  smtp_result_free(&r);
  CHECK_STR(smtp_outcome_name(SMTP_OUTCOME_LOST), "lost");
}

int main(void) {
  test_outcomes();
  test_written();
  TEST_MAIN_END();
}
