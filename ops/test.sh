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
swift build --build-tests
swift test --skip-build "$@"
# The API's contract test (schemathesis against a live server), on full runs only.
if [ $# -eq 0 ]; then "$root/ops/contract-test.sh"; fi
