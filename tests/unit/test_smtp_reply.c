/* SMTP reply parser: framing, EHLO keywords, and every way a server can misbehave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_reply.h"
#include "tests/unit/testlib.h"

static smtp_reply_t r;

static int feed_all(const char *s, size_t len, size_t *consumed) {
  smtp_reply_init(&r);
  return smtp_reply_feed(&r, s, len, consumed);
}

#define FEED(lit, used) feed_all(lit, sizeof(lit) - 1, used)

static const char EHLO[] =
  "250-mx.example.pt Hello [192.0.2.1]\r\n"
  "250-PIPELINING\r\n"
  "250-size 1000\r\n"
  "250-8BITMIME\r\n"
  "250-StartTLS\r\n"
  "250-ENHANCEDSTATUSCODES\r\n"
  "250-CHUNKING\r\n"
  "250-SMTPUTF8\r\n"
  "250 REQUIRETLS\r\n";

static void check_ehlo(void) {
  CHECK_INT(r.code, 250);
  CHECK_INT(r.nlines, 9);
  CHECK_STR(r.text, "mx.example.pt Hello [192.0.2.1]");
  CHECK(r.starttls && r.pipelining && r.chunking && r.smtputf8 && r.size_ext);
  CHECK(r.eightbitmime && r.requiretls);
  CHECK_INT(r.size_limit, 1000);
}

static void test_single(void) {
  size_t used;
  CHECK_INT(FEED("220 mx.example.com ESMTP ready\r\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(used, 32);
  CHECK_INT(r.code, 220);
  CHECK_INT(r.nlines, 1);
  CHECK_STR(r.text, "mx.example.com ESMTP ready");
  CHECK_INT(r.text_len, 26);
  CHECK(!r.starttls);
  CHECK_INT(r.size_limit, -1);
  CHECK_INT(FEED("421 4.3.2 Service not available\r\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(r.code, 421);
  CHECK_INT(FEED("554 No SMTP service here\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(r.code, 554);
  CHECK_INT(FEED("220\r\n", &used), SMTP_REPLY_DONE);      /* bare code */
  CHECK_INT(r.code, 220);
  CHECK_STR(r.text, "");
  CHECK_INT(FEED("220 \r\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(FEED("250 ok\n", &used), SMTP_REPLY_DONE);      /* bare LF */
  CHECK_STR(r.text, "ok");
  CHECK_INT(FEED("220 ok", &used), SMTP_REPLY_MORE);        /* no line end yet */
  CHECK_INT(used, 6);
  /* EHLO keywords on the first line do not count */
  CHECK_INT(FEED("250 STARTTLS\r\n", &used), SMTP_REPLY_DONE);
  CHECK(!r.starttls);
}

static void test_multiline(void) {
  size_t used;
  CHECK_INT(feed_all(EHLO, strlen(EHLO), &used), SMTP_REPLY_DONE);
  CHECK_INT(used, strlen(EHLO));
  check_ehlo();

  /* byte by byte */
  smtp_reply_init(&r);
  int st = SMTP_REPLY_MORE;
  size_t i, total = 0;
  for (i = 0; i < strlen(EHLO) && st == SMTP_REPLY_MORE; i++) {
    st = smtp_reply_feed(&r, EHLO + i, 1, &used);
    total += used;
  }
  CHECK_INT(st, SMTP_REPLY_DONE);
  CHECK_INT(i, strlen(EHLO));
  CHECK_INT(total, strlen(EHLO));
  check_ehlo();

  /* in uneven chunks, with bare LFs */
  const char *lf = "250-a\n250-STARTTLS\n250-SIZE\n250 PIPELINING\n";
  smtp_reply_init(&r);
  CHECK_INT(smtp_reply_feed(&r, lf, 7, &used), SMTP_REPLY_MORE);
  CHECK_INT(used, 7);
  CHECK_INT(smtp_reply_feed(&r, lf + 7, strlen(lf) - 7, &used), SMTP_REPLY_DONE);
  CHECK(r.starttls && r.pipelining && r.size_ext);
  CHECK_INT(r.size_limit, -1);                                 /* SIZE without a number */

  CHECK_INT(FEED("250-x\r\n250 SIZE 10M\r\n", &used), SMTP_REPLY_DONE);
  CHECK(r.size_ext);
  CHECK_INT(r.size_limit, -1);
  CHECK_INT(FEED("250-x\r\n250 SIZE 0\r\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(r.size_limit, 0);
  CHECK_INT(FEED("250-x\r\n250 SIZE 99999999999999999999999\r\n", &used), SMTP_REPLY_DONE);
  CHECK_INT(r.size_limit, -1);
  CHECK_INT(FEED("250-x\r\n250 STARTTLSX\r\n", &used), SMTP_REPLY_DONE);
  CHECK(!r.starttls);
}

static void test_leftover(void) {
  size_t used;
  const char inj[] = "220 Ready to start TLS\r\n250 injected\r\n";
  CHECK_INT(FEED(inj, &used), SMTP_REPLY_DONE);
  CHECK_INT(used, 24);
  CHECK_STR(r.text, "Ready to start TLS");
  /* a finished parser consumes nothing more */
  CHECK_INT(smtp_reply_feed(&r, inj + used, sizeof inj - 1 - used, &used), SMTP_REPLY_DONE);
  CHECK_INT(used, 0);
}

static void test_errors(void) {
  size_t used;
  CHECK_INT(FEED("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "not an SMTP reply");
  CHECK_INT(used, 1);                          /* rejected at the first byte */
  CHECK_INT(FEED("HTTP/1.1 400 Bad Request\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("220x mx\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "not an SMTP reply");
  CHECK_INT(used, 4);
  CHECK_INT(FEED("22\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("220\rX\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("199 too low\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("600 too high\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("000 zero\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_INT(FEED("250-a\r\n251 b\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "inconsistent reply codes");
  CHECK_INT(FEED("250-a\r\n25", &used), SMTP_REPLY_MORE);
  CHECK_INT(FEED("250-a\r\n2501 b\r\n", &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "not an SMTP reply");
  CHECK_INT(FEED("250-a\r\n\x16\x03\x01", &used), SMTP_REPLY_ERROR);  /* TLS record */
  /* a failed parser stays failed */
  CHECK_INT(smtp_reply_feed(&r, "250 ok\r\n", 8, &used), SMTP_REPLY_ERROR);
  CHECK_INT(used, 0);

  /* too many lines: 128 are fine, 129 are not */
  static char many[200 * 8];
  size_t n = 0;
  for (int i = 0; i < 127; i++) { memcpy(many + n, "250-x\r\n", 7); n += 7; }
  memcpy(many + n, "250 x\r\n", 7);
  CHECK_INT(feed_all(many, n + 7, &used), SMTP_REPLY_DONE);
  CHECK_INT(r.nlines, 128);
  memcpy(many + n, "250-x\r\n250 x\r\n", 14);
  CHECK_INT(feed_all(many, n + 14, &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "too many lines");

  /* line length: SMTP_LINE_MAX bytes before CRLF are fine, one more is not */
  static char longl[SMTP_LINE_MAX + 16];
  memset(longl, 'a', sizeof longl);
  memcpy(longl, "250 ", 4);
  memcpy(longl + SMTP_LINE_MAX, "\r\n", 2);
  CHECK_INT(feed_all(longl, SMTP_LINE_MAX + 2, &used), SMTP_REPLY_DONE);
  CHECK_INT(r.text_len, SMTP_TEXT_KEEP);
  CHECK_INT(strlen(r.text), SMTP_TEXT_KEEP);
  longl[SMTP_LINE_MAX] = 'a';
  CHECK_INT(feed_all(longl, SMTP_LINE_MAX + 2, &used), SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "line too long");
  CHECK_INT(used, SMTP_LINE_MAX + 1);
  memcpy(longl + SMTP_LINE_MAX, "\r\r\n", 3);
  CHECK_INT(feed_all(longl, SMTP_LINE_MAX + 3, &used), SMTP_REPLY_ERROR);
  /* an endless line without newline is cut off, never buffered */
  smtp_reply_init(&r);
  static char junk[1000];
  memset(junk, 'z', sizeof junk);
  memcpy(junk, "220 ", 4);
  int st = smtp_reply_feed(&r, junk, sizeof junk, &used);
  for (int i = 0; i < 10 && st == SMTP_REPLY_MORE; i++)
    st = smtp_reply_feed(&r, junk + 4, sizeof junk - 4, &used);
  CHECK_INT(st, SMTP_REPLY_ERROR);
  CHECK_STR(r.error, "line too long");
}

static void test_arbitrary_bytes_in_text(void) {
  size_t used;
  const char b[] = "220 a\0b\xff\r\n";
  CHECK_INT(FEED(b, &used), SMTP_REPLY_DONE);
  CHECK_INT(r.text_len, 4);
  CHECK(memcmp(r.text, "a\0b\xff", 4) == 0);
}

int main(void) {
  test_single();
  test_multiline();
  test_leftover();
  test_errors();
  test_arbitrary_bytes_in_text();
  TEST_MAIN_END();
}
