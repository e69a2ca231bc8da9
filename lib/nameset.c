/* Name set. See nameset.h for the contract.
 *
 * A slot is 32 bits of hash and a 32-bit arena offset plus one (0: empty); linear probing
 * over a power-of-two table kept at most half full. An arena entry is a 2-byte length, a
 * 4-byte value and the bytes. Offsets are 32 bits, so the arena holds at most 4 GiB:
 * about a hundred million names, far beyond any ccTLD. */
#include "lib/nameset.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot { uint32_t hash, off1; } slot_t;

struct nameset {
  slot_t *slots;
  size_t nslots, count;
  char *arena;
  size_t alen, acap;
};

/* 64-bit FNV-1a with a final mix (the low bits pick the slot, the high bits are kept). */
static uint64_t hash_of(const char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

nameset_t *nameset_new(void) {
  nameset_t *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->nslots = 1024;
  s->slots = calloc(s->nslots, sizeof *s->slots);
  if (!s->slots) { free(s); return NULL; }
  return s;
}

void nameset_free(nameset_t *s) {
  if (!s) return;
  free(s->slots);
  free(s->arena);
  free(s);
}

static const char *entry(const nameset_t *s, uint32_t off1, size_t *len, uint32_t *val) {
  const unsigned char *e = (const unsigned char *)s->arena + (off1 - 1);
  *len = ((size_t)e[0] << 8) | e[1];
  if (val) memcpy(val, e + 2, 4);
  return (const char *)e + 6;
}

/* The slot holding name, or the empty slot where it would go. */
static slot_t *find(const nameset_t *s, const char *name, size_t len, uint64_t h) {
  size_t mask = s->nslots - 1;
  uint32_t h32 = (uint32_t)(h >> 32);
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    slot_t *sl = &s->slots[i];
    if (sl->off1 == 0) return sl;
    if (sl->hash != h32) continue;
    size_t l;
    const char *p = entry(s, sl->off1, &l, NULL);
    if (l == len && memcmp(p, name, len) == 0) return sl;
  }
}

static int grow(nameset_t *s) {
  size_t n = s->nslots * 2;
  slot_t *ns = calloc(n, sizeof *ns);
  if (!ns) return -1;
  for (size_t i = 0; i < s->nslots; i++) {
    slot_t *o = &s->slots[i];
    if (!o->off1) continue;
    size_t len;
    const char *p = entry(s, o->off1, &len, NULL);
    uint64_t h = hash_of(p, len);
    size_t j = (size_t)h & (n - 1);
    while (ns[j].off1) j = (j + 1) & (n - 1);
    ns[j] = *o;
  }
  free(s->slots);
  s->slots = ns;
  s->nslots = n;
  return 0;
}

int nameset_add(nameset_t *s, const char *name, size_t len, uint32_t val) {
  if (!s || len > NAMESET_NAME_MAX || (!name && len)) return -1;
  /* Grow first, so the slot found below stays valid; a failed grow leaves a valid, fuller
   * table, refused only when it has no free slot to spare. */
  if (2 * (s->count + 1) > s->nslots && grow(s) < 0 && s->count + 2 >= s->nslots) return -1;
  uint64_t h = hash_of(name, len);
  slot_t *sl = find(s, name, len, h);
  if (sl->off1) return 0;
  size_t need = 6 + len;
  if (s->alen + need >= UINT32_MAX) return -1;
  if (s->alen + need > s->acap) {
    size_t cap = s->acap ? s->acap : 64 * 1024;
    while (cap < s->alen + need) cap *= 2;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    char *a = realloc(s->arena, cap);
    if (!a) return -1;
    s->arena = a;
    s->acap = cap;
  }
  unsigned char *e = (unsigned char *)s->arena + s->alen;
  e[0] = (unsigned char)(len >> 8);
  e[1] = (unsigned char)(len & 0xFF);
  memcpy(e + 2, &val, 4);
  if (len) memcpy(e + 6, name, len);
  sl->hash = (uint32_t)(h >> 32);
  sl->off1 = (uint32_t)(s->alen + 1);
  s->alen += need;
  s->count++;
  return 1;
}

bool nameset_get(const nameset_t *s, const char *name, size_t len, uint32_t *val) {
  if (!s || len > NAMESET_NAME_MAX || (!name && len)) return false;
  const slot_t *sl = find(s, name, len, hash_of(name, len));
  if (!sl->off1) return false;
  if (val) {
    size_t l;
    entry(s, sl->off1, &l, val);
  }
  return true;
}

bool nameset_set(nameset_t *s, const char *name, size_t len, uint32_t val) {
  if (!s || len > NAMESET_NAME_MAX || (!name && len)) return false;
  const slot_t *sl = find(s, name, len, hash_of(name, len));
  if (!sl->off1) return false;
  memcpy(s->arena + (sl->off1 - 1) + 2, &val, 4);
  return true;
}

size_t nameset_count(const nameset_t *s) { return s ? s->count : 0; }

size_t nameset_bytes(const nameset_t *s) {
  return s ? s->nslots * sizeof(slot_t) + s->acap : 0;
}
