#!/bin/sh
# Runs the test suite of one build directory and ends with one summary
# line "N passed, N failed" (the counts of Criterion test cases, of the
# checks in scripts/ that print the same "Synthesis:" line, of the browser
# tests, and in the fuzz build of fuzz targets).
set -u
build="$1"
log="$build/meson-logs/testlog.txt"

meson test -C "$build" --print-errorlogs --num-processes 2
status=$?

# Each Criterion binary ends its output with a "Synthesis:" line; the
# browser tests (node --test, TAP) with "# pass N" and "# fail N".
passed=$(grep -ho 'Passing: [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -ho -E '(Failing|Crashing): [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
passed=$((passed + $(grep -h -E '^# pass [0-9]+$' "$log" | awk '{s += $3} END {print s + 0}')))
failed=$((failed + $(grep -h -E '^# (fail|cancelled) [0-9]+$' "$log" | awk '{s += $3} END {print s + 0}')))
# A fuzz target (suite "fuzz", the fuzz build) is one test: it passes when
# it ran its corpus and its seconds without a crash.
fuzz=$(grep '"name": "fuzz-' "$build/meson-logs/testlog.json" 2>/dev/null)
fuzz_ok=$(printf '%s\n' "$fuzz" | grep -c '"result": "OK"')
fuzz_bad=$(printf '%s\n' "$fuzz" | grep -c -E '"result": "(FAIL|TIMEOUT)"')
passed=$((passed + fuzz_ok))
failed=$((failed + fuzz_bad))
echo "tests ($build):"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "meson test failed (a test binary did not finish)"; exit "$status"
fi
[ "$failed" -eq 0 ] && exit "$status"
exit 1
