/* The domain list, read in chunks by libuv's thread pool (uv_fs_read), so that a slow
 * pipe never blocks the loop; lines are cut out of one buffer as the pipeline has room. */
#ifndef MXS_SCAN_INPUT_H
#define MXS_SCAN_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define IN_BUF 65536       /* input buffer: the longest line considered */

typedef struct input input_t;
/* A read ended: n bytes added (0: end of input), or n < 0 a libuv error. */
typedef void (*input_cb)(input_t *in, ssize_t n);

struct input {
  int fd;
  uv_loop_t *loop;
  uv_fs_t req;
  input_cb cb;
  void *data;                     /* the owner's */
  char buf[IN_BUF];
  size_t len, pos;
  bool reading, eof, discard;
};

void input_init(input_t *in, uv_loop_t *loop, int fd, input_cb cb, void *data);
/* The next line (len bytes, newline included when there is one), or NULL: more input is
 * needed (input_read) or the input is over (in->eof). *complete is false for the start
 * of a line longer than the buffer; its rest is skipped by the next calls. */
const char *input_line(input_t *in, size_t *len, bool *complete);
/* Starts a read into the buffer's free room. 0 started (cb follows, from the loop), or a
 * libuv error. Not while a read is in flight. */
int input_read(input_t *in);

#endif
