#!/bin/sh
# make stress: the server under many connections, the figures of
# docs/stress.md, measured in one run on this machine (about 3 minutes).
# Every server listens on 127.0.0.1; the runs are bounded in time.
set -eu
build="${1:-build}"
dir="${STRESS_DIR:-var/stress}"
seconds="${STRESS_SECONDS:-60}"
accord="./$build/accord"
ninja -C "$build" accord stress-connections >/dev/null
rm -rf "$dir" && mkdir -p "$dir"
"$accord" init --db "$dir/s.db" --token-file "$dir/token" >/dev/null
"$accord" load --db "$dir/s.db" data/code-of-conduct.json >/dev/null

echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)," \
     "open files $(ulimit -Sn) soft / $(ulimit -Hn) hard"

server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null || true' EXIT
# Starts the server with extra arguments "$@" on a free port: sets
# $server and $port.
start() {
    rm -f "$dir/banner"
    "$accord" serve --db "$dir/s.db" --port 0 "$@" >"$dir/banner" 2>"$dir/server.log" &
    server=$!
    i=0
    while ! grep -q serving "$dir/banner" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "the server did not start"; exit 1; }
        sleep 0.1
    done
    port=$(sed 's|.*:\([0-9]*\)/$|\1|' "$dir/banner")
}
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$server/status"; }
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

status=0
echo "== 2,000 hostile connections from one address, $seconds s (default limits)"
start
"./$build/stress-connections" hostile "$port" 2000 "$seconds" || status=1
echo "server RSS after: $(rss)"
stop

echo "== SIGTERM with 1,000 idle connections open"
start --max-per-address 2000
"./$build/stress-connections" shutdown "$port" 1000 "$server" || status=1
wait "$server" 2>/dev/null || true
server=""

echo "== wrk: 1,000 keep-alive connections, $seconds s, GET /healthz (--max-per-address 2000, 8 threads)"
start --max-per-address 2000
echo "server RSS before: $(rss)"
# utime + stime of the server, in clock ticks: its CPU time per request
# does not depend on what else shares the machine, the latency does.
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
t0=$(ticks)
wrk -t2 -c1000 -d"${seconds}s" --timeout 5s --latency "http://127.0.0.1:$port/healthz" >"$dir/wrk.txt" || status=1
t1=$(ticks)
grep -E "Requests/sec|requests in|Socket errors|Non-2xx|  50%|  99%|Latency " "$dir/wrk.txt"
awk -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" '/requests in/ {
    printf "server CPU: %.0f us per request\n", (t1 - t0) / hz * 1e6 / $1 }' "$dir/wrk.txt"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q "Socket errors\|Non-2xx" "$dir/wrk.txt"; then status=1; fi
echo "server RSS right after: $(rss)"
sleep 10
echo "server RSS 10 s later: $(rss)"
stop

[ $status -eq 0 ] && echo "stress: every check passed" || echo "stress: a check FAILED (see above)"
exit $status
