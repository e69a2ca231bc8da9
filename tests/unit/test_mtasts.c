/* MTA-STS parsers (RFC 8461 §3.1 TXT record, §3.2 policy body, §4.1 MX matching). */
#include <stdlib.h>
#include <string.h>

#include "checks/mtasts_parse.h"
#include "tests/unit/testlib.h"

static const char *why;

static int txt(const char *s, mtasts_txt_t *out) {
  why = NULL;
  return mtasts_txt_parse(s, strlen(s), out, &why);
}

static int pol(const char *s, mtasts_policy_t *out) {
  why = NULL;
  return mtasts_policy_parse(s, strlen(s), out, &why);
}

static void test_txt(void) {
  mtasts_txt_t t;
  CHECK_INT(txt("v=STSv1; id=20160831085700Z;", &t), 1);
  CHECK_STR(t.id, "20160831085700Z");
  CHECK(why == NULL);
  CHECK_INT(txt("v=STSv1; id=abc", &t), 1);
  CHECK_STR(t.id, "abc");
  /* whitespace on either side of ";" (erratum 6285), tabs too, and none at all */
  CHECK_INT(txt("v=STSv1 ;id=abc", &t), 1);
  CHECK_STR(t.id, "abc");
  CHECK_INT(txt("v=STSv1\t ; \tid=x1\t;\t", &t), 1);
  CHECK_STR(t.id, "x1");
  CHECK_INT(txt("v=STSv1;id=a", &t), 1);
  CHECK_INT(txt("v=STSv1; id=abc ", &t), 1);
  /* extensions ignored, in either order; names may contain _ - . */
  CHECK_INT(txt("v=STSv1; ext_1.a-b=foo/bar; id=Z9", &t), 1);
  CHECK_STR(t.id, "Z9");
  CHECK_INT(txt("v=STSv1; id=Z9; foo=bar", &t), 1);
  /* id length boundaries */
  CHECK_INT(txt("v=STSv1; id=12345678901234567890123456789012", &t), 1);
  CHECK_STR(t.id, "12345678901234567890123456789012");
  CHECK_INT(txt("v=STSv1; id=123456789012345678901234567890123", &t), -1);
  CHECK_STR(why, "id must be 1-32 letters or digits");
  CHECK_INT(txt("v=STSv1; id=", &t), -1);
  CHECK_STR(why, "id must be 1-32 letters or digits");
  CHECK_INT(txt("v=STSv1; id=ab-c", &t), -1);
  CHECK_STR(why, "id must be 1-32 letters or digits");
  /* missing / duplicate id */
  CHECK_INT(txt("v=STSv1", &t), -1);
  CHECK_STR(why, "missing id");
  CHECK_INT(txt("v=STSv1;", &t), -1);
  CHECK_STR(why, "missing id");
  CHECK_INT(txt("v=STSv1; foo=bar", &t), -1);
  CHECK_STR(why, "missing id");
  CHECK_INT(txt("v=STSv1; id=a; id=b", &t), -1);
  CHECK_STR(why, "duplicate id");
  /* "ID=" is an extension name, not the id (the ABNF is case-sensitive) */
  CHECK_INT(txt("v=STSv1; ID=abc", &t), -1);
  CHECK_STR(why, "missing id");
  /* syntax errors */
  CHECK_INT(txt("v=STSv1 id=abc", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; id=abc;; ", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; id=abc def", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; =x; id=a", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; foo=; id=a", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; id=a; _x=1", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; id=a; a23456789012345678901234567890123=1", &t), -1);
  CHECK_STR(why, "bad field syntax");
  CHECK_INT(txt("v=STSv1; id=a; a2345678901234567890123456789012=1", &t), 1);
  CHECK_INT(txt("v=STSv1; id=a\x01", &t), -1);
  /* not STS records at all */
  CHECK_INT(txt("v=spf1 -all", &t), 0);
  CHECK_INT(txt("v=stsv1; id=abc", &t), 0);
  CHECK_INT(txt(" v=STSv1; id=abc", &t), 0);
  CHECK_INT(txt("v=STSv10; id=abc", &t), 0);
  CHECK_INT(txt("", &t), 0);
  /* a NUL byte inside the record is data, not a terminator */
  CHECK_INT(mtasts_txt_parse("v=STSv1; id=a\0b", 15, &t, &why), -1);
  /* length is honoured: the same text cut short before the id */
  CHECK_INT(mtasts_txt_parse("v=STSv1; id=abc", 8, &t, &why), -1);
  CHECK_STR(why, "missing id");
  CHECK_INT(mtasts_txt_parse("v=STSv1; id=abc", 13, &t, NULL), 1);
  CHECK_STR(t.id, "a");
}

static void test_select(void) {
  mtasts_txt_t t;
  const char *a[] = { "v=spf1 -all", "v=STSv1; id=one", "google-site-verification=x" };
  size_t al[] = { strlen(a[0]), strlen(a[1]), strlen(a[2]) };
  CHECK_INT(mtasts_txt_select(a, al, 3, &t, &why), 1);
  CHECK_STR(t.id, "one");

  const char *b[] = { "v=STSv1; id=one", "v=STSv1; id=two" };
  size_t bl[] = { strlen(b[0]), strlen(b[1]) };
  CHECK_INT(mtasts_txt_select(b, bl, 2, &t, &why), -1);
  CHECK_STR(why, "multiple STSv1 records");
  /* even identical duplicates are "multiple" (§3.1) */
  const char *c[] = { "v=STSv1; id=one", "v=STSv1; id=one" };
  CHECK_INT(mtasts_txt_select(c, bl, 2, &t, &why), -1);
  CHECK_STR(why, "multiple STSv1 records");

  const char *d[] = { "v=spf1 -all", "hello" };
  size_t dl[] = { strlen(d[0]), strlen(d[1]) };
  CHECK_INT(mtasts_txt_select(d, dl, 2, &t, &why), 0);
  CHECK_STR(why, "no STSv1 record");
  CHECK_INT(mtasts_txt_select(NULL, NULL, 0, &t, &why), 0);

  const char *e[] = { "x", "v=STSv1; id=bad!" };
  size_t el[] = { 1, strlen(e[1]) };
  CHECK_INT(mtasts_txt_select(e, el, 2, &t, &why), -1);
  CHECK_STR(why, "id must be 1-32 letters or digits");
}

#define GOOD "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"

static void test_policy(void) {
  static mtasts_policy_t p;   /* large: keep it off the stack */
  CHECK_INT(pol(GOOD, &p), 1);
  CHECK(why == NULL);
  CHECK_INT(p.mode, MTASTS_MODE_ENFORCE);
  CHECK_STR(p.mode_name, "enforce");
  CHECK_INT(p.max_age, 604800);
  CHECK_INT(p.nmx, 2);
  CHECK_STR(p.mx[0], "mail.example.com");
  CHECK_STR(p.mx[1], "*.example.net");
  CHECK(!p.mx_truncated);

  /* CRLF, no final terminator, whitespace around values, lowercasing, trailing dot */
  CHECK_INT(pol("version: STSv1\r\nmode:testing\r\nmx:\t MX1.Example.COM. \t\r\nmax_age: 86400", &p), 1);
  CHECK_INT(p.mode, MTASTS_MODE_TESTING);
  CHECK_STR(p.mode_name, "testing");
  CHECK_STR(p.mx[0], "mx1.example.com");
  CHECK_INT(p.max_age, 86400);
  /* mixed terminators and a blank trailing line */
  CHECK_INT(pol("version: STSv1\nmode: enforce\r\nmx: a.example\nmax_age: 1\n\n", &p), 1);
  /* unknown keys ignored */
  CHECK_INT(pol("version: STSv1\nfoo: bar baz\nmode: enforce\nmx: a.example\nmax_age: 1\n", &p), 1);
  /* mode none needs no mx */
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 86400\n", &p), 1);
  CHECK_INT(p.mode, MTASTS_MODE_NONE);
  CHECK_INT(p.nmx, 0);

  /* max_age boundaries */
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 0\n", &p), 1);
  CHECK_INT(p.max_age, 0);
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 31557600\n", &p), 1);
  CHECK_INT(p.max_age, 31557600);
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 31557601\n", &p), -1);
  CHECK_STR(why, "max_age out of range");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 9999999999\n", &p), -1);
  CHECK_STR(why, "max_age out of range");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 00000000001\n", &p), -1);
  CHECK_STR(why, "max_age must be 1-10 digits");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 0000000001\n", &p), 1);
  CHECK_INT(p.max_age, 1);
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: -1\n", &p), -1);
  CHECK_STR(why, "max_age must be 1-10 digits");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 1 2\n", &p), -1);
  CHECK_STR(why, "max_age must be 1-10 digits");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age:\n", &p), -1);
  CHECK_STR(why, "max_age must be 1-10 digits");

  /* missing keys */
  CHECK_INT(pol("mode: enforce\nmx: a.example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "missing version");
  CHECK_INT(pol("version: STSv1\nmx: a.example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "missing mode");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx: a.example\n", &p), -1);
  CHECK_STR(why, "missing max_age");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "no mx pattern");
  CHECK_INT(pol("version: STSv1\nmode: testing\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "no mx pattern");
  CHECK_INT(pol("", &p), -1);
  CHECK_STR(why, "missing version");

  /* duplicates */
  CHECK_INT(pol("version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "duplicate version");
  CHECK_INT(pol("version: STSv1\nmode: none\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "duplicate mode");
  CHECK_INT(pol("version: STSv1\nmode: none\nmax_age: 1\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "duplicate max_age");

  /* bad values */
  CHECK_INT(pol("version: STSv2\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "unsupported version");
  CHECK_INT(pol("version: STSv1\nmode: x\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "unknown mode");
  CHECK_INT(pol("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "unknown mode");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad mx pattern");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad mx pattern");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad mx pattern");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx: *.\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad mx pattern");
  CHECK_INT(pol("version: STSv1\nmode: enforce\nmx:\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "empty mx pattern");

  /* line syntax */
  CHECK_INT(pol("version STSv1\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad line syntax");
  CHECK_INT(pol(" version: STSv1\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad line syntax");
  CHECK_INT(pol("version : STSv1\nmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "bad line syntax");
  CHECK_INT(pol("version: STSv1\rmode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "control character in policy");
  /* keys are case-sensitive: "Mode" is an unknown extension, so mode is missing */
  CHECK_INT(pol("version: STSv1\nMode: none\nmax_age: 1\n", &p), -1);
  CHECK_STR(why, "missing mode");

  /* NUL byte and size cap */
  CHECK_INT(mtasts_policy_parse("version: STSv1\0\nmode: none\nmax_age: 1\n", 38, &p, &why), -1);
  CHECK_STR(why, "NUL byte in policy");
  size_t big = MTASTS_BODY_MAX + 1;
  char *b = malloc(big);
  CHECK(b != NULL);
  if (b) {
    static const char head[] = "version: STSv1\nmode: none\nmax_age: 1\n";
    memset(b, 'x', big);
    memcpy(b, head, sizeof head - 1);
    b[sizeof head - 1] = 'x';
    b[big - 1] = '\n';
    /* pad with an extension line so only the size is wrong */
    memcpy(b + sizeof head - 1, "pad: ", 5);
    CHECK_INT(mtasts_policy_parse(b, big, &p, &why), -1);
    CHECK_STR(why, "policy body too large");
    CHECK_INT(mtasts_policy_parse(b, big - 1, &p, &why), 1);
    free(b);
  }

  /* mx pattern length: 253 kept, 254 refused */
  char line[600];
  char name[300];
  memset(name, 'a', sizeof name);
  for (int k = 63; k < 253; k += 64) name[k] = '.';
  name[253] = '\0';
  snprintf(line, sizeof line, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: %s\n", name);
  CHECK_INT(pol(line, &p), 1);
  CHECK_INT(strlen(p.mx[0]), 253);
  name[253] = 'a';
  name[254] = '\0';
  snprintf(line, sizeof line, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: %s\n", name);
  CHECK_INT(pol(line, &p), -1);
  CHECK_STR(why, "mx pattern too long");

  /* more than MTASTS_MAX_MX patterns: the first 64 kept, the rest flagged */
  char *many = malloc(8192);
  CHECK(many != NULL);
  if (many) {
    size_t o = (size_t)snprintf(many, 8192, "version: STSv1\nmode: enforce\nmax_age: 1\n");
    for (int k = 0; k < 70; k++) o += (size_t)snprintf(many + o, 8192 - o, "mx: m%d.example\n", k);
    CHECK_INT(mtasts_policy_parse(many, o, &p, &why), 1);
    CHECK_INT(p.nmx, MTASTS_MAX_MX);
    CHECK(p.mx_truncated);
    CHECK_STR(p.mx[63], "m63.example");
    /* a bad pattern past the cap still invalidates the policy */
    o += (size_t)snprintf(many + o, 8192 - o, "mx: bad_name\n");
    CHECK_INT(mtasts_policy_parse(many, o, &p, &why), -1);
    CHECK_STR(why, "bad mx pattern");
    free(many);
  }
  /* NULL out is allowed (validate only) */
  CHECK_INT(mtasts_policy_parse(GOOD, strlen(GOOD), NULL, NULL), 1);
}

static void test_match(void) {
  CHECK(mtasts_mx_match("mail.example.com", "mail.example.com"));
  CHECK(mtasts_mx_match("mail.example.com", "MAIL.Example.COM"));
  CHECK(mtasts_mx_match("mail.example.com.", "mail.example.com"));
  CHECK(mtasts_mx_match("mail.example.com", "mail.example.com."));
  CHECK(!mtasts_mx_match("mail.example.com", "mail.example.co"));
  CHECK(!mtasts_mx_match("mail.example.com", "xmail.example.com"));
  CHECK(!mtasts_mx_match("mail.example.com", "a.mail.example.com"));
  CHECK(mtasts_mx_match("*.example.com", "a.example.com"));
  CHECK(mtasts_mx_match("*.example.com", "MX-1.EXAMPLE.com."));
  CHECK(!mtasts_mx_match("*.example.com", "example.com"));
  CHECK(!mtasts_mx_match("*.example.com", "a.b.example.com"));
  CHECK(!mtasts_mx_match("*.example.com", ".example.com"));
  CHECK(!mtasts_mx_match("*.example.com", "aexample.com"));
  CHECK(!mtasts_mx_match("*.example.com", "a.example.org"));
  CHECK(!mtasts_mx_match("*.example.com", "a.example.commerce"));
  CHECK(!mtasts_mx_match("mail.example.com", "mail.example.com.evil"));
  /* a wildcard only counts as the whole left-most label */
  CHECK(!mtasts_mx_match("a*.example.com", "ab.example.com"));
  CHECK(!mtasts_mx_match("*.", "a."));
  CHECK(!mtasts_mx_match("", ""));
  CHECK(!mtasts_mx_match(".", "."));
  CHECK(!mtasts_mx_match(NULL, "a.example.com"));
  CHECK(!mtasts_mx_match("a.example.com", NULL));
}

int main(void) {
  test_txt();
  test_select();
  test_policy();
  test_match();
  TEST_MAIN_END();
}
