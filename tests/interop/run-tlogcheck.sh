#!/bin/sh
# Checks a live accord log with tlogcheck (Go's sumdb note and tlog code):
# the demo log must pass, and the same log under another log's verifier
# key must be refused.
# usage: run-tlogcheck.sh ACCORD_BIN TLOGCHECK_BIN
set -eu
accord="$1"
tlogcheck="$2"
dir=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

"$accord" init --db "$dir/a.db" --origin interop.accord/log --token-file "$dir/token" >/dev/null
"$accord" load --db "$dir/a.db" data/code-of-conduct.json >/dev/null
mkdir "$dir/other"
"$accord" init --db "$dir/other/o.db" --origin interop.accord/log --token-file "$dir/other/token" >/dev/null
vkey=$("$accord" log key --db "$dir/a.db" | awk '/^vkey/ {print $2}')
other=$("$accord" log key --db "$dir/other/o.db" | awk '/^vkey/ {print $2}')

"$accord" serve --db "$dir/a.db" --port 0 --threads 2 --checkpoint-interval 50 >"$dir/banner" 2>"$dir/serve.log" &
server=$!
for _ in $(seq 100); do
    grep -q ':[0-9]' "$dir/banner" 2>/dev/null && break
    sleep 0.05
done
port=$(sed -n '1s/.*:\([0-9][0-9]*\).*/\1/p' "$dir/banner")
base="http://127.0.0.1:$port"
# The first checkpoint is signed shortly after the server starts.
for _ in $(seq 100); do
    curl -fs "$base/log/checkpoint" >/dev/null 2>&1 && break
    sleep 0.05
done

"$tlogcheck" "$base" "$vkey"

if "$tlogcheck" "$base" "$other" 2>"$dir/refused"; then
    echo "tlogcheck accepted a checkpoint under another log's key" >&2
    exit 1
fi
grep -q "checkpoint signature" "$dir/refused" || { cat "$dir/refused" >&2; exit 1; }
echo "refused under another key: $(cat "$dir/refused")"
