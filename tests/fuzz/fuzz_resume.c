/* The resume reader on arbitrary files. The first byte picks the format (odd: zstd), the
 * rest is the file. Properties: the whole part never exceeds the file; a plain whole part
 * ends with a newline; every name is bounded and unquoted; reading the whole part alone
 * gives the same names and leaves nothing to drop. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/resume.h"

typedef struct acc { uint64_t n, sum; } acc_t;

static int take(void *arg, const char *name, size_t len) {
  acc_t *a = arg;
  if (len == 0 || len > RESUME_NAME_MAX) abort();
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c < 0x20) abort();
    if (c == '"' && (i == 0 || name[i - 1] != '\\')) abort();
    a->sum = a->sum * 31 + c;
  }
  a->n++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  bool zstd = data[0] & 1;
  const char *file = (const char *)data + 1;
  size_t len = size - 1;
  acc_t a = {0, 0}, b = {0, 0};
  resume_info_t info, again;
  char err[256];
  if (resume_read_mem(file, len, zstd, take, &a, &info, err, sizeof err) != 0) {
    if (!err[0]) abort();
    return 0;
  }
  if (info.keep > info.size || info.size != len || info.names > info.lines || a.n != info.names)
    abort();
  if (!zstd && info.keep > 0 && file[info.keep - 1] != '\n') abort();
  if (resume_read_mem(file, (size_t)info.keep, zstd, take, &b, &again, err, sizeof err) != 0) abort();
  if (again.keep != info.keep || b.n != a.n || b.sum != a.sum || again.lines != info.lines) abort();
  return 0;
}
