#!/bin/sh
# Runs one fuzz target from the source root:
#   run-target.sh EXE NAME smoke    its corpus, then FUZZ_SMOKE_SECONDS (5)
#   run-target.sh EXE NAME long     FUZZ_SECONDS (300) of fuzzing
# The corpus in fuzz/corpus/NAME is read, never written: inputs the run
# finds go to $FUZZ_WORK/NAME (build-fuzz/fuzz/work by default), and a
# crash to $FUZZ_WORK/crash-NAME-*, which fails the run. Merge new inputs
# into the corpus with `make fuzz-merge`.
set -eu
exe="$1"; name="$2"; mode="$3"
work="${FUZZ_WORK:-build-fuzz/fuzz/work}"
corpus="fuzz/corpus/$name"
mkdir -p "$work/$name"

if [ "$mode" = smoke ]; then
    seconds="${FUZZ_SMOKE_SECONDS:-5}"
else
    seconds="${FUZZ_SECONDS:-300}"
fi
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/crash-$name-" -print_final_stats=1
[ -f "fuzz/dict/$name.dict" ] && set -- "$@" -dict="fuzz/dict/$name.dict"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$exe" "$@" "$work/$name" "$corpus"
