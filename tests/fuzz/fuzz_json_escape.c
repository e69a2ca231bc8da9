/* Escapes arbitrary bytes and checks that the result is a well-formed JSON string body:
 * only valid UTF-8, no raw control characters, no unescaped quote or backslash, and within
 * the documented 6*len+1 bound. Also builds a record with the writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"

static void check_body(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x20) abort();
    if (c == '"') abort();
    if (c == '\\') {
      if (i + 1 >= n) abort();
      unsigned char e = s[i + 1];
      if (e == 'u') {
        if (i + 5 >= n) abort();
        for (int k = 2; k < 6; k++)
          if (!strchr("0123456789abcdef", s[i + k]) || s[i + k] == 0) abort();
        i += 6;
      } else if (strchr("\"\\nrtbf", e) && e) {
        i += 2;
      } else {
        abort();
      }
      continue;
    }
    if (c < 0x80) { i++; continue; }
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else abort();
    if (i + need > n) abort();
    for (size_t k = 1; k < need; k++) {
      if ((s[i + k] & 0xC0) != 0x80) abort();
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    /* independent re-check of overlongs, surrogates and range */
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000)) abort();
    if (cp >= 0xD800 && cp <= 0xDFFF) abort();
    if (cp > 0x10FFFF) abort();
    i += need;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *out = malloc(6 * size + 1);
  if (!out) return 0;
  size_t n = json_escape((const char *)data, size, out);
  if (n > 6 * size || out[n] != '\0') abort();
  check_body((const unsigned char *)out, n);
  free(out);

  jw_t w;
  jw_init(&w);
  jw_obj_begin(&w, NULL);
  jw_strn(&w, "v", (const char *)data, size);
  jw_arr_begin(&w, "a");
  jw_hex(&w, NULL, data, size);
  jw_arr_end(&w);
  jw_obj_end(&w);
  if (!w.oom) {
    if (w.len < 2 || w.buf[0] != '{' || w.buf[w.len - 1] != '}' || w.buf[w.len] != '\0')
      abort();
    if (memchr(w.buf, '\n', w.len)) abort();
  }
  jw_free(&w);
  return 0;
}
