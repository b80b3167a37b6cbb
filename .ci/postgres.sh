#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the claims ledger's storage tests and
# print the URL the tests read (FOEDUS_TEST_POSTGRES_URL). Installs Debian's postgresql when
# it is missing. Usage: eval "$(bash .ci/postgres.sh)"; stop it with the printed command.
set -euo pipefail
PORT="${FOEDUS_TEST_PG_PORT:-54329}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  fi
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
DIR="$(mktemp -d /tmp/foedus-pg.XXXXXX)"
run() {  # initdb and the server refuse to run as root: use the postgres account then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
run "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync >&2
run "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
run "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres foedus_test >&2
echo "export FOEDUS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/foedus_test"
echo "export FOEDUS_TEST_PG_STOP='$( [ "$(id -u)" = 0 ] && echo "runuser -u postgres -- " )$BIN/pg_ctl -D $DIR/data -m fast stop'"
