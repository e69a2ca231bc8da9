/* Incremental SMTP reply parser. See smtp_reply.h for the contract. */
#include "smtp/smtp_reply.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

void smtp_reply_init(smtp_reply_t *r) {
  memset(r, 0, sizeof *r);
  r->size_limit = -1;
}

static enum smtp_reply_state fail(smtp_reply_t *r, const char *why) {
  r->error = why;
  return SMTP_REPLY_ERROR;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Checks as much of a line's "ddd" + separator prefix as has arrived, so garbage (an SSH
 * banner, TLS bytes, HTTP) is rejected on its 4th byte rather than after SMTP_LINE_MAX. */
static const char *check_prefix(const smtp_reply_t *r, const char *l, size_t n, bool complete) {
  size_t m = n < 3 ? n : 3;
  for (size_t i = 0; i < m; i++)
    if (!is_digit(l[i])) return "not an SMTP reply";
  if (n < 3) return complete ? "not an SMTP reply" : NULL;
  int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
  if (code < 200 || code > 599) return "not an SMTP reply";
  if (r->nlines > 0 && code != r->code) return "inconsistent reply codes";
  if (n > 3) {
    /* While the line is incomplete a '\r' here may be the CR of "220\r\n". */
    bool ok = l[3] == ' ' || l[3] == '-' || (!complete && n == 4 && l[3] == '\r');
    if (!ok) return "not an SMTP reply";
  }
  return NULL;
}

static bool word_is(const char *w, size_t n, const char *kw) {
  size_t k = strlen(kw);
  return n == k && strncasecmp(w, kw, k) == 0;
}

static void parse_keyword(smtp_reply_t *r, const char *t, size_t n) {
  size_t w = 0;
  while (w < n && t[w] != ' ' && t[w] != '\t') w++;
  if (word_is(t, w, "STARTTLS")) r->starttls = true;
  else if (word_is(t, w, "PIPELINING")) r->pipelining = true;
  else if (word_is(t, w, "CHUNKING")) r->chunking = true;
  else if (word_is(t, w, "SMTPUTF8")) r->smtputf8 = true;
  else if (word_is(t, w, "8BITMIME")) r->eightbitmime = true;
  else if (word_is(t, w, "REQUIRETLS")) r->requiretls = true;
  else if (word_is(t, w, "SIZE")) {
    r->size_ext = true;
    size_t p = w;
    while (p < n && (t[p] == ' ' || t[p] == '\t')) p++;
    long long v = 0;
    size_t digits = 0;
    for (; p < n && is_digit(t[p]); p++, digits++) {
      int d = t[p] - '0';
      if (v > (LLONG_MAX - d) / 10) return;   /* absurd value: keep "absent" */
      v = v * 10 + d;
    }
    /* RFC 1870: the parameter is a plain number; "SIZE 10M" or "SIZE x" is not one. */
    if (digits > 0 && (p == n || t[p] == ' ' || t[p] == '\t')) r->size_limit = v;
  }
}

static enum smtp_reply_state end_line(smtp_reply_t *r) {
  size_t n = r->line_len;
  if (n > 0 && r->line[n - 1] == '\r') n--;
  const char *why = check_prefix(r, r->line, n, true);
  if (why) return fail(r, why);
  if (r->nlines >= SMTP_REPLY_MAX_LINES) return fail(r, "too many lines");
  const char *text = n > 4 ? r->line + 4 : "";
  size_t tlen = n > 4 ? n - 4 : 0;
  if (r->nlines == 0) {
    r->code = (r->line[0] - '0') * 100 + (r->line[1] - '0') * 10 + (r->line[2] - '0');
    r->text_len = tlen < SMTP_TEXT_KEEP ? tlen : SMTP_TEXT_KEEP;
    memcpy(r->text, text, r->text_len);
    r->text[r->text_len] = '\0';
  } else {
    parse_keyword(r, text, tlen);
  }
  r->nlines++;
  r->line_len = 0;
  if (n == 3 || r->line[3] == ' ') {
    r->done = true;
    return SMTP_REPLY_DONE;
  }
  return SMTP_REPLY_MORE;
}

enum smtp_reply_state smtp_reply_feed(smtp_reply_t *r, const char *buf, size_t len,
                                      size_t *consumed) {
  size_t dummy;
  if (!consumed) consumed = &dummy;
  *consumed = 0;
  if (r->error) return SMTP_REPLY_ERROR;
  if (r->done) return SMTP_REPLY_DONE;
  for (size_t i = 0; i < len; i++) {
    char c = buf[i];
    *consumed = i + 1;
    if (c == '\n') {
      enum smtp_reply_state st = end_line(r);
      if (st != SMTP_REPLY_MORE) return st;
      continue;
    }
    /* The extra byte of line[] is only for the CR of a maximal line. */
    if (r->line_len == SMTP_LINE_MAX + 1 || (r->line_len == SMTP_LINE_MAX && c != '\r'))
      return fail(r, "line too long");
    r->line[r->line_len++] = c;
    if (r->line_len <= 4) {
      const char *why = check_prefix(r, r->line, r->line_len, false);
      if (why) return fail(r, why);
    }
  }
  return SMTP_REPLY_MORE;
}
