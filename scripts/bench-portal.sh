#!/bin/sh
# make bench, the portal: the time to answer each page type over HTTP on
# the demo data and on a SYNTHETIC copy where 193 states have signed,
# beside the JSON API answering the same question (the reference, measured
# in the same run), and the bytes each page transfers (the instrument page
# must stay under 100 KB). Sequential requests with curl, one connection
# each, on the machine's loopback.
set -eu
build="$1"
dir="$2/portal"
n="${BENCH_PORTAL_REQUESTS:-40}"
accord="./$build/accord"
rm -rf "$dir" && mkdir -p "$dir"

start() { # db port
    "$accord" serve --db "$1" --port "$2" --threads 4 >/dev/null &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$2/healthz"; do
        i=$((i + 1)); [ $i -gt 50 ] && { echo "server did not start"; exit 1; }; sleep 0.1
    done
}
stop() { kill $server; wait $server 2>/dev/null || true; trap - EXIT; }

# median and p95 of $n sequential requests, in ms, and the size in bytes
measure() { # label url
    for _ in $(seq "$n"); do
        curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$2"
    done | sort -n | awk -v label="$1" -v n="$n" '
        { t[NR] = $1 * 1000; size = $2 }
        END { printf "  %-44s median %6.2f ms  p95 %6.2f ms  %7d bytes\n", label, t[int((n + 1) / 2)], t[int(n * 0.95)], size }'
}

pages() { # base label-suffix
    b="$1"
    measure "reference: JSON status (API)" "$b/api/v1/instruments/code-of-conduct/status?as_of=2020-01-01"
    measure "instrument /en/ (status 2020-01-01)" "$b/en/instruments/code-of-conduct?as_of=2020-01-01"
    measure "instrument /ar/ (status 2020-01-01)" "$b/ar/instruments/code-of-conduct?as_of=2020-01-01"
    measure "home /en/" "$b/en/"
    measure "reference: JSON matrix (API)" "$b/api/v1/instruments/code-of-conduct/matrix?as_of=2020-01-01"
    measure "implementation /fr/" "$b/fr/instruments/code-of-conduct/implementation?as_of=2020-01-01"
    measure "party /ru/parties/KAZ" "$b/ru/parties/KAZ"
    measure "group /zh/groups/turkic-council" "$b/zh/groups/turkic-council?as_of=2020-01-01"
    measure "region /es/regions/142 (Asia)" "$b/es/regions/142?as_of=2020-01-01"
    measure "notifications /en/" "$b/en/notifications"
    measure "Atom feed" "$b/feeds/notifications.atom"
    measure "log /en/log" "$b/en/log"
    measure "log entry /en/log/entries/5" "$b/en/log/entries/5"
    size=$(curl -s --compressed -o /dev/null -w '%{size_download}' "$b/en/instruments/code-of-conduct?as_of=2020-01-01")
    css=$(curl -s "$b/en/" | sed -n 's/.*href="\(\/static\/accord\.[0-9a-f]*\.css\)".*/\1/p' | head -n 1)
    csssize=$(curl -s -o /dev/null -w '%{size_download}' "$b$css")
    echo "  instrument page transferred: $size bytes of HTML + $csssize bytes of stylesheet (cached for a year) = $((size + csssize)) bytes (goal: under 100 KB)"
}

echo "-- demo data"
"$accord" init --db "$dir/demo.db" --token-file "$dir/demo.token" >/dev/null
"$accord" load --db "$dir/demo.db" data/code-of-conduct.json >/dev/null
start "$dir/demo.db" 18610
pages http://127.0.0.1:18610
stop

echo "-- SYNTHETIC: 193 states signed on 2019-12-01 (benchmark data, not real signatures)"
cp "$dir/demo.db" "$dir/synthetic.db"
start "$dir/synthetic.db" 18611
token=$(cat "$dir/demo.token")
have=$(curl -s "http://127.0.0.1:18611/api/v1/instruments/code-of-conduct/status?as_of=2019-12-01" |
       grep -o '"code": "[A-Z]\{3\}"' | sed 's/.*"\([A-Z]*\)"/\1/' | sort -u)
need=$((193 - $(echo "$have" | grep -c . || true)))
curl -s "http://127.0.0.1:18611/api/v1/parties?kind=state" | grep -o '"code": "[A-Z]\{3\}"' |
    sed 's/.*"\([A-Z]*\)"/\1/' | grep -v -x -F "$have" | head -n "$need" | while read -r code; do
    curl -s -o /dev/null -X POST "http://127.0.0.1:18611/api/v1/instruments/code-of-conduct/actions" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"party\":\"$code\",\"type\":\"signature\",\"date\":\"2019-12-01\",\"confidence\":\"synthetic\",
             \"source\":{\"title\":\"SYNTHETIC benchmark data: not a real signature\"}}"
done
echo "  recorded participants on 2020-01-01: $(curl -s "http://127.0.0.1:18611/api/v1/instruments/code-of-conduct/status?as_of=2020-01-01" | grep -A2 '"recorded"' | grep -o '"participants": [0-9]*')"
pages http://127.0.0.1:18611
stop
