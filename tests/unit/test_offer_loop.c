/* The probe's offer mode on a real loop against an in-process server on 127.0.0.1 (a thread
 * with blocking sockets, loopback only, no root): the server receives exactly the offer's
 * bytes after the 220 to STARTTLS, and nothing after them (no QUIT: the probe closes); an
 * answer split over several segments is read whole; plaintext injected in the 220's segment
 * is counted and skipped; a half ServerHello then a close is "truncated", a reset is
 * "closed"; neither is an error. */
#include "smtp/smtp_probe.h"
#include "tests/unit/testlib.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

enum how { ALERT_SPLIT, HALF_THEN_CLOSE, RESET };

static int g_listen, g_port;
static enum how g_how;
static uint8_t g_got[1024];           /* what the server read after its 220 to STARTTLS */
static size_t g_got_len;
static bool g_got_eof;                /* the client closed after the offer, nothing more */

static const uint8_t offer[] = {22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3};   /* bytes, not parsed */

static void send_all(int fd, const void *b, size_t n) {
  if (write(fd, b, n) != (ssize_t)n) perror("server write");
}

/* Reads up to and including a line ending in "\n"; false at EOF. */
static bool read_line(int fd, char *line, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    char c;
    if (read(fd, &c, 1) != 1) return false;
    line[n++] = c;
    if (c == '\n') break;
  }
  line[n] = '\0';
  return true;
}

static void *server(void *arg) {
  (void)arg;
  int c = accept(g_listen, NULL, NULL);
  char line[512];
  send_all(c, "220 mx ESMTP\r\n", 14);
  read_line(c, line, sizeof line);                       /* EHLO */
  send_all(c, "250-mx\r\n250 STARTTLS\r\n", 22);
  read_line(c, line, sizeof line);                       /* STARTTLS */
  if (g_how == ALERT_SPLIT)
    send_all(c, "220 go\r\n250 injected\r\n", 22);        /* 14 bytes injected */
  else
    send_all(c, "220 go\r\n", 8);
  g_got_len = 0;
  while (g_got_len < sizeof offer) {
    ssize_t k = read(c, g_got + g_got_len, sizeof g_got - g_got_len);
    if (k <= 0) break;
    g_got_len += (size_t)k;
  }
  if (g_how == ALERT_SPLIT) {
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 70};
    send_all(c, alert, 3);
    usleep(30000);
    send_all(c, alert + 3, 4);
  } else if (g_how == HALF_THEN_CLOSE) {
    static const uint8_t half[] = {22, 3, 3, 0, 60, 2, 0, 0, 56, 3, 3};
    send_all(c, half, sizeof half);
    shutdown(c, SHUT_WR);
  } else {
    struct linger lg = {1, 0};                           /* close with a reset */
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);
    return NULL;
  }
  /* the probe closes after the answer: nothing else may come (no QUIT) */
  uint8_t rest[64];
  ssize_t k = read(c, rest, sizeof rest);
  g_got_eof = k <= 0;
  close(c);
  return NULL;
}

static smtp_result_t g_res;
static bool g_done;

static void on_done(void *arg, smtp_result_t *r) {
  (void)arg;
  g_res = *r;
  g_done = true;
}

static void run(enum how how) {
  g_how = how;
  g_done = false;
  g_got_eof = false;
  pthread_t t;
  CHECK_INT(pthread_create(&t, NULL, server, NULL), 0);
  uv_loop_t loop;
  CHECK_INT(uv_loop_init(&loop), 0);
  smtp_opts_t o = {.port = g_port, .ehlo = "t.invalid", .t_connect = 5, .t_banner = 5,
                   .t_smtp = 5, .t_tls = 5, .offer = offer, .offer_len = sizeof offer};
  uint8_t addr[16] = {127, 0, 0, 1};
  CHECK_INT(smtp_probe_start(&loop, NULL, &o, AF_INET, addr, NULL, on_done, NULL), 0);
  while (!g_done) uv_run(&loop, UV_RUN_ONCE);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(uv_loop_close(&loop), 0);
  pthread_join(t, NULL);
  CHECK_INT(g_got_len, sizeof offer);                    /* the offer, exactly */
  CHECK(memcmp(g_got, offer, sizeof offer) == 0);
  CHECK_INT(g_res.outcome, SMTP_OUTCOME_ENGAGED);
  CHECK(g_res.offer_sent);
  CHECK_INT(g_res.err_stage, SMTP_STAGE_NONE);           /* an answer is no error */
  CHECK(!g_res.have_tls);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  g_listen = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sa;
  CHECK_INT(bind(g_listen, (struct sockaddr *)&sa, sizeof sa), 0);
  CHECK_INT(listen(g_listen, 4), 0);
  getsockname(g_listen, (struct sockaddr *)&sa, &sl);
  g_port = ntohs(sa.sin_port);

  run(ALERT_SPLIT);
  CHECK_INT(g_res.offer.kind, HELLO_ANS_ALERT);
  CHECK_INT(g_res.offer.alert_level, 2);
  CHECK_INT(g_res.offer.alert_desc, 70);
  CHECK_INT(g_res.offer.bytes, 7);
  CHECK_INT(g_res.injected_bytes, 14);
  CHECK(g_got_eof);                                      /* closed, no QUIT */
  CHECK_STR(g_res.starttls_reply, "220 go");
  smtp_result_free(&g_res);

  run(HALF_THEN_CLOSE);
  CHECK_INT(g_res.offer.kind, HELLO_ANS_TRUNCATED);
  CHECK_INT(g_res.offer.bytes, 11);
  CHECK_INT(g_res.injected_bytes, 0);
  CHECK(g_got_eof);
  smtp_result_free(&g_res);

  run(RESET);
  CHECK_INT(g_res.offer.kind, HELLO_ANS_CLOSED);
  CHECK_INT(g_res.offer.bytes, 0);
  smtp_result_free(&g_res);

  close(g_listen);
  TEST_MAIN_END();
}
