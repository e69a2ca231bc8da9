/* The EHLO keyword path of the SMTP reply parser: the fuzzer's bytes become the keyword
 * lines of a well-formed multi-line 250 reply ("250-host", "250-<line>"..., "250 <last>"),
 * so every input reaches parse_keyword. The flags are checked against a plain reference
 * (first word of each line after the first, case-insensitive), and SIZE against a strict
 * reading of RFC 1870. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp/smtp_reply.h"

#define MAX_IN_LINES 200   /* past SMTP_REPLY_MAX_LINES on purpose */

static size_t first_word(const char *t, size_t n) {
  size_t w = 0;
  while (w < n && t[w] != ' ' && t[w] != '\t') w++;
  return w;
}

static int is(const char *t, size_t w, const char *kw) {
  return w == strlen(kw) && strncasecmp(t, kw, w) == 0;
}

/* RFC 1870: "SIZE" [SP number]; the number is digits only, then the end or a space. */
static long long ref_size(const char *t, size_t n) {
  size_t p = first_word(t, n);
  while (p < n && (t[p] == ' ' || t[p] == '\t')) p++;
  long long v = 0;
  size_t digits = 0;
  for (; p < n && t[p] >= '0' && t[p] <= '9'; p++, digits++) {
    if (v > (INT64_MAX - (t[p] - '0')) / 10) return -1;
    v = v * 10 + (t[p] - '0');
  }
  return digits > 0 && (p == n || t[p] == ' ' || t[p] == '\t') ? v : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static smtp_reply_t r;
  static char reply[(SMTP_LINE_MAX + 8) * (MAX_IN_LINES + 2)];
  const char *lines[MAX_IN_LINES];
  size_t lens[MAX_IN_LINES], nl = 0, start = 0;
  /* lines split on '\n'; CR would end a line early in the parser's eyes, so it is dropped */
  static char clean[1 << 16];
  if (size > sizeof clean) return 0;
  size_t cn = 0;
  for (size_t i = 0; i < size; i++)
    if (data[i] != '\r') clean[cn++] = (char)data[i];
  for (size_t i = 0; i <= cn && nl < MAX_IN_LINES; i++) {
    if (i == cn || clean[i] == '\n') {
      lines[nl] = clean + start;
      lens[nl++] = i - start;
      start = i + 1;
    }
  }
  size_t o = (size_t)snprintf(reply, sizeof reply, "250-mx.example\r\n");
  for (size_t k = 0; k < nl; k++) {
    memcpy(reply + o, k + 1 < nl ? "250-" : "250 ", 4);
    memcpy(reply + o + 4, lines[k], lens[k]);
    memcpy(reply + o + 4 + lens[k], "\r\n", 2);
    o += lens[k] + 6;
  }

  bool starttls = false, pipelining = false, chunking = false, utf8 = false, size_ext = false;
  bool eight = false, reqtls = false, too_long = false;
  long long size_limit = -1;
  for (size_t k = 0; k < nl; k++) {
    const char *t = lines[k];
    size_t w = first_word(t, lens[k]);
    if (lens[k] + 4 > SMTP_LINE_MAX) too_long = true;
    starttls |= is(t, w, "STARTTLS");
    pipelining |= is(t, w, "PIPELINING");
    chunking |= is(t, w, "CHUNKING");
    utf8 |= is(t, w, "SMTPUTF8");
    eight |= is(t, w, "8BITMIME");
    reqtls |= is(t, w, "REQUIRETLS");
    if (is(t, w, "SIZE")) {
      size_ext = true;
      long long v = ref_size(t, lens[k]);
      if (v >= 0) size_limit = v;   /* a bad SIZE line keeps an earlier value */
    }
  }

  smtp_reply_init(&r);
  size_t used = 0;
  enum smtp_reply_state st = smtp_reply_feed(&r, reply, o, &used);
  if (too_long || nl + 1 > SMTP_REPLY_MAX_LINES) {
    if (st != SMTP_REPLY_ERROR || !r.error) abort();
    return 0;
  }
  if (st != SMTP_REPLY_DONE || used != o || r.code != 250 || r.nlines != nl + 1) abort();
  if (r.starttls != starttls || r.pipelining != pipelining || r.chunking != chunking ||
      r.smtputf8 != utf8 || r.eightbitmime != eight || r.requiretls != reqtls ||
      r.size_ext != size_ext)
    abort();
  if (!size_ext && r.size_limit != -1) abort();
  if (size_ext && r.size_limit != size_limit) abort();
  return 0;
}
