/* TLS-RPT record selection and parsing (RFC 8460 §3). */
#include <string.h>

#include "checks/tlsrpt_parse.h"
#include "tests/unit/testlib.h"

static const char *why;
static tlsrpt_t r;

/* one TXT record */
static int one(const char *s) {
  const char *v[1] = { s };
  size_t l[1] = { strlen(s) };
  why = NULL;
  return tlsrpt_txt_select(v, l, 1, &r, &why);
}

static void test_valid(void) {
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@b.example,https://r.example/x"), 1);
  CHECK(why == NULL);
  CHECK_INT(r.nrua, 2);
  CHECK_STR(r.rua[0], "mailto:a@b.example");
  CHECK_STR(r.rua[1], "https://r.example/x");
  CHECK(!r.rua_truncated);

  CHECK_INT(one("v=TLSRPTv1;rua=mailto:tlsrpt@example.com"), 1);
  CHECK_INT(r.nrua, 1);
  CHECK_STR(r.rua[0], "mailto:tlsrpt@example.com");
  /* whitespace around ";" and "," and a trailing ";" */
  CHECK_INT(one("v=TLSRPTv1 ;\trua=mailto:a@x.example , \thttps://y.example/r ; "), 1);
  CHECK_INT(r.nrua, 2);
  CHECK_STR(r.rua[1], "https://y.example/r");
  /* scheme is case-insensitive, kept as published */
  CHECK_INT(one("v=TLSRPTv1; rua=MAILTO:a@x.example,HTTPS://y.example"), 1);
  CHECK_STR(r.rua[0], "MAILTO:a@x.example");
  /* extensions ignored, before or after rua */
  CHECK_INT(one("v=TLSRPTv1; ext.1=foo; rua=mailto:a@x.example; x_y=z"), 1);
  CHECK_INT(r.nrua, 1);
  /* percent-encoded comma stays inside one URI */
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a%2Cb@x.example"), 1);
  CHECK_INT(r.nrua, 1);
  CHECK_STR(r.rua[0], "mailto:a%2Cb@x.example");
}

static void test_limits(void) {
  char buf[2048];
  size_t o = (size_t)snprintf(buf, sizeof buf, "v=TLSRPTv1; rua=");
  for (int k = 0; k < 10; k++)
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%smailto:r%d@x.example", k ? "," : "", k);
  CHECK_INT(one(buf), 1);
  CHECK_INT(r.nrua, TLSRPT_MAX_RUA);
  CHECK(r.rua_truncated);
  CHECK_STR(r.rua[7], "mailto:r7@x.example");

  /* exactly 8 is not truncated */
  o = (size_t)snprintf(buf, sizeof buf, "v=TLSRPTv1; rua=");
  for (int k = 0; k < 8; k++)
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%shttps://r%d.example", k ? "," : "", k);
  CHECK_INT(one(buf), 1);
  CHECK_INT(r.nrua, 8);
  CHECK(!r.rua_truncated);

  /* URI length: 511 kept, 512 refused */
  o = (size_t)snprintf(buf, sizeof buf, "v=TLSRPTv1; rua=https://");
  size_t start = o - strlen("https://");
  while (o - start < TLSRPT_URI_MAX) buf[o++] = 'a';
  buf[o] = '\0';
  CHECK_INT(one(buf), 1);
  CHECK_INT(strlen(r.rua[0]), TLSRPT_URI_MAX);
  buf[o++] = 'a';
  buf[o] = '\0';
  CHECK_INT(one(buf), -1);
  CHECK_STR(why, "rua URI too long");
}

static void test_invalid(void) {
  CHECK_INT(one("v=TLSRPTv1;"), -1);
  CHECK_STR(why, "missing rua");
  CHECK_INT(one("v=TLSRPTv1; foo=bar"), -1);
  CHECK_STR(why, "missing rua");
  CHECK_INT(one("v=TLSRPTv1; RUA=mailto:a@x.example"), -1);
  CHECK_STR(why, "missing rua");
  CHECK_INT(one("v=TLSRPTv1; rua=http://r.example/"), -1);
  CHECK_STR(why, "rua URI must be mailto: or https:");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example,ftp://r.example/"), -1);
  CHECK_STR(why, "rua URI must be mailto: or https:");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:"), -1);
  CHECK_STR(why, "rua URI must be mailto: or https:");
  CHECK_INT(one("v=TLSRPTv1; rua=a@x.example"), -1);
  CHECK_STR(why, "rua URI must be mailto: or https:");
  CHECK_INT(one("v=TLSRPTv1; rua="), -1);
  CHECK_STR(why, "empty rua URI");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example,"), -1);
  CHECK_STR(why, "empty rua URI");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example,,https://y.example"), -1);
  CHECK_STR(why, "empty rua URI");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:b@x.example"), -1);
  CHECK_STR(why, "duplicate rua");
  CHECK(r.nrua == 0);   /* nothing half-filled left behind */
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example https://y.example"), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example;; "), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(one("v=TLSRPTv1; foo=; rua=mailto:a@x.example"), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(one("v=TLSRPTv1; rua=mailto:a@x.example\x7f"), -1);
  CHECK_STR(why, "bad field syntax");
}

static void test_select(void) {
  /* wrong version, no separator, other records: discarded, so "none" */
  CHECK_INT(one("v=TLSRPTv2; rua=mailto:a@x.example"), 0);
  CHECK_STR(why, "no TLSRPTv1 record");
  CHECK_INT(one("v=TLSRPTv1 rua=mailto:a@x.example"), 0);
  CHECK_INT(one("v=TLSRPTv1"), 0);
  CHECK_INT(one("v=tlsrptv1; rua=mailto:a@x.example"), 0);
  CHECK_INT(one("v=TLSRPTv10; rua=mailto:a@x.example"), 0);
  CHECK_INT(one(""), 0);
  CHECK_INT(tlsrpt_txt_select(NULL, NULL, 0, &r, &why), 0);

  const char *a[] = { "v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv2; rua=x" };
  size_t al[] = { strlen(a[0]), strlen(a[1]), strlen(a[2]) };
  CHECK_INT(tlsrpt_txt_select(a, al, 3, &r, &why), 1);
  CHECK_STR(r.rua[0], "mailto:a@x.example");

  const char *b[] = { "v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1;rua=mailto:b@x.example" };
  size_t bl[] = { strlen(b[0]), strlen(b[1]) };
  CHECK_INT(tlsrpt_txt_select(b, bl, 2, &r, &why), -1);
  CHECK_STR(why, "multiple TLSRPTv1 records");

  /* length honoured: a NUL inside the record is a bad byte, not an end */
  CHECK_INT(tlsrpt_txt_select((const char *const[]){ "v=TLSRPTv1; rua=mailto:a@x\0y" },
                              (const size_t[]){ 28 }, 1, &r, &why), -1);
  CHECK_INT(tlsrpt_txt_select((const char *const[]){ "v=TLSRPTv1; rua=mailto:a@x.example" },
                              (const size_t[]){ 24 }, 1, &r, NULL), 1);
  CHECK_STR(r.rua[0], "mailto:a");
}

int main(void) {
  test_valid();
  test_limits();
  test_invalid();
  test_select();
  TEST_MAIN_END();
}
