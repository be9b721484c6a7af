#!/usr/bin/env bash
# Starts (creating if needed) a throwaway PostgreSQL cluster for finsync, run as the
# `postgres` user with its data in .pg/ of the project, listening on 127.0.0.1 only.
# Prints the database URL on stdout. Idempotent: a running cluster is reused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/install.sh"
source "$here/pg-env.sh"
[ -n "$PG_BIN" ] || { echo "pg-start: no PostgreSQL server binaries found under /usr/lib/postgresql" >&2; exit 1; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

mkdir -p "$(dirname "$PGDATA_DIR")"
# The postgres user must be able to reach the data folder; a checkout under a private
# directory (e.g. a 0700 home) cannot, so fall back to a folder under /var/tmp.
if ! runuser -u postgres -- test -x "$(dirname "$PGDATA_DIR")" 2>/dev/null && [ "$(id -un)" != postgres ]; then
  PGDATA_DIR="/var/tmp/finsync-pg-$(echo "$FINSYNC_ROOT" | md5sum | cut -c1-12)/data"
  mkdir -p "$(dirname "$PGDATA_DIR")"
  echo "pg-start: the postgres user cannot reach $FINSYNC_ROOT/.pg; using $PGDATA_DIR" >&2
fi
if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
  mkdir -p "$PGDATA_DIR"
  chown -R postgres:postgres "$(dirname "$PGDATA_DIR")"
  chmod 700 "$PGDATA_DIR"
  # Collation C: the same order as C.UTF-8 (code points), but PostgreSQL compares C text
  # with memcmp and abbreviated keys, so text-keyed index builds and sorts run ~30% faster.
  as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --lc-collate=C >/dev/null
  cat >> "$PGDATA_DIR/postgresql.conf" <<CONF
# finsync throwaway cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''   # TCP on loopback only (no socket-path length limits)
fsync = on
synchronous_commit = on
shared_buffers = 256MB
max_wal_size = 4GB
max_connections = 200
CONF
fi
if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 start >/dev/null
fi
# The application database.
if ! as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
  as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
fi
echo "$PG_URL"
