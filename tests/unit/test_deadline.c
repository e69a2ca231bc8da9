/* Deadlines (net/deadline.h) on a real loop with a socketpair: what became readable
 * before the loop looked again is read before a deadline that passed meanwhile expires,
 * both when the loop was only a little late and when it did not run for longer than
 * DEADLINE_STALL_MS (the shape of SIGSTOP/SIGCONT: a callback that sleeps stands for the
 * process not running); a deadline with nothing to read still expires, exactly once; a
 * stopped or closed deadline never calls back. */
#include "net/deadline.h"
#include "testlib.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static uv_loop_t loop;
static uv_poll_t reader;
static int fds[2];
static deadline_t dl;
static uv_timer_t writer;
static int expired, got_data;
static uint64_t t_start, t_expired;
static unsigned sleep_ms;

static void on_expire(uv_timer_t *t) {
  CHECK(t == &dl.timer);
  expired++;
  t_expired = uv_now(&loop);
  uv_poll_stop(&reader);
}

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)status; (void)events;
  char c;
  if (read(fds[0], &c, 1) == 1) got_data++;
  deadline_stop(&dl);         /* the answer came: the deadline is over */
  uv_poll_stop(p);
}

/* After a poll (the loop was waiting, as a process mostly is when SIGSTOP comes): the
 * peer's answer arrives, then the process does not run for sleep_ms. The next turn of the
 * loop finds the deadline passed, with the answer waiting. */
static uv_check_t stall;
static bool answer_too;
static void on_stall(uv_check_t *h) {
  uv_check_stop(h);
  if (answer_too) CHECK_INT(write(fds[1], "x", 1), 1);
  usleep(sleep_ms * 1000);
}

static void on_writer(uv_timer_t *t) {
  (void)t;
  uv_check_start(&stall, on_stall);
}

static void run_case(unsigned stall_ms, bool answer, uint64_t timeout_ms) {
  CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  uv_poll_init(&loop, &reader, fds[0]);
  uv_poll_start(&reader, UV_READABLE, on_readable);
  deadline_init(&loop, &dl);
  uv_timer_init(&loop, &writer);
  uv_check_init(&loop, &stall);
  answer_too = answer;
  expired = got_data = 0;
  sleep_ms = stall_ms;
  uv_update_time(&loop);
  t_start = uv_now(&loop);
  deadline_start(&dl, on_expire, timeout_ms);
  /* 5 ms in, before the deadline: the stall then carries the loop past it. */
  uv_timer_start(&writer, on_writer, 5, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  deadline_close(&dl, NULL);
  uv_close((uv_handle_t *)&writer, NULL);
  uv_close((uv_handle_t *)&stall, NULL);
  uv_close((uv_handle_t *)&reader, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  close(fds[0]);
  close(fds[1]);
}

static int stopped_called;
static void on_stopped(uv_timer_t *t) { (void)t; stopped_called++; }
static deadline_t a, b;
static void on_a(uv_timer_t *t) {   /* expires first and stops b, due in the same turn */
  (void)t;
  stopped_called += 100;
  deadline_stop(&b);
}

int main(void) {
  uv_loop_init(&loop);

  /* The deadlines are 200 ms and the answer is written at 5 ms: a loaded machine (the
   * test runs beside whole builds in CI) may start the writer late, but not by 195 ms;
   * at a 20 ms deadline it sometimes did, and the deadline then rightly expired first. */
  /* 1. A little late (400 ms, less than a stall): the answer is read, no expiry. */
  run_case(400, true, 200);
  CHECK_INT(got_data, 1);
  CHECK_INT(expired, 0);
  CHECK_INT(deadline_restarts(), 0);

  /* 2. The process did not run for 1.5 s, past the 200 ms deadline: the answer that came
   *    meanwhile is read; the deadline was started again once, and never expired. */
  run_case(DEADLINE_STALL_MS + 500, true, 200);
  CHECK_INT(got_data, 1);
  CHECK_INT(expired, 0);
  CHECK_INT(deadline_restarts(), 1);

  /* 3. Same stall, no answer: expires once, a full timeout after the loop ran again. */
  run_case(DEADLINE_STALL_MS + 500, false, 300);
  CHECK_INT(got_data, 0);
  CHECK_INT(expired, 1);
  CHECK_INT(deadline_restarts(), 2);
  CHECK(t_expired - t_start >= DEADLINE_STALL_MS + 500 + 300);

  /* 4. No stall, no answer: expires once, on time. */
  run_case(0, false, 30);
  CHECK_INT(expired, 1);
  CHECK(t_expired - t_start >= 30 && t_expired - t_start < DEADLINE_STALL_MS);
  CHECK_INT(deadline_restarts(), 2);

  /* 5. Two deadlines due in the same turn; the first one's callback stops the second:
   *    the second never calls back. A stopped deadline never calls back. */
  deadline_init(&loop, &a);
  deadline_init(&loop, &b);
  deadline_t c;
  deadline_init(&loop, &c);
  stopped_called = 0;
  deadline_start(&a, on_a, 10);
  deadline_start(&b, on_stopped, 10);
  deadline_start(&c, on_stopped, 10);
  deadline_stop(&c);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(stopped_called, 100);
  deadline_close(&a, NULL);
  deadline_close(&b, NULL);
  deadline_close(&c, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);

  CHECK_INT(uv_loop_close(&loop), 0);   /* nothing of the deadlines' left open */
  TEST_MAIN_END();
}
