#!/usr/bin/env bash
# Installs what finsync needs from Debian's packages, if missing:
# the PostgreSQL server, libpq headers, liblz4 headers and pkg-config; with --bench also
# wrk (the HTTP load generator `finsync bench api` drives the server with).
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in postgresql libpq-dev liblz4-dev pkg-config; do have_pkg "$p" || need+=("$p"); done
if [ "${1:-}" = "--bench" ]; then have_pkg wrk || need+=(wrk); fi
# The server binaries may exist without the meta package (e.g. a versioned package only).
if [ ${#need[@]} -gt 0 ]; then
  if [ " ${need[*]} " = " postgresql " ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    exit 0
  fi
  echo "ops/install.sh: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
