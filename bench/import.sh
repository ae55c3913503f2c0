#!/usr/bin/env bash
# Import benchmark: a 10-million-row CSV (web events, 1.8 GB) imported by `utfall import`
# against DuckDB's `COPY (SELECT * FROM read_csv(…)) TO '….parquet'` on the same file, wall
# time and peak memory each, and the two Parquet outputs checked against each other.
# With BIG=1 it also imports a 5 GB file (30 M rows) and checks peak memory stays under 1 GB.
# Results go to BENCHMARKS.md by hand.
#
#   bench/import.sh [ROWS]     (default 10 000 000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
WORK=${BENCH_DIR:-target/bench-import}
RUNS=${RUNS:-3}
mkdir -p "$WORK"

if [ ! -x "$WORK/venv/bin/python" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q "duckdb==2.0.1"
fi
PY="$WORK/venv/bin/python"
cargo build --release -q
UTFALL=target/release/utfall

CSV="$WORK/events_${N}.csv"
[ -f "$CSV" ] || "$PY" bench/import.py generate "$CSV" "$N"
echo "file: $(du -h "$CSV" | cut -f1), $N rows, $(nproc) cores"

: > "$WORK/times_utfall"
: > "$WORK/times_duckdb"
for _ in $(seq "$RUNS"); do
  WS="$WORK/ws"
  rm -rf "$WS"
  "$UTFALL" init --yes --template b2b --name Bench "$WS" > /dev/null 2>&1
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" import -C "$WS" --preset generic \
    --table web_events "$CSV" 2> "$WORK/utfall.err"
  cat "$WORK/time" >> "$WORK/times_utfall"
  rm -f "$WORK/duckdb.parquet"
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$PY" bench/import.py duckdb "$CSV" "$WORK/duckdb.parquet" > /dev/null
  cat "$WORK/time" >> "$WORK/times_duckdb"
done
tail -1 "$WORK/utfall.err"

# The same rows on both sides: counts, sums and distinct sessions of both outputs.
"$PY" - "$WS/data" "$WORK/duckdb.parquet" <<'PY'
import json, sys, duckdb
data, theirs = sys.argv[1], sys.argv[2]
manifest = json.load(open(f"{data}/_manifest.json"))
parts = [f"{data}/{p['file']}" for p in manifest["tables"]["web_events"]["parts"]]
q = "SELECT count(*), round(sum(value), 2), count(DISTINCT session_id), count(user_id), sum(is_key_event::INT), min(event_time), max(event_time) FROM read_parquet({})"
ours = duckdb.sql(q.format(parts)).fetchall()[0]
ref = duckdb.sql(q.format([theirs])).fetchall()[0]
print("utfall:", ours)
print("duckdb:", ref)
print("same rows:", "yes" if ours[:5] == ref[:5] else "NO")
PY

summary() {
  sort -n "$1" | awk -v name="$2" '{t[NR]=$1; m[NR]=$2} END {printf "%-7s median %.2f s (runs:", name, t[int((NR+1)/2)]; for (i=1;i<=NR;i++) printf " %.2f", t[i]; printf "), peak RSS %.0f MB\n", m[int((NR+1)/2)]/1024}'
}
summary "$WORK/times_utfall" utfall
summary "$WORK/times_duckdb" duckdb

if [ "${BIG:-0}" = 1 ]; then
  BIGN=30000000
  BIGCSV="$WORK/events_${BIGN}.csv"
  [ -f "$BIGCSV" ] || "$PY" bench/import.py generate "$BIGCSV" "$BIGN"
  echo "big file: $(du -h "$BIGCSV" | cut -f1), $BIGN rows"
  WS="$WORK/ws_big"
  rm -rf "$WS"
  "$UTFALL" init --yes --template b2b --name Bench "$WS" > /dev/null 2>&1
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" import -C "$WS" --preset generic \
    --table web_events "$BIGCSV" 2> "$WORK/utfall_big.err"
  tail -1 "$WORK/utfall_big.err"
  awk '{printf "big: %.1f s, peak RSS %.0f MB (%s)\n", $1, $2/1024, ($2 < 1048576 ? "under 1 GB" : "OVER 1 GB")}' "$WORK/time"
  # Again: the rows are merged on the natural key; nothing is added.
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" import -C "$WS" --preset generic \
    --table web_events --allow-rejects "$CSV" 2> "$WORK/utfall_big2.err"
  tail -1 "$WORK/utfall_big2.err"
  awk '{printf "overlapping 10 M rows into 30 M: %.1f s, peak RSS %.0f MB\n", $1, $2/1024}' "$WORK/time"
fi
