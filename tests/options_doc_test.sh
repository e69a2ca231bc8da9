#!/bin/sh
# docs/options.md must be what the option tables say (`mxsurvey --help-markdown`), so a
# changed option, default, bound or help text cannot leave the documentation stale.
# Usage: options_doc_test.sh MXSURVEY DOC
bin=$1 doc=$2
out=$("$bin" --help-markdown) || { echo "FAIL: $bin --help-markdown exited $?"; exit 1; }
if printf '%s\n' "$out" | diff -u "$doc" -; then
  echo "$doc equals the option tables"
else
  echo "FAIL: $doc differs from the option tables; regenerate it: $bin --help-markdown > $doc"
  exit 1
fi
