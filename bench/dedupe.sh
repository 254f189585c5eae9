#!/usr/bin/env bash
# Dedupe benchmark: `crmkit dedupe` against Splink 4 (DuckDB) on the same generated file, side by
# side, each in its own process under GNU time; pairwise precision/recall/F1 of both against the
# generator's ground truth. Not a test: prints a table. See bench/README.md, "Dedupe".
#
#   bash bench/dedupe.sh                      # 150,000 rows, crmkit and Splink
#   bash bench/dedupe.sh 20000                # smaller
#   bash bench/dedupe.sh --crmkit-only        # 1,000,000 rows, crmkit alone
#   bash bench/dedupe.sh --crmkit-only 300000
#
# Environment:
#   OUT=bench/out            where inputs, outputs, logs and results go ($OUT/dedupe_<rows>/)
#   INPUT=path/to/X.csv      use this file (and X.truth.csv beside it) instead of `crmkit synth`;
#                            ROWS is then taken from the truth file
#   ROUNDS=3                 alternating rounds (crmkit, Splink, crmkit, Splink, ...): the table
#                            shows median times and the speed ratio of each round; F1 is scored
#                            on the first round, and crmkit's later clusters must equal its first
#   SEED=7                   generator seed
#   SPLINK_VENV=/tmp/splink-venv   the venv for Splink; created from bench/dedupe/requirements.txt
#                                   when missing or out of date
#   THRESHOLD=0.9            Splink's clustering threshold (match probability)
#   CRMKIT=target/release/crmkit   the crmkit binary; NO_BUILD=1 skips `cargo build --release`
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=both
if [ "${1:-}" = "--crmkit-only" ]; then
  MODE=crmkit-only
  shift
  ROWS=${1:-1000000}
else
  ROWS=${1:-150000}
fi
case "$ROWS" in
  ''|*[!0-9]*) echo "usage: bash bench/dedupe.sh [--crmkit-only] [ROWS]" >&2; exit 2 ;;
esac
OUT=${OUT:-bench/out}
SEED=${SEED:-7}
THRESHOLD=${THRESHOLD:-0.9}
ROUNDS=${ROUNDS:-3}
case "$ROUNDS" in
  ''|*[!0-9]*|0) echo "ROUNDS must be a positive number, not '$ROUNDS'" >&2; exit 2 ;;
esac
SPLINK_VENV=${SPLINK_VENV:-/tmp/splink-venv}
CRMKIT=${CRMKIT:-target/release/crmkit}
HERE=bench/dedupe

TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench needs python3" >&2; exit 2; }

# The Splink venv: (re)made when missing or when requirements.txt changed since it was made.
ensure_venv() {
  local req="$HERE/requirements.txt" stamp="$SPLINK_VENV/.crmkit-requirements"
  if [ -x "$SPLINK_VENV/bin/python" ] && cmp -s "$req" "$stamp"; then return; fi
  echo "setting up the Splink venv in $SPLINK_VENV (pip install -r $req) ..." >&2
  [ -x "$SPLINK_VENV/bin/python" ] || python3 -m venv "$SPLINK_VENV" || {
    echo "python3 -m venv failed (Debian: apt-get install -y python3-venv)" >&2; exit 2; }
  "$SPLINK_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
}

# run_timed NAME OK_CODES COMMAND...: runs COMMAND under `time -v`, stdout+stderr to $DIR/NAME.log,
# GNU time's report to $DIR/NAME.time. OK_CODES: exit codes that count as success, e.g. "0 1".
run_timed() {
  local name=$1 ok=$2 rc=0; shift 2
  echo "== $name: $*" >&2
  "$TIME" -v -o "$DIR/$name.time" "$@" >"$DIR/$name.log" 2>&1 || rc=$?
  case " $ok " in
    *" $rc "*) ;;
    *) echo "$name failed with exit status $rc; last lines of $DIR/$name.log:" >&2
       tail -n 20 "$DIR/$name.log" >&2
       exit 1 ;;
  esac
  grep -E "Elapsed|Maximum resident" "$DIR/$name.time" | sed 's/^\s*/   /' >&2
}

# score NAME CLUSTERS: pair_f1 against the truth, JSON to $DIR/NAME.f1.json and the line to stderr.
score() {
  local name=$1 clusters=$2
  if python3 "$HERE/pair_f1.py" --json "$clusters" "$TRUTH" >"$DIR/$name.f1.json"; then
    python3 -c 'import json,sys; sys.path.insert(0, sys.argv[2]); import pair_f1; print("   " + pair_f1.format_line(json.load(open(sys.argv[1]))))' \
      "$DIR/$name.f1.json" "$HERE" >&2
  else
    echo "   pair_f1 could not score $clusters (see above); no accuracy for $name" >&2
    : >"$DIR/$name.f1.json"
  fi
}

if [ "${NO_BUILD:-0}" != 1 ]; then
  cargo build --release -q
fi
[ -x "$CRMKIT" ] || { echo "no crmkit binary at $CRMKIT" >&2; exit 2; }

if [ -n "${INPUT:-}" ]; then
  CSV=$INPUT
  # rows/s needs the real count: one truth line per data row
  [ -f "${CSV%.csv}.truth.csv" ] && ROWS=$(( $(wc -l < "${CSV%.csv}.truth.csv") - 1 ))
  DIR="$OUT/dedupe_$(basename "${CSV%.csv}")_$ROWS"
  mkdir -p "$DIR"
else
  DIR="$OUT/dedupe_$ROWS"
  mkdir -p "$DIR"
  CSV="$DIR/customers.csv"
  echo "== generating $ROWS rows (seed $SEED)" >&2
  "$CRMKIT" synth -o "$CSV" --rows "$ROWS" --seed "$SEED"
fi
TRUTH="${CSV%.csv}.truth.csv"
[ -f "$CSV" ] || { echo "no input file $CSV" >&2; exit 2; }
[ -f "$TRUTH" ] || { echo "no ground truth $TRUTH beside $CSV" >&2; exit 2; }
echo "input: $CSV ($(du -m "$CSV" | cut -f1) MB), truth: $TRUTH" >&2

# One round: crmkit, then Splink. crmkit exits 1 when it reports data findings: that is a
# successful run. Round 1 keeps the plain file names and is the one scored; a later round's
# crmkit clusters must be the same file (the run is deterministic).
CRMKIT_TIMES=""
SPLINK_TIMES=""
for ROUND in $(seq 1 "$ROUNDS"); do
  if [ "$ROUND" = 1 ]; then SUFFIX=""; else SUFFIX=".$ROUND"; fi
  [ "$ROUNDS" = 1 ] || echo "== round $ROUND of $ROUNDS" >&2
  run_timed "crmkit$SUFFIX" "0 1" "$CRMKIT" dedupe "$CSV" --template customer \
    --clusters "$DIR/crmkit_clusters$SUFFIX.csv"
  CRMKIT_TIMES="$CRMKIT_TIMES${CRMKIT_TIMES:+,}$DIR/crmkit$SUFFIX.time"
  if [ "$ROUND" = 1 ]; then
    score crmkit "$DIR/crmkit_clusters.csv"
  elif ! cmp -s "$DIR/crmkit_clusters.csv" "$DIR/crmkit_clusters$SUFFIX.csv"; then
    echo "crmkit wrote other clusters in round $ROUND than in round 1 ($DIR/crmkit_clusters$SUFFIX.csv)" >&2
    exit 1
  fi
  if [ "$MODE" = both ]; then
    ensure_venv
    run_timed "splink$SUFFIX" "0" "$SPLINK_VENV/bin/python" "$HERE/splink_dedupe.py" "$CSV" \
      -o "$DIR/splink_clusters$SUFFIX.csv" --threshold "$THRESHOLD"
    SPLINK_TIMES="$SPLINK_TIMES${SPLINK_TIMES:+,}$DIR/splink$SUFFIX.time"
    if [ "$ROUND" = 1 ]; then
      grep '^splink: ' "$DIR/splink.log" | sed 's/^/   /' >&2
      score splink "$DIR/splink_clusters.csv"
    fi
  fi
done

echo
echo "dedupe benchmark, $ROWS rows, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
if [ "$MODE" = both ]; then
  RESULTS_JSON="$DIR/results.json" python3 "$HERE/table.py" "$ROWS" \
    crmkit "$CRMKIT_TIMES" "$DIR/crmkit.f1.json" \
    splink "$SPLINK_TIMES" "$DIR/splink.f1.json" | tee "$DIR/results.txt"
else
  RESULTS_JSON="$DIR/results.json" python3 "$HERE/table.py" "$ROWS" \
    crmkit "$CRMKIT_TIMES" "$DIR/crmkit.f1.json" | tee "$DIR/results.txt"
fi
echo "(logs, clusters and GNU time reports in $DIR)"
