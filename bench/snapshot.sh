#!/usr/bin/env bash
# What a snapshot costs over computing the same values: every KPI of the library × 36 months on
# bench/scorecard.sh's workspace (50 M web events), `utfall kpi export` (compute only) against
# `utfall snapshot --grain month` over the same months into a fresh store (compute, compare
# with the last snapshot, write). Run bench/scorecard.sh first (it builds the workspace).
#
#   bench/snapshot.sh [WEB_EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000000}
WORK=${BENCH_DIR:-target/bench-scorecard}
WS="$WORK/ws_$N"
[ -f "$WS/data/_manifest.json" ] || { echo "run bench/scorecard.sh $N first" >&2; exit 1; }
cargo build --release -q
UTFALL=target/release/utfall
RUNS=${RUNS:-3}
: > "$WORK/times_export"
: > "$WORK/times_snapshot"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" kpi export -C "$WS" --grain month \
    --from 2023-12-01 --to 2026-11-30 --format csv > /dev/null 2> /dev/null
  cat "$WORK/time" >> "$WORK/times_export"
  rm -rf "$WS/.utfall"
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$UTFALL" snapshot -C "$WS" --grain month \
    --from 2023-12-01 --to 2026-11-30 --format json > "$WORK/snapshot.json"
  cat "$WORK/time" >> "$WORK/times_snapshot"
done
# A second snapshot of the same data and definitions writes nothing.
/usr/bin/time -f "%e %M" -o "$WORK/time_again" "$UTFALL" snapshot -C "$WS" --grain month \
  --from 2023-12-01 --to 2026-11-30 --format json > "$WORK/snapshot_again.json"
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def stats(path):
    rows = [line.split() for line in open(path) if line.strip()]
    times = sorted(float(r[0]) for r in rows)
    return times[len(times) // 2], [float(r[0]) for r in rows], max(int(r[1]) for r in rows) // 1024
te, re_, me = stats(f"{work}/times_export")
ts, rs, ms = stats(f"{work}/times_snapshot")
snap = json.load(open(f"{work}/snapshot.json"))
again = json.load(open(f"{work}/snapshot_again.json"))
print(f"| `kpi export --grain month` (compute) | {te:.2f} s | {', '.join(f'{t:.2f}' for t in re_)} | {me} MB |")
print(f"| `snapshot --grain month` (compute and store) | {ts:.2f} s | {', '.join(f'{t:.2f}' for t in rs)} | {ms} MB |")
print(f"| snapshot / export | {ts / te:.3f} | | |")
print(f"values {snap['values']}, written {snap['values_written']}; inside: compute {snap['compute_seconds']:.2f} s, store {snap['store_seconds']:.3f} s")
print(f"again: snapshot {again['snapshot']}, written {again['values_written']}, store {again['store_seconds']:.3f} s")
PY
