/* JSON writer: builds one NDJSON record in a growable buffer.
 *
 * Commas and nesting are tracked by the writer, so callers only say what goes where.
 * Every string is escaped: control characters, '"' and '\\' as JSON escapes, NUL as
 * \u0000, and bytes that are not valid UTF-8 are replaced by U+FFFD, so a record is valid
 * JSON whatever a server sent. Keys are NULL inside arrays. */
#ifndef MXS_RECORD_JSON_H
#define MXS_RECORD_JSON_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
  char *buf;
  size_t len, cap;
  int depth;
  bool need_comma[JW_MAX_DEPTH];
  bool oom;               /* an allocation failed; buffer content is unusable */
} jw_t;

void jw_init(jw_t *w);
void jw_free(jw_t *w);
void jw_reset(jw_t *w);              /* empty the buffer, keep the allocation */

void jw_obj_begin(jw_t *w, const char *key);
void jw_obj_end(jw_t *w);
void jw_arr_begin(jw_t *w, const char *key);
void jw_arr_end(jw_t *w);

void jw_str(jw_t *w, const char *key, const char *val);      /* val NULL: null */
void jw_strn(jw_t *w, const char *key, const char *val, size_t len);
void jw_int(jw_t *w, const char *key, long long val);
void jw_uint(jw_t *w, const char *key, unsigned long long val);
void jw_bool(jw_t *w, const char *key, bool val);
void jw_null(jw_t *w, const char *key);
void jw_hex(jw_t *w, const char *key, const uint8_t *data, size_t len); /* lowercase hex string */
/* Splices already-serialised JSON (an object produced by another jw_t) as a value. */
void jw_raw(jw_t *w, const char *key, const char *json, size_t len);

/* Pure escaper, exposed for tests and fuzzing: appends the escaped form of in[0..len)
 * (without quotes) to out, which must hold at least 6*len+1 bytes (worst case); returns
 * the number of bytes written, NUL-terminated. */
size_t json_escape(const char *in, size_t len, char *out);

#endif
