#!/usr/bin/env bash
# Runs every test against a real PostgreSQL: installs what is missing, starts the
# throwaway cluster (ops/pg-start.sh), builds, and runs `swift test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DATABASE_URL="$("$root/ops/pg-start.sh")"
export FINSYNC_TEST_DATABASE_URL="$DATABASE_URL"
echo "ops/test.sh: PostgreSQL at $DATABASE_URL" >&2
swift build --build-tests
swift test --skip-build "$@"
