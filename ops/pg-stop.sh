#!/usr/bin/env bash
# Stops the throwaway cluster started by ops/pg-start.sh (data is kept in .pg/).
# With --purge, also deletes its data.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/pg-env.sh"
[ -s "$PGDATA_DIR/PG_VERSION" ] || PGDATA_DIR="/var/tmp/finsync-pg-$(echo "$FINSYNC_ROOT" | md5sum | cut -c1-12)/data"
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
if [ -n "$PG_BIN" ] && [ -s "$PGDATA_DIR/PG_VERSION" ]; then
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
fi
if [ "${1:-}" = "--purge" ]; then rm -rf "$PGDATA_DIR"; fi
