/* Streaming input: scan outputs (zstd or plain NDJSON, detected by the zstd magic) cut
 * into batches of whole lines and handed to worker threads through a bounded queue, so
 * memory stays constant whatever the input size. */
#ifndef MXS_REPORT_READER_H
#define MXS_REPORT_READER_H

#include "lib/list.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct batch {
  char *buf;
  size_t len, cap;
  int file;               /* index into the reader's file list */
  uint64_t first_line;    /* line number of buf's first line (1-based) */
  int unterminated;       /* the last line had no newline: end of an unfinished file */
  list_t link;            /* in a queue */
};

struct queue {
  pthread_mutex_t mu;
  pthread_cond_t nonempty, nonfull;
  list_t batches;         /* FIFO */
  int n, max, closed;
  volatile int abort;     /* set by anyone who hit a fatal error */
};

void queue_init(struct queue *q, int max);
void queue_destroy(struct queue *q);
/* Blocks while the queue is full; takes ownership of b. */
void queue_push(struct queue *q, struct batch *b);
/* NULL when the queue is closed and empty. */
struct batch *queue_pop(struct queue *q);
void queue_close(struct queue *q);
void batch_free(struct batch *b);

/* Reads file number idx into the queue. Returns 0, or -1 after printing an error naming
 * the file (and the line, for corrupt data). *bytes is the file's size on disk. A torn
 * last zstd frame is a warning (counted in *warnings), not an error. */
int reader_read(const char *path, int idx, struct queue *q, uint64_t *bytes, uint64_t *warnings);

#endif
