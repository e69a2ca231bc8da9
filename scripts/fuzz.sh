#!/bin/bash
# Runs every libFuzzer target of a clang build (cmake -DMXS_FUZZ=ON) for SECONDS each,
# starting from its seed corpus in tests/fuzz/corpus/<target> (new inputs go to a scratch
# copy, the seeds stay as committed). Prints per target the run time, executions, corpus
# size and crashes found; exits 1 if any target crashed (the crash input is kept in
# BUILD_DIR/fuzz-artifacts/ and printed).
#   usage: scripts/fuzz.sh BUILD_DIR [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS]}
secs=${2:-15}
art="$build/fuzz-artifacts"
rm -rf "$art" && mkdir -p "$art"
failed=0
npass=0
nfail=0
printf '%-20s %6s %12s %8s %s\n' target seconds execs corpus result
for src in tests/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  bin="$build/tests/fuzz/$t"
  [ -x "$bin" ] || { echo "fuzz: $bin missing (configure with CC=clang -DMXS_FUZZ=ON)"; exit 1; }
  work="$build/fuzz-work/$t"
  rm -rf "$work" && mkdir -p "$work"
  cp tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="$art/$t.log"
  start=$(date +%s)
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art/$t-" "$work" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$work" | wc -l)
  crashes=$(ls "$art" | grep -c "^$t-" || true)
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    nfail=$((nfail + 1))
    printf '%-20s %6s %12s %8s %s\n' "$t" "$took" "${execs:-?}" "$corpus" "CRASH (exit $rc)"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
  else
    npass=$((npass + 1))
    printf '%-20s %6s %12s %8s %s\n' "$t" "$took" "${execs:-?}" "$corpus" ok
  fi
done
echo "fuzz: $npass passed, $nfail failed"
exit $failed
