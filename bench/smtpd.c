/* bench/smtpd: one fast SMTP/STARTTLS server for the benchmark world.
 *
 * One process, one epoll loop, bound to 0.0.0.0:PORT inside the benchmark's private
 * network namespace, so it answers on every 127.x.y.z; getsockname() tells which address
 * was dialled and rules keyed by CIDR choose the certificate and the behaviour. Every
 * reply is held for an artificial delay (a timer per connection, never a sleep) so that
 * the scanner's concurrency matters; the server itself must stay cheap (ECDSA P-256
 * certificates, no session tickets).
 *
 * Timers: every delay value gets its own FIFO queue. All connections of one queue wait
 * the same time, so the queue is ordered by deadline and expiry is O(1).
 *
 * usage: smtpd [--port N] [--delay-ms D] [--stats FILE] [--conn-log FILE]
 *              --cert CIDR=CERT,KEY[,CERT2,KEY2][@POLICY] ...  (first matching rule
 *                                            wins; a second pair: a server with two
 *                                            certificates, e.g. RSA and ECDSA)
 *                                            POLICY (the TLS profile's benchmark, issue 15):
 *                                            default (TLS 1.0 up, OpenSSL's default suites
 *                                            at security level 0), modern (TLS 1.2 up,
 *                                            ECDHE with AEAD only), legacy (TLS 1.0 up,
 *                                            every suite OpenSSL has, NULL and RSA key
 *                                            transport included, DHE with a 1024-bit group)
 *              --rule CIDR=KIND[:MS] ...     KIND: normal, slow:MS (banner held MS),
 *                                            hold:MS (every reply held MS), tempfail (421
 *                                            to the first connection of each address),
 *                                            notls (no STARTTLS), reset (RST at once)
 *              [--conn-log FILE]               one line per connection closed (or reset):
 *                                            "ADDR OPEN_MS CLOSE_MS" (the address dialled,
 *                                            CLOCK_MONOTONIC milliseconds), flushed with
 *                                            each SIGUSR1: the benchmark's busiest-prefix
 *                                            bound (docs/benchmark.md)
 * SIGUSR1 writes the counters (JSON) to --stats and starts a new measurement period;
 * SIGTERM writes them and exits. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/ssl.h>

#define MAX_RULES 64
#define MAX_QUEUES 16
#define LINE_MAX_LEN 1024

enum kind { K_NORMAL, K_SLOW, K_HOLD, K_TEMPFAIL, K_NOTLS, K_RESET };

struct rule {
  uint32_t net, mask;
  enum kind kind;
  int ms;
  SSL_CTX *ctx;  /* for --cert rules */
};

enum state { S_WAIT_BANNER, S_READ, S_WAIT_REPLY, S_HANDSHAKE, S_CLOSING };

struct conn {
  int fd;
  enum state st;
  bool tls, closed, queued, close_after;
  bool notls;
  SSL *ssl;
  SSL_CTX *ctx;
  int delay_ms;           /* per reply */
  const char *reply;      /* pending reply */
  bool starttls_after;    /* pending reply is the 220 to STARTTLS */
  uint64_t deadline;
  uint32_t addr;          /* the address dialled (network order) */
  uint64_t opened_ms;     /* accept time, for --conn-log */
  struct conn *qnext;
  struct conn *prev, *next;  /* every open connection, so exit can free them */
  size_t inlen;
  char in[LINE_MAX_LEN];
};

struct queue {
  int ms;
  struct conn *head, *tail;
};

static struct rule certs[MAX_RULES], rules[MAX_RULES];
static int ncerts, nrules;
static struct queue queues[MAX_QUEUES];
static int nqueues;
static int epfd;
static struct conn *all_conns;
static int default_delay = 50;
static const char *stats_path;
static FILE *conn_log;
static volatile sig_atomic_t want_stats, want_exit;
static uint8_t tempfail_seen[1 << 16 >> 3];

static struct {
  uint64_t accepted, open, peak_open, tls_open, peak_tls_open, handshakes, handshake_fail,
      starttls, tempfail, reset, closed_by_client;
} st;
static struct timespec period_start;
static struct rusage period_ru;

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void log_conn(uint32_t addr, uint64_t opened, uint64_t closed)
{
  if (conn_log == NULL)
    return;
  char a[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, a, sizeof a);
  fprintf(conn_log, "%s %llu %llu\n", a, (unsigned long long)opened, (unsigned long long)closed);
}

static bool parse_cidr(const char *s, uint32_t *net, uint32_t *mask)
{
  char buf[64];
  const char *slash = strchr(s, '/');
  if (slash == NULL || (size_t)(slash - s) >= sizeof buf)
    return false;
  memcpy(buf, s, (size_t)(slash - s));
  buf[slash - s] = '\0';
  struct in_addr a;
  int bits = atoi(slash + 1);
  if (inet_pton(AF_INET, buf, &a) != 1 || bits < 0 || bits > 32)
    return false;
  *mask = bits == 0 ? 0 : htonl(~0u << (32 - bits));
  *net = a.s_addr & *mask;
  return true;
}

/* POLICY of a --cert rule: what the TLS profile of an address served by it must find. */
static int set_policy(SSL_CTX *c, const char *policy)
{
  if (policy == NULL || strcmp(policy, "default") == 0)
    return 0;
  if (strcmp(policy, "modern") == 0) {
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    return SSL_CTX_set_cipher_list(c, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1 ? 0 : -1;
  }
  if (strcmp(policy, "legacy") == 0) {
    /* a 1024-bit group, RFC 2409's second Oakley group (the "auto" choice would pick
     * 2048 bits or more) */
    BIGNUM *p = BN_get_rfc2409_prime_1024(NULL), *g = BN_new();
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *prm = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *dh = NULL;
    int ok = p && g && b && pc && BN_set_word(g, 2) && OSSL_PARAM_BLD_push_BN(b, "p", p) &&
             OSSL_PARAM_BLD_push_BN(b, "g", g) && (prm = OSSL_PARAM_BLD_to_param(b)) &&
             EVP_PKEY_fromdata_init(pc) == 1 &&
             EVP_PKEY_fromdata(pc, &dh, EVP_PKEY_KEY_PARAMETERS, prm) == 1 &&
             SSL_CTX_set0_tmp_dh_pkey(c, dh) == 1;   /* the ctx owns dh on success */
    if (!ok)
      EVP_PKEY_free(dh);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(prm);
    OSSL_PARAM_BLD_free(b);
    BN_free(p);
    BN_free(g);
    if (!ok)
      return -1;
    SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
    return SSL_CTX_set_cipher_list(c, "ALL:COMPLEMENTOFALL:eNULL:@SECLEVEL=0") == 1 ? 0 : -1;
  }
  return -1;
}

static SSL_CTX *server_ctx(const char *cert, const char *key, const char *cert2,
                           const char *key2, const char *policy)
{
  SSL_CTX *c = SSL_CTX_new(TLS_server_method());
  if (c == NULL)
    return NULL;
  SSL_CTX_set_security_level(c, 0);
  SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(c, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
      (cert2 && (SSL_CTX_use_certificate_chain_file(c, cert2) != 1 ||
                 SSL_CTX_use_PrivateKey_file(c, key2, SSL_FILETYPE_PEM) != 1)) ||
      set_policy(c, policy) != 0) {
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "smtpd: bad certificate rule (%s, policy %s)\n", cert, policy ? policy : "default");
    SSL_CTX_free(c);
    return NULL;
  }
  return c;
}

static struct queue *queue_for(int ms)
{
  for (int i = 0; i < nqueues; i++)
    if (queues[i].ms == ms)
      return &queues[i];
  if (nqueues == MAX_QUEUES) {
    fprintf(stderr, "smtpd: too many distinct delays\n");
    exit(1);
  }
  queues[nqueues].ms = ms;
  return &queues[nqueues++];
}

static void schedule(struct conn *c, int ms, const char *reply)
{
  struct queue *q = queue_for(ms);
  c->reply = reply;
  c->deadline = now_ms() + (uint64_t)ms;
  c->qnext = NULL;
  c->queued = true;
  if (q->tail)
    q->tail->qnext = c;
  else
    q->head = c;
  q->tail = c;
}

static void conn_close(struct conn *c)
{
  if (c->closed)
    return;
  c->closed = true;
  log_conn(c->addr, c->opened_ms, now_ms());
  if (c->prev)
    c->prev->next = c->next;
  else
    all_conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  if (c->tls)
    st.tls_open--;
  st.open--;
  if (c->ssl)
    SSL_free(c->ssl);
  c->ssl = NULL;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  if (!c->queued)
    free(c);  /* else the queue frees it when it comes up */
}

static void set_events(struct conn *c, uint32_t ev)
{
  struct epoll_event e = {.events = ev, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static bool send_str(struct conn *c, const char *s)
{
  size_t n = strlen(s);
  if (c->tls) {
    int r = SSL_write(c->ssl, s, (int)n);
    return r == (int)n;
  }
  ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
  return w == (ssize_t)n;
}

static void drive_handshake(struct conn *c)
{
  ERR_clear_error();
  int r = SSL_accept(c->ssl);
  if (r == 1) {
    st.handshakes++;
    c->tls = true;
    st.tls_open++;
    if (st.tls_open > st.peak_tls_open)
      st.peak_tls_open = st.tls_open;
    c->st = S_READ;
    c->inlen = 0;
    set_events(c, EPOLLIN);
    return;
  }
  int e = SSL_get_error(c->ssl, r);
  if (e == SSL_ERROR_WANT_READ) {
    set_events(c, EPOLLIN);
  } else if (e == SSL_ERROR_WANT_WRITE) {
    set_events(c, EPOLLOUT);
  } else {
    st.handshake_fail++;
    ERR_clear_error();
    conn_close(c);
  }
}

/* A timer expired: send the pending reply and move on. Not queued any more, so a close
 * frees the connection: the caller must not touch it then (returns false). */
static bool fire(struct conn *c)
{
  if (!send_str(c, c->reply) || c->close_after) {
    conn_close(c);
    return false;
  }
  if (c->starttls_after) {
    c->starttls_after = false;
    c->ssl = SSL_new(c->ctx);
    SSL_set_fd(c->ssl, c->fd);
    c->st = S_HANDSHAKE;
    drive_handshake(c);
    return false;  /* the handshake reports through epoll; c may be gone */
  }
  c->st = S_READ;
  return true;
}

static void handle_line(struct conn *c, const char *line)
{
  if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
    if (c->tls || c->notls)
      schedule(c, c->delay_ms, "250-bench.benchtld\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                               "250 8BITMIME\r\n");
    else
      schedule(c, c->delay_ms, "250-bench.benchtld\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                               "250-STARTTLS\r\n250 8BITMIME\r\n");
  } else if (strncasecmp(line, "STARTTLS", 8) == 0 && !c->tls && !c->notls) {
    st.starttls++;
    c->starttls_after = true;
    schedule(c, c->delay_ms, "220 2.0.0 Ready to start TLS\r\n");
  } else if (strncasecmp(line, "QUIT", 4) == 0) {
    c->close_after = true;
    schedule(c, c->delay_ms, "221 2.0.0 Bye\r\n");
  } else if (strncasecmp(line, "NOOP", 4) == 0 || strncasecmp(line, "RSET", 4) == 0) {
    schedule(c, c->delay_ms, "250 2.0.0 Ok\r\n");
  } else {
    schedule(c, c->delay_ms, "502 5.5.2 Error: command not recognized\r\n");
  }
  c->st = S_WAIT_REPLY;
}

static void on_readable(struct conn *c)
{
  if (c->st == S_HANDSHAKE) {
    drive_handshake(c);
    return;
  }
  for (;;) {
    if (c->inlen == sizeof c->in) {
      conn_close(c);  /* a line longer than any command */
      return;
    }
    int n;
    if (c->tls) {
      ERR_clear_error();
      n = SSL_read(c->ssl, c->in + c->inlen, (int)(sizeof c->in - c->inlen));
      if (n <= 0) {
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_READ)
          break;
        st.closed_by_client++;
        ERR_clear_error();
        conn_close(c);
        return;
      }
    } else {
      ssize_t r = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (r <= 0) {
        st.closed_by_client++;
        conn_close(c);
        return;
      }
      n = (int)r;
    }
    c->inlen += (size_t)n;
    if (!c->tls)
      break;  /* level-triggered: plain sockets come back; SSL may hold buffered records */
  }
  /* The scanner never pipelines: take one line when we are ready for it. */
  while (c->st == S_READ) {
    char *nl = memchr(c->in, '\n', c->inlen);
    if (nl == NULL)
      return;
    *nl = '\0';
    if (nl > c->in && nl[-1] == '\r')
      nl[-1] = '\0';
    char line[LINE_MAX_LEN];
    snprintf(line, sizeof line, "%s", c->in);
    size_t used = (size_t)(nl - c->in) + 1;
    memmove(c->in, nl + 1, c->inlen - used);
    c->inlen -= used;
    handle_line(c, line);
  }
}

static void on_accept(int lfd)
{
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE)
        fprintf(stderr, "smtpd: out of file descriptors\n");
      return;
    }
    struct sockaddr_in la;
    socklen_t len = sizeof la;
    getsockname(fd, (struct sockaddr *)&la, &len);
    uint32_t a = la.sin_addr.s_addr;
    enum kind kind = K_NORMAL;
    int ms = 0;
    for (int i = 0; i < nrules; i++)
      if ((a & rules[i].mask) == rules[i].net) {
        kind = rules[i].kind;
        ms = rules[i].ms;
        break;
      }
    st.accepted++;
    if (kind == K_RESET) {
      struct linger lg = {1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      close(fd);
      st.reset++;
      uint64_t t = now_ms();
      log_conn(a, t, t);
      continue;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->addr = a;
    c->opened_ms = now_ms();
    c->next = all_conns;
    if (all_conns)
      all_conns->prev = c;
    all_conns = c;
    c->delay_ms = kind == K_HOLD ? ms : default_delay;
    c->notls = kind == K_NOTLS;
    c->ctx = certs[0].ctx;
    for (int i = 0; i < ncerts; i++)
      if ((a & certs[i].mask) == certs[i].net) {
        c->ctx = certs[i].ctx;
        break;
      }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
    st.open++;
    if (st.open > st.peak_open)
      st.peak_open = st.open;
    c->st = S_WAIT_BANNER;
    const char *banner = "220 bench.benchtld ESMTP\r\n";
    if (kind == K_TEMPFAIL) {
      uint32_t idx = ntohl(a) & 0xffff;
      if (!(tempfail_seen[idx >> 3] & (1u << (idx & 7)))) {
        tempfail_seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
        banner = "421 4.3.2 Service busy, try again later\r\n";
        c->close_after = true;
        st.tempfail++;
      }
    }
    schedule(c, kind == K_SLOW ? ms : c->delay_ms, banner);
  }
}

static void write_stats(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double cpu = (double)(ru.ru_utime.tv_sec - period_ru.ru_utime.tv_sec) +
               (double)(ru.ru_stime.tv_sec - period_ru.ru_stime.tv_sec) +
               (double)(ru.ru_utime.tv_usec - period_ru.ru_utime.tv_usec) / 1e6 +
               (double)(ru.ru_stime.tv_usec - period_ru.ru_stime.tv_usec) / 1e6;
  double wall = (double)(now.tv_sec - period_start.tv_sec) +
                (double)(now.tv_nsec - period_start.tv_nsec) / 1e9;
  FILE *f = stats_path ? fopen(stats_path, "w") : stdout;
  if (f == NULL)
    return;
  fprintf(f,
          "{\"accepted\": %llu, \"open\": %llu, \"peak_open\": %llu, \"peak_tls_open\": %llu, "
          "\"starttls\": %llu, \"handshakes\": %llu, \"handshake_fail\": %llu, "
          "\"tempfail\": %llu, \"reset\": %llu, \"closed_by_client\": %llu, "
          "\"cpu_s\": %.3f, \"wall_s\": %.3f, \"maxrss_kib\": %ld}\n",
          (unsigned long long)st.accepted, (unsigned long long)st.open,
          (unsigned long long)st.peak_open, (unsigned long long)st.peak_tls_open,
          (unsigned long long)st.starttls, (unsigned long long)st.handshakes,
          (unsigned long long)st.handshake_fail, (unsigned long long)st.tempfail,
          (unsigned long long)st.reset, (unsigned long long)st.closed_by_client, cpu, wall,
          ru.ru_maxrss);
  if (f != stdout)
    fclose(f);
  else
    fflush(f);
  if (conn_log)
    fflush(conn_log);
  /* New period: counters restart, peaks restart from what is open now. */
  uint64_t open = st.open, tls_open = st.tls_open;
  memset(&st, 0, sizeof st);
  st.open = st.peak_open = open;
  st.tls_open = st.peak_tls_open = tls_open;
  period_ru = ru;
  period_start = now;
}

static void on_signal(int sig)
{
  if (sig == SIGUSR1)
    want_stats = 1;
  else
    want_exit = 1;
}

static void usage(void)
{
  fprintf(stderr, "usage: smtpd [--port N] [--delay-ms D] [--stats FILE] [--conn-log FILE] "
                  "--cert CIDR=CERT,KEY ... [--rule CIDR=KIND[:MS]] ...\n");
  exit(2);
}

int main(int argc, char **argv)
{
  int port = 25;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL)
      usage();
    i++;
    if (strcmp(a, "--port") == 0) {
      port = atoi(v);
    } else if (strcmp(a, "--delay-ms") == 0) {
      default_delay = atoi(v);
    } else if (strcmp(a, "--stats") == 0) {
      stats_path = v;
    } else if (strcmp(a, "--conn-log") == 0) {
      if ((conn_log = fopen(v, "a")) == NULL) {
        perror("smtpd: --conn-log");
        return 1;
      }
    } else if (strcmp(a, "--cert") == 0 || strcmp(a, "--rule") == 0) {
      bool is_cert = a[2] == 'c';
      char buf[1024];
      snprintf(buf, sizeof buf, "%s", v);
      char *eq = strchr(buf, '=');
      if (eq == NULL)
        usage();
      *eq++ = '\0';
      struct rule r = {0};
      if (!parse_cidr(buf, &r.net, &r.mask) || (is_cert ? ncerts : nrules) == MAX_RULES)
        usage();
      if (is_cert) {
        char *policy = strchr(eq, '@');
        if (policy)
          *policy++ = '\0';
        char *f[4] = {eq, NULL, NULL, NULL};
        int nf = 1;
        for (char *q = eq; nf < 4 && (q = strchr(q, ',')) != NULL;)
          *q++ = '\0', f[nf++] = q;
        if (nf != 2 && nf != 4)
          usage();
        if ((r.ctx = server_ctx(f[0], f[1], f[2], f[3], policy)) == NULL)
          return 1;
        certs[ncerts++] = r;
      } else {
        char *colon = strchr(eq, ':');
        if (colon)
          *colon++ = '\0';
        r.ms = colon ? atoi(colon) : 0;
        if (strcmp(eq, "normal") == 0) r.kind = K_NORMAL;
        else if (strcmp(eq, "slow") == 0) r.kind = K_SLOW;
        else if (strcmp(eq, "hold") == 0) r.kind = K_HOLD;
        else if (strcmp(eq, "tempfail") == 0) r.kind = K_TEMPFAIL;
        else if (strcmp(eq, "notls") == 0) r.kind = K_NOTLS;
        else if (strcmp(eq, "reset") == 0) r.kind = K_RESET;
        else usage();
        rules[nrules++] = r;
      }
    } else {
      usage();
    }
  }
  if (ncerts == 0)
    usage();

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(lfd, 65535) != 0) {
    perror("smtpd: bind/listen");
    return 1;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  static int lfd_marker;
  struct epoll_event le = {.events = EPOLLIN, .data.ptr = &lfd_marker};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &le);
  clock_gettime(CLOCK_MONOTONIC, &period_start);
  getrusage(RUSAGE_SELF, &period_ru);
  printf("smtpd: listening on 0.0.0.0:%d, %d rules, %d certificates\n", port, nrules, ncerts);
  fflush(stdout);

  struct epoll_event evs[512];
  while (!want_exit) {
    if (want_stats) {
      want_stats = 0;
      write_stats();
    }
    int timeout = 1000;
    uint64_t now = now_ms();
    for (int i = 0; i < nqueues; i++)
      if (queues[i].head) {
        int64_t d = (int64_t)(queues[i].head->deadline - now);
        if (d < 0)
          d = 0;
        if (d < timeout)
          timeout = (int)d;
      }
    int n = epoll_wait(epfd, evs, 512, timeout);
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr == &lfd_marker) {
        on_accept(lfd);
        continue;
      }
      struct conn *c = evs[i].data.ptr;
      if (c->closed)
        continue;
      if (c->st == S_HANDSHAKE)
        drive_handshake(c);
      else if (c->st == S_READ || c->st == S_WAIT_REPLY || c->st == S_WAIT_BANNER)
        on_readable(c);
    }
    now = now_ms();
    for (int i = 0; i < nqueues; i++) {
      struct queue *q = &queues[i];
      while (q->head && q->head->deadline <= now) {
        struct conn *c = q->head;
        q->head = c->qnext;
        if (q->head == NULL)
          q->tail = NULL;
        c->queued = false;
        if (c->closed) {
          free(c);
          continue;
        }
        if (fire(c) && c->inlen > 0)
          on_readable(c);
      }
    }
  }
  write_stats();
  /* Free everything (the ASan build checks for leaks): open connections first, then the
   * ones a queue still holds after their close. */
  while (all_conns)
    conn_close(all_conns);
  for (int i = 0; i < nqueues; i++)
    while (queues[i].head) {
      struct conn *c = queues[i].head;
      queues[i].head = c->qnext;
      free(c);
    }
  for (int i = 0; i < ncerts; i++)
    SSL_CTX_free(certs[i].ctx);
  if (conn_log)
    fclose(conn_log);
  close(epfd);
  close(lfd);
  return 0;
}
