/* A set of byte strings (domain names) with a 32-bit value each, O(1) add and lookup: a
 * typed wrapper over lib/hashmap. Sized for a national scan: the names already recorded
 * when resuming, the names seen in the input (duplicates), the domains of an exclude
 * file. Memory: 8 bytes per slot (at most 3/4 full) plus, per name, its length + 6 bytes
 * rounded up to 4 (lib/hashmap.h). */
#ifndef MXS_LIB_NAMESET_H
#define MXS_LIB_NAMESET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAMESET_NAME_MAX 65535      /* longest string held */

typedef struct nameset nameset_t;

nameset_t *nameset_new(void);
void nameset_free(nameset_t *s);
/* Adds s[0..len) with value val unless it is already there. Returns 1 when added, 0 when
 * it was already present (its value is left alone), -1 out of memory or too long. */
int nameset_add(nameset_t *s, const char *name, size_t len, uint32_t val);
/* True when present; *val (if not NULL) gets its value. */
bool nameset_get(const nameset_t *s, const char *name, size_t len, uint32_t *val);
/* Sets the value of a name already present: true, or false when it is not there. */
bool nameset_set(nameset_t *s, const char *name, size_t len, uint32_t val);
size_t nameset_count(const nameset_t *s);
/* Bytes allocated (table + arena), for the benchmark figures. */
size_t nameset_bytes(const nameset_t *s);

#endif
