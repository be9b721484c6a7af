#!/usr/bin/env bash
# Runs every test against a real PostgreSQL: installs what is missing, starts the
# throwaway cluster (ops/pg-start.sh), builds, and runs `swift test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Tests get per-test databases created and migrated by the owner, and connect as the
# runtime role (which can only read the log and append at its head) unless they ask for
# the owner.
# (Assigned first, then exported: `export X="$(cmd)"` would hide a failing cmd from set -e.)
DATABASE_URL="$("$root/ops/pg-start.sh")"
FINSYNC_OWNER_DATABASE_URL="$("$root/ops/pg-start.sh" --owner)"
export DATABASE_URL FINSYNC_OWNER_DATABASE_URL
export FINSYNC_TEST_DATABASE_URL="$DATABASE_URL"
export FINSYNC_TEST_OWNER_DATABASE_URL="$FINSYNC_OWNER_DATABASE_URL"
echo "ops/test.sh: PostgreSQL at $DATABASE_URL (owner: $FINSYNC_OWNER_DATABASE_URL)" >&2
# Test databases are named after this run (TestDatabase reads FINSYNC_TEST_RUN), so the ones
# a run leaves behind — shared fixtures, a crashed test — are dropped when it ends, whatever
# its outcome, without touching another run's on the same cluster.
FINSYNC_TEST_RUN="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
export FINSYNC_TEST_RUN
drop_run_databases() {
  psql "$FINSYNC_OWNER_DATABASE_URL" -Atq >/dev/null 2>&1 <<SQL || true
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
WHERE datname LIKE 'finsync\_t\_${FINSYNC_TEST_RUN}\_%'
\gexec
SQL
}
trap drop_run_databases EXIT
swift build --build-tests
swift test --skip-build "$@"
# The API's contract test (schemathesis against a live server), on full runs only.
if [ $# -eq 0 ]; then "$root/ops/contract-test.sh"; fi
