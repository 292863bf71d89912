#!/bin/sh
# Runs the fuzz targets of a fuzz build (make fuzz), one after another,
# for FUZZ_SECONDS each, and prints one line per target: executions,
# executions per second, corpus size and the crash file if any. Exits 1
# when any target crashed. With --merge, instead adds the inputs found
# in <build>/fuzz/work/<target> that reach new code to fuzz/corpus/<target>.
#   scripts/fuzz.sh [--merge] BUILD [TARGET...]
set -u
merge=0
if [ "${1:-}" = "--merge" ]; then merge=1; shift; fi
build="$1"; shift
targets="$*"
if [ -z "$targets" ]; then
    targets=$(sed -n "s/^  '\([a-z0-9_]*\)',$/\1/p" fuzz/meson.build)
fi
work="${FUZZ_WORK:-$build/fuzz/work}"
export FUZZ_WORK="$work"
mkdir -p "$work"
failed=0

for t in $targets; do
    exe="$build/fuzz/fuzz_$t"
    if [ "$merge" -eq 1 ]; then
        [ -d "$work/$t" ] || continue
        "$exe" -merge=1 "fuzz/corpus/$t" "$work/$t" > "$work/$t.merge.log" 2>&1 \
            && echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs in fuzz/corpus/$t" \
            || { echo "$t: merge failed, see $work/$t.merge.log"; failed=1; }
        continue
    fi
    log="$work/$t.log"
    start=$(date +%s)
    fuzz/run-target.sh "$exe" "$t" long > "$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    crash=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | head -1)
    printf '%-11s %5ss %12s execs %8s/s  %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" \
        "${crash:+CRASH $crash (log $log)}"
    [ "$rc" -ne 0 ] && failed=1
done
exit "$failed"
