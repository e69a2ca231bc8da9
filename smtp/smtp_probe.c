/* The STARTTLS probe state machine: see smtp_probe.h. */
#include "smtp/smtp_probe.h"
#include "smtp/smtp_reply.h"
#include "net/deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

/* The machine's state is the dialogue's stage (enum smtp_stage, smtp_probe.h), from
 * SMTP_STAGE_CONNECT to SMTP_STAGE_DONE: a failure is named by the state it happened in. */

/* Plaintext a server may send between our STARTTLS and its first TLS record (injected
 * text in the 220's segment or in later ones, together) before we call it not TLS. */
#define LATE_PLAIN_MAX 4096

typedef struct probe {
  uv_tcp_t tcp;
  deadline_t timer;          /* the stage's deadline: expires after a poll (deadline.h) */
  uv_connect_t connreq;
  uv_work_t work;             /* a handshake step in the thread pool (tls_conn_costly) */
  enum tls_step work_step;    /* its outcome, read by on_work_done */
  bool working;               /* the step is queued or running */
  int open_handles;           /* handles not yet closed, and the step in the pool if any:
                                 the probe is freed when the last one is done */
  enum smtp_stage stage;
  smtp_opts_t opts;
  tls_conn_t *tls;            /* the normal probe's handshake; NULL in offer mode */
  hello_peek_t *peek;         /* offer mode: the reader of the server's answer; else NULL */
  bool in_tls;               /* bytes on the wire are TLS records from here on */
  smtp_reply_t reply;         /* holds the partial line: plaintext needs no other buffer */
  bool tls_rx;                /* the first byte of a TLS record has arrived */
  bool late_line_open;        /* inside a plaintext line that arrived after the 220 */
  size_t late_plain;          /* plaintext bytes received after the 220, before TLS */
  uint64_t t0;
  bool finishing;
  smtp_done_cb cb;
  void *arg;
  smtp_result_t res;
} probe_t;

typedef struct wreq {
  uv_write_t req;
  probe_t *p;
  bool close_after;
  char data[];
} wreq_t;

/* One large buffer for every read: callbacks run one at a time on the loop thread, and
 * each read is consumed (copied or fed to TLS) before the next. */
static char g_readbuf[65536];

/* "code text" of a reply: the text may hold any byte but CR/LF, NUL included. */
static char *reply_line(const smtp_reply_t *rp, size_t *len) {
  size_t n = rp->text_len + 8;
  char *s = malloc(n);
  if (s) {
    int k = snprintf(s, n, "%d ", rp->code);
    memcpy(s + k, rp->text, rp->text_len);
    s[k + rp->text_len] = '\0';
    *len = (size_t)k + rp->text_len;
  }
  return s;
}

static void release(probe_t *p) {
  if (p->tls) tls_conn_free(p->tls);
  if (p->peek) {
    /* no final answer (a timeout, an error): what was read so far, kind HELLO_ANS_MORE;
     * but a ServerHello read while reading on for its ServerKeyExchange (offer_ske) is
     * the answer, as at the end of the stream */
    if (p->res.offer_sent && p->res.offer.kind == HELLO_ANS_MORE)
      p->res.offer = smtp_offer_answer_of(p->peek, p->peek->ske_wait);
    free(p->peek);
  }
  p->res.outcome = smtp_outcome_of(&p->res);
  p->cb(p->arg, &p->res);
  free(p);
}

static void on_close(uv_handle_t *h) {
  probe_t *p = h->data;
  if (--p->open_handles == 0) release(p);
}

static void finish(probe_t *p) {
  if (p->finishing) return;
  p->finishing = true;
  p->stage = SMTP_STAGE_DONE;
  uv_read_stop((uv_stream_t *)&p->tcp);
  /* A step still waiting for a pool thread is dropped (on_work_done then sees
   * UV_ECANCELED); one already running finishes first. */
  if (p->working) uv_cancel((uv_req_t *)&p->work);
  deadline_close(&p->timer, on_close);
  uv_close((uv_handle_t *)&p->tcp, on_close);
}

static void fail(probe_t *p, const char *reason) {
  smtp_result_set_error(&p->res, p->stage, reason);
  finish(p);
}

static void on_write(uv_write_t *req, int status) {
  wreq_t *w = (wreq_t *)req;
  probe_t *p = w->p;
  bool close_after = w->close_after;
  free(w);
  if (status < 0 && status != UV_ECANCELED && !p->finishing) {
    fail(p, uv_strerror(status));
    return;
  }
  if (close_after) finish(p);
}

static int send_raw(probe_t *p, const void *data, size_t len, bool close_after) {
  wreq_t *w = malloc(sizeof *w + len);
  if (!w) return -1;
  w->p = p;
  w->close_after = close_after;
  memcpy(w->data, data, len);
  uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
  if (uv_write(&w->req, (uv_stream_t *)&p->tcp, &b, 1, on_write) != 0) {
    free(w);
    return -1;
  }
  return 0;
}

/* Everything OpenSSL wants to send goes out now. */
static void flush_tls(probe_t *p, bool close_after) {
  uint8_t buf[16384];
  size_t n;
  bool sent = false;
  while ((n = tls_conn_take_output(p->tls, buf, sizeof buf)) > 0) {
    if (send_raw(p, buf, n, false) != 0) { fail(p, "write failed"); return; }
    sent = true;
  }
  if (close_after) {
    if (sent) send_raw(p, "", 0, true);
    else finish(p);
  }
}

static void send_cmd(probe_t *p, const char *cmd, bool close_after) {
  if (p->in_tls) {
    if (tls_conn_write(p->tls, cmd, strlen(cmd)) != 0) { fail(p, tls_conn_error(p->tls)); return; }
    flush_tls(p, close_after);
  } else if (send_raw(p, cmd, strlen(cmd), close_after) != 0) {
    fail(p, "write failed");
  }
}

static void arm(probe_t *p, double seconds);
static void on_timeout(uv_timer_t *t) { fail(t->data, "timeout"); }
static void arm(probe_t *p, double seconds) {
  deadline_start(&p->timer, on_timeout, (uint64_t)(seconds * 1000));
}

/* Ends the conversation politely after a failure that left the session usable. */
static void quit(probe_t *p) {
  p->stage = SMTP_STAGE_QUIT;
  arm(p, p->opts.t_smtp);
  send_cmd(p, "QUIT\r\n", true);
}

static void send_ehlo(probe_t *p) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "EHLO %s\r\n", p->opts.ehlo);
  send_cmd(p, cmd, false);
}

/* Offer mode (smtp_probe.h): the TLS stage sends the caller's ClientHello as it is, and
 * hello_peek reads the answer; OpenSSL takes no part. */
static void send_offer(probe_t *p) {
  if (send_raw(p, p->opts.offer, p->opts.offer_len, false) != 0) {
    fail(p, "write failed");
    return;
  }
  p->res.offer_sent = true;
}

/* Bytes of the server's answer (after any injected plaintext). A final answer ends the
 * probe: the connection is closed, without QUIT, since after half a handshake the session
 * is neither SMTP nor TLS any more (smtp_probe.h). */
static void offer_feed(probe_t *p, const uint8_t *buf, size_t len) {
  hello_peek_feed(p->peek, buf, len);
  smtp_offer_answer_t a = smtp_offer_answer_of(p->peek, false);
  if (a.kind == HELLO_ANS_MORE) return;
  p->res.offer = a;
  finish(p);
}

static void start_tls(probe_t *p) {
  p->stage = SMTP_STAGE_TLS;
  p->in_tls = true;
  arm(p, p->opts.t_tls);
  if (p->peek) {
    send_offer(p);
    return;
  }
  enum tls_step st = tls_conn_handshake(p->tls);
  flush_tls(p, false);
  if (st == TLS_FAIL) fail(p, tls_conn_error(p->tls));
}

/* A complete reply arrived in the current stage. Returns false when the probe ended. */
static bool on_reply(probe_t *p) {
  smtp_reply_t *r = &p->reply;
  size_t len = 0;
  char *line = reply_line(r, &len);
  if (!line) { fail(p, "out of memory"); return false; }
  switch (p->stage) {
  case SMTP_STAGE_BANNER:
    p->res.banner = line;
    p->res.banner_len = len;
    p->res.banner_code = r->code;
    if (r->code != 220) {
      smtp_result_set_error_bytes(&p->res, SMTP_STAGE_BANNER, line, len);
      quit(p);
      return false;
    }
    p->stage = SMTP_STAGE_EHLO;
    arm(p, p->opts.t_smtp);
    send_ehlo(p);
    return true;
  case SMTP_STAGE_EHLO:
    p->res.ehlo_code = r->code;
    if (r->code != 250) {
      smtp_result_set_error_bytes(&p->res, SMTP_STAGE_EHLO, line, len);
      free(line);
      quit(p);
      return false;
    }
    free(line);
    p->res.starttls = r->starttls ? SMTP_STARTTLS_OFFERED : SMTP_STARTTLS_NOT_OFFERED;
    if (!r->starttls) {
      smtp_result_set_error(&p->res, SMTP_STAGE_STARTTLS, "not offered");
      quit(p);
      return false;
    }
    p->stage = SMTP_STAGE_STARTTLS;
    arm(p, p->opts.t_smtp);
    send_cmd(p, "STARTTLS\r\n", false);
    return true;
  case SMTP_STAGE_STARTTLS:
    p->res.starttls_reply = line;
    p->res.starttls_reply_len = len;
    if (r->code != 220) {
      smtp_result_set_error_bytes(&p->res, SMTP_STAGE_STARTTLS, line, len);
      quit(p);
      return false;
    }
    return true;   /* the caller handles leftover bytes and starts TLS */
  case SMTP_STAGE_EHLO_TLS:
    free(line);
    p->res.ehlo_tls_code = r->code;
    p->res.starttls_again = r->starttls;
    if (r->code != 250) smtp_result_set_error(&p->res, SMTP_STAGE_EHLO_TLS, "EHLO after TLS refused");
    quit(p);
    return false;
  case SMTP_STAGE_QUIT:
    free(line);
    finish(p);
    return false;
  default:
    free(line);
    return false;
  }
}

/* Feeds bytes to the reply parser; on a complete reply runs on_reply. Returns how many
 * bytes were used; *go_on is false when the probe must not read further, *complete says
 * whether a whole reply was handled. */
static size_t feed(probe_t *p, const char *buf, size_t len, bool *go_on, bool *complete) {
  size_t used = 0;
  enum smtp_reply_state st = smtp_reply_feed(&p->reply, buf, len, &used);
  *go_on = true;
  *complete = st == SMTP_REPLY_DONE;
  if (st == SMTP_REPLY_ERROR) {
    char why[128];
    snprintf(why, sizeof why, "malformed reply: %s", p->reply.error);
    fail(p, why);
    *go_on = false;
  } else if (st == SMTP_REPLY_DONE) {
    *go_on = on_reply(p);
    smtp_reply_init(&p->reply);
  }
  return used;
}

/* Parses the replies in one read. The reply parser consumes every byte of an incomplete
 * reply (keeping the partial line itself, bounded by SMTP_LINE_MAX), so nothing of a read
 * outlives it and a probe holds no plaintext buffer of its own. */
static void process_plain(probe_t *p, const char *buf, size_t len) {
  size_t off = 0;
  while (off < len && !p->finishing) {
    enum smtp_stage was = p->stage;
    bool go_on, complete;
    off += feed(p, buf + off, len - off, &go_on, &complete);
    if (!go_on || p->finishing || !complete) break;
    if (was == SMTP_STAGE_STARTTLS) {      /* on_reply went on only for a 220 */
      /* Anything after the 220 to STARTTLS was sent in plaintext before TLS: injected,
       * and never a TLS record (the server has not seen our ClientHello yet). It counts
       * towards the same LATE_PLAIN_MAX as plaintext in later segments. */
      if (off < len) {
        size_t n = len - off;
        p->late_plain += n;
        p->res.injected_bytes += n;
        p->late_line_open = buf[len - 1] != '\n';
        if (p->late_plain > LATE_PLAIN_MAX) {
          p->stage = SMTP_STAGE_TLS;
          fail(p, "no TLS record after STARTTLS: more than 4096 bytes of plaintext");
          return;
        }
      }
      start_tls(p);
      return;
    }
  }
}

/* TLS records start with a content type byte 20..24 (RFC 8446 §5.1); SMTP text never
 * does. Bytes before the server's first record are plaintext lines that arrived after the
 * 220 in a later segment: the same injection as bytes in the 220's segment, so they are
 * counted into injected_bytes and skipped. Returns the offset of the first TLS byte in buf
 * (len when all of it was plaintext), or -1 when the probe failed. */
static long skip_late_plaintext(probe_t *p, const char *buf, size_t len) {
  size_t pos = 0;
  while (pos < len && !p->tls_rx) {
    if (!p->late_line_open) {
      unsigned char c = (unsigned char)buf[pos];
      if (c >= 20 && c <= 24) { p->tls_rx = true; break; }
      p->late_line_open = true;
    }
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
    if (nl) p->late_line_open = false;
    p->late_plain += n;
    p->res.injected_bytes += n;
    pos += n;
    if (p->late_plain > LATE_PLAIN_MAX) {
      fail(p, "no TLS record after STARTTLS: more than 4096 bytes of plaintext");
      return -1;
    }
  }
  return (long)pos;
}

static void process_tls_data(probe_t *p) {
  char buf[4096];
  int n;
  while (!p->finishing && (n = tls_conn_read(p->tls, buf, sizeof buf)) > 0) {
    size_t off = 0;
    bool go_on = true, complete;
    while (off < (size_t)n && go_on && !p->finishing)
      off += feed(p, buf + off, (size_t)n - off, &go_on, &complete);
  }
  if (n < 0 && !p->finishing) {
    if (p->stage == SMTP_STAGE_QUIT) finish(p);
    else fail(p, tls_conn_error(p->tls));
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h; (void)suggested;
  *buf = uv_buf_init(g_readbuf, sizeof g_readbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* After a handshake step: sends what OpenSSL wrote; on completion keeps the result and
 * sends EHLO inside TLS. True when the caller goes on to read TLS data. */
static bool handshake_stepped(probe_t *p, enum tls_step st) {
  flush_tls(p, false);
  if (p->finishing) return false;
  if (st == TLS_FAIL) { fail(p, tls_conn_error(p->tls)); return false; }
  if (st == TLS_WANT) return false;
  if (tls_conn_result(p->tls, &p->res.tls) == 0) p->res.have_tls = true;
  p->stage = SMTP_STAGE_EHLO_TLS;
  arm(p, p->opts.t_smtp);
  send_ehlo(p);
  return !p->finishing;
}

/* A finite-field DH key exchange costs up to ~27 ms of CPU (tls_conn_costly): its
 * handshake steps run in libuv's thread pool, so the loop never spends more than the
 * cheap steps on one. Meanwhile nothing else touches the connection: reading is stopped
 * (the kernel keeps what arrives), and a timeout or any other end only closes the handles;
 * the probe is released when the step is back (open_handles counts it). */
static void on_work(uv_work_t *w) {
  probe_t *p = w->data;
  p->work_step = tls_conn_handshake(p->tls);
  tls_thread_done();
}

static void on_work_done(uv_work_t *w, int status) {
  probe_t *p = w->data;
  p->working = false;
  if (--p->open_handles == 0) { release(p); return; }
  if (p->finishing) return;
  if (status != 0) { fail(p, uv_strerror(status)); return; }
  int rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
  if (rc != 0) { fail(p, uv_strerror(rc)); return; }
  if (handshake_stepped(p, p->work_step)) process_tls_data(p);
}

static void handshake_off_loop(probe_t *p) {
  uv_read_stop((uv_stream_t *)&p->tcp);
  p->work.data = p;
  p->open_handles++;
  int rc = uv_queue_work(p->tcp.loop, &p->work, on_work, on_work_done);
  if (rc != 0) {
    p->open_handles--;
    fail(p, uv_strerror(rc));
    return;
  }
  p->working = true;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  probe_t *p = s->data;
  if (p->finishing) return;
  if (nread < 0) {
    if (p->stage == SMTP_STAGE_QUIT) { finish(p); return; }
    if (p->peek && p->stage == SMTP_STAGE_TLS && (nread == UV_EOF || nread == UV_ECONNRESET)) {
      /* the end of the stream is an answer too: closed (nothing came) or truncated */
      p->res.offer = smtp_offer_answer_of(p->peek, true);
      finish(p);
      return;
    }
    if (p->in_tls && p->tls) {
      tls_conn_recv_eof(p->tls);
      if (p->stage == SMTP_STAGE_TLS && tls_conn_handshake(p->tls) == TLS_FAIL) {
        fail(p, tls_conn_error(p->tls));
        return;
      }
    }
    if (p->res.err_stage == SMTP_STAGE_NONE && (nread == UV_EOF || nread == UV_ECONNRESET))
      p->res.peer_closed = true;
    fail(p, nread == UV_EOF ? "connection closed by server" : uv_strerror((int)nread));
    return;
  }
  if (nread == 0) return;
  if (!p->in_tls) {
    process_plain(p, buf->base, (size_t)nread);
    return;
  }
  size_t skip = 0;
  if (!p->tls_rx) {
    long k = skip_late_plaintext(p, buf->base, (size_t)nread);
    if (k < 0) return;
    skip = (size_t)k;
    if (skip == (size_t)nread) return;
  }
  if (p->peek) {
    offer_feed(p, (const uint8_t *)buf->base + skip, (size_t)nread - skip);
    return;
  }
  tls_conn_recv(p->tls, (const uint8_t *)buf->base + skip, (size_t)nread - skip);
  if (p->stage == SMTP_STAGE_TLS) {
    if (tls_conn_costly(p->tls)) { handshake_off_loop(p); return; }
    if (!handshake_stepped(p, tls_conn_handshake(p->tls))) return;
  }
  process_tls_data(p);
}

/* Another system error on connecting: its libuv text, which the record carries as the
 * connect value and as the reason. */
static const char *connect_error(smtp_result_t *r, int status) {
  r->connect = SMTP_CONNECT_ERROR;
  r->connect_error = uv_strerror(status);
  return r->connect_error;
}

static void on_connect(uv_connect_t *req, int status) {
  probe_t *p = req->data;
  if (p->finishing) return;
  if (status != 0) {
    smtp_result_t *r = &p->res;
    const char *why;
    if (status == UV_ECONNREFUSED) { r->connect = SMTP_CONNECT_REFUSED; why = "refused"; }
    else if (status == UV_ETIMEDOUT) { r->connect = SMTP_CONNECT_TIMEOUT; why = "timeout"; }
    else if (status == UV_ENETUNREACH || status == UV_EHOSTUNREACH) {
      r->connect = SMTP_CONNECT_UNREACHABLE;
      why = "unreachable";
    } else why = connect_error(r, status);
    fail(p, why);
    return;
  }
  p->res.connect = SMTP_CONNECT_OK;
  p->res.connect_ms = (double)(uv_now(p->tcp.loop) - p->t0);
  p->stage = SMTP_STAGE_BANNER;
  arm(p, p->opts.t_banner);
  int rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
  if (rc != 0) fail(p, uv_strerror(rc));
}

static void on_connect_timeout(uv_timer_t *t) {
  probe_t *p = t->data;
  p->res.connect = SMTP_CONNECT_TIMEOUT;
  fail(p, "timeout");
}

int smtp_probe_start(uv_loop_t *loop, tls_ctx_t *tls, const smtp_opts_t *opts,
                     int family, const uint8_t addr[16], const char *sni,
                     smtp_done_cb cb, void *arg) {
  if (!smtp_opts_offer_ok(opts)) return -1;
  probe_t *p = calloc(1, sizeof *p);
  if (!p) return -1;
  p->opts = *opts;
  p->cb = cb;
  p->arg = arg;
  smtp_result_init(&p->res);
  smtp_reply_init(&p->reply);
  if (opts->offer) {
    p->peek = malloc(sizeof *p->peek);
    if (p->peek) {
      hello_peek_init(p->peek);
      p->peek->want_ske = opts->offer_ske;
    }
  } else {
    p->tls = tls_conn_new(tls, sni);
  }
  if (!p->tls && !p->peek) { free(p); return -1; }

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)opts->port);
    memcpy(&sin->sin_addr, addr, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)opts->port);
    memcpy(&sin6->sin6_addr, addr, 16);
  }
  uv_tcp_init(loop, &p->tcp);
  deadline_init(loop, &p->timer);
  p->tcp.data = p->timer.timer.data = p->connreq.data = p;
  p->open_handles = 2;
  p->stage = SMTP_STAGE_CONNECT;
  p->t0 = uv_now(loop);
  deadline_start(&p->timer, on_connect_timeout, (uint64_t)(opts->t_connect * 1000));
  int rc = uv_tcp_connect(&p->connreq, &p->tcp, (const struct sockaddr *)&ss, on_connect);
  if (rc != 0) {
    /* reported through cb, like any other failure */
    if (rc == UV_ENETUNREACH) {
      p->res.connect = SMTP_CONNECT_UNREACHABLE;
      fail(p, "unreachable");
    } else fail(p, connect_error(&p->res, rc));
  }
  return 0;
}
