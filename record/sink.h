/* Record sink: where finished NDJSON records go.
 *
 * A path ending in ".zst" is zstd-compressed as a sequence of independent frames, each
 * ended by sink_flush() (and automatically after SINK_FRAME_BYTES of input), so that a
 * reader can decompress everything up to the last completed frame of an unfinished file.
 * "-" or NULL writes plain NDJSON to stdout. Every write error is reported: a short file
 * is never silent. */
#ifndef MXS_RECORD_SINK_H
#define MXS_RECORD_SINK_H
#include <stddef.h>

#define SINK_FRAME_BYTES (1u << 20)

typedef struct sink sink_t;

/* Returns NULL with a message in err on failure (cannot create, permission, ...). */
sink_t *sink_open(const char *path, char *err, size_t errlen);
/* Opens an existing file to go on writing it (--resume): cuts it to its first 'keep'
 * bytes (the whole part, found by resume_read) and appends after them, in the same
 * format as sink_open would choose. Never creates the file; not for stdout. */
sink_t *sink_open_append(const char *path, unsigned long long keep, char *err, size_t errlen);
/* Appends one record; line must not contain '\n' (one is added). 0 ok, -1 error. */
int sink_write(sink_t *s, const char *line, size_t len);
/* Ends the current zstd frame (if any) and pushes everything to the file. 0 ok, -1 error. */
int sink_flush(sink_t *s);
/* Flushes, closes, frees. 0 ok, -1 error (then sink_error() was already set). */
int sink_close(sink_t *s);
/* Same as sink_close, but copies the error text (if any) into err instead of printing an
 * error that arose during the close itself on stderr, as sink_close does. */
int sink_close_err(sink_t *s, char *err, size_t errlen);
/* The last error as text, or NULL. Valid until sink_close. */
const char *sink_error(const sink_t *s);
/* Records written so far. */
unsigned long long sink_count(const sink_t *s);

#endif
