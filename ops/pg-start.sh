#!/usr/bin/env bash
# Starts (creating if needed) a throwaway PostgreSQL cluster for finsync, run as the
# `postgres` user with its data in .pg/ of the project, listening on 127.0.0.1 only.
# Prints the database URL of the runtime role on stdout (with --owner: the owner's, for
# `finsync migrate`). Idempotent: a running cluster, its roles and database are reused.
set -euo pipefail
print_owner=false
case "${1:-}" in
  --owner) print_owner=true ;;
  "") ;;
  *) echo "usage: pg-start.sh [--owner]" >&2; exit 2 ;;
esac
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
# The test suite runs its suites in parallel, each on databases and connections of its own
# (runtime and owner roles, worker connections, the CLI tests' subprocesses): 200 ran out.
max_connections = 600
CONF
fi
if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  # The port asked for (FINSYNC_PGPORT, else the default) wins over the one written at initdb.
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 -o "-p $PG_PORT" start >/dev/null
else
  # Already running: on the port asked for, or say which one (line 4 of postmaster.pid).
  running_port="$(as_pg sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
  if [ -n "$running_port" ] && [ "$running_port" != "$PG_PORT" ]; then
    echo "pg-start: the cluster in $PGDATA_DIR is already running on port $running_port, not $PG_PORT: set FINSYNC_PGPORT=$running_port, or stop it first with ops/pg-stop.sh" >&2
    exit 1
  fi
fi
psql_pg() { as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
# The roles: the owner (creates and migrates databases, so the tests' per-test clones too;
# may end the runtime role's sessions when it drops a clone), the runtime group
# finsync_app, and the runtime login role, a member of it. Trust auth on loopback only.
psql_pg -q >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_OWNER_ROLE') THEN CREATE ROLE $PG_OWNER_ROLE LOGIN CREATEDB; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'finsync_app') THEN CREATE ROLE finsync_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_RUNTIME_ROLE') THEN CREATE ROLE $PG_RUNTIME_ROLE LOGIN; END IF;
  IF NOT pg_has_role('$PG_RUNTIME_ROLE', 'finsync_app', 'MEMBER') THEN GRANT finsync_app TO $PG_RUNTIME_ROLE; END IF;
  IF NOT pg_has_role('$PG_OWNER_ROLE', 'pg_signal_backend', 'MEMBER') THEN GRANT pg_signal_backend TO $PG_OWNER_ROLE; END IF;
END \$\$;
SQL
# The application database, owned by the owner role.
owner="$(psql_pg -Atqc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$PG_DB'")"
if [ -z "$owner" ]; then
  psql_pg -qc "CREATE DATABASE \"$PG_DB\" OWNER $PG_OWNER_ROLE" >/dev/null
elif [ "$owner" != "$PG_OWNER_ROLE" ]; then
  echo "pg-start: database $PG_DB belongs to $owner (made before the owner/runtime role split); migrations as $PG_OWNER_ROLE will fail: start afresh with ops/pg-stop.sh --purge" >&2
fi
if $print_owner; then echo "$PG_OWNER_URL"; else echo "$PG_URL"; fi
