/* Resume reader: what an existing output file already holds.
 *
 * Reads a file written by the sink (zstd frames or plain NDJSON) from the start and finds
 * the whole part of it: the end of the last complete zstd frame whose content ends with a
 * newline, or (plain) the end of the last complete line. For every record line in that
 * part it hands the value of the record's "domain" member to a callback. What follows the
 * whole part is a torn tail left by a crash or kill -9: the caller truncates it before
 * appending, or the appended frames would follow garbage and `zstd -d` would stop there.
 *
 * The file is treated as outside data (it may be torn, tampered with or not ours): every
 * length is bounded, a frame's names are handed over only once the frame has decoded
 * completely (with its checksum), and nothing is ever called a torn tail unless it
 * follows at least one whole record of ours. A record of ours is a complete line that
 * starts as scan.c write_record writes it, {"domain":"<non-empty string>",
 * optionally "input":"<string>", then "status":"<token of a-z 0-9 ->" and ',' or '}',
 * JSON white space allowed between those tokens, and that ends with '}'
 * (resume_is_record). The file is refused (and must be left as it
 * is) when its first line (zstd: its first frame) is not such a record, when a whole line
 * (zstd: a frame that decodes completely) is not, or when the tail is longer than
 * RESUME_TAIL_MAX: a crash tears at most the frame being written. An empty file is fine. */
#ifndef MXS_RECORD_RESUME_H
#define MXS_RECORD_RESUME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RESUME_TAIL_MAX (16u << 20)     /* torn tail dropped at most (bytes) */
#define RESUME_NAME_MAX 6144            /* longest "domain" value (escaped) taken: an invalid
                                           line of 1024 bytes, each escaped as \u00XX */
#define RESUME_WINDOW_LOG_MAX 23           /* zstd window accepted: 8 MiB */
#define RESUME_FRAME_NAMES_MAX (64u << 20) /* names of one frame held until it completes */

typedef struct resume_info {
  uint64_t keep;        /* bytes at the start of the file that are whole: append here */
  uint64_t size;        /* bytes read (the file's size) */
  uint64_t lines;       /* complete lines in the whole part */
  uint64_t names;       /* of which carried a "domain" (handed to the callback) */
  uint64_t frames;      /* complete zstd frames (0 for plain) */
} resume_info_t;

/* Gets each recorded domain as the raw bytes between the quotes of its JSON string
 * (escapes not decoded: compare with json_escape() of the name). Not NUL-terminated.
 * Returns 0 to go on, -1 to stop the read (out of memory). */
typedef int (*resume_name_fn)(void *arg, const char *name, size_t len);
/* Source of bytes: like read(2): >0 bytes, 0 at the end, <0 error (-errno). */
typedef ssize_t (*resume_read_fn)(void *ctx, void *buf, size_t n);

/* 0 ok (info filled), -1 error with a message in err (read error, not our output, tail
 * too long, out of memory, callback stopped). */
int resume_read(resume_read_fn rd, void *ctx, bool zstd, resume_name_fn fn, void *arg,
                resume_info_t *info, char *err, size_t errlen);
int resume_read_mem(const void *data, size_t len, bool zstd, resume_name_fn fn, void *arg,
                    resume_info_t *info, char *err, size_t errlen);
int resume_read_fd(int fd, bool zstd, resume_name_fn fn, void *arg,
                   resume_info_t *info, char *err, size_t errlen);

/* The first member of a record line must be "domain" (our writer puts it first):
 * {"domain":"<value>", with optional JSON white space. On success *name and *nlen point at
 * the value's raw bytes inside line; returns 1. Returns 0 when the line is not such a
 * record or the value is longer than RESUME_NAME_MAX. */
int resume_domain_of(const char *line, size_t len, const char **name, size_t *nlen);

/* 1 when line (without its newline) is a record of ours as defined above, else 0. */
int resume_is_record(const char *line, size_t len);

#endif
