/* A test client of the hello codec (issue 15): sends one ClientHello built by
 * tls/hello_build.c to a server on 127.0.0.1 (loopback only: the tests' own servers) and
 * prints what tls/hello_peek.c made of the answer, one line of key=value pairs, for
 * tests/tls/hello_servers.py. Not part of the program.
 *
 * usage: hello_probe PORT VERSION SUITES [--sni NAME] [--groups HEX,..] [--sigalgs HEX,..]
 *                    [--no-share] [--reneg none|ext|scsv] [--dump FILE]
 * VERSION: ssl3 tls1 tls1.1 tls1.2 tls1.3; SUITES: hex code points or IANA names, comma
 * separated. --dump writes the bytes received (a seed for fuzz_hello_peek). */
#include "tests/tls/hello_cli.h"
#include "tls/hello_peek.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
  hello_cli_die("hello_probe", what);
}

static int dump_opt(const char *opt, const char *val, void *arg)
{
  if (strcmp(opt, "--dump") != 0)
    return 0;
  if (val == NULL)
    die("--dump without value");
  *(const char **)arg = val;
  return 2;
}

int main(int argc, char **argv)
{
  if (argc < 4)
    die("usage: hello_probe PORT VERSION SUITES [options]");
  const char *dump = NULL;
  static uint8_t hello[HELLO_BUILD_MAX];
  size_t len = hello_cli_build("hello_probe", argc - 2, argv + 2, hello, dump_opt, &dump);

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
