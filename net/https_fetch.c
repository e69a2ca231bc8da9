/* libcurl multi-socket on libuv: see https_fetch.h. */
#include "net/https_fetch.h"
#include "lib/list.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct xfer xfer_t;

#define FETCH_HEADER_MAX 65536   /* bytes of response header (all lines together) */

struct fetcher {
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  char *ca_file;
  list_t xfers;              /* xfer_t in flight, newest first */
  bool closing;
};

struct xfer {
  fetcher_t *f;
  list_t link;              /* in f->xfers */
  CURL *easy;
  struct curl_slist *resolve;
  fetch_cb cb;
  void *arg;
  char *body;
  size_t len, cap, max;
  bool too_large;
  size_t header_bytes;      /* response header bytes so far (status line included) */
  bool headers_done;        /* the blank line that ends the response header arrived */
  bool header_too_large;
  bool listed;              /* in f->head and in the multi handle */
  char errbuf[CURL_ERROR_SIZE];
};

typedef struct sockctx {
  uv_poll_t poll;
  curl_socket_t fd;
  fetcher_t *f;
} sockctx_t;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* Takes a transfer out of the fetcher: off its list (so fetcher_close no longer sees it)
 * and out of the multi handle (so libcurl no longer drives it). */
static void xfer_detach(xfer_t *x) {
  fetcher_t *f = x->f;
  if (!x->listed) return;
  x->listed = false;
  list_remove(&x->link);
  curl_multi_remove_handle(f->multi, x->easy);
}

static void xfer_free(xfer_t *x) {
  xfer_detach(x);
  curl_easy_cleanup(x->easy);
  curl_slist_free_all(x->resolve);
  free(x->body);
  free(x);
}

static void check_done(fetcher_t *f) {
  CURLMsg *m;
  int left;
  while (!f->closing && (m = curl_multi_info_read(f->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    xfer_t *x;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
    CURLcode rc = m->data.result;
    fetch_result_t r;
    memset(&r, 0, sizeof r);
    r.ok = rc == CURLE_OK;
    r.too_large = x->too_large;
    r.webpki_failed = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                      rc == CURLE_SSL_ISSUER_ERROR;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.http_status);
    char *ct = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) snprintf(r.content_type, sizeof r.content_type, "%s", ct);
    /* libcurl keeps a header line of up to CURL_MAX_HTTP_HEADER (100 KiB) before handing
     * it to on_header, and reports a longer one as "Out of memory": after the request
     * went out and before the header ended, that is the server's doing (a line longer
     * than on_header's limit), not a lack of memory of ours. */
    long sent = 0;
    curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &sent);
    if (!r.ok && (x->header_too_large ||
                  (rc == CURLE_OUT_OF_MEMORY && sent > 0 && !x->headers_done)))
      snprintf(r.error, sizeof r.error, "HTTP response header larger than %d KiB",
               FETCH_HEADER_MAX / 1024);
    else if (!r.ok)
      snprintf(r.error, sizeof r.error, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    r.body = x->body ? x->body : "";
    r.body_len = x->len;
    /* Detached before the callback, freed after it: the callback may start fetches or
     * close the fetcher (which frees every transfer still listed), and must not free the
     * one in use here. */
    xfer_detach(x);
    x->cb(x->arg, &r);
    xfer_free(x);
  }
}

static void on_poll(uv_poll_t *p, int status, int events) {
  sockctx_t *c = p->data;
  int flags = 0;
  if (status < 0) flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  int running;
  fetcher_t *f = c->f;
  curl_multi_socket_action(f->multi, c->fd, flags, &running);
  check_done(f);
}

static void on_sock_close(uv_handle_t *h) { free(h->data); }

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp) {
  (void)e;
  fetcher_t *f = userp;
  sockctx_t *c = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (c) {
      uv_poll_stop(&c->poll);
      uv_close((uv_handle_t *)&c->poll, on_sock_close);
      curl_multi_assign(f->multi, s, NULL);
    }
    return 0;
  }
  if (!c) {
    c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->fd = s;
    c->f = f;
    if (uv_poll_init_socket(f->loop, &c->poll, s) != 0) { free(c); return -1; }
    c->poll.data = c;
    curl_multi_assign(f->multi, s, c);
  }
  int ev = 0;
  if (what & CURL_POLL_IN) ev |= UV_READABLE;
  if (what & CURL_POLL_OUT) ev |= UV_WRITABLE;
  uv_poll_start(&c->poll, ev, on_poll);
  return 0;
}

static void on_timer(uv_timer_t *t) {
  fetcher_t *f = t->data;
  int running;
  curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(f);
}

static int on_timer_change(CURLM *m, long timeout_ms, void *userp) {
  (void)m;
  fetcher_t *f = userp;
  if (timeout_ms < 0) uv_timer_stop(&f->timer);
  else uv_timer_start(&f->timer, on_timer, (uint64_t)timeout_ms, 0);
  return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp) {
  xfer_t *x = userp;
  size_t len = size * n;
  if (x->len + len > x->max) { x->too_large = true; return 0; }  /* aborts the transfer */
  if (x->len + len > x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 4096;
    while (cap < x->len + len) cap *= 2;
    char *b = realloc(x->body, cap + 1);
    if (!b) return 0;
    x->body = b;
    x->cap = cap;
  }
  memcpy(x->body + x->len, data, len);
  x->len += len;
  x->body[x->len] = '\0';
  return len;
}

/* The response header, bounded: a policy host's header is a few hundred bytes; a hostile
 * one could send megabytes in lines libcurl accepts one by one. */
static size_t on_header(char *data, size_t size, size_t n, void *userp) {
  xfer_t *x = userp;
  size_t len = size * n;
  x->header_bytes += len;
  if (x->header_bytes > FETCH_HEADER_MAX) { x->header_too_large = true; return 0; }  /* aborts */
  /* The blank line ends a response's header; a 1xx response is followed by another,
   * whose status line starts a new header. */
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) x->headers_done = false;
  else if (len > 0 && len <= 2 && (data[0] == '\r' || data[0] == '\n')) x->headers_done = true;
  return len;
}

fetcher_t *fetcher_new(uv_loop_t *loop, const char *ca_file, char *err, size_t errlen) {
  pthread_once(&g_once, global_init);
  fetcher_t *f = calloc(1, sizeof *f);
  if (!f) { snprintf(err, errlen, "out of memory"); return NULL; }
  f->loop = loop;
  list_init(&f->xfers);
  f->multi = curl_multi_init();
  if (!f->multi) { snprintf(err, errlen, "curl_multi_init failed"); free(f); return NULL; }
  if (ca_file && !(f->ca_file = strdup(ca_file))) {
    curl_multi_cleanup(f->multi);
    free(f);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
  curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
  curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
  uv_timer_init(loop, &f->timer);
  f->timer.data = f;
  return f;
}

int fetch_start(fetcher_t *f, const char *host, int port, const char *path, const char *ip,
                size_t max_body, double timeout, fetch_cb cb, void *arg) {
  if (f->closing) return -1;
  xfer_t *x = calloc(1, sizeof *x);
  if (!x) return -1;
  char url[600], pin[400];
  snprintf(url, sizeof url, "https://%s:%d%s", host, port, path);
  /* An IPv6 address is bracketed in CURLOPT_RESOLVE entries. */
  snprintf(pin, sizeof pin, strchr(ip, ':') ? "%s:%d:[%s]" : "%s:%d:%s", host, port, ip);
  x->f = f;
  x->cb = cb;
  x->arg = arg;
  x->max = max_body;
  x->easy = curl_easy_init();
  x->resolve = curl_slist_append(NULL, pin);
  if (!x->easy || !x->resolve) {
    if (x->easy) curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->resolve);
    free(x);
    return -1;
  }
  CURL *e = x->easy;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_RESOLVE, x->resolve);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);          /* RFC 8461 §3.3 */
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  if (f->ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, f->ca_file);
  /* Debian's libcurl also trusts its built-in CA directory (/etc/ssl/certs) beside any
   * CAINFO: without this, --ca-file would not be the only trust store for policy hosts,
   * and libcurl re-reads the CA file for every fetch (it keeps the parsed store on the
   * multi handle only when no CA directory is set). Without --ca-file, the default CA
   * bundle holds the same certificates as that directory. */
  curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "mxsurvey/" MXS_VERSION " (MTA-STS policy check)");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
    xfer_free(x);
    return -1;
  }
  list_insert_head(&f->xfers, &x->link);
  x->listed = true;
  return 0;
}

void fetcher_close(fetcher_t *f) {
  f->closing = true;
  xfer_t *x;
  while ((x = list_first_entry(&f->xfers, xfer_t, link))) xfer_free(x);
  uv_timer_stop(&f->timer);
  uv_close((uv_handle_t *)&f->timer, NULL);
}

void fetcher_free(fetcher_t *f) {
  if (!f) return;
  /* Transfers still listed were given up without fetcher_close (the loop was stopped at
   * the end of a grace period): they are the fetcher's to free; no callback runs. */
  xfer_t *x;
  while ((x = list_first_entry(&f->xfers, xfer_t, link))) xfer_free(x);
  curl_multi_cleanup(f->multi);
  free(f->ca_file);
  free(f);
}
