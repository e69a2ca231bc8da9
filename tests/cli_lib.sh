# Shared by the command-line tests (cli_test.sh, resume_cli_test.sh, hostile/files_cli_test.sh):
# a temporary directory removed at exit, the pass/fail counters and the summary line.
# Sourced after `bin=$1`.
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }
expect() { # expect CODE PATTERN -- command...: its status and a line of its output
  local code=$1 pat=$2; shift 3
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq "$code" ] && grep -q -- "$pat" <<<"$out"; then ok
  else bad "$* -> rc=$rc (want $code), output: $out (want /$pat/)"; fi
}
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
