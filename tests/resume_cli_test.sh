#!/bin/bash
# --resume, duplicate input lines and --exclude-file at the command line. Invalid lines
# need no DNS, so these scans run without any resolver (127.0.0.1 has none here: a line
# that did reach DNS would show up as a dns-error record and fail the checks).
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"
scan() { "$bin" scan --resolver 127.0.0.1 --trust-anchor /usr/share/dns/root.key "$@"; }
domains() { # the sorted "domain" values of an output file (zstd or plain)
  case "$1" in *.zst) zstd -dcq "$1" ;; *) cat "$1" ;; esac | jq -r .domain | sort
}

echo example.pt > "$tmp/one.txt"
expect 2 "resume needs -o FILE" -- scan --resume "$tmp/one.txt"
expect 2 "resume needs -o FILE" -- scan --resume -o - "$tmp/one.txt"
printf '# opt-outs\n10.0.0.0/8\n\nexample.pt # ok\n10.0.0.0/40\n' > "$tmp/bad-excl.txt"
expect 2 "exclude-file: $tmp/bad-excl.txt:5: '10.0.0.0/40' is not an address or CIDR" -- scan --exclude-file "$tmp/bad-excl.txt" "$tmp/one.txt"
printf 'two words\n' > "$tmp/bad-excl2.txt"
expect 2 "bad-excl2.txt:1: one entry per line" -- scan --exclude-file "$tmp/bad-excl2.txt" "$tmp/one.txt"
expect 2 "cannot open $tmp/none.txt" -- scan --exclude-file "$tmp/none.txt" "$tmp/one.txt"

# Duplicates: the same line twice, and invalid lines repeated (their record's domain is
# the trimmed line): one record each, the count in the summary.
printf 'bad a!\nbad b!\n  bad a!\nbad a!  \nbad c!\nbad b!\n' > "$tmp/dups.txt"
out=$(scan -o "$tmp/dups.ndjson" "$tmp/dups.txt" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "3 records written; 3 duplicate input lines skipped" <<<"$out" && ok || bad "duplicates: rc=$rc $out"
[ "$(domains "$tmp/dups.ndjson" | tr '\n' ,)" = "bad a!,bad b!,bad c!," ] && ok || bad "duplicates: records $(domains "$tmp/dups.ndjson" | tr '\n' ,)"

# Resume, plain and zstd: 3000 invalid lines; a finished file is left alone, a torn one
# is cut back to its last whole record (zstd: frame) and completed; the union is every
# line exactly once.
python3 -c "
for i in range(3000): print('bad %d!' % i)" > "$tmp/many.txt"
for f in many.ndjson many.ndjson.zst; do
  o="$tmp/$f"
  scan -q -o "$o" "$tmp/many.txt" || bad "$f: first scan"
  sum=$(md5sum < "$o")
  out=$(scan --resume -o "$o" "$tmp/many.txt" 2>&1)
  grep -q "resuming $o: 3000 records (3000 domains) kept" <<<"$out" && grep -q "0 records written; 3000 domains already in the output skipped" <<<"$out" && ok || bad "$f: resume of a finished scan: $out"
  [ "$(md5sum < "$o")" = "$sum" ] && ok || bad "$f: a finished file changed on resume"
  size=$(stat -c %s "$o")
  truncate -s $((size - 7)) "$o"
  out=$(scan --resume -o "$o" "$tmp/many.txt" 2>&1); rc=$?
  written=$(sed -n 's/.*: \([0-9]*\) records written.*/\1/p' <<<"$out")
  [ $rc -eq 0 ] && grep -q "torn tail of" <<<"$out" && [ "${written:-0}" -ge 1 ] && ok || bad "$f: resume of a torn file: rc=$rc $out"
  [ "$(domains "$o" | uniq | wc -l)" = 3000 ] && [ "$(domains "$o" | wc -l)" = 3000 ] && ok || bad "$f: after resume: $(domains "$o" | wc -l) records, $(domains "$o" | uniq | wc -l) distinct"
  case "$f" in *.zst) zstd -tq "$o" && ok || bad "$f: zstd -t after resume";; esac
done
# A missing file with --resume starts a new scan (and says so).
out=$(scan --resume -o "$tmp/new.ndjson.zst" "$tmp/dups.txt" 2>&1)
grep -q "does not exist yet: starting a new scan" <<<"$out" && [ "$(domains "$tmp/new.ndjson.zst" | wc -l)" = 3 ] && ok || bad "resume of a missing file: $out"
# A file that is not mxsurvey output is never truncated.
echo "precious notes" > "$tmp/notes.zst"
expect 1 "cannot resume $tmp/notes.zst: not zstd output of mxsurvey" -- scan --resume -o "$tmp/notes.zst" "$tmp/dups.txt"
[ "$(cat "$tmp/notes.zst")" = "precious notes" ] && ok || bad "foreign file was changed"
printf 'precious notes without newline' > "$tmp/notes.ndjson"
expect 1 "not NDJSON output of mxsurvey" -- scan --resume -o "$tmp/notes.ndjson" "$tmp/dups.txt"

# Two scans on one output: the second is refused before it truncates anything.
cp "$tmp/dups.ndjson" "$tmp/locked.ndjson"
sum=$(md5sum < "$tmp/locked.ndjson")
exec 9>>"$tmp/locked.ndjson"   # this shell holds the lock: no timing involved
flock -n 9 || bad "could not take the lock for the test"
expect 1 "locked.ndjson is being written by another process" -- scan -o "$tmp/locked.ndjson" "$tmp/dups.txt"
expect 1 "locked.ndjson is being written by another process" -- scan --resume -o "$tmp/locked.ndjson" "$tmp/dups.txt"
exec 9>&-
[ "$(md5sum < "$tmp/locked.ndjson")" = "$sum" ] && ok || bad "a locked output was changed"

# Exclusions: an excluded domain (and a subdomain of it) is recorded as excluded without
# a DNS query (no resolver listens here: a query would give dns-error), with file:line.
printf '# CERT opt-outs\nexample.pt   # asked 2026-11-01\n192.0.2.0/24\n' > "$tmp/excl.txt"
printf 'Example.PT.\nmail.example.pt\n' > "$tmp/excl-in.txt"
out=$(scan --exclude-file "$tmp/excl.txt" -o "$tmp/excl.ndjson" "$tmp/excl-in.txt" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "2 records written; 2 excluded" <<<"$out" && ok || bad "exclude: rc=$rc $out"
got=$(jq -c '[.domain, .status, .error.stage, .error.reason, has("dnssec"), has("sender")]' "$tmp/excl.ndjson" | sort | tr '\n' ' ')
want="[\"example.pt\",\"excluded\",\"input\",\"excluded by $tmp/excl.txt:2\",false,false] [\"mail.example.pt\",\"excluded\",\"input\",\"excluded by $tmp/excl.txt:2\",false,false] "
[ "$got" = "$want" ] && ok || bad "exclude records: $got"
finish
