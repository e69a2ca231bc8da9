/* The command line shared by the hello codec's test clients (hello_probe.c: a bare socket;
 * offer_probe.c: the STARTTLS probe's offer mode through the scheduler): VERSION, SUITES
 * and the hello options into one built ClientHello. Not part of the program.
 *
 *   VERSION SUITES [--sni NAME] [--groups HEX,..] [--sigalgs HEX,..] [--no-share]
 *                  [--reneg none|ext|scsv]
 * VERSION: ssl3 tls1 tls1.1 tls1.2 tls1.3; SUITES: hex code points or IANA names, comma
 * separated. Options it does not know are left to the caller (hello_cli_build's
 * `other` callback). */
#ifndef MXS_TESTS_TLS_HELLO_CLI_H
#define MXS_TESTS_TLS_HELLO_CLI_H
#include "tls/hello_build.h"
#include "tls/suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t hello_cli_x25519[32] = {   /* RFC 7748 §6.1, Alice's public key */
  0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
  0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};

static void hello_cli_die(const char *prog, const char *what)
{
  fprintf(stderr, "%s: %s\n", prog, what);
  exit(2);
}

/* A comma-separated list of hex code points (or suite names) into v; returns the count. */
static size_t hello_cli_list(const char *prog, const char *s, uint16_t *v, size_t cap)
{
  char buf[4096];
  size_t n = 0;
  if (strlen(s) >= sizeof buf)
    hello_cli_die(prog, "list too long");
  strcpy(buf, s);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (n == cap)
      hello_cli_die(prog, "too many items");
    int code = tls_suite_code(t);
    char *end;
    long x = code >= 0 ? code : strtol(t, &end, 16);
    if (code < 0 && (*end != '\0' || x < 0 || x > 0xffff))
      hello_cli_die(prog, "bad item");
    v[n++] = (uint16_t)x;
  }
  return n;
}

/* An option the shared table does not know: returns how many arguments it took (1 or 2),
 * 0 if it is unknown too. */
typedef int (*hello_cli_other_fn)(const char *opt, const char *val, void *arg);

/* argv[0] VERSION, argv[1] SUITES, then options: the ClientHello into hello (HELLO_BUILD_MAX
 * bytes), its length returned. Dies on a usage error. */
static size_t hello_cli_build(const char *prog, int argc, char **argv, uint8_t *hello,
                              hello_cli_other_fn other, void *arg)
{
  static uint16_t suites[HELLO_MAX_SUITES], groups[HELLO_MAX_GROUPS], sigalgs[HELLO_MAX_SIGALGS];
  static const char *versions[] = {"ssl3", "tls1", "tls1.1", "tls1.2", "tls1.3"};
  static uint8_t random[32];
  if (argc < 2)
    hello_cli_die(prog, "VERSION and SUITES needed");
  for (int i = 0; i < 32; i++)
    random[i] = (uint8_t)(0xa0 + i);
  hello_offer_t o = {.random = random, .session_id = random, .session_id_len = 32,
                     .suites = suites, .groups = groups, .sigalgs = sigalgs,
                     .x25519 = hello_cli_x25519, .reneg = HELLO_RENEG_EXT};
  for (int v = 0; v < 5; v++)
    if (strcmp(argv[0], versions[v]) == 0)
      o.version = (uint16_t)(HELLO_SSL3 + v);
  if (o.version == 0)
    hello_cli_die(prog, "bad version");
  if (o.version == HELLO_SSL3)
    o.reneg = HELLO_RENEG_SCSV, o.session_id_len = 0;
  o.n_suites = hello_cli_list(prog, argv[1], suites, HELLO_MAX_SUITES);
  o.n_groups = hello_cli_list(prog, "001d,0017,0018,0019", groups, HELLO_MAX_GROUPS);
  o.n_sigalgs = hello_cli_list(prog, "0403,0503,0603,0807,0808,0804,0805,0806,0401,0501,0601,0201",
                               sigalgs, HELLO_MAX_SIGALGS);
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--no-share") == 0) {
      o.x25519 = NULL;
      continue;
    }
    int took = other ? other(a, val, arg) : 0;
    if (took > 0) {
      i += took - 1;
      continue;
    }
    if (val == NULL)
      hello_cli_die(prog, "option without value");
    i++;
    if (strcmp(a, "--sni") == 0)
      o.sni = val;
    else if (strcmp(a, "--groups") == 0)
      o.n_groups = hello_cli_list(prog, val, groups, HELLO_MAX_GROUPS);
    else if (strcmp(a, "--sigalgs") == 0)
      o.n_sigalgs = hello_cli_list(prog, val, sigalgs, HELLO_MAX_SIGALGS);
    else if (strcmp(a, "--reneg") == 0)
      o.reneg = strcmp(val, "ext") == 0 ? HELLO_RENEG_EXT
              : strcmp(val, "scsv") == 0 ? HELLO_RENEG_SCSV : HELLO_RENEG_NONE;
    else
      hello_cli_die(prog, "unknown option");
  }
  size_t len;
  if (hello_build(&o, hello, HELLO_BUILD_MAX, &len) != HELLO_BUILD_OK)
    hello_cli_die(prog, "hello_build failed");
  return len;
}

#endif
