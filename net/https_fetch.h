/* HTTPS GETs on the libuv loop through libcurl's multi-socket API (for MTA-STS policies).
 *
 * libcurl tells us which sockets to watch and when its next timeout is; uv_poll_t and a
 * uv_timer_t feed curl_multi_socket_action(). The caller resolves the host itself (through
 * the validating resolver, and past the special-purpose address check) and pins it with
 * CURLOPT_RESOLVE, so libcurl never asks the system resolver. Redirects are never
 * followed, only https is allowed, and the body and the response header are capped. */
#ifndef MXS_NET_HTTPS_FETCH_H
#define MXS_NET_HTTPS_FETCH_H
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct fetcher fetcher_t;

typedef struct fetch_result {
  bool ok;                  /* a complete HTTP response was received */
  long http_status;         /* 0 when no status line arrived; set also when !ok after one */
  char content_type[128];   /* as sent, "" if none */
  const char *body;         /* valid during the callback */
  size_t body_len;
  bool too_large;           /* the body exceeded max_body: transfer aborted */
  bool webpki_failed;       /* the server's certificate did not verify (chain or name) */
  char error[256];          /* libcurl's reason when !ok, or "HTTP response header larger
                             * than 64 KiB" */
} fetch_result_t;

typedef void (*fetch_cb)(void *arg, const fetch_result_t *r);

/* ca_file NULL: the system trust store. NULL on error with err set. */
fetcher_t *fetcher_new(uv_loop_t *loop, const char *ca_file, char *err, size_t errlen);
/* GET https://host:port/path from address ip (text form). cb is called exactly once, from
 * the loop (never inside fetch_start); it may start fetches and may call fetcher_close
 * (the transfer it reports is no longer the fetcher's by then). 0 ok, -1 could not start
 * (cb not called). */
int fetch_start(fetcher_t *f, const char *host, int port, const char *path, const char *ip,
                size_t max_body, double timeout, fetch_cb cb, void *arg);
/* Aborts transfers in flight (their callbacks are not called) and closes the handles;
 * fetcher_free after the loop has run the close callbacks. */
void fetcher_close(fetcher_t *f);
/* Also frees transfers still in flight (without callbacks) when the loop was stopped
 * without fetcher_close. */
void fetcher_free(fetcher_t *f);

#endif
