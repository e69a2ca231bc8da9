/* A map of IP addresses or prefixes to the caller's entries, intrusive in the sense that
 * the caller embeds amnode_t (the key) in its own entry and owns that memory; the map
 * holds a pointer per key. A typed face on lib/hashmap (keyed hash: addresses are chosen
 * by whoever controls DNS). Used for per-address and per-prefix state that comes and goes
 * over a long scan (entries are removed when idle), so lookups stay O(1) with hundreds of
 * thousands of distinct addresses and memory follows what is held now. */
#ifndef MXS_POLITE_ADDRMAP_H
#define MXS_POLITE_ADDRMAP_H
#include <stddef.h>
#include <stdint.h>
#include "lib/hashmap.h"

#define ADDRKEY_LEN 17

typedef struct addrkey {
  uint8_t b[ADDRKEY_LEN];   /* [0] = 4 or 6, then the address masked to the prefix */
} addrkey_t;

/* family AF_INET (addr[0..3]) or AF_INET6; bits: prefix length kept (32/128: the address
 * itself, 24: its IPv4 /24, 48: its IPv6 /48). Returns 0, or -1 for a bad family. */
int addrkey_make(addrkey_t *k, int family, const uint8_t addr[16], unsigned bits);

typedef struct amnode {
  addrkey_t key;
} amnode_t;

typedef struct addrmap {
  hashmap_t map;            /* key -> amnode_t * */
} addrmap_t;

void addrmap_init(addrmap_t *m);
amnode_t *addrmap_find(const addrmap_t *m, const addrkey_t *k);
/* Inserts a node whose key is set (not already present): 0, or -1 out of memory (the
 * node is then not in the map). */
int addrmap_insert(addrmap_t *m, amnode_t *n);
void addrmap_remove(addrmap_t *m, amnode_t *n);
size_t addrmap_count(const addrmap_t *m);
/* Removes every node, calling fn on each (which may free it), and frees the map. */
void addrmap_destroy(addrmap_t *m, void (*fn)(amnode_t *));

#endif
