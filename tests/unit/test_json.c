/* JSON writer: structure, escaping of every byte class, and validity of whole records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "tests/unit/testlib.h"

static const char *esc(const char *in, size_t len) {
  static char out[6 * 256 + 1];
  if (len > 256) return "(too long)";
  size_t n = json_escape(in, len, out);
  if (n != strlen(out)) return "(length mismatch)";
  return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_structure(void) {
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  jw_str(&w, "a", "x");
  jw_int(&w, "b", -42);
  jw_uint(&w, "c", 18446744073709551615ULL);
  jw_bool(&w, "d", true);
  jw_bool(&w, "e", false);
  jw_null(&w, "f");
  jw_str(&w, "g", NULL);
  jw_arr_begin(&w, "h");
  jw_int(&w, NULL, 1);
  jw_obj_begin(&w, NULL);
  jw_obj_end(&w);
  jw_arr_begin(&w, NULL);
  jw_arr_end(&w);
  jw_str(&w, NULL, "z");
  jw_arr_end(&w);
  jw_obj_begin(&w, "i");
  jw_strn(&w, "j", "abc", 2);
  jw_obj_end(&w);
  jw_obj_end(&w);
  CHECK(!w.oom);
  CHECK_INT(w.depth, 0);
  CHECK_STR(w.buf, "{\"a\":\"x\",\"b\":-42,\"c\":18446744073709551615,\"d\":true,\"e\":false,"
                   "\"f\":null,\"g\":null,\"h\":[1,{},[],\"z\"],\"i\":{\"j\":\"ab\"}}");

  jw_reset(&w);
  CHECK_INT(w.len, 0);
  jw_obj_begin(&w, NULL);
  jw_int(&w, "min", -9223372036854775807LL - 1);
  jw_obj_end(&w);
  CHECK_STR(w.buf, "{\"min\":-9223372036854775808}");
  jw_free(&w);
  CHECK(w.buf == NULL);
}

static void test_escape_classes(void) {
  CHECK_STR(ESC("plain"), "plain");
  CHECK_STR(ESC("q\"b\\s/"), "q\\\"b\\\\s/");
  CHECK_STR(ESC("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
  CHECK_STR(ESC("\x01\x1f\x0b\x1b"), "\\u0001\\u001f\\u000b\\u001b");
  CHECK_STR(ESC("a\0b"), "a\\u0000b");
  CHECK_STR(ESC("\x7f"), "\x7f");                      /* DEL is legal JSON */
  /* valid UTF-8 of each length, including the extremes */
  CHECK_STR(ESC("\xc2\x80 \xc3\xa7 \xdf\xbf"), "\xc2\x80 \xc3\xa7 \xdf\xbf");
  CHECK_STR(ESC("\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf"),
            "\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf");
  CHECK_STR(ESC("\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
            "\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
  /* invalid UTF-8 -> U+FFFD */
  CHECK_STR(ESC("\x80"), "\xef\xbf\xbd");                          /* lone continuation */
  CHECK_STR(ESC("\xbf\x80"), "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK_STR(ESC("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");           /* overlong '/' */
  CHECK_STR(ESC("\xc1\xbf"), "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK_STR(ESC("\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* overlong 3 */
  CHECK_STR(ESC("\xf0\x80\x80\xaf"),
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");    /* overlong 4 */
  CHECK_STR(ESC("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
  CHECK_STR(ESC("\xed\xbf\xbf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK_STR(ESC("\xf4\x90\x80\x80"),
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");    /* > U+10FFFF */
  CHECK_STR(ESC("\xf5\x80"), "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK_STR(ESC("\xff\xfe"), "\xef\xbf\xbd\xef\xbf\xbd");
  /* truncated sequences: one U+FFFD per maximal subpart, then what follows is kept */
  CHECK_STR(ESC("\xe2\x82"), "\xef\xbf\xbd");
  CHECK_STR(ESC("\xe2\x82" "A"), "\xef\xbf\xbd" "A");
  CHECK_STR(ESC("\xf0\x9f\x98"), "\xef\xbf\xbd");
  CHECK_STR(ESC("\xf0\x9f\x98\"x"), "\xef\xbf\xbd\\\"x");
  CHECK_STR(ESC("\xc3"), "\xef\xbf\xbd");
  CHECK_STR(ESC("\xc3\n"), "\xef\xbf\xbd\\n");

  /* the documented worst case: 6 bytes out per byte in, plus NUL */
  char in[64], out[6 * 64 + 1];
  memset(in, 1, sizeof in);
  CHECK_INT(json_escape(in, sizeof in, out), 6 * sizeof in);
  CHECK_INT(json_escape("", 0, out), 0);
  CHECK_STR(out, "");
}

static void test_keys_escaped(void) {
  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  jw_str(&w, "k\"\n", "v");
  jw_obj_end(&w);
  CHECK_STR(w.buf, "{\"k\\\"\\n\":\"v\"}");
  jw_free(&w);
}

static void test_hex_raw(void) {
  jw_t inner, w;
  jw_init(&inner);
  jw_init(&w);
  const uint8_t bytes[] = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff, 0x10};
  jw_obj_begin(&inner, NULL);
  jw_hex(&inner, "h", bytes, sizeof bytes);
  jw_hex(&inner, "e", bytes, 0);
  jw_obj_end(&inner);
  CHECK_STR(inner.buf, "{\"h\":\"0001abcdefff10\",\"e\":\"\"}");

  jw_obj_begin(&w, NULL);
  jw_int(&w, "n", 1);
  jw_raw(&w, "tls", inner.buf, inner.len);
  jw_arr_begin(&w, "list");
  jw_raw(&w, NULL, inner.buf, inner.len);
  jw_raw(&w, NULL, "7", 1);
  jw_arr_end(&w);
  jw_obj_end(&w);
  CHECK_STR(w.buf, "{\"n\":1,\"tls\":{\"h\":\"0001abcdefff10\",\"e\":\"\"},"
                   "\"list\":[{\"h\":\"0001abcdefff10\",\"e\":\"\"},7]}");
  jw_free(&inner);
  jw_free(&w);
}

static void test_misuse_and_growth(void) {
  jw_t w;
  jw_init(&w);
  for (int i = 0; i < JW_MAX_DEPTH + 2; i++) jw_arr_begin(&w, NULL);
  CHECK(w.oom);                     /* too deep is flagged, never overflows need_comma */
  jw_reset(&w);
  CHECK(!w.oom);
  jw_obj_end(&w);                   /* unbalanced end */
  CHECK(w.oom);
  jw_reset(&w);

  /* growth across many reallocations keeps content */
  jw_arr_begin(&w, NULL);
  for (int i = 0; i < 10000; i++) jw_int(&w, NULL, i);
  jw_arr_end(&w);
  CHECK(!w.oom);
  CHECK(w.len > 40000);
  CHECK(strncmp(w.buf, "[0,1,2,", 7) == 0);
  CHECK(strcmp(w.buf + w.len - 6, ",9999]") == 0);
  jw_free(&w);
}

/* Feeds a record full of hostile bytes to Python's strict JSON parser. */
static void test_python_validates(void) {
  jw_t w;
  jw_init(&w);
  char nasty[256];
  for (int i = 0; i < 256; i++) nasty[i] = (char)i;
  jw_obj_begin(&w, NULL);
  jw_strn(&w, "all_bytes", nasty, sizeof nasty);
  jw_strn(&w, "banner", "220 mx\r\n\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80\xe2\x82", 18);
  jw_strn(&w, "nul\0key", "x\0y", 3);
  jw_arr_begin(&w, "a");
  jw_obj_begin(&w, NULL);
  jw_hex(&w, "h", (const uint8_t *)"\x01\xfe", 2);
  jw_obj_end(&w);
  jw_arr_end(&w);
  jw_obj_end(&w);
  CHECK(!w.oom);

  FILE *p = popen("python3 -c 'import json,sys; d=json.loads(sys.stdin.buffer.read().decode(\"utf-8\"));"
                  " assert d[\"all_bytes\"][:2]==\"\\x00\\x01\"; assert d[\"nul\"]==\"x\\x00y\";"
                  " assert d[\"a\"][0][\"h\"]==\"01fe\"; assert len(d[\"all_bytes\"])==256'", "w");
  CHECK(p != NULL);
  if (p) {
    fwrite(w.buf, 1, w.len, p);
    int st = pclose(p);
    CHECK_INT(st, 0);
  }
  jw_free(&w);
}

int main(void) {
  test_structure();
  test_escape_classes();
  test_keys_escaped();
  test_hex_raw();
  test_misuse_and_growth();
  test_python_validates();
  TEST_MAIN_END();
}
