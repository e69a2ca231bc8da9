/* Token bucket: see tokenbucket.h. */
#include "lib/tokenbucket.h"


#define TB_EPS 1e-9   /* float refill must not make a due token wait one more tick */

double tb_default_burst(double rate) {
  if (rate <= 1) return 1;
  return rate < 10 ? (double)(int)rate : 10;
}

void tb_init(tbucket_t *b, double rate, double burst, uint64_t now_ms) {
  b->rate = rate;
  b->burst = burst > 0 ? (burst < 1 ? 1 : burst) : tb_default_burst(rate);
  b->tokens = b->burst;
  b->last_ms = now_ms;
}

static void refill(tbucket_t *b, uint64_t now_ms) {
  if (now_ms <= b->last_ms) return;
  b->tokens += b->rate * (double)(now_ms - b->last_ms) / 1000.0;
  if (b->tokens > b->burst) b->tokens = b->burst;
  b->last_ms = now_ms;
}

bool tb_take(tbucket_t *b, uint64_t now_ms) {
  if (b->rate <= 0) return true;
  refill(b, now_ms);
  if (b->tokens + TB_EPS < 1) return false;
  b->tokens -= 1;
  return true;
}

uint64_t tb_wait_ms(tbucket_t *b, uint64_t now_ms) {
  if (b->rate <= 0) return 0;
  refill(b, now_ms);
  if (b->tokens + TB_EPS >= 1) return 0;
  double ms = (1 - b->tokens) * 1000.0 / b->rate;
  uint64_t whole = (uint64_t)ms;
  if ((double)whole < ms) whole++;          /* round up: never wake before the token */
  return whole < 1 ? 1 : whole;
}
