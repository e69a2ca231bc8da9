#!/bin/sh
# The benchmark in one command (docs/benchmark.md):
#   bench/run.sh [--domains N] [--delay-ms D] [--keep] [--capacity|--no-capacity] ...
#                [-- extra mxsurvey options]
# Installs the packages (scripts/install-deps.sh), builds mxsurvey and the bench tools
# RelWithDebInfo in build-bench/ unless --no-build/--mxsurvey say otherwise, then runs
# bench/bench.py, which re-executes itself in a private network+mount namespace, starts
# the world, scans it, measures the references and prints the figures.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=1
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --) break ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/run.sh needs root (network namespace, ports 25/53 on 127.x)" >&2
  exit 1
fi
if [ "$build" -eq 1 ]; then
  "$root/scripts/install-deps.sh"
  cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$root/build-bench" -j2 --target mxsurvey bench_smtpd bench_handshake_cost >/dev/null
  set -- --mxsurvey "$root/build-bench/mxsurvey" --tools-dir "$root/build-bench/bench" "$@"
fi
exec python3 "$here/bench.py" "$@"
