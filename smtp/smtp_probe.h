/* One STARTTLS probe of one address: an explicit state machine on the libuv loop.
 *
 *   CONNECT -> BANNER -> EHLO -> STARTTLS -> TLS -> EHLO_TLS -> QUIT
 *
 * Each stage has its own deadline; every failure names its stage. The probe never sends
 * MAIL or RCPT, never pipelines STARTTLS, and discards (and counts) any plaintext that
 * follows the server's 220 to STARTTLS (the CVE-2011-0411 class of injection), whether it
 * arrives in the 220's segment or in later ones before the first TLS record, at most 4096
 * bytes in all. A handshake that negotiates finite-field DH (tls_conn_costly) runs its
 * remaining steps in libuv's thread pool, one at a time, reading stopped meanwhile.
 *
 * Memory: a probe holds no plaintext buffer; a partial reply line lives in the reply
 * parser (at most SMTP_LINE_MAX bytes) and every read is consumed before the next.
 *
 * Offer mode (issue 15, the TLS profile): opts.offer set. The same dialogue, the same
 * deadlines, the same handling of plaintext after the 220 to STARTTLS, but at the TLS stage
 * the probe sends the caller's hand-built ClientHello (tls/hello_build.h) as raw bytes
 * instead of starting OpenSSL, feeds what comes back to hello_peek (tls/hello_peek.h)
 * until its answer is final or the stream ends (UV_EOF or a reset: hello_peek_answer with
 * eof, so "closed" or "truncated"), all under t_tls, and then closes the connection:
 *
 *   CONNECT -> BANNER -> EHLO -> STARTTLS -> TLS (offer sent, answer read) -> close
 *
 * No QUIT: after a half handshake the session is neither SMTP nor TLS any more (the server
 * waits for our next handshake message, and a "QUIT" in plaintext would be a malformed
 * TLS record to it), so the only clean end is closing the connection, as testssl.sh does.
 * The result then carries `offer` (smtp_offer_answer_t); a final answer is no error
 * (err_stage stays NONE); a timeout or a read error at the TLS stage is an error with no
 * answer (kind HELLO_ANS_MORE). Everything before the TLS stage is the normal probe's,
 * outcome included: only an ENGAGED result can hold an answer, and a 421 greeting or a
 * refused STARTTLS is the server's refusal of our connection, never of the offered
 * version (offer_sent false, no answer). The scheduler retries an offer probe like any
 * other (a 4xx greeting, a close before the greeting), resending the same bytes.
 * Offer probes are not observations: smtp/observe.c refuses them (never shared). */
#ifndef MXS_SMTP_SMTP_PROBE_H
#define MXS_SMTP_SMTP_PROBE_H
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "tls/hello_peek.h"
#include "tls/tls_client.h"

typedef struct smtp_opts {
  int port;
  const char *ehlo;
  double t_connect, t_banner, t_smtp, t_tls;   /* seconds */
  /* Offer mode (above) when offer is not NULL: the ClientHello record to send after the
   * 220 to STARTTLS, offer_len bytes (1..HELLO_BUILD_MAX). Owned by the caller and valid
   * until the probe's callback (through sched_probe: until its one callback, since every
   * retry sends them again); the probe copies them only into its write request. */
  const uint8_t *offer;
  size_t offer_len;
  /* Offer mode: read on past the ServerHello to the ServerKeyExchange (TLS <= 1.2), so
   * that the answer carries the DHE prime's size or the ECDHE curve (smtp_offer_answer_t
   * dhe_bits, ske_group). */
  bool offer_ske;
  /* Handshake mode: the key types the handshake may accept (tls_conn_new_keys), so that a
   * server with several certificates shows each (the TLS profile's certs phase).
   * TLS_KEYS_ANY (0): as every probe. */
  enum tls_keys keys;
} smtp_opts_t;

#define SMTP_RETRY_MAX 10        /* retries of one probe at most (sched --retries) */

/* The probe's vocabulary as enums: other modules compare values, not strings, and the
 * record's spelling of each value lives in one table (record/schema.c), which smtp/ does
 * not see (probing does not know the record). */

/* The dialogue's stages, in order; also the state of the probe's machine, so that a
 * failure is named by the stage the machine was in. SMTP_STAGE_NONE: no failure. */
enum smtp_stage {
  SMTP_STAGE_NONE, SMTP_STAGE_CONNECT, SMTP_STAGE_BANNER, SMTP_STAGE_EHLO,
  SMTP_STAGE_STARTTLS, SMTP_STAGE_TLS, SMTP_STAGE_EHLO_TLS, SMTP_STAGE_QUIT,
  SMTP_STAGE_DONE, SMTP_STAGE_COUNT
};

/* How the TCP connection went. NOT_ATTEMPTED is 0: a result that was never probed (a
 * refusal by policy, an allocation failure) says so without being set. ERROR: another
 * system error, whose libuv text is in connect_error. */
enum smtp_connect {
  SMTP_CONNECT_NOT_ATTEMPTED, SMTP_CONNECT_OK, SMTP_CONNECT_REFUSED, SMTP_CONNECT_TIMEOUT,
  SMTP_CONNECT_UNREACHABLE, SMTP_CONNECT_ERROR, SMTP_CONNECT_COUNT
};

/* Whether EHLO advertised STARTTLS; UNKNOWN (0) until an EHLO reply said. */
enum smtp_starttls {
  SMTP_STARTTLS_UNKNOWN, SMTP_STARTTLS_NOT_OFFERED, SMTP_STARTTLS_OFFERED, SMTP_STARTTLS_COUNT
};

/* What the dialogue established, for the summary and the figures: only an ENGAGED address
 * (EHLO answered 250, so the STARTTLS offer is known) says anything about STARTTLS or
 * DANE; the others are inconclusive and are never counted as "no STARTTLS". After the
 * scheduler's retries, the outcome is the last attempt's. NOT_ATTEMPTED is 0, like
 * SMTP_CONNECT_NOT_ATTEMPTED: a result never probed says so without being set.
 *   NOT_ATTEMPTED  no connection tried: special-purpose range, opt-out, no route of the
 *                  family from this host (smtp.error.reason says which)
 *   UNREACHABLE    no connection, or connected but no SMTP greeting (silence, non-SMTP
 *                  bytes)
 *   LOST           connected, then closed or reset before the greeting, or greeted 220
 *                  and EHLO never answered (closed, reset, silent, malformed)
 *   REFUSED        a 4xx or 5xx greeting, or a 4xx or 5xx reply to EHLO
 *   ENGAGED        EHLO answered 250 */
enum smtp_outcome {
  SMTP_OUTCOME_NOT_ATTEMPTED, SMTP_OUTCOME_UNREACHABLE, SMTP_OUTCOME_LOST,
  SMTP_OUTCOME_REFUSED, SMTP_OUTCOME_ENGAGED, SMTP_OUTCOME_COUNT
};

/* What the server answered to an offer (offer mode only), from hello_peek: kind
 * HELLO_ANS_MORE (0) is no answer (the offer was never sent, or the TLS stage timed out or
 * failed before a final answer: err_stage and err_reason say which). */
typedef struct smtp_offer_answer {
  enum hello_answer kind;
  uint16_t version;             /* SERVER_HELLO, RETRY: negotiated (supported_versions or
                                   legacy_version) */
  uint16_t suite;               /* SERVER_HELLO, RETRY: the suite chosen */
  uint16_t group;               /* the key_share group (TLS 1.3), 0 without one */
  uint8_t compression;          /* SERVER_HELLO: the compression method chosen */
  bool reneg;                   /* SERVER_HELLO: renegotiation_info came back (RFC 5746) */
  bool retry;                   /* a HelloRetryRequest (kind HELLO_ANS_RETRY) */
  uint8_t alert_level, alert_desc;   /* ALERT */
  /* offer_ske only, a ServerHello of TLS <= 1.2 followed by its ServerKeyExchange: */
  unsigned dhe_bits;            /* a DHE suite: the size of the prime p, else 0 */
  enum tls_class dhe_class;     /* dhe_bits > 0: the group's class (tls_class_dh_group) */
  uint16_t ske_group;           /* an ECDHE suite: the named curve, else 0 */
  size_t bytes;                 /* bytes of the server's TLS answer read (injected
                                   plaintext before its first record not counted) */
} smtp_offer_answer_t;

typedef struct smtp_result {
  enum smtp_outcome outcome;    /* set when the probe ends (smtp_outcome_of) */
  enum smtp_connect connect;
  const char *connect_error;    /* SMTP_CONNECT_ERROR: uv_strerror's text (static); else NULL */
  double connect_ms;
  /* Reply texts keep the server's bytes, NULs included (hence the lengths); the record
   * escapes them (NUL as \u0000, invalid UTF-8 as U+FFFD). */
  char *banner;                 /* "220 text", NUL-terminated after banner_len bytes */
  size_t banner_len;
  int banner_code;
  int ehlo_code;
  enum smtp_starttls starttls;
  char *starttls_reply;
  size_t starttls_reply_len;
  size_t injected_bytes;
  bool have_tls;
  tls_result_t tls;
  int ehlo_tls_code;
  bool starttls_again;          /* STARTTLS advertised again after TLS: an anomaly */
  enum smtp_stage err_stage;    /* SMTP_STAGE_NONE when the probe went through */
  bool peer_closed;             /* the failure was the server closing or resetting */
  char *err_reason;
  size_t err_reason_len;
  /* Sharing marks (smtp/observe.h): made for another request; made for another SNI. */
  bool shared;
  bool inferred;
  char *inferred_from;          /* the SNI the reused observation was made for */
  /* Set by the scheduler (polite/sched.h) when the probe was retried: attempts made, and
   * the first line of each failed attempt's reason (malloc'd). */
  unsigned attempts;
  char *retry_reasons[SMTP_RETRY_MAX];
  size_t nretry_reasons;
  /* Offer mode only (smtp_opts_t.offer); zero otherwise. offer_sent: the ClientHello was
   * written (the dialogue reached the TLS stage). */
  bool offer_sent;
  smtp_offer_answer_t offer;
} smtp_result_t;

typedef void (*smtp_done_cb)(void *arg, smtp_result_t *res);

/* Starts a probe (in offer mode when opts->offer is set; tls may then be NULL and sni is
 * not used: the offer carries its own server_name). The result is a bare observation
 * (what the dialogue and the handshake showed, no verdicts): PKIX and DANE are judged
 * afterwards for each MX that uses it (tls_result_judge), since one observation may serve
 * many domains (smtp/observe.h). On completion cb gets the result, which the callee then
 * owns (release with smtp_result_free). 0 ok; -1 if it could not start (cb not called; in
 * offer mode also an offer_len of 0 or above HELLO_BUILD_MAX). */
int smtp_probe_start(uv_loop_t *loop, tls_ctx_t *tls, const smtp_opts_t *opts,
                     int family, const uint8_t addr[16], const char *sni,
                     smtp_done_cb cb, void *arg);

void smtp_result_init(smtp_result_t *r);
/* Pure: the outcome of a finished dialogue from what it recorded (see enum smtp_outcome). */
enum smtp_outcome smtp_outcome_of(const smtp_result_t *r);
void smtp_result_free(smtp_result_t *r);
/* Deep copy into dst (overwritten, not freed first): strings duplicated, the TLS chain
 * shared by reference counts. 0 ok, -1 allocation failure (dst is then empty). */
int smtp_result_copy(smtp_result_t *dst, const smtp_result_t *src);
/* Records the first failure (later ones are ignored): its stage and reason. */
void smtp_result_set_error(smtp_result_t *r, enum smtp_stage stage, const char *reason);
/* The same with a reason of len bytes that may hold NULs (a server's reply line). */
void smtp_result_set_error_bytes(smtp_result_t *r, enum smtp_stage stage, const char *reason,
                                 size_t len);
/* Pure: the answer hello_peek has read so far (eof: the stream ended), kind HELLO_ANS_MORE
 * while it is not final; the other fields only for the kinds that carry them. */
smtp_offer_answer_t smtp_offer_answer_of(const hello_peek_t *h, bool eof);
/* Pure: false for an offer the probe refuses to send (offer_len 0 or above
 * HELLO_BUILD_MAX); true without an offer. smtp_probe_start and sched_probe check it. */
bool smtp_opts_offer_ok(const smtp_opts_t *o);

#endif
