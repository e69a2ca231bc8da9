/* A hostile record for explain and --notify (issue 16): arbitrary bytes parsed as JSON and,
 * when an object, judged by findings_of (report/finding.c) and contact_hint
 * (report/contact.c); the bytes as a string also go to contact_soa_mailbox. Asserts what
 * the printers rely on: at most FINDINGS_MAX findings, each with a known id and kind, a
 * NUL-terminated host and date, sorted by kind; a mailbox or contact within its buffer,
 * NUL-terminated, without control characters (a mailbox holds exactly one '@'). */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/contact.h"
#include "report/finding.h"

static void no_controls(const char *s, size_t cap) {
  size_t n = strnlen(s, cap);
  if (n >= cap) abort();
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  char box[64];
  if (contact_soa_mailbox(s, box, sizeof box) == 0) {
    no_controls(box, sizeof box);
    char *at = strchr(box, '@');
    if (!at || strchr(at + 1, '@') || at == box || !at[1]) abort();
  }
  json_tokener *tok = json_tokener_new();
  json_object *rec = json_tokener_parse_ex(tok, s, (int)size);
  if (rec && json_object_is_type(rec, json_type_object)) {
    struct finding fs[FINDINGS_MAX];
    int n = findings_of(rec, fs, FINDINGS_MAX);
    if (n < 0 || n > FINDINGS_MAX) abort();
    for (int i = 0; i < n; i++) {
      if ((int)fs[i].id < 0 || fs[i].id >= ADV_COUNT || fs[i].kind >= FK_COUNT) abort();
      if (i && fs[i].kind < fs[i - 1].kind) abort();
      if (strnlen(fs[i].host, sizeof fs[i].host) >= sizeof fs[i].host) abort();
      if (strnlen(fs[i].breaks, sizeof fs[i].breaks) >= sizeof fs[i].breaks) abort();
      if (!advice_id_name(fs[i].id) || !advice_get(fs[i].id)->fail) abort();
    }
    char c[128];
    enum contact_source src = contact_hint(rec, c, sizeof c);
    if (src >= CONTACT_SOURCE_COUNT || strnlen(c, sizeof c) >= sizeof c) abort();
    if (src == CONTACT_SOA) no_controls(c, sizeof c);
  }
  json_object_put(rec);
  json_tokener_free(tok);
  free(s);
  return 0;
}
