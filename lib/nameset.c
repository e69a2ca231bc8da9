/* Name set. See nameset.h for the contract: a typed face on lib/hashmap (byte-string keys,
 * a 4-byte value each), which holds the hashing, the probing and the memory. Names are
 * bounded here (NAMESET_NAME_MAX), not by the map, so that the limit callers see stays
 * what it was. */
#include "lib/nameset.h"
#include "lib/hashmap.h"

#include <stdlib.h>
#include <string.h>

struct nameset {
  hashmap_t map;          /* name -> uint32_t */
};

nameset_t *nameset_new(void) {
  nameset_t *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  hashmap_init(&s->map, sizeof(uint32_t));
  return s;
}

void nameset_free(nameset_t *s) {
  if (!s) return;
  hashmap_free(&s->map);
  free(s);
}

static bool bad(const nameset_t *s, const char *name, size_t len) {
  return !s || len > NAMESET_NAME_MAX || (!name && len);
}

int nameset_add(nameset_t *s, const char *name, size_t len, uint32_t val) {
  if (bad(s, name, len)) return -1;
  void *v;
  int rc = hashmap_put(&s->map, name, len, &v);
  if (rc == 1) memcpy(v, &val, sizeof val);
  return rc;
}

bool nameset_get(const nameset_t *s, const char *name, size_t len, uint32_t *val) {
  if (bad(s, name, len)) return false;
  const void *v = hashmap_get(&s->map, name, len);
  if (!v) return false;
  if (val) memcpy(val, v, sizeof *val);
  return true;
}

bool nameset_set(nameset_t *s, const char *name, size_t len, uint32_t val) {
  if (bad(s, name, len)) return false;
  void *v = hashmap_get(&s->map, name, len);
  if (!v) return false;
  memcpy(v, &val, sizeof val);
  return true;
}

size_t nameset_count(const nameset_t *s) { return s ? hashmap_count(&s->map) : 0; }

size_t nameset_bytes(const nameset_t *s) { return s ? hashmap_bytes(&s->map) : 0; }
