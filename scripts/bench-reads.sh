#!/bin/sh
# make bench, public reads: accord beside nginx (1 worker, serving the
# bytes accord served, as files) and bench-bare (libmicrohttpd answering
# from memory), measured with wrk in one run; prints requests/s and the
# ratios. Also the first, uncached status for a synthetic instrument with
# 193 signatories.
#   scripts/bench-reads.sh BUILD DIR
set -eu
build="$1"
dir="$2/reads"
accord="./$build/accord"
secs="${BENCH_READ_SECONDS:-4}"
rounds="${BENCH_READ_ROUNDS:-2}"
port_accord=18610 port_nginx=18611 port_bare=18612
rm -rf "$dir" && mkdir -p "$dir/www"
abs=$(cd "$dir" && pwd)
ninja -C "$build" bench-bare >/dev/null

# The synthetic instrument: every UN member state recorded as signing on
# 2018-09-28. SYNTHETIC: benchmark data, not a record of anything.
codes=$(sed -n '/"codes"/,/]/p' data/un-membership.json | grep -o '"[A-Z][A-Z][A-Z]"')
{
    printf '{"format":"accord-dataset/1","about":"SYNTHETIC benchmark data: every UN member state recorded as signing. Not a record of anything.",\n'
    printf ' "sources":{"synthetic":{"title":"Synthetic benchmark data (not a real source)","url":"https://example.org/synthetic"}},\n'
    printf ' "instruments":[{"slug":"synthetic-193","title":"Synthetic instrument with 193 signatories (benchmark data, not a record)",'
    printf '"nature":"synthetic benchmark data","opened_on":"2018-09-28","place":"nowhere (synthetic)","goal_year":2045,"source":"synthetic",\n'
    printf '  "actions":['
    sep=""
    for c in $codes; do
        printf '%s{"party":%s,"type":"signature","date":"2018-09-28","date_precision":"day","place":"nowhere (synthetic)","signer":{"name":"Synthetic signer","title":"synthetic"},"source":"synthetic","confidence":"stated"}' "$sep" "$c"
        sep=",
   "
    done
    printf ']}]}\n'
} > "$dir/synthetic-193.json"

"$accord" init --db "$dir/r.db" --token-file "$dir/token" >/dev/null
"$accord" load --db "$dir/r.db" data/code-of-conduct.json >/dev/null
"$accord" load --db "$dir/r.db" "$dir/synthetic-193.json" >/dev/null

"$accord" serve --db "$dir/r.db" --port $port_accord >/dev/null 2>&1 &
server=$!
bare=""
nginx_pid=""
cleanup() {
    kill $server 2>/dev/null || true
    [ -n "$bare" ] && kill $bare 2>/dev/null || true
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1

# What is read: path on accord, file name for the others.
set -- "/api/v1/log" log.json \
       "/api/v1/instruments/code-of-conduct/status?as_of=2019-07-15" status.json \
       "/api/v1/instruments/synthetic-193/status?as_of=2019-07-15" status-193.json

# The first answer of the 193-signatory status is built, not cached: its
# time over many dates (each a different answer) is the uncached cost.
i=0
: > "$dir/uncached.txt"
for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28; do
    for m in 01 02 03 04 05 06 07; do
        curl -s -o /dev/null -w '%{time_total}\n' \
            "http://127.0.0.1:$port_accord/api/v1/instruments/synthetic-193/status?as_of=2020-$m-$d" >> "$dir/uncached.txt"
        i=$((i + 1))
    done
done
sort -n "$dir/uncached.txt" | awk '{ t[NR] = $1 } END {
    printf "uncached status, synthetic 193 signatories (%d different dates): p50 %.2f ms, p99 %.2f ms (target p99 < 2 ms; curl time_total, loopback)\n",
        NR, t[int(NR * 0.5)] * 1000, t[int(NR * 0.99)] * 1000 }'

while [ $# -gt 0 ]; do
    curl -s -o "$dir/www/$2" "http://127.0.0.1:$port_accord$1"
    shift 2
done
ls -l "$dir/www" | awk 'NR > 1 { printf "  %s: %d bytes\n", $9, $5 }'

cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $abs/nginx.pid;
error_log $abs/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port_nginx;
        root $abs/www;
    }
}
CONF
nginx -c "$abs/nginx.conf" -p "$abs" -e "$abs/nginx-error.log"

rate() { # URL -> requests per second
    wrk -t1 -c64 -d"${secs}s" "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}
measure() { # accord-path file
    path="$1" file="$2"
    "./$build/bench-bare" $port_bare "$dir/www/$file" application/json >/dev/null 2>&1 &
    bare=$!
    sleep 0.3
    r=1
    while [ $r -le "$rounds" ]; do
        a=$(rate "http://127.0.0.1:$port_accord$path")
        n=$(rate "http://127.0.0.1:$port_nginx/$file")
        b=$(rate "http://127.0.0.1:$port_bare/")
        echo "$path $a $n $b" | awk '{ printf "  %-62s accord %9.0f/s  nginx %9.0f/s  bare MHD %9.0f/s  ratio to nginx %.2f (target >= 1.2, log >= 1.0), to bare %.2f (target >= 0.8)\n", $1, $2, $3, $4, $2 / $3, $2 / $4 }'
        r=$((r + 1))
    done
    kill $bare; wait $bare 2>/dev/null || true
    bare=""
}
echo "wrk -t1 -c64 -d${secs}s, keep-alive, $rounds rounds; the same bytes from each server:"
measure "/api/v1/log" log.json
measure "/api/v1/instruments/code-of-conduct/status?as_of=2019-07-15" status.json
measure "/api/v1/instruments/synthetic-193/status?as_of=2019-07-15" status-193.json
