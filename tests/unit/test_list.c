/* lib/list.h: every function and macro; the order of items after each operation is
 * checked against the expected sequence, in both directions (a broken prev link shows
 * only when walking backwards). */
#include <stdlib.h>

#include "lib/list.h"
#include "tests/unit/testlib.h"

typedef struct item {
  int v;
  list_t link;             /* not the first member: list_entry must subtract the offset */
} item_t;

/* The list as a string of digits, forwards; and checks the backward walk agrees. */
static const char *seq(const list_t *h) {
  static char buf[64];
  size_t n = 0;
  for (list_t *p = list_first(h); p && n < sizeof buf - 1; p = list_next(h, p))
    buf[n++] = (char)('0' + list_entry(p, item_t, link)->v);
  buf[n] = '\0';
  size_t k = n;
  for (list_t *p = h->prev; p != h; p = p->prev)
    if (k == 0 || buf[--k] != '0' + list_entry(p, item_t, link)->v) return "(prev links broken)";
  return k == 0 ? buf : "(prev links broken)";
}

int main(void) {
  list_t h;
  list_init(&h);
  CHECK(list_empty(&h));
  CHECK(list_first(&h) == NULL);
  CHECK(list_last(&h) == NULL);
  CHECK(list_pop(&h) == NULL);
  CHECK(list_first_entry(&h, item_t, link) == NULL);
  CHECK(list_last_entry(&h, item_t, link) == NULL);
  CHECK(list_pop_entry(&h, item_t, link) == NULL);
  CHECK_STR(seq(&h), "");

  item_t *it = calloc(10, sizeof *it);
  for (int i = 0; i < 10; i++) it[i].v = i;
  CHECK(!list_linked(&it[0].link));          /* zeroed: on no list */

  list_insert_tail(&h, &it[1].link);
  list_insert_tail(&h, &it[2].link);
  list_insert_head(&h, &it[0].link);
  list_insert_tail(&h, &it[3].link);
  CHECK_STR(seq(&h), "0123");
  CHECK(!list_empty(&h));
  CHECK(list_linked(&it[2].link));
  CHECK(list_first_entry(&h, item_t, link) == &it[0]);
  CHECK(list_last_entry(&h, item_t, link) == &it[3]);
  CHECK(list_next(&h, &it[3].link) == NULL);
  CHECK(list_next(&h, &it[1].link) == &it[2].link);

  list_remove(&it[2].link);                  /* from the middle */
  CHECK(!list_linked(&it[2].link));
  CHECK_STR(seq(&h), "013");
  list_remove(&it[0].link);                  /* the first */
  list_remove(&it[3].link);                  /* the last */
  CHECK_STR(seq(&h), "1");
  list_remove(&it[1].link);
  CHECK(list_empty(&h));
  CHECK_STR(seq(&h), "");

  for (int i = 0; i < 5; i++) list_insert_tail(&h, &it[i].link);
  list_move_tail(&h, &it[1].link);           /* LRU touch of a linked item */
  CHECK_STR(seq(&h), "02341");
  list_move_tail(&h, &it[1].link);           /* already the last */
  CHECK_STR(seq(&h), "02341");
  list_move_tail(&h, &it[7].link);           /* not linked yet */
  CHECK_STR(seq(&h), "023417");
  CHECK(list_pop_entry(&h, item_t, link) == &it[0]);
  CHECK(!list_linked(&it[0].link));
  CHECK(list_pop(&h) == &it[2].link);
  CHECK_STR(seq(&h), "3417");

  list_t other;
  list_init(&other);
  list_splice_tail(&h, &other);              /* nothing to move */
  CHECK_STR(seq(&h), "3417");
  list_insert_tail(&other, &it[8].link);
  list_insert_tail(&other, &it[9].link);
  list_splice_tail(&h, &other);
  CHECK_STR(seq(&h), "341789");
  CHECK(list_empty(&other));
  CHECK_STR(seq(&other), "");
  list_t empty;
  list_init(&empty);
  list_splice_tail(&empty, &h);              /* into an empty list */
  CHECK_STR(seq(&empty), "341789");
  CHECK(list_empty(&h));

  /* removing every other item while walking */
  list_t *n, *tmp;
  LIST_FOREACH_SAFE(n, tmp, &empty) {
    item_t *x = list_entry(n, item_t, link);
    if (x->v % 2) list_remove(n);
  }
  CHECK_STR(seq(&empty), "48");
  int count = 0;
  LIST_FOREACH_SAFE(n, tmp, &empty) { list_remove(n); count++; }
  CHECK_INT(count, 2);
  CHECK(list_empty(&empty));
  free(it);
  TEST_MAIN_END();
}
