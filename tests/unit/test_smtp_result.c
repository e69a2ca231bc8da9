/* The probe's result as the record shows it: reply texts from a hostile server keep every
 * byte (NUL included) and come out as valid, escaped JSON; the first error wins. */
#include "record/write_probe.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

static char *json_of(const smtp_result_t *r) {
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  write_smtp_result(&w, "smtp", r);
  jw_obj_end(&w);
  char *s = strndup(w.buf, w.len);
  jw_free(&w);
  return s;
}

int main(void) {
  smtp_result_t r;
  smtp_result_init(&r);
  static const char banner[] = "220 mx \0NUL \xff\xc3( x";
  r.connect = SMTP_CONNECT_OK;
  r.banner = malloc(sizeof banner);
  memcpy(r.banner, banner, sizeof banner);
  r.banner_len = sizeof banner - 1;
  r.banner_code = 220;
  static const char reply[] = "454 4.7.0 \0\xed\xa0\x80 bad";
  smtp_result_set_error_bytes(&r, SMTP_STAGE_STARTTLS, reply, sizeof reply - 1);
  smtp_result_set_error(&r, SMTP_STAGE_QUIT, "ignored: the first error explains");
  CHECK_INT(r.err_stage, SMTP_STAGE_STARTTLS);
  CHECK_INT(r.err_reason_len, sizeof reply - 1);
  CHECK(memcmp(r.err_reason, reply, sizeof reply) == 0);   /* NUL-terminated copy */

  /* A shared observation is copied into each record (smtp/observe.c): the copy keeps
   * every byte past a NUL and owns its own retry reasons. */
  r.attempts = 2;
  r.retry_reasons[0] = strdup("421 4.7.0 busy");
  r.nretry_reasons = 1;
  smtp_result_t cp;
  CHECK_INT(smtp_result_copy(&cp, &r), 0);
  CHECK_INT(cp.banner_len, sizeof banner - 1);
  CHECK(cp.banner != r.banner && memcmp(cp.banner, banner, sizeof banner) == 0);
  CHECK_INT(cp.err_reason_len, sizeof reply - 1);
  CHECK(cp.err_reason != r.err_reason && memcmp(cp.err_reason, reply, sizeof reply) == 0);
  CHECK_INT(cp.nretry_reasons, 1);
  CHECK(cp.retry_reasons[0] != r.retry_reasons[0]);
  CHECK_STR(cp.retry_reasons[0], "421 4.7.0 busy");
  char *jc = json_of(&cp);
  smtp_result_free(&cp);            /* the original must not depend on the copy */

  char *j = json_of(&r);
  CHECK_STR(jc, j);
  free(jc);
  CHECK(strstr(j, "\"retry_reasons\":[\"421 4.7.0 busy\"]") != NULL);
  CHECK(strstr(j, "\"banner\":\"220 mx \\u0000NUL \xef\xbf\xbd\xef\xbf\xbd( x\"") != NULL);
  CHECK(strstr(j, "\"reason\":\"454 4.7.0 \\u0000\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd bad\"")
        != NULL);
  free(j);
  smtp_result_free(&r);

  /* a plain C-string reason keeps working */
  smtp_result_init(&r);
  smtp_result_set_error(&r, SMTP_STAGE_BANNER, "timeout");
  CHECK_INT(r.err_reason_len, 7);
  j = json_of(&r);
  CHECK(strstr(j, "\"error\":{\"stage\":\"banner\",\"reason\":\"timeout\"}") != NULL);
  free(j);
  smtp_result_free(&r);
  TEST_MAIN_END();
}
