/* lib/hashmap: every function; growth past many rehashes with value pointers that stay put;
 * deletion in the middle and at the end of probe runs (tombstones, emptied runs), reuse of
 * tombstones, compaction and shrinking; insertion-order walks; keys that collide on their
 * home slot and on the whole stored hash; keys built to collide under an unkeyed hash
 * (FNV-1a, which the old tables used) spread out under the keyed one; allocation failures
 * at every allocation the map makes (malloc and calloc are wrapped for this test, see
 * tests/CMakeLists.txt), after which the map is unchanged and still works. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "tests/unit/testlib.h"

/* ---- failing allocations: the n-th call from now fails (0: none) ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t sz);
static long fail_in, fail_always;

static int should_fail(void) {
  if (fail_always) return 1;
  if (fail_in > 0 && --fail_in == 0) return 1;
  return 0;
}
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t sz) { return should_fail() ? NULL : __real_calloc(n, sz); }

/* ---- helpers ---- */

static const uint64_t K0 = 0x0706050403020100ULL, K1 = 0x0f0e0d0c0b0a0908ULL;

static uint32_t h32(const hashmap_t *m, const void *k, size_t n) {
  uint64_t h = hashmap_hash(m, k, n);
  return (uint32_t)(h ^ (h >> 32));
}

static int put_u32(hashmap_t *m, const char *k, uint32_t v) {
  void *p;
  int rc = hashmap_put(m, k, strlen(k), &p);
  if (rc == 1) memcpy(p, &v, 4);
  return rc;
}

static long get_u32(const hashmap_t *m, const char *k) {
  const void *p = hashmap_get(m, k, strlen(k));
  if (!p) return -1;
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* The longest distance of an entry from its home slot. */
static size_t max_displacement(const hashmap_t *m) {
  size_t worst = 0;
  for (size_t i = 0; i < m->nslots; i++) {
    if (m->slots[i].ref < 2) continue;
    size_t d = (i - (m->slots[i].hash & (m->nslots - 1))) & (m->nslots - 1);
    if (d > worst) worst = d;
  }
  return worst;
}

/* ---- tests ---- */

static void test_siphash_vector(void) {
  /* SipHash-1-3 of the messages 00, 00..0e, 00..3e under the key 00..0f (the reference
   * implementation's test key and messages), as computed by an independent Python
   * implementation that gives the paper's SipHash-2-4 vector (0xa129ca6149be45e5). */
  hashmap_t m;
  CHECK_INT(hashmap_init_seeded(&m, 0, K0, K1), 0);
  uint8_t msg[64];
  for (int i = 0; i < 64; i++) msg[i] = (uint8_t)i;
  CHECK(hashmap_hash(&m, msg, 0) == 0xabac0158050fc4dcULL);
  CHECK(hashmap_hash(&m, msg, 15) == 0xd320d86d2a519956ULL);
  CHECK(hashmap_hash(&m, msg, 63) == 0x9d199062b7bbb3a8ULL);
  hashmap_t o;
  hashmap_init_seeded(&o, 0, K0 + 1, K1);
  CHECK(hashmap_hash(&o, msg, 15) != hashmap_hash(&m, msg, 15));   /* the key matters */
  hashmap_t a, b;
  hashmap_init(&a, 8);
  hashmap_init(&b, 8);                        /* one secret per process */
  CHECK(hashmap_hash(&a, "x", 1) == hashmap_hash(&b, "x", 1));
  CHECK(hashmap_hash(&a, "x", 1) != hashmap_hash(&m, "x", 1));
}

static void test_basic(void) {
  hashmap_t m;
  CHECK_INT(hashmap_init(&m, HASHMAP_VALUE_MAX + 1), -1);
  CHECK_INT(hashmap_init(&m, 4), 0);
  CHECK_INT(hashmap_count(&m), 0);
  CHECK_INT(hashmap_bytes(&m), 0);             /* nothing allocated before the first put */
  CHECK(hashmap_get(&m, "a", 1) == NULL);
  CHECK_INT(hashmap_del(&m, "a", 1), 0);
  size_t pos = 0;
  CHECK(hashmap_next(&m, &pos, NULL, NULL) == NULL);

  void *v = NULL;
  CHECK_INT(hashmap_put(&m, "example.pt", 10, &v), 1);
  CHECK(v != NULL && memcmp(v, "\0\0\0\0", 4) == 0);   /* a new value is zeroed */
  memcpy(v, "\1\2\3\4", 4);
  void *w = NULL;
  CHECK_INT(hashmap_put(&m, "example.pt", 10, &w), 0);
  CHECK(w == v);
  CHECK(hashmap_get(&m, "example.pt", 10) == v);
  CHECK(hashmap_get(&m, "example.p", 9) == NULL);
  CHECK(hashmap_get(&m, "example.ptx", 11) == NULL);
  size_t len = 0;
  CHECK_STR(hashmap_key(&m, v, &len), "example.pt");
  CHECK_INT(len, 10);
  CHECK_INT(hashmap_put(&m, "", 0, NULL), 1);          /* the empty key is a key */
  CHECK(hashmap_get(&m, "", 0) != NULL);
  CHECK(hashmap_get(&m, NULL, 0) != NULL);
  CHECK_INT(hashmap_put(&m, "a\0b", 3, NULL), 1);      /* bytes, not C strings */
  CHECK(hashmap_get(&m, "a", 1) == NULL);
  CHECK(hashmap_get(&m, "a\0b", 3) != NULL);
  CHECK_INT(hashmap_put(&m, NULL, 1, NULL), -1);
  CHECK_INT(hashmap_put(&m, "x", HASHMAP_KEY_MAX + 1, NULL), -1);
  CHECK_INT(hashmap_count(&m), 3);
  CHECK(hashmap_bytes(&m) >= 16 * sizeof(hashmap_slot_t) + 4096);

  /* A long key (4-byte length header) and a key longer than the first chunk. */
  static char big[100000];
  memset(big, 'x', sizeof big);
  CHECK_INT(hashmap_put(&m, big, 200, NULL), 1);
  CHECK_INT(hashmap_put(&m, big, sizeof big, &v), 1);
  CHECK(hashmap_get(&m, big, sizeof big) == v);
  CHECK(hashmap_get(&m, big, sizeof big - 1) == NULL);
  CHECK(hashmap_get(&m, big, 200) != NULL);
  hashmap_key(&m, v, &len);
  CHECK_INT(len, sizeof big);

  CHECK_INT(hashmap_del(&m, "example.pt", 10), 1);
  CHECK_INT(hashmap_del(&m, "example.pt", 10), 0);
  CHECK(hashmap_get(&m, "example.pt", 10) == NULL);
  CHECK_INT(hashmap_count(&m), 4);
  hashmap_free(&m);
  CHECK_INT(hashmap_count(&m), 0);
  CHECK_INT(hashmap_bytes(&m), 0);
  CHECK_INT(hashmap_put(&m, "again", 5, NULL), 1);      /* usable after free */
  CHECK_INT(hashmap_count(&m), 1);
  hashmap_free(&m);

  /* Values of 8 bytes and of structs are 8-byte aligned (pointers, counters). */
  hashmap_t p;
  hashmap_init(&p, 56);
  for (int i = 0; i < 100; i++) {
    char k[16];
    int n = snprintf(k, sizeof k, "k%d", i);
    hashmap_put(&p, k, (size_t)n, &v);
    CHECK(((uintptr_t)v & 7) == 0);
  }
  hashmap_free(&p);
}

static void test_growth(void) {
  hashmap_t m;
  hashmap_init(&m, 4);
  char k[32];
  CHECK_INT(put_u32(&m, "first", 7), 1);
  void *first = hashmap_get(&m, "first", 5);
  int bad = 0;
  for (uint32_t i = 0; i < 300000; i++) {
    snprintf(k, sizeof k, "d%u.example.pt", i);
    if (put_u32(&m, k, i) != 1) bad++;
  }
  CHECK_INT(bad, 0);
  CHECK_INT(hashmap_count(&m), 300001);
  CHECK(hashmap_get(&m, "first", 5) == first);       /* insertions never move entries */
  CHECK_INT(get_u32(&m, "first"), 7);
  for (uint32_t i = 0; i < 300000; i++) {
    snprintf(k, sizeof k, "d%u.example.pt", i);
    if (get_u32(&m, k) != (long)i) bad++;
    snprintf(k, sizeof k, "e%u.example.pt", i);
    if (get_u32(&m, k) != -1) bad++;
  }
  CHECK_INT(bad, 0);
  /* at most 3/4 full, at least 1/4 after growing */
  CHECK(m.count * 4 <= m.nslots * 3);
  CHECK(m.count * 4 >= m.nslots);
  /* the walk: every entry once, in insertion order */
  size_t pos = 0, n = 0, len;
  const char *key;
  uint32_t expect = 0;
  void *v = hashmap_next(&m, &pos, &key, &len);
  CHECK(v == first && strcmp(key, "first") == 0 && len == 5);
  while ((v = hashmap_next(&m, &pos, &key, &len))) {
    snprintf(k, sizeof k, "d%u.example.pt", expect++);
    if (strcmp(k, key) != 0 || len != strlen(k) || hashmap_key(&m, v, NULL) != key) bad++;
    n++;
  }
  CHECK_INT(n, 300000);
  CHECK_INT(bad, 0);
  CHECK(hashmap_next(&m, &pos, NULL, NULL) == NULL);  /* stays at the end */
  hashmap_free(&m);
}

static int cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Keys whose home slot in a table of `slots` is slot 0, under the test key. */
static int colliding_keys(const hashmap_t *m, size_t slots, char keys[][24], int want) {
  int n = 0;
  for (unsigned i = 0; n < want && i < 50000000; i++) {
    char k[24];
    int l = snprintf(k, sizeof k, "c%u", i);
    if ((h32(m, k, (size_t)l) & (slots - 1)) == 0) memcpy(keys[n++], k, (size_t)l + 1);
  }
  return n;
}

static void test_collisions_and_deletion(void) {
  hashmap_t m;
  hashmap_init_seeded(&m, 4, K0, K1);
  /* 300 keys with one home slot in any table up to 4096 slots: one long probe run. */
  static char keys[300][24];
  CHECK_INT(colliding_keys(&m, 4096, keys, 300), 300);
  for (int i = 0; i < 300; i++) CHECK_INT(put_u32(&m, keys[i], (uint32_t)i), 1);
  CHECK(m.nslots <= 4096);
  CHECK(max_displacement(&m) >= 299);                  /* they really collide */
  int bad = 0;
  for (int i = 0; i < 300; i++) bad += get_u32(&m, keys[i]) != i;
  CHECK_INT(bad, 0);

  /* Every other one out: tombstones inside the run; the rest still found past them. */
  for (int i = 0; i < 300; i += 2) CHECK_INT(hashmap_del(&m, keys[i], strlen(keys[i])), 1);
  CHECK_INT(hashmap_count(&m), 150);
  CHECK(m.tombs > 0);
  for (int i = 0; i < 300; i++) bad += get_u32(&m, keys[i]) != (i % 2 ? i : -1);
  CHECK_INT(bad, 0);
  /* Re-adding takes the first tombstone on the way instead of a new slot. */
  size_t tombs = m.tombs;
  CHECK_INT(put_u32(&m, keys[0], 1000), 1);
  CHECK_INT(m.tombs, tombs - 1);
  CHECK_INT(get_u32(&m, keys[0]), 1000);
  CHECK_INT(put_u32(&m, keys[1], 5), 0);               /* still there, value kept */
  CHECK_INT(get_u32(&m, keys[1]), 1);

  /* Deleting the run's last entry empties it and the tombstones right before it. */
  hashmap_t r;
  hashmap_init_seeded(&r, 4, K0, K1);
  for (int i = 0; i < 8; i++) put_u32(&r, keys[i], (uint32_t)i);   /* slots 0..7 of 16 */
  CHECK_INT(r.nslots, 16);
  for (int i = 4; i < 7; i++) hashmap_del(&r, keys[i], strlen(keys[i]));
  CHECK_INT(r.tombs, 3);
  hashmap_del(&r, keys[7], strlen(keys[7]));
  CHECK_INT(r.tombs, 0);
  CHECK_INT(r.slots[4].ref, 0);
  CHECK_INT(r.slots[7].ref, 0);
  for (int i = 0; i < 8; i++) bad += get_u32(&r, keys[i]) != (i < 4 ? i : -1);
  CHECK_INT(bad, 0);
  /* Churn: add and delete the same keys many times; the table and chunks stay bounded
   * (tombstones dropped by rehashing in place, dead entries by compaction). */
  for (int round = 0; round < 2000; round++) {
    for (int i = 4; i < 12; i++) put_u32(&r, keys[i], (uint32_t)round);
    for (int i = 4; i < 12; i++) hashmap_del(&r, keys[i], strlen(keys[i]));
  }
  CHECK_INT(hashmap_count(&r), 4);
  CHECK(r.nslots <= 64);
  CHECK(hashmap_bytes(&r) <= 64 * sizeof(hashmap_slot_t) + 3 * 4096 * 2);
  for (int i = 0; i < 12; i++) bad += get_u32(&r, keys[i]) != (i < 4 ? i : -1);
  CHECK_INT(bad, 0);
  hashmap_free(&r);

  /* Two keys with the same 32-bit stored hash (birthday search): told apart by bytes. */
  hashmap_t t;
  hashmap_init_seeded(&t, 4, K0, K1);
  enum { N = 1 << 18 };
  uint64_t *hv = malloc(N * sizeof *hv);
  for (uint32_t i = 0; i < N; i++) {
    char k[16];
    int l = snprintf(k, sizeof k, "b%u", i);
    hv[i] = (uint64_t)h32(&t, k, (size_t)l) << 32 | i;
  }
  qsort(hv, N, sizeof *hv, cmp);
  int found = 0;
  for (uint32_t i = 1; i < N && !found; i++) {
    if (hv[i] >> 32 != hv[i - 1] >> 32) continue;
    char a[16], b[16];
    snprintf(a, sizeof a, "b%u", (uint32_t)hv[i - 1]);
    snprintf(b, sizeof b, "b%u", (uint32_t)hv[i]);
    CHECK(h32(&t, a, strlen(a)) == h32(&t, b, strlen(b)));
    CHECK_INT(put_u32(&t, a, 1), 1);
    CHECK_INT(get_u32(&t, b), -1);
    CHECK_INT(put_u32(&t, b, 2), 1);
    CHECK_INT(get_u32(&t, a), 1);
    CHECK_INT(get_u32(&t, b), 2);
    CHECK_INT(hashmap_del(&t, a, strlen(a)), 1);
    CHECK_INT(get_u32(&t, b), 2);
    found = 1;
  }
  CHECK(found);
  free(hv);
  hashmap_free(&t);
  hashmap_free(&m);
}

/* What an attacker who knows an unkeyed hash can do: names that all share one home slot
 * under 32-bit FNV-1a (the old address map's hash) in a table of 4096. Under the keyed hash
 * they are ordinary keys. */
static void test_hostile_keys(void) {
  hashmap_t m;
  hashmap_init(&m, 8);
  int n = 0, bad = 0;
  for (unsigned i = 0; n < 2000 && i < 20000000; i++) {
    char k[24];
    int l = snprintf(k, sizeof k, "mx%u.evil.example", i);
    uint32_t h = 2166136261u;
    for (int j = 0; j < l; j++) { h ^= (uint8_t)k[j]; h *= 16777619u; }
    if ((h & 4095) != 0) continue;
    if (hashmap_put(&m, k, (size_t)l, NULL) != 1) bad++;
    n++;
  }
  CHECK_INT(n, 2000);
  CHECK_INT(bad, 0);
  /* 2000 keys at most 3/4 of 4096 slots: a random hash's worst run is a few dozen. */
  CHECK(max_displacement(&m) < 200);
  hashmap_free(&m);
}

static void test_compaction_and_shrink(void) {
  hashmap_t m;
  hashmap_init(&m, 8);
  char k[32];
  for (int i = 0; i < 100000; i++) {
    int l = snprintf(k, sizeof k, "host%d.example", i);
    void *v;
    hashmap_put(&m, k, (size_t)l, &v);
    uint64_t x = (uint64_t)i * 3;
    memcpy(v, &x, 8);
  }
  size_t big = hashmap_bytes(&m), bigslots = m.nslots;
  int bad = 0;
  for (int i = 0; i < 100000; i++) {
    if (i % 100 == 0) continue;                      /* 1000 stay */
    int l = snprintf(k, sizeof k, "host%d.example", i);
    bad += hashmap_del(&m, k, (size_t)l) != 1;
    bad += !(m.dead <= m.live || m.dead < 4096);     /* compacted on the way */
  }
  CHECK_INT(bad, 0);
  CHECK_INT(hashmap_count(&m), 1000);
  CHECK(m.nslots < bigslots / 16);                    /* shrunk */
  CHECK(hashmap_bytes(&m) < big / 16);
  for (int i = 0; i < 100000; i++) {
    int l = snprintf(k, sizeof k, "host%d.example", i);
    const void *v = hashmap_get(&m, k, (size_t)l);
    uint64_t x = 0;
    if (v) memcpy(&x, v, 8);
    if (i % 100 == 0 ? (!v || x != (uint64_t)i * 3) : v != NULL) bad++;
  }
  CHECK_INT(bad, 0);
  /* the walk keeps insertion order through compaction */
  size_t pos = 0;
  const char *key;
  int expect = 0;
  while (hashmap_next(&m, &pos, &key, NULL)) {
    snprintf(k, sizeof k, "host%d.example", expect);
    bad += strcmp(k, key) != 0;
    expect += 100;
  }
  CHECK_INT(expect, 100000);
  CHECK_INT(bad, 0);
  /* deleting the last entry frees everything */
  for (int i = 0; i < 100000; i += 100) {
    int l = snprintf(k, sizeof k, "host%d.example", i);
    hashmap_del(&m, k, (size_t)l);
  }
  CHECK_INT(hashmap_count(&m), 0);
  CHECK_INT(hashmap_bytes(&m), 0);
  hashmap_free(&m);
}

static void test_alloc_failure(void) {
  hashmap_t m;
  hashmap_init_seeded(&m, 4, K0, K1);
  /* the first put allocates the slots */
  fail_in = 1;
  CHECK_INT(hashmap_put(&m, "a", 1, NULL), -1);
  CHECK_INT(hashmap_count(&m), 0);
  /* then the first chunk */
  fail_in = 2;
  CHECK_INT(hashmap_put(&m, "a", 1, NULL), -1);
  CHECK_INT(hashmap_count(&m), 0);
  CHECK(hashmap_get(&m, "a", 1) == NULL);
  fail_in = 0;
  CHECK_INT(put_u32(&m, "a", 1), 1);
  /* growing the slots fails: the table fills up to one empty slot, then refuses */
  char k[16];
  int i = 1;
  while (m.count < 12) { snprintf(k, sizeof k, "k%d", i); put_u32(&m, k, (uint32_t)i); i++; }
  CHECK_INT(m.nslots, 16);
  fail_always = 1;
  int added = 0, refused = 0;
  for (int j = 0; j < 10; j++) {
    snprintf(k, sizeof k, "x%d", j);
    int rc = put_u32(&m, k, 100 + (uint32_t)j);
    added += rc == 1;
    refused += rc == -1;
  }
  CHECK_INT(added, 3);                          /* 15 of 16 slots */
  CHECK_INT(refused, 7);
  CHECK_INT(m.nslots, 16);
  CHECK_INT(hashmap_count(&m), 15);
  CHECK(hashmap_get(&m, "nowhere", 7) == NULL);  /* a probe still ends */
  CHECK_INT(get_u32(&m, "x2"), 102);
  CHECK_INT(hashmap_del(&m, "x2", 2), 1);        /* deleting needs no memory */
  fail_always = 0;
  CHECK_INT(put_u32(&m, "x9", 109), 1);          /* memory back: grows */
  CHECK(m.nslots > 16);
  int bad = 0;
  for (int j = 1; j < i; j++) { snprintf(k, sizeof k, "k%d", j); bad += get_u32(&m, k) != j; }
  CHECK_INT(bad, 0);

  /* a new chunk cannot be had: refused, nothing changes */
  size_t before = hashmap_count(&m), bytes = hashmap_bytes(&m);
  fail_always = 1;
  static char big[5000];
  memset(big, 'y', sizeof big);
  CHECK_INT(hashmap_put(&m, big, sizeof big, NULL), -1);
  fail_always = 0;
  CHECK_INT(hashmap_count(&m), before);
  CHECK_INT(hashmap_bytes(&m), bytes);
  CHECK(hashmap_get(&m, big, sizeof big) == NULL);
  CHECK_INT(hashmap_put(&m, big, sizeof big, NULL), 1);
  hashmap_free(&m);

  /* compaction without memory: skipped, the map still right */
  hashmap_t c;
  hashmap_init(&c, 8);
  for (int j = 0; j < 2000; j++) { snprintf(k, sizeof k, "c%d", j); hashmap_put(&c, k, strlen(k), NULL); }
  fail_always = 1;
  for (int j = 0; j < 1900; j++) { snprintf(k, sizeof k, "c%d", j); bad += hashmap_del(&c, k, strlen(k)) != 1; }
  fail_always = 0;
  CHECK(c.dead > c.live);                       /* could not compact */
  for (int j = 0; j < 2000; j++) { snprintf(k, sizeof k, "c%d", j); bad += (hashmap_get(&c, k, strlen(k)) != NULL) != (j >= 1900); }
  CHECK_INT(bad, 0);
  snprintf(k, sizeof k, "c%d", 1950);
  hashmap_del(&c, k, strlen(k));                /* memory back: compacts */
  CHECK(c.dead <= c.live);
  CHECK_INT(hashmap_count(&c), 99);
  hashmap_free(&c);
}

int main(void) {
  test_siphash_vector();
  test_basic();
  test_growth();
  test_collisions_and_deletion();
  test_hostile_keys();
  test_compaction_and_shrink();
  test_alloc_failure();
  TEST_MAIN_END();
}
