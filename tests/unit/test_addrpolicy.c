/* Address policy: every special-purpose range at its edges, --allow, CIDR parsing. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "polite/addrpolicy.h"
#include "tests/unit/testlib.h"

static addrpolicy_t *pol;

/* 1: refused, 0: allowed, -1: the test's own address literal is wrong */
static int refused(const char *a) {
  uint8_t b[16];
  if (inet_pton(AF_INET, a, b) == 1) return addrpolicy_check(pol, AF_INET, b) != NULL;
  if (inet_pton(AF_INET6, a, b) == 1) return addrpolicy_check(pol, AF_INET6, b) != NULL;
  return -1;
}

#define DENY(a) CHECK_INT(refused(a), 1)
#define PERMIT(a) CHECK_INT(refused(a), 0)

static void test_v4(void) {
  /* first and last address of each range, and the neighbours just outside */
  DENY("0.0.0.0"); DENY("0.255.255.255"); PERMIT("1.0.0.0");
  PERMIT("9.255.255.255"); DENY("10.0.0.0"); DENY("10.255.255.255"); PERMIT("11.0.0.0");
  PERMIT("100.63.255.255"); DENY("100.64.0.0"); DENY("100.127.255.255"); PERMIT("100.128.0.0");
  PERMIT("126.255.255.255"); DENY("127.0.0.0"); DENY("127.0.0.1"); DENY("127.255.255.255");
  PERMIT("128.0.0.0");
  PERMIT("169.253.255.255"); DENY("169.254.0.0"); DENY("169.254.255.255"); PERMIT("169.255.0.0");
  PERMIT("172.15.255.255"); DENY("172.16.0.0"); DENY("172.31.255.255"); PERMIT("172.32.0.0");
  PERMIT("191.255.255.255"); DENY("192.0.0.0"); DENY("192.0.0.255"); PERMIT("192.0.1.0");
  PERMIT("192.0.1.255"); DENY("192.0.2.0"); DENY("192.0.2.255"); PERMIT("192.0.3.0");
  PERMIT("192.31.195.255"); DENY("192.31.196.0"); DENY("192.31.196.255"); PERMIT("192.31.197.0");
  PERMIT("192.52.192.255"); DENY("192.52.193.0"); DENY("192.52.193.255"); PERMIT("192.52.194.0");
  PERMIT("192.88.98.255"); DENY("192.88.99.0"); DENY("192.88.99.255"); PERMIT("192.88.100.0");
  PERMIT("192.167.255.255"); DENY("192.168.0.0"); DENY("192.168.255.255"); PERMIT("192.169.0.0");
  PERMIT("192.175.47.255"); DENY("192.175.48.0"); DENY("192.175.48.255"); PERMIT("192.175.49.0");
  PERMIT("198.17.255.255"); DENY("198.18.0.0"); DENY("198.19.255.255"); PERMIT("198.20.0.0");
  PERMIT("198.51.99.255"); DENY("198.51.100.0"); DENY("198.51.100.255"); PERMIT("198.51.101.0");
  PERMIT("203.0.112.255"); DENY("203.0.113.0"); DENY("203.0.113.255"); PERMIT("203.0.114.0");
  PERMIT("223.255.255.255"); DENY("224.0.0.0"); DENY("239.255.255.255");
  DENY("240.0.0.0"); DENY("255.255.255.254"); DENY("255.255.255.255");
  PERMIT("8.8.8.8"); PERMIT("193.136.0.1");
}

static void test_v6(void) {
  DENY("::"); DENY("::1"); DENY("::2");
  DENY("::ffff:10.0.0.1"); DENY("::ffff:127.0.0.1"); DENY("::ffff:192.0.2.1");
  PERMIT("::ffff:8.8.8.8");                     /* v4-mapped: judged as 8.8.8.8 */
  DENY("::8.8.8.8");                            /* IPv4-compatible: deprecated, reserved */
  DENY("64:ff9b::8.8.8.8"); DENY("64:ff9b:1::1");
  DENY("100::"); DENY("100::ffff:ffff:ffff:ffff");
  DENY("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  DENY("2001::"); DENY("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"); PERMIT("2001:200::");
  PERMIT("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"); DENY("2001:db8::");
  DENY("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"); PERMIT("2001:db9::");
  PERMIT("2001:4860:4860::8888");
  PERMIT("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff"); DENY("2002::");
  DENY("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff"); PERMIT("2003::");
  PERMIT("2620:4f:7fff:ffff:ffff:ffff:ffff:ffff"); DENY("2620:4f:8000::");
  DENY("2620:4f:8000:ffff:ffff:ffff:ffff:ffff"); PERMIT("2620:4f:8001::");
  PERMIT("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff"); DENY("3fff::");
  DENY("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"); PERMIT("3fff:1000::");
  PERMIT("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  DENY("4000::"); DENY("5f00::1"); DENY("5f00:ffff::");
  DENY("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  DENY("fc00::"); DENY("fd12:3456::1"); DENY("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  DENY("fe80::1"); DENY("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"); DENY("fec0::1");
  DENY("ff02::1"); DENY("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  PERMIT("2a00:1450::1"); PERMIT("2a00:1450:4001:81c::200e");
  PERMIT("2000::");
}

static void test_allow(void) {
  char err[128];
  CHECK_INT(addrpolicy_allow(pol, "127.0.0.0/8", err, sizeof err), 0);
  CHECK_INT(addrpolicy_allow(pol, "::1", err, sizeof err), 0);
  CHECK_INT(addrpolicy_allow(pol, "fd00:1:2::/48", err, sizeof err), 0);
  CHECK_INT(addrpolicy_allow(pol, "192.0.2.7", err, sizeof err), 0);
  PERMIT("127.0.0.1"); PERMIT("127.1.2.3"); PERMIT("::1"); PERMIT("::ffff:127.0.0.1");
  PERMIT("fd00:1:2:3::25"); DENY("fd00:1:3::25");
  PERMIT("192.0.2.7"); DENY("192.0.2.8"); DENY("10.0.0.1");
  CHECK_INT(addrpolicy_allow(pol, "10.0.0.0/33", err, sizeof err), -1);
  CHECK(strstr(err, "10.0.0.0/33") != NULL);
  /* NULL policy: nothing opened, rules still apply */
  uint8_t a[4] = {10, 0, 0, 1}, g[4] = {8, 8, 8, 8};
  CHECK_STR(addrpolicy_check(NULL, AF_INET, a), "special-purpose address");
  CHECK(addrpolicy_check(NULL, AF_INET, g) == NULL);
  CHECK(addrpolicy_check(NULL, AF_UNIX, g) != NULL);
}

static void test_cidr(void) {
  int fam, pfx;
  uint8_t a[16];
  CHECK_INT(cidr_parse("192.0.2.1", &fam, a, &pfx), 0);
  CHECK_INT(fam, AF_INET); CHECK_INT(pfx, 32); CHECK(a[0] == 192 && a[3] == 1);
  CHECK_INT(cidr_parse("10.1.2.3/8", &fam, a, &pfx), 0);
  CHECK_INT(pfx, 8); CHECK(a[0] == 10 && a[1] == 0 && a[2] == 0 && a[3] == 0); /* host bits */
  CHECK_INT(cidr_parse("172.31.255.255/12", &fam, a, &pfx), 0);
  CHECK(a[0] == 172 && a[1] == 16 && a[2] == 0);
  CHECK_INT(cidr_parse("0.0.0.0/0", &fam, a, &pfx), 0);
  CHECK_INT(pfx, 0);
  CHECK_INT(cidr_parse("2001:db8::1/32", &fam, a, &pfx), 0);
  CHECK_INT(fam, AF_INET6); CHECK_INT(pfx, 32); CHECK(a[15] == 0 && a[0] == 0x20 && a[3] == 0xb8);
  CHECK_INT(cidr_parse("fe80::/10", &fam, a, &pfx), 0);
  CHECK_INT(cidr_parse("::/0", &fam, a, &pfx), 0);
  CHECK_INT(cidr_parse("::1", &fam, a, &pfx), 0);
  CHECK_INT(pfx, 128);
  CHECK_INT(cidr_parse("::ffff:1.2.3.4/128", &fam, a, &pfx), 0);
  CHECK_INT(cidr_parse("ff00::/8", &fam, a, &pfx), 0);

  const char *bad[] = {
    "", "/8", "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/ 8",
    "1.2.3.4/8 ", " 1.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "10/8", "1.2.3.4/0x8",
    "1.2.3.4/1000", "1.2.3.4//8", "fe80::1%eth0", "example.com", "1.2.3.4/8/8", ":::",
    "12345::", "1.2.3.4/08a",
    "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000", NULL};
  for (int i = 0; bad[i]; i++) {
    int rc = cidr_parse(bad[i], &fam, a, &pfx);
    if (rc != -1) fprintf(stderr, "cidr_parse accepted \"%s\"\n", bad[i]);
    CHECK_INT(rc, -1);
  }
  CHECK_INT(cidr_parse(NULL, &fam, a, &pfx), -1);
}

int main(void) {
  pol = addrpolicy_new();
  CHECK(pol != NULL);
  test_v4();
  test_v6();
  test_cidr();
  test_allow();
  addrpolicy_free(pol);
  TEST_MAIN_END();
}
