/* A test client of the STARTTLS probe's offer mode (issue 15): one hand-built ClientHello
 * (tests/tls/hello_cli.h) offered to an SMTP server on 127.0.0.1 (loopback only: the tests'
 * own servers) through the scheduler (polite/sched.h) and smtp_probe_start on a libuv loop,
 * exactly as the profile will; prints the result as one line of key=value pairs for
 * tests/tls/offer_servers.py. Not part of the program.
 *
 * usage: offer_probe PORT VERSION SUITES [hello options, hello_cli.h] [--retries N]
 *                    [--t-tls SECONDS]
 * The line: outcome, attempts, retry (the first retry reason, "-" if none), offer_sent,
 * answer ("none" when there is no answer), the answer's fields (version, suite, name,
 * group, reneg, retry for a ServerHello or HelloRetryRequest; level, desc for an alert),
 * bytes, injected, err_stage and err (the reason, spaces as '_'). */
#include "polite/sched.h"
#include "record/schema.h"
#include "tests/tls/hello_cli.h"

#include <arpa/inet.h>
#include <signal.h>

typedef struct args {
  unsigned retries;
  double t_tls;
} args_t;

static int more_opt(const char *opt, const char *val, void *arg)
{
  args_t *a = arg;
  if (strcmp(opt, "--retries") != 0 && strcmp(opt, "--t-tls") != 0)
    return 0;
  if (val == NULL)
    hello_cli_die("offer_probe", "option without value");
  if (strcmp(opt, "--retries") == 0)
    a->retries = (unsigned)atoi(val);
  else
    a->t_tls = atof(val);
  return 2;
}

static bool g_done;

static void print_word(const char *key, const char *s)
{
  printf(" %s=", key);
  for (; s && *s; s++)
    putchar(*s == ' ' ? '_' : *s);
  if (!s)
    putchar('-');
}

static void on_done(void *arg, smtp_result_t *r)
{
  (void)arg;
  const smtp_offer_answer_t *a = &r->offer;
  printf("outcome=%s attempts=%u", smtp_outcome_name(r->outcome), r->attempts);
  print_word("retry", r->nretry_reasons ? r->retry_reasons[0] : NULL);
  printf(" offer_sent=%d answer=%s", r->offer_sent,
         a->kind == HELLO_ANS_MORE ? "none" : hello_answer_name(a->kind));
  if (a->kind == HELLO_ANS_SERVER_HELLO || a->kind == HELLO_ANS_RETRY) {
    const char *name = tls_suite_name(a->suite);
    printf(" version=0x%04x suite=0x%04x name=%s group=0x%04x reneg=%d retry=%d", a->version,
           a->suite, name ? name : "?", a->group, a->reneg, a->retry);
  } else if (a->kind == HELLO_ANS_ALERT)
    printf(" level=%u desc=%u", a->alert_level, a->alert_desc);
  printf(" bytes=%zu injected=%zu err_stage=%s", a->bytes, r->injected_bytes,
         r->err_stage == SMTP_STAGE_NONE ? "none" : smtp_stage_name(r->err_stage));
  print_word("err", r->err_reason);
  printf("\n");
  smtp_result_free(r);
  g_done = true;
}

int main(int argc, char **argv)
{
  if (argc < 4)
    hello_cli_die("offer_probe", "usage: offer_probe PORT VERSION SUITES [options]");
  args_t args = {.retries = 0, .t_tls = 5};
  static uint8_t hello[HELLO_BUILD_MAX];
  size_t len = hello_cli_build("offer_probe", argc - 2, argv + 2, hello, more_opt, &args);

  signal(SIGPIPE, SIG_IGN);   /* as the scan does (scan/run.c): a closed peer is a result */
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0)
    hello_cli_die("offer_probe", "uv_loop_init failed");
  sched_config_t cfg = {.rate = 0, .per_ip = 1, .ip_interval = 0, .per_prefix = 1,
                        .max_probes = 4, .retries = args.retries, .retry_delay = 0.1};
  sched_t *s = sched_new(&loop, &cfg);
  /* The hello is this function's, valid until the callback (smtp_opts_t.offer). No TLS
   * context: an offer probe has no OpenSSL handshake. */
  smtp_opts_t opts = {.port = atoi(argv[1]), .ehlo = "offer.test.invalid", .t_connect = 5,
                      .t_banner = 5, .t_smtp = 5, .t_tls = args.t_tls,
                      .offer = hello, .offer_len = len};
  uint8_t addr[16] = {127, 0, 0, 1};
  if (!s || sched_probe(s, &loop, NULL, &opts, AF_INET, addr, NULL, on_done, NULL) != 0)
    hello_cli_die("offer_probe", "sched_probe failed");
  while (!g_done)
    uv_run(&loop, UV_RUN_ONCE);
  sched_close(s);
  uv_run(&loop, UV_RUN_DEFAULT);
  sched_free(s);
  return uv_loop_close(&loop) == 0 ? 0 : 1;
}
