/* Figures for --resume (a benchmark, not a test: it prints, it does not judge).
 *
 *   bench_resume [N] [DIR]
 *
 * Writes N synthetic records (default 2 000 000, about 700 bytes each, like a short real
 * record) through the sink into DIR/bench.ndjson.zst, then reads the file back with the
 * resume reader into a name set, as `mxsurvey scan --resume` does, and prints the time,
 * the throughput and the name set's memory per million names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/resume.h"
#include "record/sink.h"
#include "lib/nameset.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add(void *arg, const char *name, size_t len) {
  return nameset_add(arg, name, len, 2) < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  const char *dir = argc > 2 ? argv[2] : "/tmp";
  char path[4096], err[512], rec[2048];
  snprintf(path, sizeof path, "%s/bench.ndjson.zst", dir);
  sink_t *s = sink_open(path, err, sizeof err);
  if (!s) { fprintf(stderr, "%s\n", err); return 1; }
  double t0 = now();
  for (long i = 0; i < n; i++) {
    int l = snprintf(rec, sizeof rec,
      "{\"domain\":\"dominio-%ld.pt\",\"status\":\"ok\",\"dnssec\":\"insecure\","
      "\"scanned_at\":\"2026-11-23T19:00:00Z\",\"tls_rpt\":{\"status\":\"none\",\"dnssec\":\"insecure\"},"
      "\"mta_sts\":{\"status\":\"none\"},\"mx\":[{\"host\":\"mx%ld.hosting-%ld.pt\",\"preference\":10,"
      "\"implicit\":false,\"dnssec\":\"insecure\",\"tlsa\":{\"name\":\"_25._tcp.mx%ld.hosting-%ld.pt\","
      "\"dnssec\":\"insecure\",\"result\":\"nxdomain\",\"records\":[]},\"addresses\":[{\"ip\":\"192.0.2.%ld\","
      "\"family\":4,\"dnssec\":\"insecure\",\"smtp\":{\"connect\":\"ok\",\"connect_ms\":%ld,"
      "\"banner\":\"220 mx%ld.hosting-%ld.pt ESMTP\",\"banner_code\":220,\"ehlo_code\":250,"
      "\"starttls\":\"offered\",\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\"}},"
      "\"dane\":{\"status\":\"no-tlsa\"}}]}],\"summary\":{\"starttls\":\"all\",\"dane\":\"none\"}}",
      i, i % 97, i % 5000, i % 97, i % 5000, i % 250, i % 300, i % 97, i % 5000);
    if (sink_write(s, rec, (size_t)l) != 0) { fprintf(stderr, "%s\n", sink_error(s)); return 1; }
  }
  if (sink_close(s) != 0) return 1;
  double tw = now() - t0;
  struct stat st;
  stat(path, &st);
  printf("wrote %ld records, %.1f MB compressed, in %.2f s\n", n, (double)st.st_size / 1e6, tw);

  nameset_t *set = nameset_new();
  int fd = open(path, O_RDONLY);
  resume_info_t info;
  t0 = now();
  int rc = resume_read_fd(fd, true, add, set, &info, err, sizeof err);
  double tr = now() - t0;
  close(fd);
  if (rc != 0) { fprintf(stderr, "resume: %s\n", err); return 1; }
  printf("resume read: %llu records, %zu names, %llu frames in %.2f s: %.0f records/s, "
         "%.0f MB/s compressed\n", (unsigned long long)info.lines, nameset_count(set),
         (unsigned long long)info.frames, tr, (double)info.lines / tr,
         (double)st.st_size / 1e6 / tr);
  printf("name set: %.1f MB for %zu names = %.1f MB per million names (%.1f bytes per name)\n",
         (double)nameset_bytes(set) / 1e6, nameset_count(set),
         (double)nameset_bytes(set) / 1e6 / ((double)nameset_count(set) / 1e6),
         (double)nameset_bytes(set) / (double)nameset_count(set));
  nameset_free(set);
  unlink(path);
  return 0;
}
