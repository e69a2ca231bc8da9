/* mta_sts.policy_sha256 (checks/mtasts.c, mtasts_policy_sha256): the SHA-256 of the policy
 * body as fetched, for a complete HTTP 200 response only, whether the body parses or not;
 * known-answer vectors (FIPS 180-2 "abc", the empty string). */
#include "checks/mtasts.h"
#include "tests/unit/testlib.h"

static fetch_result_t resp(long status, const char *body) {
  fetch_result_t r;
  memset(&r, 0, sizeof r);
  r.ok = true;
  r.http_status = status;
  snprintf(r.content_type, sizeof r.content_type, "text/plain");
  r.body = body;
  r.body_len = body ? strlen(body) : 0;
  return r;
}

int main(void) {
  char h[65];
  fetch_result_t r = resp(200, "abc");
  mtasts_policy_sha256(&r, h);
  CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  r = resp(200, "");
  mtasts_policy_sha256(&r, h);
  CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  r = resp(200, NULL);
  mtasts_policy_sha256(&r, h);
  CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  /* a body that is no policy, with another media type: still hashed (as fetched) */
  r = resp(200, "<html>not a policy</html>");
  snprintf(r.content_type, sizeof r.content_type, "text/html");
  mtasts_policy_sha256(&r, h);
  CHECK_INT(strlen(h), 64);
  /* the hash covers every byte: one more changes it */
  char h2[65];
  r = resp(200, "version: STSv1\nmode: enforce\nmx: mx.example.pt\nmax_age: 86400\n");
  mtasts_policy_sha256(&r, h);
  r = resp(200, "version: STSv1\nmode: enforce\nmx: mx.example.pt\nmax_age: 86401\n");
  mtasts_policy_sha256(&r, h2);
  CHECK(strcmp(h, h2) != 0);
  /* not 200, not complete: none */
  r = resp(404, "abc");
  mtasts_policy_sha256(&r, h);
  CHECK_STR(h, "");
  r = resp(200, "abc");
  r.ok = false;
  mtasts_policy_sha256(&r, h);
  CHECK_STR(h, "");
  TEST_MAIN_END();
}
