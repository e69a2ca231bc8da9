/* The TLS profile's service (smtp/profile.c) on a real loop and scheduler against an
 * in-process STARTTLS server on 127.0.0.1 and 127.0.0.2 (a thread with blocking sockets,
 * loopback only, no root) that answers every offer, and the ClientHello of each of the
 * certs phase's three handshakes (RSA, ECDSA, EdDSA keys), with a protocol_version alert:
 * two requests for one address make one profile (eight connections, the second requester
 * marked shared), a later request is a hit; cache_max 1 evicts the older address (a new
 * request for it makes a new profile); profile_free with a profile in flight still calls
 * its waiter back, the rest of the profile "interrupted". */
#include "polite/sched.h"
#include "smtp/profile.h"
#include "tests/unit/testlib.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int g_listen[2], g_port;
static atomic_int g_conns, g_stop;

static void send_all(int fd, const void *b, size_t n) {
  if (write(fd, b, n) != (ssize_t)n) perror("server write");
}

static bool read_line(int fd) {
  char c;
  do {
    if (read(fd, &c, 1) != 1) return false;
  } while (c != '\n');
  return true;
}

static void dialogue(int c) {
  static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 70};
  uint8_t buf[2048];
  send_all(c, "220 mx ESMTP\r\n", 14);
  if (!read_line(c)) return;                             /* EHLO */
  send_all(c, "250-mx\r\n250 STARTTLS\r\n", 22);
  if (!read_line(c)) return;                             /* STARTTLS */
  send_all(c, "220 go\r\n", 8);
  if (read(c, buf, sizeof buf) <= 0) return;             /* the offer (one segment) */
  send_all(c, alert, sizeof alert);
  while (read(c, buf, sizeof buf) > 0) {}                /* until the probe closes */
}

static void *server(void *arg) {
  (void)arg;
  struct pollfd pf[2] = {{g_listen[0], POLLIN, 0}, {g_listen[1], POLLIN, 0}};
  while (!atomic_load(&g_stop)) {
    if (poll(pf, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; i++) {
      if (!(pf[i].revents & POLLIN)) continue;
      int c = accept(g_listen[i], NULL, NULL);
      if (c < 0) continue;
      atomic_fetch_add(&g_conns, 1);
      dialogue(c);
      close(c);
    }
  }
  return NULL;
}

static int listen_on(uint32_t addr, int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(addr);
  socklen_t sl = sizeof sa;
  CHECK_INT(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
  CHECK_INT(listen(s, 8), 0);
  getsockname(s, (struct sockaddr *)&sa, &sl);
  g_port = ntohs(sa.sin_port);
  return s;
}

typedef struct req {
  bool done;
  profile_result_t res;
} req_t;

static void on_done(void *arg) { ((req_t *)arg)->done = true; }

static uv_loop_t g_loop;

static void wait_for(req_t *q) {
  while (!q->done) uv_run(&g_loop, UV_RUN_ONCE);
}

static void check_refused(const profile_result_t *r) {
  CHECK(r->done);
  CHECK(r->partial == NULL);
  CHECK_INT(r->connections, 8);
  for (int v = 0; v < PV_COUNT; v++) {
    CHECK_INT(r->versions[v], PVS_REFUSED);
    CHECK_STR(r->reasons[v], "alert 70 (protocol version)");
  }
  /* the handshakes: the same alert, a refusal of each key family */
  CHECK_INT(r->ncerts, 0);
  for (int k = 0; k < PCK_COUNT; k++) {
    CHECK_INT(r->cert_kinds[k], PVS_REFUSED);
    CHECK_STR(r->cert_reasons[k], "alert 70 (protocol version)");
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  g_listen[0] = listen_on(INADDR_LOOPBACK, 0);
  g_listen[1] = listen_on(INADDR_LOOPBACK + 1, g_port);   /* 127.0.0.2, the same port */
  pthread_t t;
  CHECK_INT(pthread_create(&t, NULL, server, NULL), 0);
  CHECK_INT(uv_loop_init(&g_loop), 0);
  sched_config_t cfg = {.per_ip = 1, .per_prefix = 2, .max_probes = 4, .retry_delay = 0.1};
  sched_t *s = sched_new(&g_loop, &cfg);
  smtp_opts_t o = {.port = g_port, .ehlo = "t.invalid", .t_connect = 5, .t_banner = 5,
                   .t_smtp = 5, .t_tls = 5};
  char err[256];
  tls_ctx_t *tls = tls_ctx_new(NULL, err, sizeof err);
  CHECK(tls != NULL);
  profile_t *p = profile_new(&g_loop, s, tls, &o, PROFILE_BASIC, 1);
  CHECK(s && p);
  uint8_t a[16] = {127, 0, 0, 1}, b[16] = {127, 0, 0, 2};

  /* two requests at once: one profile */
  req_t q1 = {0}, q2 = {0}, q3 = {0};
  CHECK_INT(profile_request(p, AF_INET, a, "mx.one.invalid", NULL, &q1.res, on_done, &q1), PROFILE_WAIT);
  CHECK_INT(profile_request(p, AF_INET, a, "mx.two.invalid", NULL, &q2.res, on_done, &q2), PROFILE_WAIT);
  wait_for(&q1);
  wait_for(&q2);
  check_refused(&q1.res);
  check_refused(&q2.res);
  CHECK(!q1.res.shared && q2.res.shared);
  CHECK(q1.res.reasons[0] != q2.res.reasons[0]);          /* each its own strings */
  CHECK_INT(atomic_load(&g_conns), 8);
  /* later: a hit, filled now */
  CHECK_INT(profile_request(p, AF_INET, a, NULL, NULL, &q3.res, on_done, &q3), PROFILE_HIT);
  check_refused(&q3.res);
  CHECK(q3.res.shared && !q3.done);
  profile_result_free(&q1.res);
  profile_result_free(&q2.res);
  profile_result_free(&q3.res);

  /* cache_max 1: a second address evicts the first */
  req_t q4 = {0}, q5 = {0};
  CHECK_INT(profile_request(p, AF_INET, b, "mx.b.invalid", NULL, &q4.res, on_done, &q4), PROFILE_WAIT);
  wait_for(&q4);
  check_refused(&q4.res);
  CHECK_INT(atomic_load(&g_conns), 16);
  CHECK_INT(profile_request(p, AF_INET, a, NULL, NULL, &q5.res, on_done, &q5), PROFILE_WAIT);
  wait_for(&q5);
  check_refused(&q5.res);
  CHECK(!q5.res.shared);
  CHECK_INT(atomic_load(&g_conns), 24);
  profile_result_free(&q4.res);
  profile_result_free(&q5.res);

  /* freed in flight: the waiter still gets its callback, the rest "interrupted" */
  req_t q6 = {0};
  CHECK_INT(profile_request(p, AF_INET, a, NULL, NULL, &q6.res, on_done, &q6), PROFILE_HIT);
  profile_result_free(&q6.res);
  uint8_t c[16] = {127, 0, 0, 2};
  profile_free(p);                     /* with a done entry */
  p = profile_new(&g_loop, s, tls, &o, PROFILE_BASIC, 0);
  q6 = (req_t){0};
  CHECK_INT(profile_request(p, AF_INET, c, NULL, NULL, &q6.res, on_done, &q6), PROFILE_WAIT);
  profile_free(p);
  wait_for(&q6);
  CHECK(q6.res.done);
  CHECK_INT(q6.res.versions[PV_SSL3], PVS_REFUSED);
  CHECK_STR(q6.res.partial, "interrupted");
  CHECK_INT(q6.res.versions[PV_TLS13], PVS_ERROR);
  CHECK_STR(q6.res.reasons[PV_TLS10], "interrupted");
  CHECK_INT(q6.res.connections, 1);
  for (int k = 0; k < PCK_COUNT; k++) {
    CHECK_INT(q6.res.cert_kinds[k], PVS_ERROR);
    CHECK_STR(q6.res.cert_reasons[k], "interrupted");
  }
  profile_result_free(&q6.res);

  sched_close(s);
  uv_run(&g_loop, UV_RUN_DEFAULT);
  sched_free(s);
  tls_ctx_free(tls);
  CHECK_INT(uv_loop_close(&g_loop), 0);
  atomic_store(&g_stop, 1);
  pthread_join(t, NULL);
  close(g_listen[0]);
  close(g_listen[1]);
  TEST_MAIN_END();
}
