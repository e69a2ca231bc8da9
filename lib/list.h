/* The one intrusive doubly-linked list of mxsurvey (in the manner of libuv's queue.h and
 * Linux's list.h): an item embeds a list_t per list it can be on, a list is a list_t head
 * that the owner embeds; nothing is allocated, so adding and removing cannot fail, and an
 * item is removed in O(1) knowing only the item (LRU lists, FIFOs that lose members from
 * the middle, everything in flight that a close must cancel).
 *
 * The head is circular (a sentinel: head.next is the first item, head.prev the last);
 * an item that is on no list has next == NULL, which calloc gives, so list_linked() needs
 * no initialisation of items. A head must be list_init'ed and must not move while
 * items are on it (it is pointed to).
 *
 * Walking while removing: take the next item before handling the current one
 * (LIST_FOREACH_SAFE), or pop the first item until the list is empty, which is also right
 * when a callback may remove other items. */
#ifndef MXS_LIB_LIST_H
#define MXS_LIB_LIST_H
#include <stdbool.h>
#include <stddef.h>

typedef struct list {
  struct list *next, *prev;
} list_t;

/* The item that embeds node (a list_t) as its member `member`. */
#define list_entry(node, type, member) ((type *)(void *)((char *)(node) - offsetof(type, member)))

static inline void list_init(list_t *head) { head->next = head->prev = head; }

static inline bool list_empty(const list_t *head) { return head->next == head; }

/* Whether an item is on a list (items start zeroed: on none). */
static inline bool list_linked(const list_t *node) { return node->next != NULL; }

static inline void list_insert_tail(list_t *head, list_t *node) {
  node->next = head;
  node->prev = head->prev;
  head->prev->next = node;
  head->prev = node;
}

static inline void list_insert_head(list_t *head, list_t *node) {
  node->prev = head;
  node->next = head->next;
  head->next->prev = node;
  head->next = node;
}

/* Takes node off its list (it must be on one); it is then unlinked (next == NULL). */
static inline void list_remove(list_t *node) {
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->next = node->prev = NULL;
}

/* The first / last item's node, or NULL when the list is empty. */
static inline list_t *list_first(const list_t *head) {
  return head->next == head ? NULL : head->next;
}

static inline list_t *list_last(const list_t *head) {
  return head->prev == head ? NULL : head->prev;
}

/* The node after node on the list headed by head, or NULL after the last. */
static inline list_t *list_next(const list_t *head, const list_t *node) {
  return node->next == head ? NULL : node->next;
}

/* Removes and returns the first node, or NULL when the list is empty. */
static inline list_t *list_pop(list_t *head) {
  list_t *n = list_first(head);
  if (n) list_remove(n);
  return n;
}

/* To the tail (the most recently used end of an LRU list), from wherever it was. */
static inline void list_move_tail(list_t *head, list_t *node) {
  if (list_linked(node)) list_remove(node);
  list_insert_tail(head, node);
}

/* Moves every item of from to the tail of to, in order; from is left empty. */
static inline void list_splice_tail(list_t *to, list_t *from) {
  if (list_empty(from)) return;
  from->next->prev = to->prev;
  to->prev->next = from->next;
  from->prev->next = to;
  to->prev = from->prev;
  list_init(from);
}

/* The item of a node that may be NULL (list_first and friends), or NULL. */
static inline void *list_item_(list_t *node, size_t offset) {
  return node ? (char *)node - offset : NULL;
}
#define list_first_entry(head, type, member) \
  ((type *)list_item_(list_first(head), offsetof(type, member)))
#define list_last_entry(head, type, member) \
  ((type *)list_item_(list_last(head), offsetof(type, member)))
#define list_pop_entry(head, type, member) \
  ((type *)list_item_(list_pop(head), offsetof(type, member)))

/* for (every node n of head), n may be removed (not others) in the body. */
#define LIST_FOREACH_SAFE(n, tmp, head) \
  for ((n) = (head)->next, (tmp) = (n)->next; (n) != (head); (n) = (tmp), (tmp) = (n)->next)

#endif
