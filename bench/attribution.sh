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
cargo build --profile release-lto -q
UTFALL=target/release-lto/utfall

FILE="$WORK/journeys_$N.csv"
[ -f "$FILE" ] || python3 bench/gen_journeys.py "$N" 1 > "$FILE"
echo "journeys: $N rows, $(tail -n +2 "$FILE" | cut -d, -f1 | sort -u | wc -l) distinct paths, $(du -h "$FILE" | cut -f1)"

RUNS=${RUNS:-3}
measure() { # name, command... : the median wall time of $RUNS whole-process runs, and peak RSS
  local name=$1; shift
  : > "$WORK/times_$name"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time_$name" "$@" > "$WORK/out_$name.csv" 2> "$WORK/err_$name" || { cat "$WORK/err_$name"; exit 1; }
    cat "$WORK/time_$name" >> "$WORK/times_$name"
  done
  local median peak
  median=$(sort -n "$WORK/times_$name" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  peak=$(sort -k2 -n "$WORK/times_$name" | tail -1 | awk '{print int($2/1024)}')
  echo "$median" > "$WORK/median_$name"
  printf "| %-28s | %8.2f s | %6d MB |\n" "$name" "$median" "$peak"
}
ratio() { awk -v a="$(cat "$WORK/median_$1")" -v b="$(cat "$WORK/median_$2")" 'BEGIN {printf "%.1f", a / b}'; }

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
echo
echo "speed-up as whole processes: heuristics $(ratio ca_heuristic utfall_heuristic)x, markov order 1 $(ratio ca_markov1 utfall_markov1)x, markov order 3 $(ratio ca_markov3 utfall_markov3)x"

# The bound for Markov: channelattribution estimates by simulation, so its credits carry noise.
# If ca = exact + noise, the distance between two of its runs (two seeds) is about sqrt(2)
# times the distance from either run to the exact values. We require the distance to our
# exact values to be at most 1.5 times the seed-to-seed distance.
check_bound() { # order
  local to_exact seed_to_seed
  to_exact=$(python3 bench/compare.py "$WORK/out_ca_markov$1.csv" "$WORK/out_utfall_markov$1.csv" --values | awk '{print $2}')
  seed_to_seed=$(python3 bench/compare.py "$WORK/out_ca_markov$1.csv" "$WORK/out_ca_markov$1_seed2.csv" --values | awk '{print $2}')
  if awk -v a="$to_exact" -v b="$seed_to_seed" 'BEGIN {exit !(a <= 1.5 * b)}'; then
    echo "markov order $1: L1 to exact $to_exact % <= 1.5 x seed-to-seed $seed_to_seed %: within channelattribution's simulation error"
  else
    echo "markov order $1: L1 to exact $to_exact % exceeds 1.5 x seed-to-seed $seed_to_seed %"; exit 1
  fi
}
check_bound 1
check_bound 3
heuristic_difference=$(python3 bench/compare.py "$WORK/out_utfall_heuristic.csv" "$WORK/out_ca_heuristic.csv" --values | awk '{print $1}')
awk -v d="$heuristic_difference" 'BEGIN {exit !(d <= 1e-9)}' || { echo "heuristics differ by $heuristic_difference relative"; exit 1; }
echo "heuristics: largest relative difference $heuristic_difference <= 1e-9"

if cmp -s "$WORK/out_utfall_markov3.csv" "$WORK/out_utfall_markov3_1thread.csv" && cmp -s "$WORK/out_utfall_markov3.csv" "$WORK/out_utfall_markov3_again.csv"; then
  echo "utfall markov 3: byte-identical across runs and with 1 thread"
else
  echo "utfall markov 3: OUTPUT DIFFERS across runs or thread counts"; exit 1
fi
