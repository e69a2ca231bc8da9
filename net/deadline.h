/* Deadlines that do not expire before what already arrived has been read.
 *
 * A deadline is a one-shot uv_timer with two rules on top:
 *  - When its timer fires it is not expired at once but after the loop's next I/O poll
 *    (a uv_check runs after the poll phase; a uv_idle keeps that poll from blocking).
 *    libuv runs timers first in each loop iteration, so a plain timer would expire before
 *    the answer that came in the same instant is read.
 *  - When its timer fires more than DEADLINE_STALL_MS late, the process did not run when
 *    it was due (SIGSTOP/SIGCONT, a paused VM, a debugger, a suspended laptop, or a loop
 *    blocked that long): the time it measured is not time the peer had to answer while we
 *    watched, and what the peer sent meanwhile may still be on its way to us (libunbound's
 *    thread was stopped too and must still read and validate its answers). The deadline
 *    then starts again with its full timeout, once; the peer's answer, already there,
 *    ends it within milliseconds.
 * Used by the DNS query deadlines (net/dns.c), the PTR lookups' timer
 * (net/rdns.c) and the SMTP/TLS stage deadlines (smtp/smtp_probe.c).
 *
 * Ownership: the owner embeds the deadline_t, sets timer.data for its callback, and
 * closes it with deadline_close (never uv_close on the timer directly: the deadline may
 * be waiting in the loop's list of due deadlines). */
#ifndef MXS_NET_DEADLINE_H
#define MXS_NET_DEADLINE_H
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "lib/list.h"

#define DEADLINE_STALL_MS 1000

typedef struct deadline deadline_t;
struct deadline {
  uv_timer_t timer;          /* timer.data is the owner's; cb gets &timer */
  uv_timer_cb cb;
  uint64_t timeout, due;     /* ms, loop time */
  bool restarted;            /* already started again after a stall */
  bool is_due;               /* in the loop's due list, to expire after the next poll */
  list_t link;               /* in the due list */
};

void deadline_init(uv_loop_t *loop, deadline_t *dl);
/* (Re)starts: cb(&dl->timer) after ms milliseconds, by the rules above. */
void deadline_start(deadline_t *dl, uv_timer_cb cb, uint64_t ms);
void deadline_stop(deadline_t *dl);
/* Stops and closes the timer; close_cb gets (uv_handle_t *)&dl->timer. */
void deadline_close(deadline_t *dl, uv_close_cb close_cb);
/* Deadlines that fired, by the stall rule, and were started again (for tests). */
unsigned long deadline_restarts(void);

#endif
