#!/usr/bin/env bash
# Web app benchmark: the scorecard, goal tree and KPI pages of the scorecard benchmark's
# workspace (every KPI of the library over 50 M web events) under 20 concurrent clients for
# 60 s each, over loopback on this machine's 2 cores, with oha (crates.io) as the load
# generator. Also: the first, uncached scorecard, and the server's peak RSS.
# Results go to BENCHMARKS.md by hand.
#
#   bench/web.sh [WEB_EVENTS]     (default 50 000 000)   DURATION=60s CLIENTS=20
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000000}
DURATION=${DURATION:-60s}
CLIENTS=${CLIENTS:-20}
WORK=${BENCH_DIR:-target/bench-scorecard}
mkdir -p "$WORK"

cargo build --release -q
UTFALL=${CARGO_TARGET_DIR:-target}/release/utfall
OHA=target/bench-tools/bin/oha
if [ ! -x "$OHA" ]; then
  echo "installing oha 1.16.0 (with the system OpenSSL: libssl-dev) into target/bench-tools…"
  cargo install oha --version 1.16.0 --no-default-features --features native-tls --locked --root target/bench-tools -q
fi
. bench/workspace.sh
bench_workspace "$N"

PASSWORD=bench-password-1
echo "$PASSWORD" | "$UTFALL" user add bench --name Bench --role admin --password-stdin -C "$WS" > /dev/null 2>&1 || true
LOG="$WORK/serve.log"
"$UTFALL" serve -C "$WS" --bind 127.0.0.1:0 > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "the web app is at" "$LOG" && break
  sleep 0.2
done
URL=$(grep -o "http://[0-9.:]*" "$LOG" | head -1)
echo "serving $WS at $URL (pid $SERVER)"

JAR="$WORK/cookies"
rm -f "$JAR"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$URL/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -H "Origin: $URL" \
  --data "csrf=$TOKEN&id=bench&password=$PASSWORD&next=/" "$URL/login"
COOKIE="utfall_session=$(awk '$6 == "utfall_session" {print $7}' "$JAR")"

echo
echo "first requests (uncached: computed from the Parquet files):"
for page in / /goals /kpi/leads; do
  curl -s -o /dev/null -w "  $page %{http_code} %{time_total} s\n" -H "Cookie: $COOKIE" "$URL$page"
done

echo
echo "| page | requests | rps | p50 | p95 | p99 | max | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for page in / /goals /kpi/leads; do
  "$OHA" -c "$CLIENTS" -z "$DURATION" --no-tui --output-format json -H "Cookie: $COOKIE" "$URL$page" > "$WORK/oha.json"
  python3 - "$page" "$WORK/oha.json" <<'PY'
import json, sys
page, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
p = r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
ok = sum(v for k, v in codes.items() if k == "200")
total = sum(codes.values())
# Requests still in flight when the time is up are "aborted due to deadline": not errors.
errors = total - ok + sum(v for k, v in r.get("errorDistribution", {}).items() if k != "aborted due to deadline")
ms = lambda s: f"{s * 1000:.1f} ms"
print(f"| `{page}` | {total} | {r['summary']['requestsPerSec']:.0f} | {ms(p['p50'])} | {ms(p['p95'])} | {ms(p['p99'])} | {ms(r['summary']['slowest'])} | {errors} |")
PY
done
echo
grep VmHWM "/proc/$SERVER/status" | awk '{printf "server peak RSS: %.0f MB\n", $2 / 1024}'
