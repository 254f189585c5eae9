#!/usr/bin/env bash
# Import benchmarks for issue targets (not a test): prints rows/s and peak memory.
#
#   bash bench/run.sh            # 1,000,000-row CSV and 100,000-row .xlsx
#   ROWS=200000 bash bench/run.sh
#
# 1. `crmkit import` of a 12-column customer CSV, with and without writing the mapped CSV;
#    `crmkit validate` and `crmkit clean` (with changes, rejects and a findings report) of the
#    same file, which is messy the way exports are (see crates/crmkit-bench); `crmkit profile`
#    of it (HTML and JSON); `crmkit synth`
#    writing a customer file of the same size with its ground truth.
# 2. A 100,000-row .xlsx: calamine's own bare read (open + worksheet_range) against crmkit's read
#    (the same, plus rendering every cell, header detection and mapping), each in its own process,
#    three runs each; the ratio of the medians is the figure the target names (≤ 1.5×).
# 3. Company match keys (company::company_key) for ROWS generated names and for the CSV's
#    客户名称 column: names/s by the wall clock and per CPU second of the thread.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
XLSX_ROWS=${XLSX_ROWS:-100000}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"

cargo build --release -q -p crmkit -p crmkit-bench
BIN=target/release
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }

measure() { # label rows command...
  local label=$1 rows=$2; shift 2
  "$TIME" -f "%e %M %P" -o "$OUT/time.txt" "$@" >/dev/null 2>&1 || true
  # GNU time puts "Command exited with non-zero status N" first when the tool exits 1.
  read -r secs kb cpu < <(tail -n 1 "$OUT/time.txt")
  awk -v l="$label" -v r="$rows" -v s="$secs" -v k="$kb" -v c="$cpu" \
    'BEGIN { printf "%-32s rows=%d seconds=%.2f rows_per_s=%.0f peak_rss_mb=%.0f cpu=%s\n", l, r, s, r/s, k/1024, c }'
}

CSV="$OUT/customers_${ROWS}.csv"
[ -f "$CSV" ] || "$BIN/crmkit-bench" gen-csv "$CSV" "$ROWS"
echo "input: $CSV ($(du -m "$CSV" | cut -f1) MB, $ROWS rows, 12 columns)"
measure "crmkit import (mapping only)" "$ROWS" "$BIN/crmkit" import "$CSV" -t customer
measure "crmkit import -o out.csv" "$ROWS" "$BIN/crmkit" import "$CSV" -t customer -o "$OUT/mapped.csv"
measure "crmkit validate" "$ROWS" "$BIN/crmkit" validate "$CSV" -t customer --today 2026-11-22
measure "crmkit clean (4 outputs)" "$ROWS" "$BIN/crmkit" clean "$CSV" -t customer --today 2026-11-22 \
  -o "$OUT/clean.csv" --changes "$OUT/changes.csv" --rejects "$OUT/rejects.csv" --report "$OUT/report.csv"

measure "crmkit profile -o report.html" "$ROWS" "$BIN/crmkit" profile "$CSV" -t customer --today 2026-11-22 \
  -o "$OUT/profile.html" --json "$OUT/profile.json"

measure "crmkit synth (+ truth)" "$ROWS" "$BIN/crmkit" synth -o "$OUT/synth_${ROWS}.csv" --rows "$ROWS"

XLSX="$OUT/customers_${XLSX_ROWS}.xlsx"
[ -f "$XLSX" ] || "$BIN/crmkit-bench" gen-xlsx "$XLSX" "$XLSX_ROWS"
echo "input: $XLSX ($(du -m "$XLSX" | cut -f1) MB, $XLSX_ROWS rows)"
for tool in calamine crmkit-read; do
  for _ in 1 2 3; do "$BIN/crmkit-bench" "$tool" "$XLSX"; done | sort -t= -k3 -n | sed -n 2p | sed "s/^/$tool (median of 3): /"
done | tee "$OUT/xlsx.txt"
awk -F'seconds=' '{ split($2, a, " "); t[NR] = a[1] } END { printf "crmkit / calamine read time: %.2fx\n", t[2] / t[1] }' "$OUT/xlsx.txt"

# Company match keys: generated names in every form, then the CSV's 客户名称 column.
"$BIN/crmkit-bench" company-keys "$ROWS" | sed 's/^/company keys (generated): /'
"$BIN/crmkit-bench" company-keys "$CSV" | sed 's/^/company keys (客户名称): /'
