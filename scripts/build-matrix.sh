#!/bin/bash
# Build matrix: configures and builds mxsurvey and the unit tests in every configuration a
# user or a packager may choose, with -Werror, and runs the unit tests of each, so that a
# warning or a behaviour that only an optimisation level shows (-O3's -Wformat-truncation,
# _FORTIFY_SOURCE's warn_unused_result) fails here and not at a packager's:
#   Release         -O3 -DNDEBUG
#   RelWithDebInfo  -O2 -g -DNDEBUG (the developer build)
#   Debug           -g
#   debian          Debian's defaults from dpkg-buildflags (CMAKE_BUILD_TYPE=None, as
#                   debhelper configures: -O2, -fstack-protector-strong, -D_FORTIFY_SOURCE=2,
#                   -Wformat -Werror=format-security; LDFLAGS -z relro). CMake has no
#                   CPPFLAGS: they go into CFLAGS, as debhelper does.
# Only the targets that ship or test pure code are built (not the fuzz, bench or hostile
# tools): CI runs this on 2 cores.
# Usage: scripts/build-matrix.sh [CONFIG...]   (default: all four; build dirs build-matrix/*)
set -euo pipefail
cd "$(dirname "$0")/.."
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(Release RelWithDebInfo Debug debian)
targets="mxsurvey $(cd tests/unit && ls test_*.c | sed 's/\.c$//' | tr '\n' ' ')"
for c in "${configs[@]}"; do
  dir=build-matrix/$c
  t0=$(date +%s)
  case "$c" in
    debian)
      command -v dpkg-buildflags >/dev/null || { echo "build-matrix: no dpkg-buildflags" >&2; exit 1; }
      cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DMXS_WERROR=ON \
        -DCMAKE_C_FLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
        -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" >/dev/null ;;
    Release|RelWithDebInfo|Debug|MinSizeRel)
      # Flags given outright (not from the environment, which CMake reads only once per
      # build dir), so that no CFLAGS of the caller leak into the named type.
      cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$c" -DMXS_WERROR=ON \
        -DCMAKE_C_FLAGS= -DCMAKE_EXE_LINKER_FLAGS= >/dev/null ;;
    *) echo "build-matrix: unknown configuration $c" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086  # word splitting of the target list is meant
  cmake --build "$dir" -j2 --target $targets >/dev/null
  # One at a time: a few unit tests measure time (test_deadline), and a loaded machine
  # makes them late; their margins are made for that (a failure is a failure).
  if ! ctest --test-dir "$dir" -R '^unit\.' --output-on-failure >"$dir/unit.log" 2>&1; then
    cat "$dir/unit.log" >&2
    echo "build-matrix: $c: unit tests FAIL" >&2
    exit 1
  fi
  echo "build-matrix: $c built without warnings, unit tests pass ($(( $(date +%s) - t0 )) s)"
done
