/* Resume reader: whole frames and lines kept, torn tails dropped, names handed over only
 * for complete frames, foreign files refused, the domain extractor. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "record/resume.h"
#include "record/sink.h"
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

static void test_is_record(void) {
  static const char *const yes[] = {
    "{\"domain\":\"a.pt\",\"status\":\"ok\"}",
    "{\"domain\":\"a.pt\",\"status\":\"dns-error\",\"scanned_at\":\"x\",\"mx\":[]}",
    "{\"domain\":\"a.pt\",\"input\":\"A.PT.\",\"status\":\"ok\",\"mx\":[]}",
    "{\"domain\":\"ab\\u0001c!\",\"input\":\"\",\"status\":\"invalid\"}",
    "{\"domain\":\"\\\"q\\\"\",\"status\":\"no-mail\",\"x\":{\"y\":\"}\"}}",
    /* our records re-serialised by another JSON tool (Python's json.dumps) */
    " {\"domain\": \"a.pt\", \"input\": \"A.PT\", \"status\": \"ok\" , \"mx\": []}",
    "{ \"domain\" : \"a.pt\" ,\t\"status\" :\"ok\" }",
  };
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    CHECK_INT(resume_is_record(yes[i], strlen(yes[i])), 1);
  static const char *const no[] = {
    "", "{", "{}", "{\"domain\":\"a.pt\"}",                 /* no status */
    "{\"status\":\"ok\",\"domain\":\"a.pt\"}",              /* order */
    "{\" domain\":\"a.pt\",\"status\":\"ok\"}",             /* white space inside a key */
    "{\"domain\":\"a.pt\",\"sta tus\":\"ok\"}",
    "{\"domain\":\"a.pt\",\"status\":\" ok\"}",              /* ... or in the status token */
    "{\"domain\":\"\",\"status\":\"ok\"}",                  /* empty name */
    "{\"domain\":\"a.pt\",\"status\":\"ok\"",               /* no closing brace */
    "{\"domain\":\"a.pt\",\"status\":\"ok\"}x",
    "{\"domain\":\"a.pt\",\"status\":\"OK\"}",              /* not a status token */
    "{\"domain\":\"a.pt\",\"status\":7}",
    "{\"domain\":\"a.pt\",\"status\":\"\"}",
    "{\"domain\":\"a.pt\",\"status\":\"okxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",   /* 34 */
    "{\"domain\":\"a.pt\",\"input\":\"b\",\"input\":\"c\",\"status\":\"ok\"}",
    "{\"domain\":\"a.pt\",\"mx\":[],\"status\":\"ok\"}",
    "{\"domain\":\"a\x01\",\"status\":\"ok\"}",              /* raw control byte */
    "{\"domain\":\"a\\x\",\"status\":\"ok\"}",               /* not a JSON escape */
    "{\"domain\":\"a.pt\",\"status\":\"ok\"}\n{\"domain\":\"b.pt\",\"status\":\"ok\"}",
    "\x7f" "ELF\x02\x01\x01",
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    CHECK_INT(resume_is_record(no[i], strlen(no[i])), 0);
  /* the longest status accepted: 32 characters */
  const char *s32 = "{\"domain\":\"a\",\"status\":\"abcdefghijklmnopqrstuvwxyz012345\"}";
  CHECK_INT(resume_is_record(s32, strlen(s32)), 1);
}

static void test_plain(void) {
  names_t c;
  resume_info_t info;
  char err[256];
  const char *d = "{\"domain\":\"a.pt\",\"status\":\"ok\"}\n"
                  "{\"domain\":\"not a domain!\",\"status\":\"invalid\"}\n"
                  "{\"domain\":\"c.pt\",\"sta";
  CHECK_INT(run_mem(d, strlen(d), false, &c, &info, err), 0);
  CHECK_STR(c.all, "a.pt not a domain! ");
  CHECK_INT(info.keep, strchr(strchr(d, '\n') + 1, '\n') + 1 - d);
  CHECK_INT(info.size, strlen(d));
  CHECK_INT(info.lines, 2);
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
  /* a torn first record: nothing of ours precedes it, so it is not ours to drop */
  CHECK_INT(run_mem("{\"domain\":\"a", 12, false, &c, &info, err), -1);
  CHECK(strstr(err, "no whole record line") != NULL);
  /* other JSON lines, even with a "domain" first */
  const char *other = "{\"domain\":\"a.pt\",\"owner\":\"x\"}\n{\"domain\":\"b.pt\"";
  CHECK_INT(run_mem(other, strlen(other), false, &c, &info, err), -1);
  CHECK(strstr(err, "first line is not an mxsurvey record") != NULL);
  CHECK_INT(c.n, 0);
  /* a whole line that is not a record after records: refused, not cut there */
  const char *mixed = "{\"domain\":\"a.pt\",\"status\":\"ok\"}\n\n{\"domain\":\"b.pt\",\"status\":\"ok\"}\n";
  CHECK_INT(run_mem(mixed, strlen(mixed), false, &c, &info, err), -1);
  CHECK(strstr(err, "line 2 is not an mxsurvey record") != NULL);
  /* binary garbage refused at its first byte */
  CHECK_INT(run_mem("\x7f" "ELF\x02\x01\n\n", 8, false, &c, &info, err), -1);
  CHECK(strstr(err, "first line is not") != NULL);
  /* a record with a long "input" member (longer than the head kept) still counts */
  size_t biglen = 3 * RESUME_NAME_MAX;
  char *big = malloc(biglen + 100);
  int k = snprintf(big, 100, "{\"domain\":\"x.pt\",\"input\":\"");
  memset(big + k, 'y', biglen);
  k += (int)biglen;
  k += snprintf(big + k, 100, "\",\"status\":\"invalid\"}\ntorn");
  CHECK_INT(run_mem(big, (size_t)k, false, &c, &info, err), 0);
  CHECK_STR(c.all, "x.pt ");
  CHECK_INT(info.keep, (size_t)k - 4);
  free(big);
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
  /* a complete frame that ends inside a line was not written by the sink, and no crash
   * leaves a frame complete: refused, not dropped */
  const char *half = "{\"domain\":\"x.pt\",\"status\":\"ok\"}\n{\"domain\":\"y.pt\"";
  char comp[256];
  size_t cl = ZSTD_compress(comp, sizeof comp, half, strlen(half), 3);
  CHECK(!ZSTD_isError(cl));
  char *two = malloc(len + cl);
  memcpy(two, z, len);
  memcpy(two + len, comp, cl);
  CHECK_INT(run_mem(two, len + cl, true, &c, &info, err), -1);
  CHECK(strstr(err, "is complete but does not hold mxsurvey records") != NULL);
  /* the same with a whole foreign line (a frame of someone else's JSON appended) */
  const char *foreign = "{\"domain\":\"x.pt\",\"owner\":\"x\"}\n";
  cl = ZSTD_compress(comp, sizeof comp, foreign, strlen(foreign), 3);
  CHECK(!ZSTD_isError(cl));
  memcpy(two + len, comp, cl);
  CHECK_INT(run_mem(two, len + cl, true, &c, &info, err), -1);
  CHECK(strstr(err, "is complete but does not hold mxsurvey records") != NULL);
  /* as the first frame: not ours */
  CHECK_INT(run_mem(comp, cl, true, &c, &info, err), -1);
  CHECK(strstr(err, "not zstd output of mxsurvey: its first line is not") != NULL);
  /* a first frame torn inside its only block decodes to nothing: no record of ours, refused */
  CHECK_INT(run_mem(z, ends[0] / 2, true, &c, &info, err), -1);
  CHECK(strstr(err, "no whole record line") != NULL);
  /* damage inside the first frame: refused */
  memcpy(two, z, len);
  two[ends[0] / 2] ^= 0x55;
  CHECK_INT(run_mem(two, len, true, &c, &info, err), -1);
  CHECK(strstr(err, "not zstd output of mxsurvey") != NULL);
  free(two);
  /* the fd reader on the real file, after the sink appended to a torn copy */
  CHECK_INT(truncate(path, (off_t)(len - 5)), 0);
  fd = open(path, O_RDONLY);
  memset(&c, 0, sizeof c);
  CHECK_INT(resume_read_fd(fd, true, collect, &c, &info, err, sizeof err), 0);
  close(fd);
  CHECK_INT(info.keep, ends[1]);
  sink_t *s = sink_open_append(path, info.keep, err, sizeof err);
  CHECK(s != NULL);
  const char *rec = "{\"domain\":\"new.pt\",\"status\":\"ok\"}";
  sink_write(s, rec, strlen(rec));
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

/* A first frame of several blocks, torn: its first blocks decode to records of ours, so the
 * file is ours and the torn frame a tail (keep 0, its names not reported). */
static void test_zstd_torn_first(void) {
  char path[] = "/tmp/mxs_resume_XXXXXX.zst";
  int fd = mkstemps(path, 4);
  close(fd);
  char e[256];
  sink_t *s = sink_open(path, e, sizeof e);
  for (int i = 0; i < 20000; i++) {
    char line[128];
    int n = snprintf(line, sizeof line, "{\"domain\":\"d%d.pt\",\"status\":\"ok\",\"n\":%d}", i, i * 7919);
    sink_write(s, line, (size_t)n);
  }
  sink_close(s);
  size_t len;
  char *z = slurp(path, &len);
  unlink(path);
  names_t c;
  resume_info_t info;
  char err[256];
  CHECK_INT(run_mem(z, len, true, &c, &info, err), 0);
  CHECK_INT(info.frames, 1);
  CHECK_INT(run_mem(z, len - 5, true, &c, &info, err), 0);
  CHECK_INT(info.keep, 0);
  CHECK_INT(info.frames, 0);
  CHECK_INT(c.n, 0);
  free(z);
}

int main(void) {
  test_extract();
  test_is_record();
  test_plain();
  test_zstd();
  test_zstd_torn_first();
  TEST_MAIN_END();
}
