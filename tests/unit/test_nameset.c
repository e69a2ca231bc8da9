/* Name set: add, lookup, values, growth past many rehashes, binary names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nameset.h"
#include "tests/unit/testlib.h"

int main(void) {
  nameset_t *s = nameset_new();
  CHECK(s != NULL);
  CHECK_INT(nameset_add(s, "example.pt", 10, 7), 1);
  CHECK_INT(nameset_add(s, "example.pt", 10, 9), 0);          /* already there */
  uint32_t v = 0;
  CHECK(nameset_get(s, "example.pt", 10, &v));
  CHECK_INT(v, 7);                                              /* the first value stays */
  CHECK(!nameset_get(s, "example.p", 9, NULL));
  CHECK(!nameset_get(s, "example.ptx", 11, NULL));
  CHECK(nameset_set(s, "example.pt", 10, 3));
  CHECK(nameset_get(s, "example.pt", 10, &v) && v == 3);
  CHECK(!nameset_set(s, "absent.pt", 9, 1));
  CHECK_INT(nameset_add(s, "", 0, 1), 1);                       /* the empty name is a name */
  CHECK(nameset_get(s, "", 0, NULL));
  CHECK_INT(nameset_add(s, "a\0b", 3, 1), 1);                   /* bytes, not C strings */
  CHECK(nameset_get(s, "a\0b", 3, NULL));
  CHECK(!nameset_get(s, "a", 1, NULL));
  char big[NAMESET_NAME_MAX + 2];
  memset(big, 'x', sizeof big);
  CHECK_INT(nameset_add(s, big, NAMESET_NAME_MAX + 1, 0), -1);  /* too long: refused */
  CHECK_INT(nameset_add(s, big, NAMESET_NAME_MAX, 0), 1);
  CHECK(nameset_get(s, big, NAMESET_NAME_MAX, NULL));

  /* 300 000 names: many rehashes; every one found with its value, no false positives. */
  char name[64];
  int bad_add = 0, bad_get = 0, false_pos = 0;
  for (uint32_t i = 0; i < 300000; i++) {
    int n = snprintf(name, sizeof name, "d%u.example.pt", i);
    if (nameset_add(s, name, (size_t)n, i) != 1) bad_add++;
  }
  for (uint32_t i = 0; i < 300000; i++) {
    int n = snprintf(name, sizeof name, "d%u.example.pt", i);
    if (!nameset_get(s, name, (size_t)n, &v) || v != i) bad_get++;
    n = snprintf(name, sizeof name, "e%u.example.pt", i);
    if (nameset_get(s, name, (size_t)n, NULL)) false_pos++;
  }
  CHECK_INT(bad_add, 0);
  CHECK_INT(bad_get, 0);
  CHECK_INT(false_pos, 0);
  CHECK_INT(nameset_count(s), 300000 + 4);
  CHECK(nameset_bytes(s) > 0);
  nameset_free(s);
  nameset_free(NULL);
  TEST_MAIN_END();
}
