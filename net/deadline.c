/* Deadlines expired after the loop's next poll: see deadline.h for why. */
#include "net/deadline.h"

#include <stdlib.h>

/* One list of due deadlines per loop (mxsurvey has one loop; the tests make their own),
 * and the check/idle pair that expires them, allocated while the list is not empty. */
typedef struct hub {
  uv_check_t check;
  uv_idle_t idle;
  int open;                  /* handles not yet closed */
} hub_t;

typedef struct loopdue {
  uv_loop_t *loop;
  list_t due;                /* deadline_t, in the order they fired */
  hub_t *hub;
} loopdue_t;

#define MAX_LOOPS 8
static loopdue_t loops[MAX_LOOPS];
static unsigned long restarts;

unsigned long deadline_restarts(void) { return restarts; }

static loopdue_t *loopdue(uv_loop_t *loop) {
  loopdue_t *free_slot = NULL;
  for (size_t i = 0; i < MAX_LOOPS; i++) {
    if (loops[i].loop == loop) return &loops[i];
    if (!loops[i].loop && !free_slot) free_slot = &loops[i];
  }
  if (free_slot) {
    free_slot->loop = loop;
    list_init(&free_slot->due);
  }
  return free_slot;
}

static void unlink_due(deadline_t *dl) {
  if (!dl->is_due) return;
  list_remove(&dl->link);
  dl->is_due = false;
}

static void on_hub_close(uv_handle_t *h) {
  hub_t *hub = h->data;
  if (--hub->open == 0) free(hub);
}

static void hub_release(loopdue_t *ld) {
  if (!ld->hub) return;
  uv_close((uv_handle_t *)&ld->hub->check, on_hub_close);
  uv_close((uv_handle_t *)&ld->hub->idle, on_hub_close);
  ld->hub = NULL;
}

static void on_idle(uv_idle_t *h) { (void)h; }  /* only keeps the poll from blocking */

/* After the poll: what was readable has been read; expire what is still due. The owner's
 * callback may stop, close or start any deadline, so the head is taken again each time. */
static void on_check(uv_check_t *h) {
  loopdue_t *ld = loopdue(h->loop);
  deadline_t *dl;
  while ((dl = list_first_entry(&ld->due, deadline_t, link))) {
    unlink_due(dl);
    dl->cb(&dl->timer);
  }
  hub_release(ld);
}

static void on_fire(uv_timer_t *t) {
  deadline_t *dl = (deadline_t *)t;
  uint64_t now = uv_now(t->loop);
  if (!dl->restarted && now >= dl->due + DEADLINE_STALL_MS) {
    dl->restarted = true;
    restarts++;
    dl->due = now + dl->timeout;
    uv_timer_start(&dl->timer, on_fire, dl->timeout, 0);
    return;
  }
  loopdue_t *ld = loopdue(t->loop);
  if (!ld) { dl->cb(t); return; }           /* more loops than slots: a plain timer */
  if (!ld->hub) {
    hub_t *hub = malloc(sizeof *hub);
    if (!hub) { dl->cb(t); return; }
    uv_check_init(t->loop, &hub->check);
    uv_idle_init(t->loop, &hub->idle);
    hub->check.data = hub->idle.data = hub;
    hub->open = 2;
    uv_check_start(&hub->check, on_check);
    uv_idle_start(&hub->idle, on_idle);
    ld->hub = hub;
  }
  list_insert_tail(&ld->due, &dl->link);
  dl->is_due = true;
}

void deadline_init(uv_loop_t *loop, deadline_t *dl) {
  uv_timer_init(loop, &dl->timer);
  dl->cb = NULL;
  dl->timeout = dl->due = 0;
  dl->restarted = dl->is_due = false;
  dl->link.next = dl->link.prev = NULL;
}

void deadline_start(deadline_t *dl, uv_timer_cb cb, uint64_t ms) {
  deadline_stop(dl);
  dl->cb = cb;
  dl->timeout = ms;
  dl->due = uv_now(dl->timer.loop) + ms;
  dl->restarted = false;
  uv_timer_start(&dl->timer, on_fire, ms, 0);
}

void deadline_stop(deadline_t *dl) {
  uv_timer_stop(&dl->timer);
  unlink_due(dl);
}

void deadline_close(deadline_t *dl, uv_close_cb close_cb) {
  deadline_stop(dl);
  uv_close((uv_handle_t *)&dl->timer, close_cb);
}
