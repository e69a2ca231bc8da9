/* The one hash table of mxsurvey: byte-string keys, a fixed-size value per key.
 *
 * Every table of the program is one of these: the name set (lib/nameset: ~2 M domain
 * names with a 32-bit value), the report's tables (report/table: millions of MX hosts,
 * addresses and operators with counters), the address maps of the scheduler and the PTR
 * cache (polite/addrmap: 17-byte address keys, a pointer each) and the observation cache
 * (smtp/observe: address + SNI keys, a pointer each).
 *
 * The table owns copies of the keys and the values (vsize bytes, chosen at init; a
 * pointer, an integer, or a small struct such as the report's counters). Keys come from
 * the network or from input files, so they are hashed with SipHash-1-3 under a secret
 * 128-bit key drawn once per process: nobody outside can choose names that collide.
 *
 * Value pointers (from hashmap_get, hashmap_put, hashmap_next) stay valid until an entry
 * of the same map is deleted or the map is freed (inserting never moves entries; deleting
 * may compact them). The bytes of a key are stored followed by a NUL, so a string key can
 * be read back as a C string (hashmap_key).
 *
 * Iteration (hashmap_next) visits entries in insertion order, whatever the hash key: a
 * walk never depends on the process's secret.
 *
 * Concurrency: none inside. Several threads may call hashmap_get / hashmap_next /
 * hashmap_key on a map that nobody modifies meanwhile (the report's workers share the
 * previous scan's map that way).
 *
 * Failures: an allocation failure or a key over HASHMAP_KEY_MAX makes hashmap_put return
 * -1 and leaves the map as it was; nothing aborts. */
#ifndef MXS_LIB_HASHMAP_H
#define MXS_LIB_HASHMAP_H
#include <stddef.h>
#include <stdint.h>

#define HASHMAP_KEY_MAX (((size_t)1 << 30) - 1)   /* longest key, bytes */
#define HASHMAP_VALUE_MAX 1024              /* largest vsize */
#define HASHMAP_CHUNKS 22                   /* entry storage: chunks of 4 KiB .. 8 GiB */

typedef struct hashmap_slot { uint32_t hash, ref; } hashmap_slot_t;

/* The fields are private; they are here so that a map can be embedded. */
typedef struct hashmap {
  hashmap_slot_t *slots;                    /* nslots (a power of two, or 0) */
  size_t nslots, count, tombs;
  char *chunk[HASHMAP_CHUNKS];              /* entries, in insertion order */
  size_t used[HASHMAP_CHUNKS];              /* bytes used in each chunk */
  int cur;                                  /* chunk being filled, -1: none yet */
  size_t live, dead;                        /* bytes of live and of deleted entries */
  uint32_t vsize, vspace, align;
  uint64_t k0, k1;                          /* SipHash key */
} hashmap_t;

/* An empty map whose values are vsize bytes (0 to HASHMAP_VALUE_MAX; 0: a set). Allocates
 * nothing yet. 0, or -1 when vsize is too large. */
int hashmap_init(hashmap_t *m, size_t vsize);
/* The same with a given hash key instead of the process's secret one: for tests only
 * (colliding keys can then be computed). */
int hashmap_init_seeded(hashmap_t *m, size_t vsize, uint64_t k0, uint64_t k1);
/* Frees the map's memory (what the values point to is the caller's); the map is then
 * empty and may be used again. */
void hashmap_free(hashmap_t *m);

/* The value of key[0..len), or NULL when absent. */
void *hashmap_get(const hashmap_t *m, const void *key, size_t len);
/* Finds or adds key: 1 added (*val points to vsize zero bytes), 0 already present (*val
 * points to its value), -1 out of memory or key too long (*val NULL, map unchanged).
 * val may be NULL. */
int hashmap_put(hashmap_t *m, const void *key, size_t len, void **val);
/* Removes key: 1 removed, 0 absent. May move the other entries (their value pointers
 * are then stale). */
int hashmap_del(hashmap_t *m, const void *key, size_t len);

size_t hashmap_count(const hashmap_t *m);
/* Bytes allocated: slots and entry chunks. */
size_t hashmap_bytes(const hashmap_t *m);

/* Iteration in insertion order: start with *pos = 0; each call returns the next entry's
 * value (and its key and length if key/len are not NULL), or NULL at the end. The map
 * must not be modified during a walk. */
void *hashmap_next(const hashmap_t *m, size_t *pos, const char **key, size_t *len);
/* The key (NUL-terminated) of the entry whose value val is. */
const char *hashmap_key(const hashmap_t *m, const void *val, size_t *len);

/* The keyed 64-bit hash of key under m's hash key (the one used inside). */
uint64_t hashmap_hash(const hashmap_t *m, const void *key, size_t len);

#endif
