#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: `UTFALL_TEST_PG` names it for the store's
# tests. Installs Debian's `postgresql` when it is missing, runs the server as the `postgres` user
# (PostgreSQL refuses root), on port 54329 with its socket in the cluster's folder, and stops and
# removes the cluster when the command ends.
#
#   scripts/with-postgres.sh cargo test -p utfall-store
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
port=${UTFALL_PG_PORT:-54329}
dir=$(mktemp -d /tmp/utfall-pg.XXXXXX)
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres:postgres "$dir"
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
cleanup() {
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
as_pg "$bin/initdb" -D "$dir/data" -U utfall --auth=trust -E UTF8 >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U utfall utfall_test
export UTFALL_TEST_PG="postgres://utfall@127.0.0.1:$port/utfall_test"
# The client programs (`createdb`), for tests that need a database of their own.
export UTFALL_TEST_PG_BIN="$bin"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $UTFALL_TEST_PG" >&2
"$@"
