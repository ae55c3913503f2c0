#!/usr/bin/env bash
# Attribution benchmark: Utfall against channelattribution 2.2.5 (PyPI, C++ core), side by
# side on the same generated journeys, as whole processes. Results go to BENCHMARKS.md by hand.
#
#   bench/attribution.sh [N_JOURNEYS]      (default 1 000 000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=${BENCH_DIR:-target/bench-attribution}
mkdir -p "$WORK"

if [ ! -x "$WORK/venv/bin/python" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q channelattribution==2.2.5 pandas matplotlib
fi
PY="$WORK/venv/bin/python"
cargo build --release -q
UTFALL=target/release/utfall

FILE="$WORK/journeys_$N.csv"
[ -f "$FILE" ] || python3 bench/gen_journeys.py "$N" 1 > "$FILE"
echo "journeys: $N rows, $(tail -n +2 "$FILE" | cut -d, -f1 | sort -u | wc -l) distinct paths, $(du -h "$FILE" | cut -f1)"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time_$name" "$@" > "$WORK/out_$name.csv" 2> "$WORK/err_$name" || { cat "$WORK/err_$name"; exit 1; }
  read -r seconds kilobytes < "$WORK/time_$name"
  printf "| %-28s | %8.2f s | %8.0f MB |\n" "$name" "$seconds" "$((kilobytes / 1024))"
}

echo
echo "| run | wall | peak RSS |"
echo "|---|---:|---:|"
measure ca_heuristic      "$PY" bench/ca_run.py "$FILE" heuristic
measure utfall_heuristic  "$UTFALL" attribution paths "$FILE" --model heuristic --format csv
measure ca_markov1        "$PY" bench/ca_run.py "$FILE" markov 1 0
measure ca_markov1_seed2  "$PY" bench/ca_run.py "$FILE" markov 1 2
measure utfall_markov1    "$UTFALL" attribution paths "$FILE" --model markov --order 1 --format csv
measure ca_markov3        "$PY" bench/ca_run.py "$FILE" markov 3 0
measure ca_markov3_seed2  "$PY" bench/ca_run.py "$FILE" markov 3 2
measure utfall_markov3    "$UTFALL" attribution paths "$FILE" --model markov --order 3 --format csv
RAYON_NUM_THREADS=1 "$UTFALL" attribution paths "$FILE" --model markov --order 3 --format csv > "$WORK/out_utfall_markov3_1thread.csv"
"$UTFALL" attribution paths "$FILE" --model markov --order 3 --format csv > "$WORK/out_utfall_markov3_again.csv"

echo
echo "heuristics, utfall vs channelattribution:      $(python3 bench/compare.py "$WORK/out_utfall_heuristic.csv" "$WORK/out_ca_heuristic.csv")"
echo "markov 1, channelattribution seed 0 vs exact:   $(python3 bench/compare.py "$WORK/out_ca_markov1.csv" "$WORK/out_utfall_markov1.csv")"
echo "markov 1, channelattribution seed 0 vs seed 2:  $(python3 bench/compare.py "$WORK/out_ca_markov1.csv" "$WORK/out_ca_markov1_seed2.csv")"
echo "markov 3, channelattribution seed 0 vs exact:   $(python3 bench/compare.py "$WORK/out_ca_markov3.csv" "$WORK/out_utfall_markov3.csv")"
echo "markov 3, channelattribution seed 0 vs seed 2:  $(python3 bench/compare.py "$WORK/out_ca_markov3.csv" "$WORK/out_ca_markov3_seed2.csv")"
if cmp -s "$WORK/out_utfall_markov3.csv" "$WORK/out_utfall_markov3_1thread.csv" && cmp -s "$WORK/out_utfall_markov3.csv" "$WORK/out_utfall_markov3_again.csv"; then
  echo "utfall markov 3: byte-identical across runs and with 1 thread"
else
  echo "utfall markov 3: OUTPUT DIFFERS across runs or thread counts"; exit 1
fi
