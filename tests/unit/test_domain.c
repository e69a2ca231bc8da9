/* Input-line normalisation and host-name checks. */
#include <stdio.h>
#include <string.h>

#include "lib/domain.h"
#include "tests/unit/testlib.h"

static char out[DOMAIN_MAX];
static const char *why;

static int norm(const char *s) {
  return domain_normalize(s, strlen(s), out, &why);
}

#define OK(in, expect) do { CHECK_INT(norm(in), DOMAIN_OK); CHECK_STR(out, expect); } while (0)
#define BAD(in, reason) do { CHECK_INT(norm(in), DOMAIN_INVALID); CHECK_STR(why, reason); } while (0)
#define SKIP(in) do { CHECK_INT(norm(in), DOMAIN_SKIP); } while (0)

static void test_ascii(void) {
  OK("example.com", "example.com");
  OK("EXAMPLE.Com", "example.com");
  OK("example.com.", "example.com");
  OK("  example.com \r", "example.com");
  OK("\texample.com\r\n", "example.com");
  OK("a-b.c0.de", "a-b.c0.de");
  OK("123.example", "123.example");             /* numeric labels are fine below the TLD */
  OK("xn--ao-siap.pt", "xn--ao-siap.pt");
  OK("XN--AO-SIAP.PT.", "xn--ao-siap.pt");
  OK("xn--ls8h.la", "xn--ls8h.la");             /* emoji A-label as registered: LDH rules */
  SKIP("");
  SKIP("   \t\r\n");
  SKIP("# a comment");
  SKIP("   # indented comment");
  BAD("example..com", "empty label");
  BAD(".example.com", "empty label");
  BAD("example.com..", "empty label");
  BAD(".", "empty label");
  BAD("ex ample.com", "invalid character");
  BAD("example.com # trailing comment", "invalid character");
  BAD("exa\tmple.com", "invalid character");
  BAD("_dmarc.example.com", "invalid character");
  BAD("foo_bar.example", "invalid character");
  BAD("*.example.com", "invalid character");
  BAD("exa!mple.com", "invalid character");
  BAD("-example.com", "leading or trailing hyphen in label");
  BAD("example-.com", "leading or trailing hyphen in label");
  BAD("example.com-", "leading or trailing hyphen in label");
  BAD("localhost", "single-label name");
  BAD("com.", "single-label name");
  BAD("1.2.3.4", "numeric top-level label");
  BAD("example.123", "numeric top-level label");

  char label[100];
  memset(label, 'a', 63);
  strcpy(label + 63, ".com");
  CHECK_INT(norm(label), DOMAIN_OK);
  memset(label, 'a', 64);
  strcpy(label + 64, ".com");
  BAD(label, "label longer than 63 octets");

  /* 253 octets is the limit: four 62-octet labels and a 1-octet one, with dots */
  char name[400];
  size_t n = 0;
  for (int i = 0; i < 4; i++) {
    memset(name + n, 'a' + i, 62);
    n += 62;
    name[n++] = '.';
  }
  name[n++] = 'x';
  name[n] = '\0';
  CHECK_INT(strlen(name), 253);
  CHECK_INT(norm(name), DOMAIN_OK);
  CHECK_INT(strlen(out), 253);
  strcat(name, ".");                        /* trailing dot does not count */
  CHECK_INT(norm(name), DOMAIN_OK);
  name[n - 1] = 'y';
  name[n] = 'z';
  name[n + 1] = '\0';                       /* 254 octets */
  BAD(name, "name longer than 253 octets");
}

static void test_idn(void) {
  OK("ação.pt", "xn--ao-siap.pt");
  OK("AÇÃO.PT", "xn--ao-siap.pt");
  OK("ação.pt.", "xn--ao-siap.pt");
  OK("  bücher.example  ", "xn--bcher-kva.example");
  OK("faß.de", "xn--fa-hia.de");               /* non-transitional: not fass.de */
  OK("münchen。de", "xn--mnchen-3ya.de");       /* ideographic full stop maps to '.' */
  OK("☃.net", "xn--n3h.net");                  /* IDNA2003-only: transitional retry */
  BAD("faß☃.de", "IDNA conversion failed: disallowed character"); /* deviation: no retry */
  BAD("a\xe2\x80\x8d" "b.com", "IDNA conversion failed: forbidden joiner (CONTEXTJ)");
  BAD("\xff\xfe.com", "IDNA conversion failed: invalid UTF-8");
  BAD("a\xc3.com", "IDNA conversion failed: invalid UTF-8");
  BAD("ação_x.pt", "invalid character");
  BAD("localhôst", "single-label name");
}

static void test_hostile(void) {
  /* NUL inside the line: the length, not the NUL, delimits it */
  CHECK_INT(domain_normalize("exa\0mple.com", 12, out, &why), DOMAIN_INVALID);
  CHECK_STR(why, "invalid character");
  CHECK_INT(domain_normalize("example.com\0", 12, out, &why), DOMAIN_INVALID);
  /* not NUL-terminated: only len bytes are read */
  char nt[11];
  memcpy(nt, "example.de", 10);
  nt[10] = 'X';
  CHECK_INT(domain_normalize(nt, 10, out, &why), DOMAIN_OK);
  CHECK_STR(out, "example.de");
  /* a very long line */
  static char big[100000];
  memset(big, 'a', sizeof big);
  CHECK_INT(domain_normalize(big, sizeof big, out, &why), DOMAIN_INVALID);
  CHECK_STR(why, "name longer than 253 octets");
  memset(big, '\xc3', sizeof big);
  CHECK_INT(domain_normalize(big, 1000, out, &why), DOMAIN_INVALID);
  CHECK(why != NULL);
  CHECK_INT(domain_normalize(NULL, 0, out, &why), DOMAIN_SKIP);
}

static void test_hostname(void) {
  CHECK_INT(domain_is_hostname("mx1.example.com"), 1);
  CHECK_INT(domain_is_hostname("MX1.Example.COM"), 1);
  CHECK_INT(domain_is_hostname("mail"), 1);
  CHECK_INT(domain_is_hostname("xn--ao-siap.pt"), 1);
  CHECK_INT(domain_is_hostname(""), 0);
  CHECK_INT(domain_is_hostname(NULL), 0);
  CHECK_INT(domain_is_hostname("_smtp.example.com"), 0);
  CHECK_INT(domain_is_hostname("mx.example.com."), 0);
  CHECK_INT(domain_is_hostname("mx..example.com"), 0);
  CHECK_INT(domain_is_hostname("-mx.example.com"), 0);
  CHECK_INT(domain_is_hostname("mx .example.com"), 0);
  CHECK_INT(domain_is_hostname("192.0.2.1"), 0);
  /* Why a name from DNS is no host name (issue 13: listed with the reason, not dropped). */
  CHECK(domain_hostname_problem("mx.example.pt") == NULL);
  CHECK_STR(domain_hostname_problem("a\\032b.example.pt"), "invalid character");
  CHECK_STR(domain_hostname_problem("_25._tcp.example.pt"), "invalid character");
  CHECK_STR(domain_hostname_problem("mx..example.pt"), "empty label");
  {
    char esc[63 * 4 + 8];   /* one 63-octet label of escaped bytes: 252 characters */
    for (int i = 0; i < 63; i++) memcpy(esc + 4 * i, "\\001", 4);
    memcpy(esc + 252, ".h.t", 5);
    CHECK_STR(domain_hostname_problem(esc), "invalid character");
  }
  char name[400];
  memset(name, 'a', 300);
  name[300] = '\0';
  for (int i = 50; i < 300; i += 50) name[i] = '.';
  CHECK_INT(domain_is_hostname(name), 0);
}

int main(void) {
  test_ascii();
  test_idn();
  test_hostile();
  test_hostname();
  TEST_MAIN_END();
}
