#!/bin/sh
# Benchmark of `mxsurvey report`: generates N synthetic but realistic scan records
# (tests/report/gen_records.c: statuses, MX operators, TLS versions, long SAN lists, DANE,
# MTA-STS; about 3.7 KB each), compresses them with zstd like a scan output, and times the
# report over them. Prints records/s, seconds, peak RSS and the machine's load.
# Usage: scripts/bench-report.sh [N]   (default 2000000; needs a build in build/)
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000000}
MX=${MXSURVEY:-build/mxsurvey}
W=${BENCH_DIR:-$(mktemp -d /tmp/mxsurvey-bench-report.XXXXXX)}
mkdir -p "$W"
cc -O2 -Wall -Wextra -Werror -o "$W/gen_records" tests/report/gen_records.c
IN="$W/records-$N.ndjson.zst"
if [ ! -s "$IN" ]; then
  echo "generating $N records into $IN ..."
  "$W/gen_records" "$N" | zstd -q -T2 -3 -o "$IN"
  zstd -dc "$IN" | wc -c > "$IN.raw"
fi
echo "input: $(stat -c %s "$IN") bytes compressed, $(cat "$IN.raw") bytes of NDJSON, $N records"
echo "load before: $(cat /proc/loadavg)"
/usr/bin/time -f "%e %M %U %S" -o "$W/time" "$MX" report --format json -o "$W/report.json" "$IN" 2> "$W/stderr" || {
  cat "$W/stderr"; exit 1; }
echo "load after:  $(cat /proc/loadavg)"
read -r SECS RSS USR SYS < "$W/time"
grep 'mxsurvey report:' "$W/stderr" || true
awk -v n="$N" -v s="$SECS" -v r="$RSS" -v u="$USR" -v y="$SYS" 'BEGIN {
  printf "mxsurvey report: %d records in %.2f s = %.0f records/s, peak RSS %.1f MiB\n", n, s, n / s, r / 1024
  printf "CPU: %.1f s user + %.1f s sys = %.0f records per CPU-second (2 parser threads + reader)\n", u, y, n / (u + y) }'
echo "(files kept in $W)"
