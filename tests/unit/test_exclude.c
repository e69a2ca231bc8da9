/* Exclusions: file syntax, names and their subdomains, CIDRs, mapped IPv6, errors with
 * file:line. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "polite/exclude.h"
#include "tests/unit/testlib.h"

static const char *addr4(const exclude_t *x, const char *ip) {
  uint8_t a[4];
  if (inet_pton(AF_INET, ip, a) != 1) return "bad test address";
  return exclude_addr(x, AF_INET, a);
}

static const char *addr6(const exclude_t *x, const char *ip) {
  uint8_t a[16];
  if (inet_pton(AF_INET6, ip, a) != 1) return "bad test address";
  return exclude_addr(x, AF_INET6, a);
}

static int load_text(exclude_t *x, const char *text, char *err, size_t errlen) {
  char path[] = "/tmp/mxs_exclude_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -2;
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) { close(fd); return -2; }
  close(fd);
  int rc = exclude_load(x, path, err, errlen);
  /* the reason names the file: keep only its base for the checks below */
  unlink(path);
  return rc;
}

int main(void) {
  char err[1024];
  exclude_t *x = exclude_new();
  const char *text =
    "# CERT opt-out list\n"
    "\n"
    "optout.pt            # asked on 2026-01-02\n"
    "  Sub.Example.PT.  \n"
    "192.0.2.0/24\n"
    "198.51.100.7\n"
    "2001:db8:1::/48\n"
    "xn--ao-siap.pt\n";
  CHECK_INT(load_text(x, text, err, sizeof err), 0);
  CHECK_INT(exclude_count(x), 6);
  const char *r = exclude_domain(x, "optout.pt");
  CHECK(r && strncmp(r, "excluded by /tmp/mxs_exclude_", 29) == 0 && strstr(r, ":3"));
  CHECK(exclude_domain(x, "mail.optout.pt") == r);          /* subdomains too */
  CHECK(exclude_domain(x, "a.b.optout.pt") == r);
  CHECK(exclude_domain(x, "notoptout.pt") == NULL);         /* label boundary */
  CHECK(exclude_domain(x, "pt") == NULL);
  CHECK(exclude_domain(x, "example.pt") == NULL);           /* the parent is not */
  r = exclude_domain(x, "sub.example.pt");                  /* normalised when loaded */
  CHECK(r && strstr(r, ":4"));
  CHECK(exclude_domain(x, "xn--ao-siap.pt") != NULL);
  r = addr4(x, "192.0.2.200");
  CHECK(r && strstr(r, ":5"));
  CHECK(addr4(x, "192.0.3.1") == NULL);
  CHECK(addr4(x, "198.51.100.7") != NULL);
  CHECK(addr4(x, "198.51.100.8") == NULL);
  CHECK(addr6(x, "2001:db8:1:ffff::25") != NULL);
  CHECK(addr6(x, "2001:db8:2::25") == NULL);
  CHECK(addr6(x, "::ffff:192.0.2.9") != NULL);              /* mapped form of an IPv4 entry */
  CHECK(addr6(x, "::ffff:192.0.3.9") == NULL);
  CHECK(exclude_addr(NULL, AF_INET, (const uint8_t *)"\1\2\3\4") == NULL);
  CHECK(exclude_domain(NULL, "optout.pt") == NULL);
  exclude_free(x);

  /* Bad lines: an error naming file and line, nothing guessed. */
  static const struct { const char *text; int line; const char *what; } bad[] = {
    {"ok.pt\n10.0.0.0/33\n", 2, "not an address or CIDR"},
    {"ok.pt\n\nnot a domain\n", 3, "one entry per line"},
    {"under_score!.pt\n", 1, "not a domain name"},
    {"10.0.0.0/8 192.0.2.1\n", 1, "one entry per line"},
    {"1.2.3\n", 1, "not an address or CIDR"},
    {"fe80::1::2\n", 1, "not an address or CIDR"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    x = exclude_new();
    int rc = load_text(x, bad[i].text, err, sizeof err);
    char want[32];
    snprintf(want, sizeof want, ":%d: ", bad[i].line);
    CHECK_INT(rc, -1);
    if (!strstr(err, want) || !strstr(err, bad[i].what))
      fprintf(stderr, "case %zu: got '%s'\n", i, err);
    CHECK(strstr(err, want) != NULL);
    CHECK(strstr(err, bad[i].what) != NULL);
    exclude_free(x);
  }
  x = exclude_new();
  CHECK_INT(exclude_load(x, "/nonexistent/exclude.txt", err, sizeof err), -1);
  CHECK(strstr(err, "cannot open /nonexistent/exclude.txt") != NULL);
  /* add_line directly: comment-only and blank lines add nothing */
  CHECK_INT(exclude_add_line(x, "t", 1, "   # x", 6, err, sizeof err), 0);
  CHECK_INT(exclude_add_line(x, "t", 2, "\r\n", 2, err, sizeof err), 0);
  CHECK_INT(exclude_count(x), 0);
  exclude_free(x);
  TEST_MAIN_END();
}
