/* The probe's result as the record shows it: reply texts from a hostile server keep every
 * byte (NUL included) and come out as valid, escaped JSON; the first error wins. */
#include "scanner/smtp_probe.h"
#include "tests/unit/testlib.h"

#include <stdlib.h>
#include <string.h>

static char *json_of(const smtp_result_t *r) {
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  smtp_result_json(&w, "smtp", r);
  jw_obj_end(&w);
  char *s = strndup(w.buf, w.len);
  jw_free(&w);
  return s;
}

int main(void) {
  smtp_result_t r;
  smtp_result_init(&r);
  static const char banner[] = "220 mx \0NUL \xff\xc3( x";
  r.connect = "ok";
  r.banner = malloc(sizeof banner);
  memcpy(r.banner, banner, sizeof banner);
  r.banner_len = sizeof banner - 1;
  r.banner_code = 220;
  static const char reply[] = "454 4.7.0 \0\xed\xa0\x80 bad";
  smtp_result_set_error_bytes(&r, "starttls", reply, sizeof reply - 1);
  smtp_result_set_error(&r, "quit", "ignored: the first error explains");
  CHECK_STR(r.err_stage, "starttls");
  CHECK_INT(r.err_reason_len, sizeof reply - 1);
  CHECK(memcmp(r.err_reason, reply, sizeof reply) == 0);   /* NUL-terminated copy */

  char *j = json_of(&r);
  CHECK(strstr(j, "\"banner\":\"220 mx \\u0000NUL \xef\xbf\xbd\xef\xbf\xbd( x\"") != NULL);
  CHECK(strstr(j, "\"reason\":\"454 4.7.0 \\u0000\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd bad\"")
        != NULL);
  free(j);
  smtp_result_free(&r);

  /* a plain C-string reason keeps working */
  smtp_result_init(&r);
  smtp_result_set_error(&r, "banner", "timeout");
  CHECK_INT(r.err_reason_len, 7);
  j = json_of(&r);
  CHECK(strstr(j, "\"error\":{\"stage\":\"banner\",\"reason\":\"timeout\"}") != NULL);
  free(j);
  smtp_result_free(&r);
  TEST_MAIN_END();
}
