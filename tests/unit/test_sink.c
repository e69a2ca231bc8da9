/* Record sink: zstd frames readable by library and CLI, torn tails, write errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "record/sink.h"
#include "tests/unit/testlib.h"

static char dir[] = "/tmp/mxs_sink_XXXXXX";

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  size_t r;
  while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) { cap *= 2; b = realloc(b, cap); }
  }
  fclose(f);
  *len = n;
  return b;
}

static char *run(const char *cmd, size_t *len, int *status) {
  FILE *p = popen(cmd, "r");
  if (!p) return NULL;
  size_t cap = 1 << 16, n = 0, r;
  char *b = malloc(cap);
  while (b && (r = fread(b + n, 1, cap - n, p)) > 0) {
    n += r;
    if (n == cap) { cap *= 2; b = realloc(b, cap); }
  }
  *status = pclose(p);
  *len = n;
  return b;
}

/* Decompresses a whole buffer with the streaming API; -1 on a corrupt or torn input. */
static long long zdecode(const char *src, size_t n, char *dst, size_t cap) {
  ZSTD_DStream *ds = ZSTD_createDStream();
  ZSTD_inBuffer in = { src, n, 0 };
  ZSTD_outBuffer out = { dst, cap, 0 };
  size_t last = 0;
  while (in.pos < in.size) {
    last = ZSTD_decompressStream(ds, &out, &in);
    if (ZSTD_isError(last) || out.pos == out.size) { ZSTD_freeDStream(ds); return -1; }
  }
  ZSTD_freeDStream(ds);
  return last == 0 ? (long long)out.pos : -1;   /* 0: ended exactly on a frame boundary */
}

static void test_zstd_frames(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/out.ndjson.zst", dir);
  char err[256] = "";
  sink_t *s = sink_open(path, err, sizeof err);
  CHECK(s != NULL);
  if (!s) return;

  char expect[4096] = "", line[128];
  size_t first_len = 0;
  for (int i = 0; i < 20; i++) {
    int n = snprintf(line, sizeof line, "{\"rec\":%d,\"pad\":\"%s\"}", i, i % 2 ? "odd" : "even");
    CHECK_INT(sink_write(s, line, (size_t)n), 0);
    strcat(expect, line);
    strcat(expect, "\n");
    if (i == 9) {
      CHECK_INT(sink_flush(s), 0);
      first_len = strlen(expect);
      CHECK_INT(sink_flush(s), 0);      /* a second flush adds no empty frame */
    }
  }
  CHECK_INT(sink_write(s, "bad\nrecord", 10), -1);   /* refused, sink stays usable */
  CHECK(sink_error(s) != NULL);
  CHECK_INT(sink_flush(s), 0);
  CHECK_INT(sink_count(s), 20);
  CHECK_INT(sink_close(s), 0);

  size_t zlen = 0;
  char *z = slurp(path, &zlen);
  CHECK(z != NULL && zlen > 0);
  if (!z) return;

  /* exactly two frames, each on its own a valid zstd stream of whole records */
  size_t f1 = ZSTD_findFrameCompressedSize(z, zlen);
  CHECK(!ZSTD_isError(f1));
  size_t f2 = ZSTD_isError(f1) ? 0 : ZSTD_findFrameCompressedSize(z + f1, zlen - f1);
  CHECK(!ZSTD_isError(f2));
  CHECK_INT(f1 + f2, zlen);

  char dec[8192];
  long long n = zdecode(z, zlen, dec, sizeof dec);
  CHECK_INT(n, (long long)strlen(expect));
  CHECK(n > 0 && memcmp(dec, expect, (size_t)n) == 0);
  n = zdecode(z, f1, dec, sizeof dec);
  CHECK_INT(n, (long long)first_len);
  CHECK(n > 0 && memcmp(dec, expect, first_len) == 0);

  /* the zstd CLI agrees */
  char cmd[512];
  int st;
  size_t clen;
  snprintf(cmd, sizeof cmd, "zstd -qdc '%s'", path);
  char *cli = run(cmd, &clen, &st);
  CHECK_INT(st, 0);
  CHECK_INT(clen, strlen(expect));
  CHECK(cli && clen == strlen(expect) && memcmp(cli, expect, clen) == 0);
  free(cli);

  /* torn tail: cut the file in the middle of the second frame */
  size_t cut = f1 + f2 / 2;
  CHECK_INT(truncate(path, (off_t)cut), 0);
  size_t tlen;
  char *t = slurp(path, &tlen);
  CHECK_INT(tlen, cut);
  if (t) {
    /* frame by frame: the first is whole, the second is recognisably incomplete */
    size_t a = ZSTD_findFrameCompressedSize(t, tlen);
    CHECK_INT(a, f1);
    CHECK(ZSTD_isError(ZSTD_findFrameCompressedSize(t + f1, tlen - f1)));
    n = zdecode(t, a, dec, sizeof dec);
    CHECK_INT(n, (long long)first_len);
    CHECK(zdecode(t, tlen, dec, sizeof dec) < 0);
    free(t);
  }
  /* the CLI reports the damage but still emits the first frame's records */
  snprintf(cmd, sizeof cmd, "zstd -qdc '%s' 2>/dev/null", path);
  cli = run(cmd, &clen, &st);
  CHECK(st != 0);
  CHECK(clen >= first_len);
  CHECK(cli && clen >= first_len && memcmp(cli, expect, first_len) == 0);
  free(cli);
  free(z);
  unlink(path);
}

static void test_auto_frames(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/big.zst", dir);
  sink_t *s = sink_open(path, NULL, 0);
  CHECK(s != NULL);
  if (!s) return;
  static char line[1000];
  memset(line, 'x', sizeof line);
  size_t total = 0;
  int wfail = 0;
  while (total < 3 * SINK_FRAME_BYTES) {
    wfail += sink_write(s, line, sizeof line) != 0;
    total += sizeof line + 1;
  }
  CHECK_INT(wfail, 0);
  CHECK_INT(sink_close(s), 0);
  size_t zlen;
  char *z = slurp(path, &zlen);
  int frames = 0;
  size_t off = 0;
  char *dec = malloc(2 * SINK_FRAME_BYTES);
  while (z && dec && off < zlen) {
    size_t f = ZSTD_findFrameCompressedSize(z + off, zlen - off);
    if (ZSTD_isError(f)) break;
    /* frames end on record boundaries, just past SINK_FRAME_BYTES */
    long long c = zdecode(z + off, f, dec, 2 * SINK_FRAME_BYTES);
    CHECK(c > 0 && c % (long long)(sizeof line + 1) == 0 && dec[c - 1] == '\n');
    if (off + f < zlen) CHECK(c >= (long long)SINK_FRAME_BYTES);
    off += f;
    frames++;
  }
  free(dec);
  CHECK_INT(off, zlen);
  CHECK(frames >= 3);
  free(z);
  unlink(path);
}

static void test_plain(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/plain.ndjson", dir);
  sink_t *s = sink_open(path, NULL, 0);
  CHECK(s != NULL);
  if (!s) return;
  CHECK_INT(sink_write(s, "{\"a\":1}", 7), 0);
  CHECK_INT(sink_write(s, "", 0), 0);
  static char big[100000];
  memset(big, 'y', sizeof big);          /* larger than the internal buffer */
  CHECK_INT(sink_write(s, big, sizeof big), 0);
  CHECK_INT(sink_write(s, "{\"b\":2}", 7), 0);
  CHECK_INT(sink_close(s), 0);
  size_t len;
  char *b = slurp(path, &len);
  CHECK_INT(len, 8 + 1 + sizeof big + 1 + 8);
  CHECK(b && len > 10 && memcmp(b, "{\"a\":1}\n\ny", 10) == 0);
  CHECK(b && len > 10 && memcmp(b + len - 10, "y\n{\"b\":2}\n", 10) == 0);
  struct stat sb;
  mode_t um = umask(0);
  umask(um);
  CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == (0644 & ~um));
  free(b);
  unlink(path);
}

static void test_errors(void) {
  char err[256] = "";
  char path[256];
  snprintf(path, sizeof path, "%s/no/such/dir/out.zst", dir);
  CHECK(sink_open(path, err, sizeof err) == NULL);
  CHECK(strstr(err, "cannot open ") == err);
  CHECK(strstr(err, "No such file or directory") != NULL);
  CHECK(strstr(err, path) != NULL);

  /* /dev/full, plain: the failure shows at flush, with path and errno text */
  sink_t *s = sink_open("/dev/full", err, sizeof err);
  CHECK(s != NULL);
  if (s) {
    CHECK_INT(sink_write(s, "{\"x\":1}", 7), 0);     /* buffered */
    CHECK_INT(sink_flush(s), -1);
    CHECK_STR(sink_error(s), "write /dev/full: No space left on device");
    CHECK_INT(sink_write(s, "{\"x\":2}", 7), -1);    /* sticky */
    CHECK_INT(sink_flush(s), -1);
    char cerr[256];
    CHECK_INT(sink_close_err(s, cerr, sizeof cerr), -1);
    CHECK_STR(cerr, "write /dev/full: No space left on device");
  }
  /* /dev/full via zstd (symlink so the name ends in .zst): fails at close */
  char zpath[256];
  snprintf(zpath, sizeof zpath, "%s/full.zst", dir);
  CHECK_INT(symlink("/dev/full", zpath), 0);
  s = sink_open(zpath, err, sizeof err);
  CHECK(s != NULL);
  if (s) {
    CHECK_INT(sink_write(s, "{\"x\":1}", 7), 0);
    char cerr[256];
    CHECK_INT(sink_close_err(s, cerr, sizeof cerr), -1);
    CHECK(strstr(cerr, "No space left on device") != NULL);
    CHECK(strstr(cerr, zpath) != NULL);
  }
  unlink(zpath);
}

int main(void) {
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  test_zstd_frames();
  test_auto_frames();
  test_plain();
  test_errors();
  rmdir(dir);
  TEST_MAIN_END();
}
