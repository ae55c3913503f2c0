#!/usr/bin/env bash
# The metadata store: one KPI's history read from 1 008 000 snapshot rows, on SQLite and on a
# throwaway PostgreSQL cluster (scripts/with-postgres.sh). Results go to BENCHMARKS.md by hand.
#
#   bench/store.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-target/bench-store}
mkdir -p "$WORK"
cargo build --release -q -p utfall-store --example history_bench
BIN=target/release/examples/history_bench
rm -f "$WORK"/history.sqlite*
echo "== SQLite"
"$BIN" "$WORK/history.sqlite"
"$BIN" "$WORK/history.sqlite"
echo "== PostgreSQL"
# The second run follows a VACUUM ANALYZE, which autovacuum does to an insert-only table on its
# own once enough rows have come in: it marks the pages visible, so the history is read from
# the covering index alone.
PSQL=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)
scripts/with-postgres.sh bash -c "\"$BIN\" \"\$UTFALL_TEST_PG\" && \"$PSQL\" -q \"\$UTFALL_TEST_PG\" -c 'VACUUM ANALYZE kpi_values' && \"$BIN\" \"\$UTFALL_TEST_PG\""
