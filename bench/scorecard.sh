#!/usr/bin/env bash
# Scorecard benchmark: every KPI of the library (66) × 36 months with `utfall kpi export`,
# against hand-written DuckDB SQL over the same Parquet files, checking every value.
# Results go to BENCHMARKS.md by hand.
#
#   bench/scorecard.sh [WEB_EVENTS]      (default 50 000 000; contacts 1 M, deals 200 k)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000000}
WORK=${BENCH_DIR:-target/bench-scorecard}
mkdir -p "$WORK"

cargo build --release -q
UTFALL=target/release/utfall
. bench/workspace.sh
bench_workspace "$N"
du -sh "$WS/data" | awk '{print "data: " $1 " of Parquet"}'

RUNS=${RUNS:-3}
: > "$WORK/times_utfall"
: > "$WORK/times_duckdb"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" kpi export -C "$WS" --grain month \
    --from 2023-12-01 --to 2026-11-30 --format csv > "$WORK/utfall.csv" 2> "$WORK/utfall.err"
  cat "$WORK/time" >> "$WORK/times_utfall"
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$PY" bench/scorecard.py reference "$WS/data" "$WORK/duckdb.csv" > "$WORK/duckdb_query_s"
  cat "$WORK/time" >> "$WORK/times_duckdb"
done
"$PY" bench/scorecard.py compare "$WORK/utfall.csv" "$WORK/duckdb.csv"

python3 - "$WORK" "$N" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
def stats(path):
    rows = [line.split() for line in open(path) if line.strip()]
    times = sorted(float(r[0]) for r in rows)
    return times[len(times) // 2], max(int(r[1]) for r in rows) // 1024
tu, mu = stats(f"{work}/times_utfall")
td, md = stats(f"{work}/times_duckdb")
print()
print(f"| {n:,} web events; 66 KPIs × 36 months | wall (median) | peak RSS |".replace(",", " "))
print("|---|---:|---:|")
print(f"| Utfall `kpi export` (whole process) | {tu:.2f} s | {mu} MB |")
print(f"| DuckDB, hand-written SQL (whole Python process) | {td:.2f} s | {md} MB |")
print(f"| Utfall / DuckDB | {tu / td:.2f} | |")
PY
