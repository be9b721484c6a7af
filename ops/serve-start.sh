# Sourced by ops scripts: starts `finsync serve` in the background and waits until it says
# where it listens. Usage: serve_start BIN LOG ARGS… — sets serve_pid and serve_url; stops
# the script (printing the log) if the server ends first or does not start in 2 minutes.
serve_start() {
  local bin="$1" log="$2"; shift 2
  "$bin" serve --port 0 "$@" > "$log" 2>&1 &
  serve_pid=$!
  serve_url=""
  for _ in $(seq 1 1200); do
    serve_url="$(sed -n 's/^finsync serve: listening on \(http:.*\)$/\1/p' "$log" | head -n 1)"
    [ -n "$serve_url" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "finsync serve did not start:" >&2
  cat "$log" >&2
  exit 1
}
