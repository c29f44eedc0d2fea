#!/usr/bin/env bash
# Load benchmark of the API hot path: a token-authenticated metadata GET (`GET /api/v1/user`),
# measured with wrk against a release build on 127.0.0.1. Bounded: 10 s per run.
# Usage: scripts/bench.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
conns="${1:-64}"
secs="${2:-10}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
# HEARTH_BIN: an already-built binary (skips the release build).
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" admin create-user --data "$data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
RUST_LOG=warn "$bin" web --data "$data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done

token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$port/api/v1/users/bench/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')

echo "== GET /api/v1/user with a token: $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Authorization: token $token" "http://127.0.0.1:$port/api/v1/user"
echo "== GET /api/v1/users/bench anonymous"
wrk -t2 -c"$conns" -d"${secs}s" -H "Accept: application/json" "http://127.0.0.1:$port/api/v1/users/bench" | grep -E "Requests/sec|Latency"
echo "== GET /api/v1/user with Basic auth (verification cached after the first request)"
wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: Basic $(printf 'bench:bench-pass' | base64)" "http://127.0.0.1:$port/api/v1/user" | grep -E "Requests/sec|Latency"
echo "== server RSS after the runs: $(( $(ps -o rss= -p $pid) / 1024 )) MiB"
