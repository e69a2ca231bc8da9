/* Address hash table: see addrmap.h. */
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

static uint32_t key_hash(const addrkey_t *k) {
  uint32_t h = 2166136261u;                 /* FNV-1a */
  for (size_t i = 0; i < ADDRKEY_LEN; i++) { h ^= k->b[i]; h *= 16777619u; }
  return h;
}

int addrmap_init(addrmap_t *m, size_t buckets) {
  m->nb = buckets ? buckets : 64;
  m->n = 0;
  m->b = calloc(m->nb, sizeof *m->b);
  return m->b ? 0 : -1;
}

amnode_t *addrmap_find(const addrmap_t *m, const addrkey_t *k) {
  uint32_t h = key_hash(k);
  for (amnode_t *n = m->b[h & (m->nb - 1)]; n; n = n->next)
    if (n->hash == h && memcmp(n->key.b, k->b, ADDRKEY_LEN) == 0) return n;
  return NULL;
}

static void grow(addrmap_t *m) {
  size_t nb = m->nb * 2;
  amnode_t **b = calloc(nb, sizeof *b);
  if (!b) return;
  for (size_t i = 0; i < m->nb; i++) {
    amnode_t *n = m->b[i];
    while (n) {
      amnode_t *next = n->next;
      n->next = b[n->hash & (nb - 1)];
      b[n->hash & (nb - 1)] = n;
      n = next;
    }
  }
  free(m->b);
  m->b = b;
  m->nb = nb;
}

void addrmap_insert(addrmap_t *m, amnode_t *n) {
  if (m->n >= m->nb) grow(m);
  n->hash = key_hash(&n->key);
  amnode_t **slot = &m->b[n->hash & (m->nb - 1)];
  n->next = *slot;
  *slot = n;
  m->n++;
}

void addrmap_remove(addrmap_t *m, amnode_t *n) {
  amnode_t **pp = &m->b[n->hash & (m->nb - 1)];
  while (*pp && *pp != n) pp = &(*pp)->next;
  if (*pp) { *pp = n->next; m->n--; }
  n->next = NULL;
}

void addrmap_destroy(addrmap_t *m, void (*fn)(amnode_t *)) {
  if (!m->b) return;
  for (size_t i = 0; i < m->nb; i++) {
    amnode_t *n = m->b[i];
    while (n) {
      amnode_t *next = n->next;
      if (fn) fn(n);
      n = next;
    }
  }
  free(m->b);
  m->b = NULL;
  m->nb = m->n = 0;
}
