/* Address map: see addrmap.h. The keys are the 17 bytes of addrkey_t; the value is the
 * node's pointer. */
#include "polite/addrmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int addrkey_make(addrkey_t *k, int family, const uint8_t addr[16], unsigned bits) {
  unsigned len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
  if (!len) return -1;
  if (bits > len * 8) bits = len * 8;
  memset(k, 0, sizeof *k);
  k->b[0] = family == AF_INET ? 4 : 6;
  unsigned full = bits / 8, rest = bits % 8;
  memcpy(k->b + 1, addr, full);
  if (rest) k->b[1 + full] = (uint8_t)(addr[full] & (0xff << (8 - rest)));
  return 0;
}

void addrmap_init(addrmap_t *m) { hashmap_init(&m->map, sizeof(amnode_t *)); }

amnode_t *addrmap_find(const addrmap_t *m, const addrkey_t *k) {
  amnode_t *const *v = hashmap_get(&m->map, k->b, ADDRKEY_LEN);
  return v ? *v : NULL;
}

int addrmap_insert(addrmap_t *m, amnode_t *n) {
  void *v;
  if (hashmap_put(&m->map, n->key.b, ADDRKEY_LEN, &v) < 0) return -1;
  memcpy(v, &n, sizeof n);
  return 0;
}

void addrmap_remove(addrmap_t *m, amnode_t *n) {
  /* Only this very node: a different node with the same key is not removed. */
  if (addrmap_find(m, &n->key) == n) hashmap_del(&m->map, n->key.b, ADDRKEY_LEN);
}

size_t addrmap_count(const addrmap_t *m) { return hashmap_count(&m->map); }

void addrmap_destroy(addrmap_t *m, void (*fn)(amnode_t *)) {
  size_t pos = 0;
  amnode_t **v;
  while (fn && (v = hashmap_next(&m->map, &pos, NULL, NULL))) fn(*v);
  hashmap_free(&m->map);
}
