#!/bin/sh
# Checks every interface catalogue in the folder given (po/): msgfmt
# --check must pass and --statistics must report no untranslated and no
# fuzzy message. Prints one Criterion-style synthesis line so that
# scripts/run-tests.sh counts each catalogue as a test.
set -u
dir="$1"
passed=0 failed=0
for po in "$dir"/*.po; do
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
    if [ $? -ne 0 ] || echo "$stats" | grep -Eq 'untranslated|fuzzy'; then
        echo "FAIL $po: $stats"
        failed=$((failed + 1))
    else
        echo "ok $po: $(echo "$stats" | tail -n 1)"
        passed=$((passed + 1))
    fi
done
echo "[====] Synthesis: Tested: $((passed + failed)) | Passing: $passed | Failing: $failed | Crashing: 0"
[ "$failed" -eq 0 ]
