/* A test client of the hello codec (issue 15): sends one ClientHello built by
 * tls/hello_build.c to a server on 127.0.0.1 (loopback only: the tests' own servers) and
 * prints what tls/hello_peek.c made of the answer, one line of key=value pairs, for
 * tests/tls/hello_servers.py. Not part of the program.
 *
 * usage: hello_probe PORT VERSION SUITES [--sni NAME] [--groups HEX,..] [--sigalgs HEX,..]
 *                    [--no-share] [--reneg none|ext|scsv] [--dump FILE]
 * VERSION: ssl3 tls1 tls1.1 tls1.2 tls1.3; SUITES: hex code points or IANA names, comma
 * separated. --dump writes the bytes received (a seed for fuzz_hello_peek). */
#include "tls/hello_build.h"
#include "tls/hello_peek.h"
#include "tls/suites.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t x25519_pub[32] = {   /* RFC 7748 §6.1, Alice's public key */
  0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
  0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};

static void die(const char *what)
{
  fprintf(stderr, "hello_probe: %s\n", what);
  exit(2);
}

/* A comma-separated list of hex code points (or suite names) into v; returns the count. */
static size_t parse_list(const char *s, uint16_t *v, size_t cap)
{
  char buf[4096];
  size_t n = 0;
  if (strlen(s) >= sizeof buf)
    die("list too long");
  strcpy(buf, s);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (n == cap)
      die("too many items");
    int code = tls_suite_code(t);
    char *end;
    long x = code >= 0 ? code : strtol(t, &end, 16);
    if (code < 0 && (*end != '\0' || x < 0 || x > 0xffff))
      die("bad item");
    v[n++] = (uint16_t)x;
  }
  return n;
}

int main(int argc, char **argv)
{
  static uint16_t suites[HELLO_MAX_SUITES], groups[HELLO_MAX_GROUPS], sigalgs[HELLO_MAX_SIGALGS];
  static const char *versions[] = {"ssl3", "tls1", "tls1.1", "tls1.2", "tls1.3"};
  if (argc < 4)
    die("usage: hello_probe PORT VERSION SUITES [options]");
  uint8_t random[32];
  for (int i = 0; i < 32; i++)
    random[i] = (uint8_t)(0xa0 + i);
  hello_offer_t o = {.random = random, .session_id = random, .session_id_len = 32,
                     .suites = suites, .groups = groups, .sigalgs = sigalgs,
                     .x25519 = x25519_pub, .reneg = HELLO_RENEG_EXT};
  for (int v = 0; v < 5; v++)
    if (strcmp(argv[2], versions[v]) == 0)
      o.version = (uint16_t)(HELLO_SSL3 + v);
  if (o.version == 0)
    die("bad version");
  if (o.version == HELLO_SSL3)
    o.reneg = HELLO_RENEG_SCSV, o.session_id_len = 0;
  o.n_suites = parse_list(argv[3], suites, HELLO_MAX_SUITES);
  o.n_groups = parse_list("001d,0017,0018,0019", groups, HELLO_MAX_GROUPS);
  o.n_sigalgs = parse_list("0403,0503,0603,0807,0808,0804,0805,0806,0401,0501,0601,0201",
                           sigalgs, HELLO_MAX_SIGALGS);
  const char *dump = NULL;
  for (int i = 4; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--no-share") == 0) {
      o.x25519 = NULL;
      continue;
    }
    if (val == NULL)
      die("option without value");
    i++;
    if (strcmp(a, "--sni") == 0)
      o.sni = val;
    else if (strcmp(a, "--groups") == 0)
      o.n_groups = parse_list(val, groups, HELLO_MAX_GROUPS);
    else if (strcmp(a, "--sigalgs") == 0)
      o.n_sigalgs = parse_list(val, sigalgs, HELLO_MAX_SIGALGS);
    else if (strcmp(a, "--reneg") == 0)
      o.reneg = strcmp(val, "ext") == 0 ? HELLO_RENEG_EXT
              : strcmp(val, "scsv") == 0 ? HELLO_RENEG_SCSV : HELLO_RENEG_NONE;
    else if (strcmp(a, "--dump") == 0)
      dump = val;
    else
      die("unknown option");
  }
  uint8_t hello[HELLO_BUILD_MAX];
  size_t len;
  if (hello_build(&o, hello, sizeof hello, &len) != HELLO_BUILD_OK)
    die("hello_build failed");

  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
    die("connect failed");
  if (write(fd, hello, len) != (ssize_t)len)
    die("write failed");
  hello_peek_t h;
  hello_peek_init(&h);
  FILE *df = dump ? fopen(dump, "wb") : NULL;
  bool eof = false;
  while (!eof && hello_peek_answer(&h, false) == HELLO_ANS_MORE) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) {
      printf("answer=timeout\n");
      return 1;
    }
    uint8_t buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno != ECONNRESET)
      die("read failed");
    if (n <= 0)
      eof = true;
    else {
      if (df)
        fwrite(buf, 1, (size_t)n, df);
      hello_peek_feed(&h, buf, (size_t)n);
    }
  }
  close(fd);
  if (df)
    fclose(df);
  enum hello_answer a = hello_peek_answer(&h, eof);
  printf("answer=%s", hello_answer_name(a));
  if (a == HELLO_ANS_SERVER_HELLO || a == HELLO_ANS_RETRY) {
    const char *name = tls_suite_name(h.suite);
    printf(" version=0x%04x suite=0x%04x name=%s group=0x%04x reneg=%d", h.version, h.suite,
           name ? name : "?", h.group, h.reneg);
  } else if (a == HELLO_ANS_ALERT)
    printf(" level=%u desc=%u", h.alert[0], h.alert[1]);
  printf("\n");
  return 0;
}
