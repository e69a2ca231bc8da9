/* The hash table (see hashmap.h for the contract). Why it is shaped so:
 *
 * Open addressing, not chaining. The two big users (2 M names in the name set, millions of
 * report keys) are lookup-heavy and never or rarely delete; a chained table costs a
 * pointer and usually an allocation per entry and a cache miss per link. Here a slot is 8
 * bytes (32 bits of hash, 32 bits of reference to the entry), linear probing over a
 * power-of-two array at most 3/4 full (tombstones included), so a lookup reads one or two
 * cache lines of slots and compares hashes before it touches a key. Deletion (the
 * scheduler's and the observation cache's entries come and go over a long scan) leaves
 * a tombstone, or an empty slot when the next slot is empty (then the tombstones before
 * it are emptied too); tombstones are dropped at the next rehash, which insertion triggers
 * by the same 3/4 rule, so probe runs stay short whatever the churn.
 *
 * Entries (value, then key length, key bytes and a NUL) are appended to chunks that are
 * never moved: 4 KiB, 8 KiB, ... 8 GiB (22 chunks, 16 GiB in all, the limit of a 32-bit
 * reference counted in 4-byte units). Growing the table rehashes slots only, from the
 * stored hash, and never touches keys; value pointers stay valid across insertions; a walk
 * over the chunks is insertion order. Deleted entries are only marked; when they outweigh
 * the live ones the map is compacted (entries copied into fresh chunks, in order), so the
 * memory of a map whose entries churn stays within about twice what it holds. The table
 * also shrinks when it is less than 1/8 full.
 *
 * The hash is SipHash-1-3 (the variant Rust's standard hash map uses) with a 128-bit key
 * drawn from getrandom() once per process: keys are domain names and addresses chosen by
 * whoever controls DNS, and an unkeyed hash (FNV, as the four tables this one replaces
 * used) lets them pick names that all land in one probe run. */
#include "lib/hashmap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define CHUNK0_SHIFT 12              /* first chunk: 4 KiB */
#define UNIT 4                       /* a reference counts 4-byte units */
#define REF_EMPTY 0u
#define REF_DEAD 1u                  /* tombstone */
#define MIN_SLOTS 16

/* ---------- SipHash-1-3 ---------- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
    v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
    v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
    v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
    v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
  } while (0)

/* Words are read in host byte order: SipHash itself on little-endian hosts, an equally
 * keyed function elsewhere (hashes are never stored or exchanged). */
static uint64_t siphash13(uint64_t k0, uint64_t k1, const void *key, size_t n) {
  const unsigned char *p = key;
  uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  uint64_t m;
  for (size_t left = n; left >= 8; left -= 8, p += 8) {
    memcpy(&m, p, 8);
    v3 ^= m;
    SIPROUND;
    v0 ^= m;
  }
  m = 0;
  if (n & 7) memcpy(&m, p, n & 7);
  m |= (uint64_t)n << 56;
  v3 ^= m;
  SIPROUND;
  v0 ^= m;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t secret[2];
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

static void secret_init(void) {
  if (getrandom(secret, sizeof secret, 0) == (ssize_t)sizeof secret) return;
  /* No entropy source (very old kernel, seccomp): the clock, the process and an address,
   * mixed; weaker, still not something a remote party can read. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t mix[4] = {(uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid(),
                     (uint64_t)(uintptr_t)&ts};
  secret[0] = siphash13(0x0123456789abcdefULL, 0xfedcba9876543210ULL, mix, sizeof mix);
  mix[0] ^= secret[0];
  secret[1] = siphash13(0xfedcba9876543210ULL, 0x0123456789abcdefULL, mix, sizeof mix);
}

uint64_t hashmap_hash(const hashmap_t *m, const void *key, size_t len) {
  return siphash13(m->k0, m->k1, key, len);
}

static uint32_t hash32(const hashmap_t *m, const void *key, size_t len) {
  uint64_t h = siphash13(m->k0, m->k1, key, len);
  return (uint32_t)(h ^ (h >> 32));
}

/* ---------- entries ---------- */

static size_t chunk_size(int c) { return (size_t)1 << (CHUNK0_SHIFT + c); }
/* Where chunk c starts in the chunks' common address space (bytes). */
static size_t chunk_base(int c) { return (((size_t)1 << c) - 1) << CHUNK0_SHIFT; }

static int chunk_of(size_t vbyte) {
  unsigned long long x = (unsigned long long)(vbyte >> CHUNK0_SHIFT) + 1;
  return 63 - __builtin_clzll(x);
}

static char *entry_at(const hashmap_t *m, uint32_t ref) {
  size_t vbyte = (size_t)(ref - 2) * UNIT;
  int c = chunk_of(vbyte);
  return m->chunk[c] + (vbyte - chunk_base(c));
}

/* The length header after the value: (len << 1 | dead) in 1 byte below 0x80, else in 4
 * bytes big-endian with the top bit set. */
static size_t hdr_len(size_t len) { return (len << 1) < 0x80 ? 1 : 4; }

static size_t hdr_read(const unsigned char *h, size_t *len, bool *dead) {
  uint32_t x;
  size_t n;
  if (h[0] < 0x80) { x = h[0]; n = 1; }
  else { x = (uint32_t)(h[0] & 0x7f) << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]; n = 4; }
  *len = x >> 1;
  if (dead) *dead = x & 1;
  return n;
}

static void hdr_write(unsigned char *h, size_t len) {
  uint32_t x = (uint32_t)len << 1;
  if (x < 0x80) { h[0] = (unsigned char)x; return; }
  x |= 0x80000000u;
  h[0] = (unsigned char)(x >> 24); h[1] = (unsigned char)(x >> 16);
  h[2] = (unsigned char)(x >> 8); h[3] = (unsigned char)x;
}

static size_t entry_size(const hashmap_t *m, size_t len) {
  size_t n = m->vspace + hdr_len(len) + len + 1;
  return (n + m->align - 1) & ~(size_t)(m->align - 1);
}

/* The key of the entry at e. */
static const char *entry_key(const hashmap_t *m, const char *e, size_t *len, bool *dead) {
  const unsigned char *h = (const unsigned char *)e + m->vspace;
  return (const char *)h + hdr_read(h, len, dead);
}

/* Appends an entry (value zeroed); its reference, or 0 out of memory. */
static uint32_t entry_add(hashmap_t *m, const void *key, size_t len) {
  size_t need = entry_size(m, len);
  int c = m->cur;
  if (c < 0 || m->used[c] + need > chunk_size(c)) {
    for (c++; c < HASHMAP_CHUNKS && chunk_size(c) < need; c++) {}
    if (c >= HASHMAP_CHUNKS) return 0;
    char *p = malloc(chunk_size(c));
    if (!p) return 0;
    m->chunk[c] = p;
    m->used[c] = 0;
    m->cur = c;
  }
  char *e = m->chunk[c] + m->used[c];
  memset(e, 0, m->vspace);
  unsigned char *h = (unsigned char *)e + m->vspace;
  hdr_write(h, len);
  char *k = (char *)h + hdr_len(len);
  if (len) memcpy(k, key, len);
  k[len] = '\0';
  uint32_t ref = (uint32_t)((chunk_base(c) + m->used[c]) / UNIT + 2);
  m->used[c] += need;
  m->live += need;
  return ref;
}

/* ---------- slots ---------- */

static void chunks_free(hashmap_t *m) {
  for (int c = 0; c < HASHMAP_CHUNKS; c++) {
    free(m->chunk[c]);
    m->chunk[c] = NULL;
    m->used[c] = 0;
  }
  m->cur = -1;
  m->live = m->dead = 0;
}

/* The smallest table that holds n entries at most half full. */
static size_t slots_for(size_t n) {
  size_t s = MIN_SLOTS;
  while (n * 2 > s) s *= 2;
  return s;
}

/* Into a table without tombstones or equal keys: the first empty slot from the home. */
static void slot_place(hashmap_slot_t *s, size_t n, uint32_t hash, uint32_t ref) {
  size_t i = hash & (n - 1);
  while (s[i].ref != REF_EMPTY) i = (i + 1) & (n - 1);
  s[i].hash = hash;
  s[i].ref = ref;
}

/* A new slot array of n, from the stored hashes (keys untouched). -1 out of memory. */
static int rehash(hashmap_t *m, size_t n) {
  hashmap_slot_t *ns = calloc(n, sizeof *ns);
  if (!ns) return -1;
  for (size_t i = 0; i < m->nslots; i++)
    if (m->slots[i].ref > REF_DEAD) slot_place(ns, n, m->slots[i].hash, m->slots[i].ref);
  free(m->slots);
  m->slots = ns;
  m->nslots = n;
  m->tombs = 0;
  return 0;
}

/* Room for one more entry. A failed rehash is only an error when no empty slot would be
 * left (a probe ends at an empty slot). */
static int reserve_one(hashmap_t *m) {
  if (m->nslots == 0) return rehash(m, MIN_SLOTS);
  if ((m->count + m->tombs + 1) * 4 <= m->nslots * 3) return 0;
  size_t n = m->nslots;
  while ((m->count + 1) * 2 > n) n *= 2;   /* else the same size, without tombstones */
  if (rehash(m, n) == 0) return 0;
  return m->count + m->tombs + 2 <= m->nslots ? 0 : -1;
}

/* The slot index holding key, or SIZE_MAX; *free_at: where it would go (the first
 * tombstone on the way, else the empty slot that ended the probe). */
static size_t find(const hashmap_t *m, const void *key, size_t len, uint32_t h,
                   size_t *free_at) {
  size_t mask = m->nslots - 1, tomb = SIZE_MAX;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const hashmap_slot_t *s = &m->slots[i];
    if (s->ref == REF_EMPTY) {
      if (free_at) *free_at = tomb != SIZE_MAX ? tomb : i;
      return SIZE_MAX;
    }
    if (s->ref == REF_DEAD) {
      if (tomb == SIZE_MAX) tomb = i;
      continue;
    }
    if (s->hash != h) continue;
    size_t l;
    const char *k = entry_key(m, entry_at(m, s->ref), &l, NULL);
    if (l == len && (len == 0 || memcmp(k, key, len) == 0)) return i;
  }
}

/* ---------- public ---------- */

int hashmap_init_seeded(hashmap_t *m, size_t vsize, uint64_t k0, uint64_t k1) {
  memset(m, 0, sizeof *m);
  m->cur = -1;
  if (vsize > HASHMAP_VALUE_MAX) return -1;
  m->vsize = (uint32_t)vsize;
  /* Values holding pointers or 64-bit counters get 8-byte alignment, others 4. */
  m->align = vsize && vsize % 8 == 0 ? 8 : UNIT;
  m->vspace = (uint32_t)((vsize + m->align - 1) & ~(size_t)(m->align - 1));
  m->k0 = k0;
  m->k1 = k1;
  return 0;
}

int hashmap_init(hashmap_t *m, size_t vsize) {
  pthread_once(&secret_once, secret_init);
  return hashmap_init_seeded(m, vsize, secret[0], secret[1]);
}

void hashmap_free(hashmap_t *m) {
  free(m->slots);
  m->slots = NULL;
  m->nslots = m->count = m->tombs = 0;
  chunks_free(m);
}

void *hashmap_get(const hashmap_t *m, const void *key, size_t len) {
  if (m->count == 0 || len > HASHMAP_KEY_MAX) return NULL;
  size_t i = find(m, key, len, hash32(m, key, len), NULL);
  return i == SIZE_MAX ? NULL : entry_at(m, m->slots[i].ref);
}

int hashmap_put(hashmap_t *m, const void *key, size_t len, void **val) {
  if (val) *val = NULL;
  if (len > HASHMAP_KEY_MAX || (!key && len)) return -1;
  if (reserve_one(m) != 0) return -1;
  uint32_t h = hash32(m, key, len);
  size_t at;
  size_t i = find(m, key, len, h, &at);
  if (i != SIZE_MAX) {
    if (val) *val = entry_at(m, m->slots[i].ref);
    return 0;
  }
  uint32_t ref = entry_add(m, key, len);
  if (!ref) return -1;
  if (m->slots[at].ref == REF_DEAD) m->tombs--;
  m->slots[at].hash = h;
  m->slots[at].ref = ref;
  m->count++;
  if (val) *val = entry_at(m, ref);
  return 1;
}

/* Copies the live entries into fresh chunks, in order, and rebuilds the slots. Out of
 * memory: nothing changes (the garbage stays until the next try). */
static void compact(hashmap_t *m) {
  hashmap_t n;
  hashmap_init_seeded(&n, m->vsize, m->k0, m->k1);
  n.slots = calloc(slots_for(m->count), sizeof *n.slots);
  if (!n.slots) return;
  n.nslots = slots_for(m->count);
  size_t pos = 0, len;
  const char *key;
  void *v;
  while ((v = hashmap_next(m, &pos, &key, &len))) {
    uint32_t ref = entry_add(&n, key, len);
    if (!ref) { hashmap_free(&n); return; }
    memcpy(entry_at(&n, ref), v, m->vsize);
    slot_place(n.slots, n.nslots, hash32(m, key, len), ref);
    n.count++;
  }
  hashmap_free(m);
  *m = n;
}

int hashmap_del(hashmap_t *m, const void *key, size_t len) {
  if (m->count == 0 || len > HASHMAP_KEY_MAX) return 0;
  size_t i = find(m, key, len, hash32(m, key, len), NULL);
  if (i == SIZE_MAX) return 0;
  char *e = entry_at(m, m->slots[i].ref);
  unsigned char *h = (unsigned char *)e + m->vspace;
  size_t l;
  hdr_read(h, &l, NULL);
  h[hdr_len(l) == 1 ? 0 : 3] |= 1;               /* the dead bit */
  size_t sz = entry_size(m, l);
  m->live -= sz;
  m->dead += sz;
  m->count--;
  size_t mask = m->nslots - 1;
  if (m->slots[(i + 1) & mask].ref == REF_EMPTY) {
    /* The end of a probe run: this slot and the tombstones before it end nothing. */
    m->slots[i].ref = REF_EMPTY;
    for (size_t j = (i - 1) & mask; m->slots[j].ref == REF_DEAD; j = (j - 1) & mask) {
      m->slots[j].ref = REF_EMPTY;
      m->tombs--;
    }
  } else {
    m->slots[i].ref = REF_DEAD;
    m->tombs++;
  }
  if (m->count == 0) {
    hashmap_free(m);                               /* nothing left to keep */
  } else if (m->dead > m->live && m->dead >= chunk_size(0)) {
    compact(m);
  } else if (m->nslots > 4 * MIN_SLOTS && m->count * 8 < m->nslots) {
    rehash(m, slots_for(m->count));                /* failure: stays larger */
  }
  return 1;
}

size_t hashmap_count(const hashmap_t *m) { return m->count; }

size_t hashmap_bytes(const hashmap_t *m) {
  size_t b = m->nslots * sizeof *m->slots;
  for (int c = 0; c < HASHMAP_CHUNKS; c++)
    if (m->chunk[c]) b += chunk_size(c);
  return b;
}

void *hashmap_next(const hashmap_t *m, size_t *pos, const char **key, size_t *len) {
  for (size_t vb = *pos;;) {
    int c = chunk_of(vb);
    if (c >= HASHMAP_CHUNKS || c > m->cur) { *pos = vb; return NULL; }
    size_t off = vb - chunk_base(c);
    if (!m->chunk[c] || off >= m->used[c]) { vb = chunk_base(c + 1); continue; }
    char *e = m->chunk[c] + off;
    size_t l;
    bool dead;
    const char *k = entry_key(m, e, &l, &dead);
    vb += entry_size(m, l);
    if (dead) continue;
    *pos = vb;
    if (key) *key = k;
    if (len) *len = l;
    return e;
  }
}

const char *hashmap_key(const hashmap_t *m, const void *val, size_t *len) {
  size_t l;
  const char *k = entry_key(m, val, &l, NULL);
  if (len) *len = l;
  return k;
}
