# Sourced by the benchmarks: the scorecard benchmark's workspace (every KPI of the library over
# N generated web events, 1 M contacts, 200 k deals), built once under $WORK.
#   bench_workspace N   → sets WS and PY
bench_workspace() {
  local n=$1
  if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q "duckdb==2.0.1" "pyarrow==22.0.0" 2>/dev/null || "$WORK/venv/bin/pip" install -q duckdb pyarrow
  fi
  PY="$WORK/venv/bin/python"
  WS="$WORK/ws_$n"
  if [ ! -f "$WS/data/_manifest.json" ]; then
    rm -rf "$WS"
    "$UTFALL" init --yes --template b2b --name Bench "$WS" > /dev/null 2>&1
    # Every KPI of the library, not only the template's.
    "$UTFALL" kpi add -C "$WS" $("$UTFALL" kpi library --format json | python3 -c "import json, sys; print(' '.join(k['id'] for k in json.load(sys.stdin)))") > /dev/null 2>&1
    rm -rf "$WS/data"
    echo "generating $n web events, 1 000 000 contacts, 200 000 deals, three years of spend…"
    "$PY" bench/scorecard.py generate "$WS/data" "$n"
  fi
}
