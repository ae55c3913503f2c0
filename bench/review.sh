#!/usr/bin/env bash
# Building the review of the demo's last quarter (goal: under 3 s): `utfall review show
# fy2026_q2` on the demo company computes it live each time — the scorecard, the movers and
# their drivers, attribution with bootstrap intervals, the lift of the quarter's fair, the
# follow-up of the decisions with their measured effect, the suggestions. The whole process is
# timed (start-up and reading the workspace included) with farm-bench when present, else with
# /usr/bin/time. Also times closing (a snapshot plus the same build) and a closed review's show
# (its frozen document read back).
#
#   bench/review.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-target/bench-review}
mkdir -p "$WORK"
cargo build --release -q --features pdf
UTFALL=$PWD/target/release/utfall
DEMO="$WORK/demo"
rm -rf "$DEMO"
"$UTFALL" demo --no-serve --today 2026-11-20 "$DEMO" > /dev/null 2> "$WORK/demo.log"
show() { "$UTFALL" review show "$1" -C "$DEMO" --today 2026-11-20 --format json; }
show fy2026_q2 > "$WORK/q2.json"
if command -v farm-bench > /dev/null; then
  echo "== build the open review (fy2026_q2)"
  farm-bench -n 5 -- "$UTFALL" review show fy2026_q2 -C "$DEMO" --today 2026-11-20 --format json
  echo "== show a closed review (fy2026_q1, read back)"
  farm-bench -n 5 -- "$UTFALL" review show fy2026_q1 -C "$DEMO" --today 2026-11-20 --format json
  echo "== export the open review as PDF"
  farm-bench -n 5 -- "$UTFALL" review export fy2026_q2 -C "$DEMO" --today 2026-11-20 --to "$WORK/q2.pdf"
else
  for _ in 1 2 3; do
    /usr/bin/time -f "build the open review: %e s, %M KB" "$UTFALL" review show fy2026_q2 \
      -C "$DEMO" --today 2026-11-20 --format json > /dev/null
  done
fi
echo "== close it (a snapshot, then the same build, frozen)"
/usr/bin/time -f "close: %e s, %M KB" "$UTFALL" review close fy2026_q2 -C "$DEMO" --today 2026-11-20 > /dev/null
