/* A hash table of IP addresses or prefixes, intrusive (the caller embeds amnode_t in its
 * own entry and owns the memory), chained, doubling as it fills. Used for per-address and
 * per-prefix state that comes and goes over a long scan (entries are removed when idle),
 * so lookups stay O(1) with hundreds of thousands of distinct addresses. */
#ifndef MXS_POLITE_ADDRMAP_H
#define MXS_POLITE_ADDRMAP_H
#include <stddef.h>
#include <stdint.h>

#define ADDRKEY_LEN 17

typedef struct addrkey {
  uint8_t b[ADDRKEY_LEN];   /* [0] = 4 or 6, then the address masked to the prefix */
} addrkey_t;

/* family AF_INET (addr[0..3]) or AF_INET6; bits: prefix length kept (32/128: the address
 * itself, 24: its IPv4 /24, 48: its IPv6 /48). Returns 0, or -1 for a bad family. */
int addrkey_make(addrkey_t *k, int family, const uint8_t addr[16], unsigned bits);

typedef struct amnode {
  struct amnode *next;
  uint32_t hash;
  addrkey_t key;
} amnode_t;

typedef struct addrmap {
  amnode_t **b;
  size_t nb, n;
} addrmap_t;

int addrmap_init(addrmap_t *m, size_t buckets);   /* buckets: a power of two; -1 on OOM */
amnode_t *addrmap_find(const addrmap_t *m, const addrkey_t *k);
/* Inserts a node whose key is set (not already present). Growing may fail silently on
 * OOM: the table then just gets longer chains. */
void addrmap_insert(addrmap_t *m, amnode_t *n);
void addrmap_remove(addrmap_t *m, amnode_t *n);
/* Removes every node, calling fn on each (which may free it), and frees the buckets. */
void addrmap_destroy(addrmap_t *m, void (*fn)(amnode_t *));

#endif
