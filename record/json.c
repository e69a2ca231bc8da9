/* JSON writer for NDJSON records. See json.h for the contract. */
#include "record/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw_t *w) {
  memset(w, 0, sizeof *w);
}

void jw_free(jw_t *w) {
  free(w->buf);
  memset(w, 0, sizeof *w);
}

void jw_reset(jw_t *w) {
  w->len = 0;
  w->depth = 0;
  w->oom = false;
  memset(w->need_comma, 0, sizeof w->need_comma);
  if (w->buf) w->buf[0] = '\0';
}

/* Makes room for n more bytes plus the NUL that keeps buf a C string at all times.
 * Once oom is set every later call is a no-op, so callers need to check only at the end. */
static bool reserve(jw_t *w, size_t n) {
  if (w->oom) return false;
  if (n > SIZE_MAX / 2 - w->len - 1) { w->oom = true; return false; }
  size_t need = w->len + n + 1;
  if (need <= w->cap) return true;
  size_t cap = w->cap ? w->cap : 256;
  while (cap < need) cap *= 2;
  char *nb = realloc(w->buf, cap);
  if (!nb) { w->oom = true; return false; }
  w->buf = nb;
  w->cap = cap;
  return true;
}

static void put(jw_t *w, const char *s, size_t n) {
  if (!reserve(w, n)) return;
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

static void put_escaped(jw_t *w, const char *s, size_t n) {
  /* Checked so 6*n+2 cannot wrap on a pathological length. */
  if (n > (SIZE_MAX / 2) / 6) { w->oom = true; return; }
  if (!reserve(w, 6 * n + 2)) return;
  w->buf[w->len++] = '"';
  w->len += json_escape(s, n, w->buf + w->len);
  w->buf[w->len++] = '"';
  w->buf[w->len] = '\0';
}

/* Emits the separator and key that precede any value. need_comma[d] belongs to the
 * container opened at depth d; depth 0 is the top level, where no comma is ever due. */
static void value_prefix(jw_t *w, const char *key) {
  if (w->oom) return;
  if (w->depth > 0) {
    if (w->need_comma[w->depth]) put(w, ",", 1);
    w->need_comma[w->depth] = true;
  }
  if (key) {
    put_escaped(w, key, strlen(key));
    put(w, ":", 1);
  }
}

static void open_container(jw_t *w, const char *key, char c) {
  value_prefix(w, key);
  /* Too deep means a caller bug; marking the buffer unusable keeps the output from being
   * silently wrong JSON, and oom is the flag callers already check. */
  if (w->depth + 1 >= JW_MAX_DEPTH) { w->oom = true; return; }
  put(w, &c, 1);
  if (w->oom) return;
  w->depth++;
  w->need_comma[w->depth] = false;
}

static void close_container(jw_t *w, char c) {
  if (w->oom) return;
  if (w->depth <= 0) { w->oom = true; return; }   /* unbalanced end: caller bug */
  put(w, &c, 1);
  w->depth--;
}

void jw_obj_begin(jw_t *w, const char *key) { open_container(w, key, '{'); }
void jw_obj_end(jw_t *w) { close_container(w, '}'); }
void jw_arr_begin(jw_t *w, const char *key) { open_container(w, key, '['); }
void jw_arr_end(jw_t *w) { close_container(w, ']'); }

void jw_str(jw_t *w, const char *key, const char *val) {
  if (!val) { jw_null(w, key); return; }
  jw_strn(w, key, val, strlen(val));
}

void jw_strn(jw_t *w, const char *key, const char *val, size_t len) {
  if (!val) { jw_null(w, key); return; }
  value_prefix(w, key);
  put_escaped(w, val, len);
}

void jw_int(jw_t *w, const char *key, long long val) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%lld", val);
  value_prefix(w, key);
  put(w, tmp, (size_t)n);
}

void jw_uint(jw_t *w, const char *key, unsigned long long val) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%llu", val);
  value_prefix(w, key);
  put(w, tmp, (size_t)n);
}

void jw_bool(jw_t *w, const char *key, bool val) {
  value_prefix(w, key);
  if (val) put(w, "true", 4);
  else put(w, "false", 5);
}

void jw_null(jw_t *w, const char *key) {
  value_prefix(w, key);
  put(w, "null", 4);
}

void jw_hex(jw_t *w, const char *key, const uint8_t *data, size_t len) {
  static const char digits[] = "0123456789abcdef";
  if (!data && len) { jw_null(w, key); return; }
  value_prefix(w, key);
  if (len > (SIZE_MAX / 2) / 2) { w->oom = true; return; }
  if (!reserve(w, 2 * len + 2)) return;
  char *p = w->buf + w->len;
  *p++ = '"';
  for (size_t i = 0; i < len; i++) {
    *p++ = digits[data[i] >> 4];
    *p++ = digits[data[i] & 15];
  }
  *p++ = '"';
  w->len = (size_t)(p - w->buf);
  w->buf[w->len] = '\0';
}

void jw_raw(jw_t *w, const char *key, const char *json, size_t len) {
  /* An empty splice would leave "key": with no value, so it becomes null instead. */
  if (!json || len == 0) { jw_null(w, key); return; }
  value_prefix(w, key);
  put(w, json, len);
}

/* Length of the well-formed UTF-8 sequence at s (Unicode Table 3-7), or 0 if ill-formed;
 * *bad gets the length of the maximal ill-formed subpart so that it becomes exactly one
 * U+FFFD, the replacement practice Unicode and the WHATWG decoder recommend. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad) {
  unsigned char c = s[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) need = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;           /* overlong */
    else if (c == 0xED) hi = 0x9F;      /* UTF-16 surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;           /* overlong */
    else if (c == 0xF4) hi = 0x8F;      /* above U+10FFFF */
  } else {
    *bad = 1;                           /* stray continuation, C0, C1, F5..FF */
    return 0;
  }
  size_t i = 1;
  for (; i < need; i++) {
    if (i >= n) break;
    unsigned char b = s[i];
    unsigned char l = (i == 1) ? lo : 0x80, h = (i == 1) ? hi : 0xBF;
    if (b < l || b > h) break;
  }
  if (i == need) return need;
  *bad = i;
  return 0;
}

size_t json_escape(const char *in, size_t len, char *out) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)in;
  char *o = out;
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
      case '"':  *o++ = '\\'; *o++ = '"'; break;
      case '\\': *o++ = '\\'; *o++ = '\\'; break;
      case '\n': *o++ = '\\'; *o++ = 'n'; break;
      case '\r': *o++ = '\\'; *o++ = 'r'; break;
      case '\t': *o++ = '\\'; *o++ = 't'; break;
      case '\b': *o++ = '\\'; *o++ = 'b'; break;
      case '\f': *o++ = '\\'; *o++ = 'f'; break;
      default:
        if (c < 0x20) {
          memcpy(o, "\\u00", 4);
          o[4] = hex[c >> 4];
          o[5] = hex[c & 15];
          o += 6;
        } else {
          *o++ = (char)c;
        }
      }
      i++;
      continue;
    }
    size_t bad = 0, n = utf8_seq(s + i, len - i, &bad);
    if (n) {
      memcpy(o, s + i, n);
      o += n;
      i += n;
    } else {
      /* 3 output bytes for >= 1 input byte: within the 6*len bound. */
      *o++ = (char)0xEF; *o++ = (char)0xBF; *o++ = (char)0xBD;
      i += bad;
    }
  }
  *o = '\0';
  return (size_t)(o - out);
}
