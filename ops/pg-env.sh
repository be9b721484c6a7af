# Sourced by the ops scripts: where the throwaway cluster lives and how to reach it.
FINSYNC_ROOT="${FINSYNC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PGDATA_DIR="${FINSYNC_PGDATA:-$FINSYNC_ROOT/.pg/data}"
PG_PORT="${FINSYNC_PGPORT:-54329}"
PG_DB="${FINSYNC_PGDATABASE:-finsync}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
PG_URL="postgresql://postgres@127.0.0.1:${PG_PORT}/${PG_DB}"
