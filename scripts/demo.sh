#!/bin/sh
# Demo: builds mxsurvey, starts the local test world (tests/world/world.py: fake signed DNS
# root, validating Unbound, Postfix and misbehaving SMTP servers, all on 127.x) inside a
# private network namespace, scans the world's domain list and prints the records.
# Usage: sudo scripts/demo.sh   (or scripts/demo.sh as root)
# Standard output is the records (one JSON object a line) and then the summary table, and
# nothing else: `scripts/demo.sh > out` keeps them clean. Everything else (apt, cmake, the
# world's start-up, section headers, the scanner's progress) goes to standard error.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ "${MXS_DEMO_INNER:-}" != 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "demo.sh needs root (network namespace, ports 25/53): sudo scripts/demo.sh" >&2
    exit 1
  fi
  if [ -z "${MXSURVEY:-}" ]; then   # MXSURVEY=/path/to/binary skips the build
    scripts/install-deps.sh >&2
    cmake -S . -B build >&2
    cmake --build build -j2 >&2
  fi
  # Everything below runs with only a loopback interface: no traffic can leave the machine.
  export MXS_DEMO_INNER=1
  export MXS_PRIVATE_MOUNT_NS=1   # tests/world/world.py may bind-mount over /etc/ssl/certs
  exec unshare --net --mount --propagation private "$ROOT/scripts/demo.sh" "$@"
fi

ip link set lo up
W=$(mktemp -d /tmp/mxsurvey-demo.XXXXXX)
cleanup() {
  python3 "$ROOT/tests/world/world.py" stop "$W" >&2 || true
  rm -rf "$W"
}
trap cleanup EXIT INT TERM
python3 "$ROOT/tests/world/world.py" start "$W" >&2
echo "--- domains scanned:" >&2
grep -v '^[[:space:]]*#' "$W/domains.txt" | sed '/^[[:space:]]*$/d' >&2
echo "--- mxsurvey scan" >&2
# --retry-delay 0.5: the world's 421 servers are retried (--retries 2) half a second apart
# instead of the polite 60 s a real server gets. No --resolver: mxsurvey is its own
# recursive, validating resolver (the default), iterating from the world's fake root
# (--root-hints; without it libunbound would ask the real root servers).
"${MXSURVEY:-$ROOT/build/mxsurvey}" scan --root-hints "$W/unbound/root.hints" --trust-anchor "$W/root.key" \
  --ca-file "$W/ca.pem" --allow 127.0.0.0/8 --ehlo scanner.mxlab \
  --timeout-banner 3 --timeout-smtp 5 --timeout-tls 5 --retry-delay 0.5 \
  -o "$W/out.ndjson.zst" "$W/domains.txt" >&2
echo "--- records ($W/out.ndjson.zst)" >&2
zstd -dc "$W/out.ndjson.zst" | jq -c .
echo "--- summary" >&2
zstd -dc "$W/out.ndjson.zst" | jq -r '[.domain, .status, (.dnssec // "-"),
  (.summary.starttls // "-"), (.summary.dane // "-"),
  (.summary.inconclusive // "-" | tostring)] | @tsv' | column -t -s "$(printf '\t')"
