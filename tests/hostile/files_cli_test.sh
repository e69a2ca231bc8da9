#!/bin/bash
# Hostile files at the command line (issue 13, topic "files"): --resume on files that are
# not mxsurvey output, -o naming a file the scan reads, endless or huge option files, a
# FIFO input that never gets a writer, numbers that are not plain decimals. Each case
# checks the exit status, the message and that the files involved are byte-identical
# afterwards. No resolver is needed: invalid input lines never reach DNS (127.0.0.1 has
# no resolver here; a query would show up as a dns-error record). Every command runs under
# `timeout`, so a case that would spin or grow forever fails instead of hanging.
set -u
bin=$1
. "$(dirname "$0")/../cli_lib.sh"
ta=/usr/share/dns/root.key
scan() { timeout 60 "$bin" scan --resolver 127.0.0.1 --trust-anchor "$ta" "$@"; }
# expect CODE PATTERN FILE -- command...: status, message, and FILE unchanged ('-': none)
expect_same() { # expect_same CODE PATTERN FILE|- -- command...: also FILE unchanged
  local code=$1 pat=$2 file=$3; shift 4
  local out rc sum=""
  [ "$file" != - ] && sum=$(sha256sum < "$file")
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ "$rc" -ne "$code" ] || ! grep -q -- "$pat" <<<"$out"; then
    bad "$* -> rc=$rc (want $code), output: ${out:0:300} (want /$pat/)"
  elif [ "$file" != - ] && [ "$(sha256sum < "$file")" != "$sum" ]; then
    bad "$* -> $file changed"
  else ok; fi
}
printf 'bad a!\nbad b!\n' > "$tmp/in.txt"

# ---- fault 2: --resume refuses what is not mxsurvey output, and leaves it as it was ----
cp /bin/ls "$tmp/ls.ndjson"
expect_same 1 "cannot resume $tmp/ls.ndjson: not NDJSON output of mxsurvey" "$tmp/ls.ndjson" -- scan --resume -o "$tmp/ls.ndjson" "$tmp/in.txt"
cp /bin/ls "$tmp/ls.ndjson.zst"
expect_same 1 "not zstd output of mxsurvey" "$tmp/ls.ndjson.zst" -- scan --resume -o "$tmp/ls.ndjson.zst" "$tmp/in.txt"
zstd -q -c /bin/ls > "$tmp/lsz.ndjson.zst"
expect_same 1 "not zstd output of mxsurvey" "$tmp/lsz.ndjson.zst" -- scan --resume -o "$tmp/lsz.ndjson.zst" "$tmp/in.txt"
printf 'notes, line one\nline two without a newline' > "$tmp/notes.ndjson"
expect_same 1 "not NDJSON output of mxsurvey" "$tmp/notes.ndjson" -- scan --resume -o "$tmp/notes.ndjson" "$tmp/in.txt"
printf '{"domain":"a.pt","owner":"x"}\n{"domain":"b.pt","owner":"y"}\n{"domain":"c' > "$tmp/other.ndjson"
expect_same 1 "not NDJSON output of mxsurvey" "$tmp/other.ndjson" -- scan --resume -o "$tmp/other.ndjson" "$tmp/in.txt"
printf '{"a":1}\n{"b":2}\n' | zstd -q -c > "$tmp/other.ndjson.zst"
expect_same 1 "not zstd output of mxsurvey" "$tmp/other.ndjson.zst" -- scan --resume -o "$tmp/other.ndjson.zst" "$tmp/in.txt"
# a torn first record: nothing of ours precedes it, so it is not ours to cut
printf '{"domain":"bad a!","status":"inv' > "$tmp/torn1.ndjson"
expect_same 1 "no whole record line to keep" "$tmp/torn1.ndjson" -- scan --resume -o "$tmp/torn1.ndjson" "$tmp/in.txt"
# records of ours, then a foreign line, then a torn one: not a torn tail
scan -q -o "$tmp/ours.ndjson" "$tmp/in.txt" || bad "first scan"
cp "$tmp/ours.ndjson" "$tmp/mixed.ndjson"
printf '{"a":1}\nmore' >> "$tmp/mixed.ndjson"
expect_same 1 "line 3 is not an mxsurvey record" "$tmp/mixed.ndjson" -- scan --resume -o "$tmp/mixed.ndjson" "$tmp/in.txt"
# frames of ours, then a complete frame of someone else's: refused, not dropped
scan -q -o "$tmp/ours.ndjson.zst" "$tmp/in.txt" || bad "first zstd scan"
cat "$tmp/ours.ndjson.zst" "$tmp/other.ndjson.zst" > "$tmp/mixed.ndjson.zst"
expect_same 1 "is complete but does not hold mxsurvey records" "$tmp/mixed.ndjson.zst" -- scan --resume -o "$tmp/mixed.ndjson.zst" "$tmp/in.txt"
# still fine: an empty file, and a torn tail after a record of ours
: > "$tmp/empty.ndjson"
expect_same 0 "2 records written" - -- scan --resume -o "$tmp/empty.ndjson" "$tmp/in.txt"
[ "$(jq -r .domain "$tmp/empty.ndjson" | tr '\n' ,)" = "bad a!,bad b!," ] && ok || bad "resume of an empty file: $(cat "$tmp/empty.ndjson")"
head -n 1 "$tmp/ours.ndjson" > "$tmp/torn2.ndjson"; printf '{"domain":"bad b!","sta' >> "$tmp/torn2.ndjson"
expect_same 0 "torn tail of 23 bytes dropped" - -- scan --resume -o "$tmp/torn2.ndjson" "$tmp/in.txt"
[ "$(jq -r .domain "$tmp/torn2.ndjson" | sort | tr '\n' ,)" = "bad a!,bad b!," ] && ok || bad "resume of a torn file: $(cat "$tmp/torn2.ndjson")"

# ---- fault 3: the output is never a file the scan reads (inode, so links count) ----
cp "$tmp/in.txt" "$tmp/list.txt"
ln -s list.txt "$tmp/link.txt"
ln "$tmp/list.txt" "$tmp/hard.txt"
msg="refusing to write over what is read"
expect_same 2 "the output $tmp/list.txt is the input file $tmp/list.txt: $msg" "$tmp/list.txt" -- scan -o "$tmp/list.txt" "$tmp/list.txt"
expect_same 2 "the output $tmp/link.txt is the input file" "$tmp/list.txt" -- scan -o "$tmp/link.txt" "$tmp/list.txt"
expect_same 2 "the output $tmp/hard.txt is the input file" "$tmp/list.txt" -- scan -o "$tmp/hard.txt" "$tmp/list.txt"
expect_same 2 "the output $tmp/list.txt is the input file $tmp/list.txt" "$tmp/list.txt" -- scan --resume -o "$tmp/list.txt" "$tmp/list.txt"
expect_same 2 "is the input file (standard input)" "$tmp/list.txt" -- sh -c "timeout 60 '$bin' scan --resolver 127.0.0.1 --trust-anchor $ta -o '$tmp/list.txt' - < '$tmp/list.txt'"
expect_same 2 "the output (standard output) is the input file" "$tmp/list.txt" -- sh -c "timeout 60 '$bin' scan --resolver 127.0.0.1 --trust-anchor $ta '$tmp/list.txt' >> '$tmp/list.txt'"
printf '192.0.2.0/24\n' > "$tmp/excl.txt"
expect_same 2 "is the --exclude-file $tmp/excl.txt" "$tmp/excl.txt" -- scan --exclude-file "$tmp/excl.txt" -o "$tmp/excl.txt" "$tmp/in.txt"
cp "$ta" "$tmp/ta.key"
expect_same 2 "is the --trust-anchor $tmp/ta.key" "$tmp/ta.key" -- "$bin" scan --resolver 127.0.0.1 --trust-anchor "$tmp/ta.key" -o "$tmp/ta.key" "$tmp/in.txt"
printf 'not really a CA\n' > "$tmp/ca.pem"
expect_same 2 "is the --ca-file $tmp/ca.pem" "$tmp/ca.pem" -- scan --ca-file "$tmp/ca.pem" -o "$tmp/ca.pem" "$tmp/in.txt"

# ---- fault 4: every file read at start-up is bounded ----
expect_same 1 "trust-anchor /dev/zero is not a regular file" - -- scan --trust-anchor /dev/zero "$tmp/in.txt"
truncate -s $((1024 * 1024 + 1)) "$tmp/big.key"
expect_same 1 "trust-anchor $tmp/big.key has 1048577 bytes, more than the 1 MiB" - -- scan --trust-anchor "$tmp/big.key" "$tmp/in.txt"
expect_same 1 "ca-file /dev/zero is not a regular file" - -- scan --ca-file /dev/zero "$tmp/in.txt"
truncate -s $((64 * 1024 * 1024 + 1)) "$tmp/big.pem"
expect_same 1 "ca-file $tmp/big.pem has 67108865 bytes, more than the 64 MiB" - -- scan --ca-file "$tmp/big.pem" "$tmp/in.txt"
expect_same 2 "exclude-file: /dev/zero:1: line longer than 4096 bytes" - -- scan --exclude-file /dev/zero "$tmp/in.txt"
expect_same 2 "more than 10000000 lines" - -- bash -c "timeout 60 '$bin' scan --resolver 127.0.0.1 --trust-anchor $ta --exclude-file <(yes '') '$tmp/in.txt'"
long=$(printf '#%0200d' 0)
expect_same 2 "more than 1024 MiB" - -- bash -c "timeout 60 '$bin' scan --resolver 127.0.0.1 --trust-anchor $ta --exclude-file <(yes '$long') '$tmp/in.txt'"

# ---- a FIFO input without a writer, then SIGTERM: status 3, our words, output untouched ----
mkfifo "$tmp/fifo"
cp "$tmp/ours.ndjson" "$tmp/kept.ndjson"
sum=$(sha256sum < "$tmp/kept.ndjson")
# Runs mxsurvey scan ARGS... (stderr to ERRFILE) under timeout, waits until the scan
# (timeout's child) sleeps, blocked in open() on a FIFO, sends it SIGTERM; sets rc.
sigterm_while_blocked() {
  errfile=$1; shift
  timeout 60 "$bin" scan "$@" 2> "$errfile" &
  pid=$!
  child=""
  for _ in $(seq 100); do
    child=$(pgrep -P $pid | head -n 1)
    [ -n "$child" ] && [ "$(awk '/^State/ {print $2}' /proc/$child/status 2>/dev/null)" = S ] && break
    sleep 0.1
  done
  sleep 0.3
  kill -TERM "$child"
  wait $pid; rc=$?
}
sigterm_while_blocked "$tmp/fifo.err" --resolver 127.0.0.1 --trust-anchor "$ta" -o "$tmp/kept.ndjson" "$tmp/fifo"
if [ "$rc" -eq 3 ] && grep -q "Terminated while waiting for a writer on $tmp/fifo: nothing scanned, nothing written" "$tmp/fifo.err" &&
   [ "$(sha256sum < "$tmp/kept.ndjson")" = "$sum" ]; then ok
else bad "SIGTERM while opening a FIFO: rc=$rc (want 3), stderr: $(cat "$tmp/fifo.err")"; fi

# the same while an --exclude-file FIFO waits for its writer
mkfifo "$tmp/xfifo"
sigterm_while_blocked "$tmp/xfifo.err" --resolver 127.0.0.1 --trust-anchor "$ta" --exclude-file "$tmp/xfifo" -o "$tmp/kept.ndjson" "$tmp/in.txt"
if [ "$rc" -eq 3 ] && grep -q "Terminated while reading the options' files: nothing scanned, nothing written" "$tmp/xfifo.err" &&
   [ "$(sha256sum < "$tmp/kept.ndjson")" = "$sum" ]; then ok
else bad "SIGTERM while opening an exclude FIFO: rc=$rc (want 3), stderr: $(cat "$tmp/xfifo.err")"; fi
# --resume only reads a regular file: never blocks on a FIFO, never reads /dev/zero
expect_same 1 "cannot resume $tmp/xfifo: not a regular file" - -- scan --resume -o "$tmp/xfifo" "$tmp/in.txt"
expect_same 1 "cannot resume /dev/zero: not a regular file" - -- scan --resume -o /dev/zero "$tmp/in.txt"

# ---- numbers: plain decimals only, millisecond precision, documented ranges ----
for v in 0x10 1e-9 1e3 inf nan ' 5' '+5' '5 ' -1 0 0.0001 3601 .5 5. ''; do
  expect_same 2 "timeout-banner expects seconds from 0.001 to 3600" - -- scan --timeout-banner "$v" "$tmp/in.txt"
done
for v in 0x10 1e3 ' 1' '+1' -0 0.0005; do
  expect_same 2 "rate expects a number from 0 to 1000000" - -- scan --rate "$v" "$tmp/in.txt"
done
for v in '+5' ' 5' '5 ' 0x10 1e3 99999999999999999999; do
  expect_same 2 "concurrency expects a number from 1 to 1000000, got '$v'" - -- scan --concurrency "$v" "$tmp/in.txt"
done
expect_same 0 "2 records written" - -- scan --timeout-banner 0.001 --grace 3600 --rate 0.5 --ip-interval 0 --concurrency 007 -o "$tmp/n.ndjson" "$tmp/in.txt"
for v in '+5' ' 5' 0x10 5x; do
  expect_same 2 "top expects a number from 1 to 100000" - -- timeout 60 "$bin" report --top "$v" "$tmp/ours.ndjson"
done
expect_same 0 "" - -- timeout 60 "$bin" report --top 5 "$tmp/ours.ndjson"
# report: never written over a file it reads, and a bounded Public Suffix List
expect_same 2 "the output $tmp/ours.ndjson is the input file $tmp/ours.ndjson" "$tmp/ours.ndjson" -- timeout 60 "$bin" report -o "$tmp/ours.ndjson" "$tmp/ours.ndjson"
cp "$tmp/ours.ndjson" "$tmp/old.ndjson"
expect_same 2 "the --html output $tmp/old.ndjson is the input file" "$tmp/old.ndjson" -- timeout 60 "$bin" report --html "$tmp/old.ndjson" "$tmp/ours.ndjson" --compare "$tmp/old.ndjson"
expect_same 2 "the output (standard output) is the input file" "$tmp/ours.ndjson" -- sh -c "timeout 60 '$bin' report '$tmp/ours.ndjson' >> '$tmp/ours.ndjson'"
expect_same 1 "psl /dev/zero must be a regular file of at most 64 MiB" - -- timeout 60 "$bin" report --psl /dev/zero "$tmp/ours.ndjson"
finish
