#!/usr/bin/env bash
# Pipeline benchmark for issue 7 (not a test): the whole `crmkit run` on ROWS customers plus
# ROWS follow-ups into a fresh SQLite file; prints rows/s, peak memory and the per-step
# timings from the run report.
#
#   bash bench/pipeline.sh                 # 1,000,000 + 1,000,000 rows
#   ROWS=100000 bash bench/pipeline.sh
#
# Inputs: `crmkit synth` customers (messy: duplicates under other names and phones, values to
# repair, a few no repair can fix) and `crmkit-bench gen-followups` visits naming those
# customers as the customer file writes them (so every follow-up's customer goes through
# dedupe's aliases at load). Every step is on: import, clean, validate, dedupe (against the
# empty database), load, audit sample, profile.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
OUT=${OUT:-bench/out/pipeline_${ROWS}}
mkdir -p "$OUT"
cargo build --release -q -p crmkit -p crmkit-bench
BIN=target/release/crmkit
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }

if [ ! -f "$OUT/customers.csv" ]; then
  "$BIN" synth -o "$OUT/customers.csv" --rows "$ROWS" --seed 7 2>/dev/null
  target/release/crmkit-bench gen-followups "$OUT/customers.csv" "$ROWS" "$OUT/followups.csv"
fi
cat > "$OUT/pipeline.toml" <<TOML
name = "bench ${ROWS} + ${ROWS}"
database = "sqlite:crm.db"
runs = "runs"
today = "2026-11-22"

[[sources]]
template = "customer"
files = ["customers.csv"]

[[sources]]
template = "followup"
files = ["followups.csv"]

[gates]
max_error_rate = 0.2
max_reject_rate = 0.2

[audit]
template = "customer"
size = 200
seed = 1
TOML
rm -rf "$OUT/runs" "$OUT"/crm.db*
echo "input: $(du -m "$OUT/customers.csv" | cut -f1) MB customers, $(du -m "$OUT/followups.csv" | cut -f1) MB follow-ups"
"$TIME" -f "%e %M %P" -o "$OUT/time.txt" "$BIN" run "$OUT/pipeline.toml" >"$OUT/run.log" 2>&1 || true
read -r secs kb cpu < <(tail -n 1 "$OUT/time.txt")
awk -v r="$((ROWS * 2))" -v s="$secs" -v k="$kb" -v c="$cpu" \
  'BEGIN { printf "crmkit run: rows=%d seconds=%.1f rows_per_s=%.0f peak_rss_mb=%.0f cpu=%s\n", r, s, r/s, k/1024, c }'
REPORT=$(ls -d "$OUT"/runs/*/ | head -1)run.json
python3 - "$REPORT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"status={r['status']} exit={r['exit_code']} report={sys.argv[1]}")
for s in r["steps"]:
    print(f"  {s['step']:<12} {s.get('template') or '':<10} {s['seconds']:7.1f} s  {s['status']}")
for t, c in r["reconciliation"].items():
    load = c.get("load") or {}
    print(f"  {t:<10} read={c['read']} rejected={c['rejected_by_validation']} accepted={c['accepted']} "
          f"merged={c['merged_by_dedupe']} inserted={load.get('inserted')} load_rejected={load.get('rejected')} balanced={c['balanced']}")
PY
