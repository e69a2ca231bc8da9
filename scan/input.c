/* The input reader (see input.h). One buffer of IN_BUF bytes; what is left of it is
 * moved to the front before each read, so a line is always contiguous. */
#include "scan/input.h"

#include <string.h>

static void on_read(uv_fs_t *req) {
  input_t *in = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  in->reading = false;
  if (n == 0) in->eof = true;
  else if (n > 0) in->len += (size_t)n;
  in->cb(in, n);
}

void input_init(input_t *in, uv_loop_t *loop, int fd, input_cb cb, void *data) {
  in->fd = fd;
  in->loop = loop;
  in->cb = cb;
  in->data = data;
  in->len = in->pos = 0;
  in->reading = in->eof = in->discard = false;
}

static const char *next_line(input_t *in, size_t *len, bool *complete) {
  char *b = in->buf + in->pos;
  size_t avail = in->len - in->pos;
  char *nl = memchr(b, '\n', avail);
  if (!nl && in->pos == 0 && in->len == IN_BUF) {
    /* A line longer than the buffer is no domain name: keep its start (which is judged
     * invalid) and drop the rest up to the next newline. */
    in->pos = in->len;
    *len = avail;
    *complete = false;
    return b;
  }
  *complete = true;
  if (!nl && in->eof && avail > 0) {   /* last line without a newline */
    in->pos = in->len;
    *len = avail;
    return b;
  }
  if (!nl) return NULL;
  in->pos += (size_t)(nl - b) + 1;
  *len = (size_t)(nl - b) + 1;
  return b;
}

const char *input_line(input_t *in, size_t *len, bool *complete) {
  const char *line;
  while ((line = next_line(in, len, complete))) {
    if (in->discard) {             /* the rest of an over-long line */
      in->discard = !*complete;
      continue;
    }
    in->discard = !*complete;
    return line;
  }
  return NULL;
}

int input_read(input_t *in) {
  memmove(in->buf, in->buf + in->pos, in->len - in->pos);
  in->len -= in->pos;
  in->pos = 0;
  uv_buf_t b = uv_buf_init(in->buf + in->len, (unsigned)(IN_BUF - in->len));
  in->req.data = in;
  int rc = uv_fs_read(in->loop, &in->req, in->fd, &b, 1, -1, on_read);
  if (rc == 0) in->reading = true;
  return rc;
}
