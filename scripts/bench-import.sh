#!/bin/sh
# make bench, part: `accord report import` of a generated CSV of report
# rows, beside `sqlite3 .import` of the same file into a plain table,
# measured in the same run. Usage: bench-import.sh BUILD DIR [ROWS]
set -eu
build="$1"
dir="$2/import"
rows="${3:-100000}"
accord="./$build/accord"
parties=200
provisions=$(( (rows + parties - 1) / parties ))
rm -rf "$dir" && mkdir -p "$dir"
"$accord" init --db "$dir/a.db" --token-file "$dir/token" >/dev/null

# An instrument with enough provisions, signed by 200 states.
sqlite3 "$dir/a.db" "SELECT code FROM party WHERE kind = 'state' ORDER BY code LIMIT $parties" > "$dir/parties"
awk -v n="$provisions" '
    BEGIN { src = "{\"title\": \"Benchmark fixture\", \"url\": \"https://example.org/bench\"}" }
    { party[NR] = $1 }
    END {
        print "{\"format\": \"accord-dataset/1\", \"instruments\": [{\"slug\": \"bench-reporting\","
        print " \"title\": \"A generated instrument for the import benchmark\", \"opened_on\": \"2020-01-01\","
        print " \"source\": " src ", \"provisions\": ["
        for (i = 1; i <= n; i++)
            printf "  {\"number\": %d, \"text_status\": \"paraphrase\", \"title\": \"Provision %d\", \"source\": %s}%s\n",
                   i, i, src, i < n ? "," : ""
        print " ], \"actions\": ["
        for (p = 1; p <= NR; p++)
            printf "  {\"party\": \"%s\", \"type\": \"signature\", \"date\": \"2020-01-01\", \"source\": %s}%s\n",
                   party[p], src, p < NR ? "," : ""
        print "]}]}"
    }' "$dir/parties" > "$dir/dataset.json"
"$accord" load --db "$dir/a.db" "$dir/dataset.json" >/dev/null
"$accord" cycle open bench-reporting --db "$dir/a.db" --code 2025 --name "Benchmark cycle" \
    --opens 2025-01-01 --due 2025-12-31 >/dev/null

# One row per party and provision, as a filled-in template: a narrative
# of about 300 bytes with a comma and quotes, measures, one link.
awk -v n="$provisions" -v rows="$rows" '
    BEGIN { print "party,provision,status,narrative,measures,evidence,assistance_needs" }
    {
        for (i = 1; i <= n && done < rows; i++) {
            done++
            printf "%s,%d,in_progress,\"Row %d: the national action plan adopted in 2024 covers this provision, " \
                   "with \"\"quarterly\"\" reviews by the interagency committee, training for 120 officers, and " \
                   "a public report each year; the next steps are the regulations and the budget line for 2026.\"," \
                   "Law 12/2024 and decree 7/2025,\"Annual report https://example.org/report/%d\",Technical help\n",
                   $1, i, done, done
        }
    }' "$dir/parties" > "$dir/reports.csv"
bytes=$(wc -c < "$dir/reports.csv")

t0=$(date +%s.%N)
"$accord" report import bench-reporting 2025 "$dir/reports.csv" --db "$dir/a.db" >/dev/null
t1=$(date +%s.%N)
sqlite3 "$dir/ref.db" ".import --csv $dir/reports.csv reports"
t2=$(date +%s.%N)
imported=$(sqlite3 "$dir/a.db" "SELECT count(*) FROM report_draft")
reference=$(sqlite3 "$dir/ref.db" "SELECT count(*) FROM reports")
[ "$imported" -eq "$rows" ] && [ "$reference" -eq "$rows" ] || {
    echo "bench-import: expected $rows rows, accord has $imported and sqlite3 $reference" >&2; exit 1; }
awk -v r="$rows" -v b="$bytes" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
    a = t1 - t0; s = t2 - t1
    printf "accord report import: %d rows (%.1f MB) in %.2f s: %.0f rows/s\n", r, b / 1e6, a, r / a
    printf "sqlite3 .import of the same CSV into a plain table: %.2f s: %.0f rows/s\n", s, r / s
    printf "ratio (accord / sqlite3): %.3f\n", s / a }'
