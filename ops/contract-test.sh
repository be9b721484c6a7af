#!/usr/bin/env bash
# The API's contract test: schemathesis (from PyPI, in the virtual environment .venv-ops/)
# generates requests from the committed OpenAPI document (Sources/Serve/openapi.yaml) and
# sends them to a live `finsync serve` over a freshly synced sandbox database. It fails on
# any 5xx and on any answer the document does not allow. Bounded (--max-examples) so CI
# stays quick. Expects a built finsync (ops/test.sh builds it) and the ops/ cluster.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv-ops"
schemathesis_version="4.32.5"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "ops/contract-test.sh: installing schemathesis $schemathesis_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
source "$root/ops/pg-env.sh"
"$root/ops/pg-start.sh" >/dev/null
db="finsync_contract"
owner_admin="postgresql://${PG_OWNER_ROLE}@127.0.0.1:${PG_PORT}/postgres"
psql "$owner_admin" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="postgresql://${PG_RUNTIME_ROLE}@127.0.0.1:${PG_PORT}/$db"
export FINSYNC_OWNER_DATABASE_URL="postgresql://${PG_OWNER_ROLE}@127.0.0.1:${PG_PORT}/$db"
bin="$(swift build --show-bin-path)/finsync"
"$bin" migrate >/dev/null
"$bin" sync --sandbox >/dev/null || true   # the sandbox has connections needing attention
token="$("$bin" token create --name contract --scope write 2>/dev/null)"

log="$(mktemp)"
source "$root/ops/serve-start.sh"
serve_start "$bin" "$log" --sandbox --no-schedule
pid=$serve_pid url=$serve_url
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
echo "ops/contract-test.sh: schemathesis against $url" >&2
"$venv/bin/schemathesis" run "$root/Sources/Serve/openapi.yaml" --url "$url" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${FINSYNC_CONTRACT_MAX_EXAMPLES:-15}" --seed 1 --no-color
kill -TERM "$pid"
wait "$pid"
trap - EXIT
rm -f "$log"
