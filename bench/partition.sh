#!/usr/bin/env bash
# Partitioned dedupe benchmark: `crmkit dedupe` in one pass against `--partition-size N` on the
# same generated file, each in its own process under GNU time: wall and CPU seconds, rows/s,
# peak RSS, pairwise precision/recall/F1 against the generator's truth, and whether the
# partitioned run with the one-pass model gives exactly the one-pass clusters. Not a test:
# prints a table. See bench/README.md, "Partitioned dedupe".
#
#   bash bench/partition.sh                   # 1,000,000 rows, partitions of 200,000
#   bash bench/partition.sh 300000 60000      # ROWS PARTITION_SIZE
#
# The generated file is cut into FILES files (default 5: 200,000 rows each for 1,000,000), the
# way a large export arrives (an Excel sheet stops at 1,048,576 rows): a partitioned run reads
# one file at a time, so its memory is one file's and one partition's, not the input's. Every
# run gets the same files.
#
# Runs (all on the same input):
#   whole       crmkit dedupe IN --clusters whole.csv --save-model whole_model.json
#   part        crmkit dedupe IN --partition-size N --clusters part.csv   (model trained once on
#               a sample of whole components: N records, at least 100,000)
#   part+model  crmkit dedupe IN --partition-size N --model whole_model.json --clusters same.csv
#               (must equal whole.csv as a partition of the rows; checked and printed)
#
# Environment: OUT=bench/out, SEED=7, FILES=5, INPUT=path/X.csv (with X.truth.csv beside it),
# CRMKIT=target/release/crmkit, NO_BUILD=1 skips `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${1:-1000000}
SIZE=${2:-200000}
for n in "$ROWS" "$SIZE"; do
  case "$n" in
    ''|*[!0-9]*|0) echo "usage: bash bench/partition.sh [ROWS] [PARTITION_SIZE]" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-bench/out}
SEED=${SEED:-7}
FILES=${FILES:-5}
CRMKIT=${CRMKIT:-target/release/crmkit}
HERE=bench/dedupe
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench needs python3" >&2; exit 2; }

if [ "${NO_BUILD:-0}" != 1 ]; then
  cargo build --release -q
fi
[ -x "$CRMKIT" ] || { echo "no crmkit binary at $CRMKIT" >&2; exit 2; }

if [ -n "${INPUT:-}" ]; then
  CSV=$INPUT
  [ -f "${CSV%.csv}.truth.csv" ] && ROWS=$(( $(wc -l < "${CSV%.csv}.truth.csv") - 1 ))
  DIR="$OUT/partition_$(basename "${CSV%.csv}")_${ROWS}_$SIZE"
  mkdir -p "$DIR"
else
  DIR="$OUT/partition_${ROWS}_$SIZE"
  mkdir -p "$DIR"
  CSV="$DIR/customers.csv"
  if [ ! -f "$CSV" ] || [ ! -f "$DIR/customers.truth.csv" ]; then
    echo "== generating $ROWS rows (seed $SEED)" >&2
    "$CRMKIT" synth -o "$CSV" --rows "$ROWS" --seed "$SEED"
  fi
fi
TRUTH="${CSV%.csv}.truth.csv"
[ -f "$TRUTH" ] || { echo "no ground truth $TRUTH beside $CSV" >&2; exit 2; }

# The input cut into $FILES files of consecutive rows (header and BOM in each); PER rows each.
PER=$(( (ROWS + FILES - 1) / FILES ))
rm -rf "$DIR/parts" && mkdir -p "$DIR/parts"
python3 - "$CSV" "$DIR/parts" "$PER" <<'PY'
import csv, sys
src, out, per = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, encoding="utf-8-sig", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    writer, part, n = None, 0, 0
    for row in reader:
        if writer is None or n == per:
            part += 1
            n = 0
            g = open(f"{out}/customers_{part:02d}.csv", "w", encoding="utf-8-sig", newline="")
            writer = csv.writer(g, lineterminator="\r\n")
            writer.writerow(header)
        writer.writerow(row)
        n += 1
PY
INPUTS=("$DIR"/parts/customers_*.csv)
echo "input: $CSV ($(du -m "$CSV" | cut -f1) MB) as ${#INPUTS[@]} files of $PER rows; partitions of at most $SIZE records" >&2

# run_timed NAME COMMAND...: under `time -v`; output to $DIR/NAME.log, GNU time's to NAME.time.
run_timed() {
  local name=$1 rc=0; shift
  echo "== $name: $*" >&2
  "$TIME" -v -o "$DIR/$name.time" "$@" >"$DIR/$name.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "$name failed with exit status $rc; last lines of $DIR/$name.log:" >&2
    tail -n 20 "$DIR/$name.log" >&2
    exit 1
  fi
  grep -E "Elapsed|Maximum resident" "$DIR/$name.time" | sed 's/^\s*/   /' >&2
}

# score NAME CLUSTERS: rows of customers_KK.csv mapped back to the generated file's rows
# ((KK - 1) * PER + row), then pair_f1 against the truth.
score() {
  python3 - "$2" "$DIR/$1.rows.csv" "$PER" <<'PY'
import csv, re, sys
src, out, per = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, encoding="utf-8-sig", newline="") as f, open(out, "w", newline="") as g:
    w = csv.writer(g)
    w.writerow(["row", "cluster"])
    for r in csv.DictReader(f):
        k = int(re.search(r"_(\d+)\.csv$", r["file"]).group(1))
        w.writerow([(k - 1) * per + int(r["row"]), r["cluster"]])
PY
  python3 "$HERE/pair_f1.py" --json "$DIR/$1.rows.csv" "$TRUTH" >"$DIR/$1.f1.json" || : >"$DIR/$1.f1.json"
}

run_timed whole "$CRMKIT" dedupe "${INPUTS[@]}" --template customer --clusters "$DIR/whole.csv" \
  --save-model "$DIR/whole_model.json"
score whole "$DIR/whole.csv"
run_timed part "$CRMKIT" dedupe "${INPUTS[@]}" --template customer --partition-size "$SIZE" \
  --clusters "$DIR/part.csv"
score part "$DIR/part.csv"
grep -E "连通分量|模型|分区 [0-9]+/" "$DIR/part.log" | sed 's/^/   /' >&2
run_timed part+model "$CRMKIT" dedupe "${INPUTS[@]}" --template customer --partition-size "$SIZE" \
  --model "$DIR/whole_model.json" --clusters "$DIR/same.csv"
score part+model "$DIR/same.csv"

# Exactness: the same partition of rows into clusters (ids differ; compare each row's cluster
# by the first row of that cluster).
SAME=$(python3 - "$DIR/whole.csv" "$DIR/same.csv" <<'PY'
import csv, sys
def canon(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    first = {}
    for r in sorted(rows, key=lambda r: (r["file"], int(r["row"]))):
        first.setdefault(r["cluster"], (r["file"], r["row"]))
    return {(r["file"], r["row"]): first[r["cluster"]] for r in rows}
a, b = canon(sys.argv[1]), canon(sys.argv[2])
differ = sum(1 for k in a if a[k] != b.get(k))
print(f"{len(a)} rows, {differ} in a different cluster" + ("" if len(a) == len(b) else f"; {len(b)} rows in the other"))
PY
)

echo
echo "partitioned dedupe benchmark, $ROWS rows, partitions of $SIZE, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
RESULTS_JSON="$DIR/results.json" python3 "$HERE/table.py" "$ROWS" \
  whole "$DIR/whole.time" "$DIR/whole.f1.json" \
  part "$DIR/part.time" "$DIR/part.f1.json" \
  part+model "$DIR/part+model.time" "$DIR/part+model.f1.json" | tee "$DIR/results.txt"
echo "part+model against whole: $SAME" | tee -a "$DIR/results.txt"
echo "(logs, clusterings and GNU time reports in $DIR)"
