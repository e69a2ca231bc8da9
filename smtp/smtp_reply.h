/* SMTP reply parsing (RFC 5321 §4.2): pure functions over bytes from a hostile server.
 *
 * A reply is one or more lines "code-text" ending with "code SP text" (or a bare code).
 * The parser is incremental: feed whatever arrived, it consumes complete lines and says
 * when the reply is complete. Every length and count is bounded; a line that exceeds
 * SMTP_LINE_MAX or a reply with more than SMTP_REPLY_MAX_LINES lines is an error, as is a
 * line that does not start with three digits or whose code differs from the first line's
 * (so an SSH banner or garbage cannot look like an endless continuation). */
#ifndef MXS_SMTP_SMTP_REPLY_H
#define MXS_SMTP_SMTP_REPLY_H
#include <stddef.h>
#include <stdbool.h>

#define SMTP_LINE_MAX 4096
#define SMTP_REPLY_MAX_LINES 128
#define SMTP_TEXT_KEEP 512      /* bytes of reply text kept for the record */

enum smtp_reply_state {
  SMTP_REPLY_MORE = 0,     /* need more bytes */
  SMTP_REPLY_DONE = 1,     /* a complete reply is in r */
  SMTP_REPLY_ERROR = -1,   /* malformed: r->error says how */
};

typedef struct smtp_reply {
  int code;                        /* 3-digit code of the first line */
  size_t nlines;
  char text[SMTP_TEXT_KEEP + 1];   /* first line's text (after "code-"/"code "), truncated */
  size_t text_len;
  /* EHLO keywords seen on lines 2..n (case-insensitive, RFC 5321 §4.1.1.1) */
  bool starttls, pipelining, chunking, smtputf8, size_ext, eightbitmime, requiretls;
  long long size_limit;            /* SIZE parameter, -1 if absent */
  const char *error;               /* static string when SMTP_REPLY_ERROR */
  /* internal */
  char line[SMTP_LINE_MAX + 1];
  size_t line_len;
  bool done;
} smtp_reply_t;

void smtp_reply_init(smtp_reply_t *r);
/* Consumes bytes from buf up to and including the end of the reply (or all of buf if the
 * reply is not complete yet); *consumed says how many. Bytes after a complete reply are
 * left unconsumed: the caller decides what they mean (e.g. injected plaintext after
 * "220 Ready" to STARTTLS). Lines end in CRLF; a bare LF is accepted. */
enum smtp_reply_state smtp_reply_feed(smtp_reply_t *r, const char *buf, size_t len,
                                      size_t *consumed);

#endif
