/* A token bucket: at most `burst` events at once, `rate` per second on average.
 *
 * Pure arithmetic on a caller-supplied clock in milliseconds (uv_now), so that rate limits
 * are unit-tested without timers. rate <= 0 means unlimited. */
#ifndef MXS_LIB_TOKENBUCKET_H
#define MXS_LIB_TOKENBUCKET_H
#include <stdbool.h>
#include <stdint.h>

typedef struct tbucket {
  double rate;       /* tokens per second; <= 0: unlimited */
  double burst;      /* bucket depth, >= 1 */
  double tokens;
  uint64_t last_ms;
} tbucket_t;

/* The depth used when none is given: 10 tokens, or fewer when the rate is lower than 10/s
 * (then one second's worth), never less than 1. Small on purpose: a long-run rate limit
 * should not allow a large instant burst. */
double tb_default_burst(double rate);

/* Starts full. burst <= 0: tb_default_burst(rate). */
void tb_init(tbucket_t *b, double rate, double burst, uint64_t now_ms);
/* Takes one token if there is one. */
bool tb_take(tbucket_t *b, uint64_t now_ms);
/* Milliseconds until a token is available (0: now). */
uint64_t tb_wait_ms(tbucket_t *b, uint64_t now_ms);

#endif
