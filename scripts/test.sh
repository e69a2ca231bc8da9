#!/bin/bash
# Installs dependencies, builds (normal and ASan+UBSan), runs the whole test suite
# (unit tests and the real local mail world) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2
ctest --test-dir build --output-on-failure
if [ "${MXS_SKIP_SANITIZE:-0}" != 1 ]; then
  cmake -S . -B build-asan -DMXS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan -j2
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure
fi
