#!/bin/bash
# Option and file errors: a clear message and a non-zero exit before any probe is sent.
# (No resolver is reachable here: any attempt to scan would show up as a DNS error record.)
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"
echo example.pt > "$tmp/in.txt"
touch "$tmp/ta.key"
expect 0 "usage: mxsurvey scan" -- "$bin" --help
expect 0 "^mxsurvey [0-9]" -- "$bin" --version
expect 2 "usage" -- "$bin"
expect 2 "usage" -- "$bin" frobnicate
expect 2 "unrecognized option" -- "$bin" scan --no-such-option "$tmp/in.txt"
expect 2 "cannot open $tmp/missing.txt" -- "$bin" scan "$tmp/missing.txt"
expect 2 "smtp-port expects a number" -- "$bin" scan --smtp-port 70000 "$tmp/in.txt"
expect 2 "timeout-tls expects seconds" -- "$bin" scan --timeout-tls -1 "$tmp/in.txt"
expect 2 "allow 10.0.0.0/33" -- "$bin" scan --allow 10.0.0.0/33 "$tmp/in.txt"
expect 1 "bad --resolver 'dns.example'" -- "$bin" scan --resolver dns.example --trust-anchor "$tmp/ta.key" "$tmp/in.txt"
printf ". IN DS not-a-key-tag
" > "$tmp/broken.key"
expect 1 "holds no DS or DNSKEY" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor "$tmp/ta.key" "$tmp/in.txt"
expect 1 "cannot read trust anchor $tmp/none.key" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor "$tmp/none.key" "$tmp/in.txt"
expect 1 "check --trust-anchor $tmp/broken.key" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor "$tmp/broken.key" "$tmp/in.txt"
expect 1 "CA file" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key --ca-file "$tmp/none.pem" "$tmp/in.txt"
expect 1 "cannot open $tmp/no/dir/out.zst" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key -o "$tmp/no/dir/out.zst" "$tmp/in.txt"
# Output errors stop the scan with status 1 and a message, never a silently short file.
# Invalid lines need no DNS, so these records are written without any resolver.
printf 'not a domain!\n' > "$tmp/invalid.txt"
expect 1 "write /dev/full: No space left on device" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key -o /dev/full "$tmp/invalid.txt"
expect 1 "write <stdout>: No space left on device" -- sh -c "'$bin' scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key '$tmp/invalid.txt' > /dev/full"
mkdir "$tmp/ro" && chmod 755 "$tmp" && chmod 555 "$tmp/ro" && chmod 644 "$tmp/invalid.txt"
asuser=""   # root may write anywhere: drop to nobody to see a permission error
[ "$(id -u)" -eq 0 ] && asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ -n "$asuser" ] && ! $asuser test -x "$bin"; then
  echo "note: $bin is not executable by nobody here; permission check skipped"
else
expect 1 "cannot open $tmp/ro/out.zst: Permission denied" -- $asuser "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key -o "$tmp/ro/out.zst" "$tmp/invalid.txt"
fi
expect 0 "1 records written" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key -o "$tmp/ok.ndjson" "$tmp/invalid.txt"
if grep -q '"status":"invalid"' "$tmp/ok.ndjson"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: invalid record not written"; fi
# Input edge cases (invalid lines need no DNS): a 200 000-byte line is one invalid record,
# a last line without a newline counts, stdin works, and a signal is handled at once even
# while mxsurvey waits on a pipe that says nothing.
python3 -c "import sys; sys.stdout.write('bad one!\n' + 'x' * 200000 + '!\nbad two!\nbad three!')" > "$tmp/long.txt"
got=$("$bin" scan -q --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key "$tmp/long.txt" | jq -r '.status + ":" + .domain[0:8]' | sort | tr '\n' ' ')
if [ "$got" = "invalid:bad one! invalid:bad thre invalid:bad two! invalid:xxxxxxxx " ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: long/unterminated lines -> '$got'"; fi
got=$(printf 'bad a!\n# comment\n\nbad b!' | "$bin" scan -q --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key - | jq -r .domain | tr '\n' ' ')
if [ "$got" = "bad a! bad b! " ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: stdin -> '$got'"; fi
mkfifo "$tmp/idle"
sleep 20 > "$tmp/idle" &
sleeper=$!
"$bin" scan -q --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key -o "$tmp/sig.ndjson" - < "$tmp/idle" 2>/dev/null &
pid=$!
# Wait until the handler is installed (SIGTERM caught in /proc: bit 14 of SigCgt): an ASan
# build on a loaded machine takes over a second to start, and a fixed sleep raced it.
for _ in $(seq 100); do
  cgt=$(awk '/^SigCgt/ {print $2}' /proc/$pid/status 2>/dev/null)
  [ -n "$cgt" ] && [ $(( 0x$cgt >> 14 & 1 )) -eq 1 ] && break
  sleep 0.1
done
sleep 0.2
start=$(date +%s)
kill -TERM "$pid"
wait "$pid"; rc=$?
took=$(( $(date +%s) - start ))
kill "$sleeper" 2>/dev/null
if [ "$rc" -eq 3 ] && [ "$took" -le 5 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: SIGTERM while reading an idle pipe: rc=$rc after ${took}s"; fi
finish
