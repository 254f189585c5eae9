#!/usr/bin/env bash
# Load benchmark for issue 5 (not a test): prints rows/s and peak memory of `crmkit load`.
#
#   bash bench/load.sh                 # 1,000,000 customer rows
#   ROWS=200000 bash bench/load.sh
#   PG_URL=postgres://... bash bench/load.sh   # use that server instead of a throwaway cluster
#
# The input is what `load` is given in a migration: `crmkit synth` customers (distinct
# companies), cleaned by `crmkit clean`. Each figure is the whole command: reading the file,
# checking and keying every row, writing in batches of 50,000, the reconciliation. Five runs:
# SQLite first load, SQLite re-load (every row unchanged), the same two on PostgreSQL (COPY),
# and on the throwaway PostgreSQL server the first load again once its tables are dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
cargo build --release -q -p crmkit
BIN=target/release/crmkit
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 2; }

measure() { # label rows command...
  local label=$1 rows=$2; shift 2
  # The run before's files written back first, so that one run's disk writes do not bill the next.
  sync
  "$TIME" -f "%e %M %P" -o "$OUT/time.txt" "$@" >"$OUT/load.log" 2>&1 || { cat "$OUT/load.log" >&2; true; }
  read -r secs kb cpu < <(tail -n 1 "$OUT/time.txt")
  awk -v l="$label" -v r="$rows" -v s="$secs" -v k="$kb" -v c="$cpu" \
    'BEGIN { printf "%-34s rows=%d seconds=%.2f rows_per_s=%.0f peak_rss_mb=%.0f cpu=%s\n", l, r, s, r/s, k/1024, c }'
  grep -E "^  customer" "$OUT/load.log" || true
}

CLEAN="$OUT/load_clean_${ROWS}.csv"
if [ ! -f "$CLEAN" ]; then
  "$BIN" synth -o "$OUT/load_raw_${ROWS}.csv" --rows "$ROWS" --dup-rate 0 --invalid-rate 0 --seed 5 2>/dev/null
  "$BIN" clean "$OUT/load_raw_${ROWS}.csv" -t customer -o "$CLEAN" --today 2026-11-22 2>/dev/null || true
fi
echo "input: $CLEAN ($(du -m "$CLEAN" | cut -f1) MB, $ROWS rows)"

DB="$OUT/load_${ROWS}.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
measure "sqlite: first load" "$ROWS" "$BIN" load "$CLEAN" -t customer --db "sqlite:$DB" --max-reject-rate 1
measure "sqlite: re-load (all unchanged)" "$ROWS" "$BIN" load "$CLEAN" -t customer --db "sqlite:$DB" --max-reject-rate 1

if [ -z "${PG_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGTMP=$(mktemp -d /tmp/crmkit-bench-pg.XXXXXX)
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$PGTMP"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PGBIN/initdb" -D "$PGTMP/data" -A trust -U crmkit -E UTF8 --no-sync >/dev/null
  # A server as installed (fsync on), only on a private port.
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1" start >/dev/null
  trap 'as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null; rm -rf "$PGTMP"' EXIT
  PG_URL="postgres://crmkit@127.0.0.1:$PORT/postgres"
fi
measure "postgres: first load (COPY)" "$ROWS" "$BIN" load "$CLEAN" -t customer --db "$PG_URL" --max-reject-rate 1
measure "postgres: re-load (all unchanged)" "$ROWS" "$BIN" load "$CLEAN" -t customer --db "$PG_URL" --max-reject-rate 1
if [ -n "${PGTMP:-}" ]; then
  # The first load again, into the same throwaway server with its tables dropped: a server that
  # has run a while, as a production one has. A fresh cluster creates and zero-fills each 16 MB
  # WAL file the first time it needs it (about 1 GB for a million rows); a running server
  # recycles them. Only on the throwaway cluster: never drop anything on a server given by PG_URL.
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U crmkit -d postgres -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
  measure "postgres: first load, warm server" "$ROWS" "$BIN" load "$CLEAN" -t customer --db "$PG_URL" --max-reject-rate 1
fi
