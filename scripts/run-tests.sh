#!/bin/sh
# Runs the test suite of one build directory and ends with one summary
# line "N passed, N failed" (the counts of Criterion test cases, and of the
# checks in scripts/ that print the same "Synthesis:" line).
set -u
build="$1"
log="$build/meson-logs/testlog.txt"

meson test -C "$build" --print-errorlogs --num-processes 2
status=$?

# Each Criterion binary ends its output with a "Synthesis:" line.
passed=$(grep -ho 'Passing: [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -ho -E '(Failing|Crashing): [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
echo "tests ($build):"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "meson test failed (a test binary did not finish)"; exit "$status"
fi
[ "$failed" -eq 0 ] && exit "$status"
exit 1
