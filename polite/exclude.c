/* Exclusions. See exclude.h for the contract.
 *
 * Names live in a name set (value: index of the reason), so an input domain costs one
 * lookup per label. Ranges are a plain list checked in order: an opt-out list holds
 * hundreds or thousands of prefixes, and each check happens once per address probed, next
 * to a TCP handshake. */
#include "polite/exclude.h"
#include "polite/addrpolicy.h"
#include "lib/domain.h"
#include "lib/nameset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct xrange {
  cidr_t net;
  uint32_t reason;
} xrange_t;

struct exclude {
  nameset_t *names;
  xrange_t *ranges;
  size_t nranges, capranges;
  char **reasons;
  size_t nreasons, capreasons;
};

exclude_t *exclude_new(void) {
  exclude_t *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->names = nameset_new();
  if (!x->names) { free(x); return NULL; }
  return x;
}

void exclude_free(exclude_t *x) {
  if (!x) return;
  nameset_free(x->names);
  for (size_t i = 0; i < x->nreasons; i++) free(x->reasons[i]);
  free(x->reasons);
  free(x->ranges);
  free(x);
}

static int add_reason(exclude_t *x, const char *origin, unsigned long lineno, uint32_t *idx) {
  if (x->nreasons == x->capreasons) {
    size_t cap = x->capreasons ? 2 * x->capreasons : 16;
    char **n = realloc(x->reasons, cap * sizeof *n);
    if (!n) return -1;
    x->reasons = n;
    x->capreasons = cap;
  }
  char buf[600];
  snprintf(buf, sizeof buf, "excluded by %s:%lu", origin, lineno);
  if (!(x->reasons[x->nreasons] = strdup(buf))) return -1;
  *idx = (uint32_t)x->nreasons++;
  return 0;
}

static bool ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int exclude_add_line(exclude_t *x, const char *origin, unsigned long lineno,
                     const char *line, size_t len, char *err, size_t errlen) {
  const char *hash = memchr(line, '#', len);
  if (hash) len = (size_t)(hash - line);
  size_t b = 0, e = len;
  while (b < e && ws(line[b])) b++;
  while (e > b && ws(line[e - 1])) e--;
  if (b == e) return 0;
  for (size_t i = b; i < e; i++)
    if (ws(line[i])) { snprintf(err, errlen, "one entry per line"); return -1; }
  char tok[EXCLUDE_LINE_MAX];
  if (e - b >= sizeof tok) { snprintf(err, errlen, "entry too long"); return -1; }
  memcpy(tok, line + b, e - b);
  tok[e - b] = '\0';

  uint32_t idx;
  xrange_t r;
  if (strpbrk(tok, ":/") || strspn(tok, "0123456789.") == strlen(tok)) {
    /* Looks like an address or a range: it must parse as one. */
    if (cidr_parse(tok, &r.net.family, r.net.addr, &r.net.prefix) < 0) {
      snprintf(err, errlen, "'%s' is not an address or CIDR", tok);
      return -1;
    }
    if (x->nranges == x->capranges) {
      size_t cap = x->capranges ? 2 * x->capranges : 16;
      xrange_t *n = realloc(x->ranges, cap * sizeof *n);
      if (!n) { snprintf(err, errlen, "out of memory"); return -1; }
      x->ranges = n;
      x->capranges = cap;
    }
    if (add_reason(x, origin, lineno, &idx) < 0) { snprintf(err, errlen, "out of memory"); return -1; }
    r.reason = idx;
    x->ranges[x->nranges++] = r;
    return 0;
  }
  char name[DOMAIN_MAX];
  const char *why = NULL;
  if (domain_normalize(tok, strlen(tok), name, &why) != DOMAIN_OK) {
    snprintf(err, errlen, "'%s' is not a domain name, address or CIDR (%s)", tok, why ? why : "?");
    return -1;
  }
  if (nameset_get(x->names, name, strlen(name), NULL)) return 0;   /* the first line wins */
  if (add_reason(x, origin, lineno, &idx) < 0 ||
      nameset_add(x->names, name, strlen(name), idx) < 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

int exclude_load(exclude_t *x, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
  /* Read a byte at a time into a fixed buffer: getline would grow a line from /dev/zero
   * without end. Every bound is checked as the bytes arrive. */
  char line[EXCLUDE_LINE_MAX + 1];
  size_t len = 0;
  unsigned long long bytes = 0;
  unsigned long lineno = 0;
  int rc = 0, ch;
  char why[512];
  flockfile(f);
  for (;;) {
    ch = getc_unlocked(f);
    if (ch == EOF && len == 0) break;
    if (ch != EOF) {
      if (++bytes > EXCLUDE_BYTES_MAX) {
        snprintf(err, errlen, "%s: more than %u MiB; an exclude file may have at most that", path,
                 EXCLUDE_BYTES_MAX >> 20);
        rc = -1;
        break;
      }
      if (ch != '\n') {
        if (len == EXCLUDE_LINE_MAX) {
          snprintf(err, errlen, "%s:%lu: line longer than %u bytes", path, lineno + 1, EXCLUDE_LINE_MAX);
          rc = -1;
          break;
        }
        line[len++] = (char)ch;
        continue;
      }
    }
    if (++lineno > EXCLUDE_LINES_MAX) {
      snprintf(err, errlen, "%s: more than %u lines; an exclude file may have at most that", path,
               EXCLUDE_LINES_MAX);
      rc = -1;
      break;
    }
    if (exclude_add_line(x, path, lineno, line, len, why, sizeof why) < 0) {
      snprintf(err, errlen, "%s:%lu: %s", path, lineno, why);
      rc = -1;
      break;
    }
    len = 0;
    if (ch == EOF) break;
  }
  if (rc == 0 && ferror(f)) {
    snprintf(err, errlen, "reading %s: %s", path, strerror(errno));
    rc = -1;
  }
  funlockfile(f);
  fclose(f);
  return rc;
}

const char *exclude_domain(const exclude_t *x, const char *name) {
  if (!x || !name) return NULL;
  const char *p = name;
  for (;;) {
    uint32_t idx;
    if (nameset_get(x->names, p, strlen(p), &idx)) return x->reasons[idx];
    const char *dot = strchr(p, '.');
    if (!dot) return NULL;
    p = dot + 1;
  }
}

const char *exclude_addr(const exclude_t *x, int family, const uint8_t *addr) {
  if (!x || !addr) return NULL;
  bool v4m = family == AF_INET6 && addr_is_v4_mapped(addr);
  for (size_t i = 0; i < x->nranges; i++) {
    const xrange_t *r = &x->ranges[i];
    if (cidr_contains(&r->net, family, addr) || (v4m && cidr_contains(&r->net, AF_INET, addr + 12)))
      return x->reasons[r->reason];
  }
  return NULL;
}

size_t exclude_count(const exclude_t *x) {
  return x ? nameset_count(x->names) + x->nranges : 0;
}
