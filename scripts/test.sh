#!/bin/bash
# Installs dependencies, builds (normal and ASan+UBSan), runs the whole test suite
# (unit tests and the real local mail world) through ctest; the normal build's world test
# also runs a small scan under valgrind. Then a clang build of the libFuzzer targets
# replays their seed corpora and fuzzes each for MXS_FUZZ_SECONDS (default 15; 0 skips).
# Every build here has -Werror (MXS_WERROR=ON); scripts/build-matrix.sh also builds
# Release, Debug and Debian's dpkg-buildflags with it (RelWithDebInfo is the build below).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMXS_WERROR=ON >/dev/null
cmake --build build -j2
scripts/build-matrix.sh Release Debug debian
ctest --test-dir build --output-on-failure
if [ "${MXS_SKIP_SANITIZE:-0}" != 1 ]; then
  cmake -S . -B build-asan -DMXS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DMXS_WERROR=ON >/dev/null
  cmake --build build-asan -j2
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure
fi
fuzz_secs=${MXS_FUZZ_SECONDS:-15}
if [ "$fuzz_secs" != 0 ]; then
  CC=clang cmake -S . -B build-fuzz -DMXS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMXS_WERROR=ON >/dev/null
  cmake --build build-fuzz -j2 --target $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
  ctest --test-dir build-fuzz -R '^fuzz\.' --output-on-failure
  scripts/fuzz.sh build-fuzz "$fuzz_secs"
fi
