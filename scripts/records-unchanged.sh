#!/bin/bash
# The "records unchanged" proof (issue 14): scans the same worlds with an OLD and a NEW
# mxsurvey binary and compares their records, domain by domain, with scripts/record-diff.py.
#   (a) the test world (tests/world/records_scan.py: one world.py world, both binaries, the
#       main, hostile and special input lists with the options of tests/world/run_tests.py);
#   (b) the benchmark world of N domains (default 20 000; bench/bench.py --records-scan: the
#       world is generated once, cached in /var/tmp/mxsurvey-bench, and both binaries scan it
#       in one run, each from a cold Unbound, with the benchmark's options).
# Before comparing, record-diff drops only the fields that vary between two scans of an
# unchanged world with the same binary:
#   scanned_at                         (everywhere: the time of the scan)
#   mx[].addresses[].smtp.*_ms         (connect_ms: timings of a probe)
#   mx[].addresses[].smtp.shared,      (which domain reached an address shared by several
#   mx[].addresses[].smtp.inferred_from domains first: the order of completion)
#   mx[].addresses[].tls_profile.shared (the same, for the TLS profile)
#   the number in libcurl's "after N ms" / "after N milliseconds" in mta_sts.reason
# and puts the lists that come from a DNS RRset in a canonical order in BOTH records
# (--canonical-order; the order the scanner writes since issue 14, point 7):
#   mx[].addresses[]     family (4, then 6), then the address bytes (network order);
#   mx[].tlsa.records[]  usage, selector, mtype, then the association data bytes.
# Prints per world the number of domains compared and of differences; exits 1 on any
# difference or failed scan, 2 on a usage error. Needs root (network namespaces).
#
# usage: scripts/records-unchanged.sh [--world-only | --bench-only] [--domains N]
#            [--tools-dir DIR] [--keep DIR] [--ignore KEY]... OLD_MXSURVEY NEW_MXSURVEY
#            [-- bench.py options]
#   --tools-dir  bench_smtpd and bench_handshake_cost (default: built from this tree in
#                build-records/); --keep DIR keeps the records and logs there;
#   --ignore     also drop this dotted key path before comparing (record-diff's --ignore:
#                the fields a change adds on purpose, so that the rest is shown unchanged).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
world=1 bench=1 domains=20000 tools="" keep="" ignore=()
usage() { sed -n '/^# usage:/,/shown unchanged)\.$/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --world-only) bench=0 ;;
    --bench-only) world=0 ;;
    --domains) domains=${2:?}; shift ;;
    --tools-dir) tools=${2:?}; shift ;;
    --keep) keep=${2:?}; shift ;;
    --ignore) ignore+=(--ignore "${2:?}"); shift ;;
    -h|--help) usage ;;
    --*) echo "records-unchanged: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
  shift
done
[ $# -ge 2 ] || usage
old=$(readlink -f "$1") new=$(readlink -f "$2")
shift 2
[ "${1:-}" != "--" ] || shift
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "records-unchanged: not executable: $b" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "records-unchanged: needs root (network namespaces)" >&2; exit 2; }
if [ -n "$keep" ]; then
  mkdir -p "$keep"; out=$(readlink -f "$keep")
else
  out=$(mktemp -d /tmp/mxsurvey-records.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi

echo "records-unchanged: old $old"
echo "records-unchanged: new $new"
echo "ignored (vary from run to run): scanned_at; mx[].addresses[].smtp.*_ms (connect_ms);" \
     "mx[].addresses[].smtp.shared, .inferred_from; N in libcurl's \"after N ms\" of mta_sts.reason"
[ ${#ignore[@]} -eq 0 ] || echo "also ignored (--ignore): ${ignore[*]}"
echo "canonical order in old and new: mx[].addresses[] by family, address bytes;" \
     "mx[].tlsa.records[] by usage, selector, mtype, data bytes"
status=0

# compare LABEL OLD NEW: prints record-diff's report indented; adds to cmp/dif.
cmp=0 dif=0
compare() {
  local label=$1 r line both d oo on
  r=$(python3 "$root/scripts/record-diff.py" --canonical-order "${ignore[@]}" "$2" "$3") || true
  printf '%s\n' "$r" | sed "s/^/  [$label] /"
  line=$(printf '%s\n' "$r" | tail -1)
  both=$(sed -n 's/^records in both: \([0-9]*\),.*/\1/p' <<<"$line")
  d=$(sed -n 's/.* different: \([0-9]*\),.*/\1/p' <<<"$line")
  oo=$(sed -n 's/.* only in old: \([0-9]*\),.*/\1/p' <<<"$line")
  on=$(sed -n 's/.* only in new: \([0-9]*\)$/\1/p' <<<"$line")
  if [ -z "$both" ] || [ -z "$d" ] || [ -z "$oo" ] || [ -z "$on" ]; then
    echo "  [$label] record-diff failed" >&2; dif=$((dif + 1)); return
  fi
  cmp=$((cmp + both)); dif=$((dif + d + oo + on))
}

if [ "$world" -eq 1 ]; then
  t0=$(date +%s)
  if ! python3 "$root/tests/world/records_scan.py" --out "$out/world" "old=$old" "new=$new" \
       >"$out/world.log" 2>&1; then
    tail -20 "$out/world.log" >&2
    echo "test world: scans FAILED (log above; records and log kept in $out)" >&2
    trap - EXIT; status=1
  else
    cmp=0 dif=0
    for l in main hostile special; do
      compare "world $l" "$out/world/old-$l.ndjson" "$out/world/new-$l.ndjson"
    done
    echo "test world: $cmp domains compared, $dif differences ($(( $(date +%s) - t0 )) s)"
    [ "$dif" -eq 0 ] || { status=1; trap - EXIT; }
  fi
fi

if [ "$bench" -eq 1 ]; then
  t0=$(date +%s)
  if [ -z "$tools" ]; then
    cmake -S "$root" -B "$root/build-records" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$root/build-records" -j2 --target bench_smtpd bench_handshake_cost >/dev/null
    tools=$root/build-records/bench
  fi
  if ! python3 "$root/bench/bench.py" --domains "$domains" --no-dnsperf \
       --tools-dir "$tools" --records-dir "$out/bench" \
       --records-scan "old=$old" --records-scan "new=$new" "$@" >"$out/bench.log" 2>&1; then
    tail -20 "$out/bench.log" >&2
    echo "bench world: scans FAILED (log above; records and log kept in $out)" >&2
    trap - EXIT; status=1
  else
    grep -E '^(world|records (old|new)) ' "$out/bench.log" | sed 's/^/  [bench] /'
    cmp=0 dif=0
    compare "bench" "$out/bench/old.ndjson.zst" "$out/bench/new.ndjson.zst"
    echo "bench world: $cmp domains compared, $dif differences ($(( $(date +%s) - t0 )) s)"
    [ "$dif" -eq 0 ] || { status=1; trap - EXIT; }
  fi
fi
[ "$status" -eq 0 ] && echo "records unchanged" || echo "records CHANGED or not compared (kept in $out)"
exit "$status"
