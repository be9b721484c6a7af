# Sourced by the ops scripts: where the throwaway cluster lives and how to reach it.
FINSYNC_ROOT="${FINSYNC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PGDATA_DIR="${FINSYNC_PGDATA:-$FINSYNC_ROOT/.pg/data}"
PG_PORT="${FINSYNC_PGPORT:-54329}"
PG_DB="${FINSYNC_PGDATABASE:-finsync}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
# Two roles (schemas/0006_runtime_role.sql): the owner runs migrations and owns the log;
# the runtime role (a member of finsync_app) runs every other command and can only read
# the log and append at its head.
PG_OWNER_ROLE="finsync_owner"
PG_RUNTIME_ROLE="finsync"
PG_URL="postgresql://${PG_RUNTIME_ROLE}@127.0.0.1:${PG_PORT}/${PG_DB}"
PG_OWNER_URL="postgresql://${PG_OWNER_ROLE}@127.0.0.1:${PG_PORT}/${PG_DB}"
