#!/bin/sh
# report/ reads records, nothing else of the scanner: of the project's headers it includes
# its own, record/schema.h or record/keys.h (the record's keys and enum strings, and
# model/job.h's enums through it) and lib/ (the shared building blocks), never scan/, cli/,
# smtp/, net/ or any other folder directly. Narrower than layout.rules, which allows all of
# record/.
# Usage: includes_test.sh SOURCE_DIR
cd "${1:?source dir}" || exit 2
bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' report/*.c report/*.h |
      grep -v '"report/[^"]*"' | grep -v '"record/\(schema\|keys\)\.h"' | grep -v '"lib/[^"]*"')
if [ -n "$bad" ]; then
  echo "report/ includes what it must not:"
  echo "$bad"
  exit 1
fi
grep -q '"record/schema\.h"' report/stats.c report/figures.c report/compare.c report/report.c ||
  { echo "report/ does not take the record's vocabulary from record/schema.h"; exit 1; }
echo "report/ includes: ok"
