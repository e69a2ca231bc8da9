/* Resume reader: whole frames and lines kept, torn tails dropped, names handed over only
 * for complete frames, foreign files refused, the domain extractor. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "output/resume.h"
#include "output/sink.h"
#include "tests/unit/testlib.h"

typedef struct names { char all[8192]; size_t len; int n; int stop_after; } names_t;

static int collect(void *arg, const char *name, size_t len) {
  names_t *c = arg;
  if (c->stop_after && c->n == c->stop_after) return -1;
  if (c->len + len + 2 < sizeof c->all) {
    memcpy(c->all + c->len, name, len);
    c->len += len;
    c->all[c->len++] = ' ';
    c->all[c->len] = '\0';
  }
  c->n++;
  return 0;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  *len = fread(b, 1, (size_t)n, f);
  fclose(f);
  return b;
}

static int run_mem(const char *data, size_t len, bool zstd, names_t *c, resume_info_t *info,
                   char *err) {
  memset(c, 0, sizeof *c);
  return resume_read_mem(data, len, zstd, collect, c, info, err, 256);
}

static void test_extract(void) {
  const char *n;
  size_t l;
  const char *line = "{\"domain\":\"a.pt\",\"status\":\"ok\"}";
  CHECK_INT(resume_domain_of(line, strlen(line), &n, &l), 1);
  CHECK(l == 4 && memcmp(n, "a.pt", 4) == 0);
  line = " { \"domain\" :\t\"b.pt\" }";
  CHECK_INT(resume_domain_of(line, strlen(line), &n, &l), 1);
  CHECK(l == 4 && memcmp(n, "b.pt", 4) == 0);
  line = "{\"domain\":\"not \\\"a\\\" domain\\u0001!\"}";   /* escapes kept raw */
  CHECK_INT(resume_domain_of(line, strlen(line), &n, &l), 1);
  CHECK(l == strlen("not \\\"a\\\" domain\\u0001!") && memcmp(n, "not \\\"a\\\"", 9) == 0);
  static const char *const no[] = {
    "", "{", "{}", "{\"status\":\"ok\",\"domain\":\"a.pt\"}", "{\"domain\":\"a.pt",
    "{\"domain\":\"\"}", "{\"domain\":7}", "{\"domain\" \"a\"}", "[\"domain\",\"a\"]",
    "{\"domain\":\"a\x01\"}", "{\"domain\":\"a\\", "{\"domainx\":\"a\"}",
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    CHECK_INT(resume_domain_of(no[i], strlen(no[i]), &n, &l), 0);
  char *big = malloc(RESUME_NAME_MAX + 40);
  int k = snprintf(big, 40, "{\"domain\":\"");
  memset(big + k, 'x', RESUME_NAME_MAX + 1);
  memcpy(big + k + RESUME_NAME_MAX + 1, "\"}", 2);
  CHECK_INT(resume_domain_of(big, (size_t)k + RESUME_NAME_MAX + 3, &n, &l), 0);
  CHECK_INT(resume_domain_of(big, (size_t)k + RESUME_NAME_MAX, &n, &l), 0);   /* unterminated */
  memcpy(big + k + RESUME_NAME_MAX, "\"}", 2);
  CHECK_INT(resume_domain_of(big, (size_t)k + RESUME_NAME_MAX + 2, &n, &l), 1);
  CHECK_INT(l, RESUME_NAME_MAX);
  free(big);
}

static void test_plain(void) {
  names_t c;
  resume_info_t info;
  char err[256];
  const char *d = "{\"domain\":\"a.pt\"}\n{\"domain\":\"not a domain!\",\"status\":\"invalid\"}\n"
                  "\n{\"domain\":\"c.pt\",\"sta";
  CHECK_INT(run_mem(d, strlen(d), false, &c, &info, err), 0);
  CHECK_STR(c.all, "a.pt not a domain! ");
  CHECK_INT(info.keep, strchr(strchr(d, '\n') + 1, '\n') + 2 - d);  /* after the blank line */
  CHECK_INT(info.size, strlen(d));
  CHECK_INT(info.lines, 3);
  CHECK_INT(info.names, 2);
  /* a whole file */
  CHECK_INT(run_mem(d, info.keep, false, &c, &info, err), 0);
  CHECK_INT(info.keep, info.size);
  /* empty file */
  CHECK_INT(run_mem("", 0, false, &c, &info, err), 0);
  CHECK_INT(info.keep, 0);
  /* not ours: refused, never truncated to nothing */
  const char *text = "some notes without a newline";
  CHECK_INT(run_mem(text, strlen(text), false, &c, &info, err), -1);
  CHECK(strstr(err, "not NDJSON output") != NULL);
  /* a torn first record is ours and may go */
  CHECK_INT(run_mem("{\"domain\":\"a", 12, false, &c, &info, err), 0);
  CHECK_INT(info.keep, 0);
  CHECK_INT(c.n, 0);
  /* the callback stops the read (out of memory) */
  memset(&c, 0, sizeof c);
  c.stop_after = 1;
  CHECK_INT(resume_read_mem(d, strlen(d), false, collect, &c, &info, err, sizeof err), -1);
}

/* Writes frames with the sink: frame k holds records k*3 .. k*3+2. */
static char *zstd_file(const char *path, int frames, size_t *len, size_t *ends) {
  char e[256];
  sink_t *s = sink_open(path, e, sizeof e);
  for (int f = 0; f < frames; f++) {
    for (int r = 0; r < 3; r++) {
      char line[128];
      int n = snprintf(line, sizeof line, "{\"domain\":\"d%d.pt\",\"status\":\"ok\",\"pad\":\"%0*d\"}",
                       f * 3 + r, 40, r);
      sink_write(s, line, (size_t)n);
    }
    sink_flush(s);
    struct stat st;
    stat(path, &st);
    ends[f] = (size_t)st.st_size;
  }
  sink_close(s);
  return slurp(path, len);
}

static void test_zstd(void) {
  char path[] = "/tmp/mxs_resume_XXXXXX.zst";
  int fd = mkstemps(path, 4);
  close(fd);
  size_t len, ends[3];
  char *z = zstd_file(path, 3, &len, ends);
  CHECK(z != NULL && len == ends[2]);
  names_t c;
  resume_info_t info;
  char err[256];
  CHECK_INT(run_mem(z, len, true, &c, &info, err), 0);
  CHECK_STR(c.all, "d0.pt d1.pt d2.pt d3.pt d4.pt d5.pt d6.pt d7.pt d8.pt ");
  CHECK_INT(info.keep, len);
  CHECK_INT(info.frames, 3);
  CHECK_INT(info.lines, 9);
  /* torn last frame: its domains are not reported, keep = end of frame 2 */
  for (size_t cut = 1; cut < ends[2] - ends[1]; cut += 7) {
    CHECK_INT(run_mem(z, len - cut, true, &c, &info, err), 0);
    CHECK_INT(info.keep, ends[1]);
    CHECK_INT(c.n, 6);
    CHECK_INT(info.frames, 2);
  }
  /* garbage after whole frames (a partial write of zeros) is a torn tail too */
  char *g = malloc(len + 100);
  memcpy(g, z, len);
  memset(g + len, 0, 100);
  CHECK_INT(run_mem(g, len + 100, true, &c, &info, err), 0);
  CHECK_INT(info.keep, len);
  CHECK_INT(c.n, 9);
  /* a flipped byte inside frame 2: frame 2's checksum fails, so frames 2 and 3 are the
   * tail; small enough to drop (they are scanned again) */
  memcpy(g, z, len);
  g[ends[0] + (ends[1] - ends[0]) / 2] ^= 0x55;
  CHECK_INT(run_mem(g, len, true, &c, &info, err), 0);
  CHECK_INT(info.keep, ends[0]);
  CHECK_STR(c.all, "d0.pt d1.pt d2.pt ");
  free(g);
  /* damage followed by more than RESUME_TAIL_MAX: refused */
  size_t biglen = ends[0] + RESUME_TAIL_MAX + 10;
  char *big = calloc(1, biglen);
  memcpy(big, z, ends[0]);
  big[ends[0]] = 'x';
  CHECK_INT(run_mem(big, biglen, true, &c, &info, err), -1);
  CHECK(strstr(err, "does not decode") != NULL);
  free(big);
  /* plain text named .zst: refused */
  const char *text = "{\"domain\":\"a.pt\"}\n";
  CHECK_INT(run_mem(text, strlen(text), true, &c, &info, err), -1);
  CHECK(strstr(err, "not zstd output") != NULL);
  /* a complete frame that ends inside a line was not written by the sink: dropped */
  const char *half = "{\"domain\":\"x.pt\"}\n{\"domain\":\"y.pt\"";
  char comp[256];
  size_t cl = ZSTD_compress(comp, sizeof comp, half, strlen(half), 3);
  CHECK(!ZSTD_isError(cl));
  char *two = malloc(len + cl);
  memcpy(two, z, len);
  memcpy(two + len, comp, cl);
  CHECK_INT(run_mem(two, len + cl, true, &c, &info, err), 0);
  CHECK_INT(info.keep, len);
  CHECK_INT(c.n, 9);
  free(two);
  /* the fd reader on the real file, after the sink appended to a torn copy */
  truncate(path, (off_t)(len - 5));
  fd = open(path, O_RDONLY);
  memset(&c, 0, sizeof c);
  CHECK_INT(resume_read_fd(fd, true, collect, &c, &info, err, sizeof err), 0);
  close(fd);
  CHECK_INT(info.keep, ends[1]);
  sink_t *s = sink_open_append(path, info.keep, err, sizeof err);
  CHECK(s != NULL);
  sink_write(s, "{\"domain\":\"new.pt\"}", 19);
  CHECK_INT(sink_close(s), 0);
  size_t l2;
  char *z2 = slurp(path, &l2);
  CHECK_INT(run_mem(z2, l2, true, &c, &info, err), 0);
  CHECK_STR(c.all, "d0.pt d1.pt d2.pt d3.pt d4.pt d5.pt new.pt ");
  CHECK_INT(info.keep, l2);
  free(z2);
  unlink(path);
  CHECK(sink_open_append(path, 0, err, sizeof err) == NULL);   /* never creates */
  CHECK(sink_open_append("-", 0, err, sizeof err) == NULL);    /* not stdout */
  free(z);
}

int main(void) {
  test_extract();
  test_plain();
  test_zstd();
  TEST_MAIN_END();
}
