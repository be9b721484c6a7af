#!/usr/bin/env bash
# One command from a fresh machine to finsync's main job on the embedded default:
# installs what is missing, starts the local PostgreSQL cluster, builds finsync,
# applies migrations and runs the main job against the built-in sandbox providers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# `finsync migrate` runs as the owner; every other command as the runtime role.
# (Assigned first, then exported: `export X="$(cmd)"` would hide a failing cmd from set -e.)
DATABASE_URL="$("$root/ops/pg-start.sh")"
FINSYNC_OWNER_DATABASE_URL="$("$root/ops/pg-start.sh" --owner)"
export DATABASE_URL FINSYNC_OWNER_DATABASE_URL
echo "==> PostgreSQL at $DATABASE_URL (migrations as $FINSYNC_OWNER_DATABASE_URL)" >&2
echo "==> building finsync (the first build compiles dependencies: a few minutes)" >&2
swift build --product finsync >&2
bin="$(swift build --show-bin-path)/finsync"
"$bin" migrate
echo "==> syncing the built-in sandbox providers (fake servers on 127.0.0.1)" >&2
"$bin" sync --sandbox || echo "(the sandbox includes connections that need attention: an expired consent and a rejected one)"
echo
"$bin" accounts
echo
"$bin" transactions --limit 12
echo
"$bin" events stats
echo
echo "==> the HTTP API: finsync serve for a moment, and a few answers (curl)" >&2
token_name="demo-$(date +%s)"
token="$("$bin" token create --name "$token_name" --scope read)"
serve_log="$(mktemp)"
source "$root/ops/serve-start.sh"
serve_start "$bin" "$serve_log" --no-schedule
url=$serve_url
trap 'kill -TERM "$serve_pid" 2>/dev/null || true; rm -f "$serve_log"' EXIT
auth=(-H "Authorization: Bearer $token")
# The API answers compact JSON, members unordered; indent and sort it for reading when python3 is there.
indent() { local body; body="$(cat)"; printf '%s\n' "$body" | python3 -m json.tool --sort-keys 2>/dev/null || printf '%s\n' "$body"; }
echo "\$ curl $url/healthz"; curl -fsS "$url/healthz" | indent
echo "\$ curl -H 'Authorization: Bearer …' $url/v1/accounts?type=investment"; curl -fsS "${auth[@]}" "$url/v1/accounts?type=investment" | indent
echo "\$ curl -H 'Authorization: Bearer …' '$url/v1/transactions?limit=3'"; curl -fsS "${auth[@]}" "$url/v1/transactions?limit=3" | indent
echo "\$ curl -H 'Authorization: Bearer …' $url/v1/analytics/net-worth?from=$(date -u -d '7 days ago' +%F)"; curl -fsS "${auth[@]}" "$url/v1/analytics/net-worth?from=$(date -u -d '7 days ago' +%F)" | indent
echo "\$ curl $url/v1/accounts   # no token"; curl -sS "$url/v1/accounts" | indent
kill -TERM "$serve_pid"; wait "$serve_pid" || true
trap - EXIT
rm -f "$serve_log"
"$bin" token revoke "$token_name" >/dev/null
