#!/usr/bin/env bash
# The cost of `[metrics] ENABLED = true` on the API hot path (scripts/bench.sh's token-authenticated
# `GET /api/v1/user`): two servers from the same binary, one with metrics on and one off, loaded by
# wrk in alternating rounds (so that a noisy machine slows both alike), then the ratio of their
# throughputs and of the servers' CPU time per request (the steadier figure on a shared machine:
# other processes slow a server down but do not make its requests cost more CPU). The goal is an
# overhead below 5 %.
# Usage: scripts/bench-metrics.sh [rounds] [seconds per round] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
secs="${2:-5}"
conns="${3:-64}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
# HEARTH_BIN: an already-built binary (skips the release build).
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
dirs=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "${dirs[@]}"' EXIT

# start ENABLED: a server with its own data directory; sets $port and $token (no subshell, so
# that the trap knows its pid).
start() {
  local data
  data=$(mktemp -d)
  dirs+=("$data")
  port=$(free_port)
  "$bin" admin create-user --data "$data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
  HEARTH__METRICS__ENABLED="$1" RUST_LOG=warn "$bin" web --data "$data" --port "$port" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done
  token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"bench"}' \
    "http://127.0.0.1:$port/api/v1/users/bench/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
}
start false; off_port=$port; off_token=$token; off_pid=${pids[-1]}
start true; on_port=$port; on_token=$token; on_pid=${pids[-1]}
# The metrics server really records: /metrics answers only when enabled.
exposition=$(curl -sf "http://127.0.0.1:$on_port/metrics")
grep -q '^# TYPE hearth_http_requests counter' <<<"$exposition" \
  || { echo "metrics are not enabled on the 'on' server" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$off_port/metrics")" = 404 ]

# CPU time of a process so far, in clock ticks (user + system; fields 14 and 15 of its stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load PORT TOKEN PID: "requests/s requests cpu-ticks" of one wrk round.
load() {
  local before out
  before=$(cpu_ticks "$3")
  out=$(wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: token $2" "http://127.0.0.1:$1/api/v1/user")
  awk -v ticks=$(( $(cpu_ticks "$3") - before )) \
    '/requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 } END { print rps, n, ticks }' <<<"$out"
}
# Warm both (connection pools, token cache) before measuring.
load "$off_port" "$off_token" "$off_pid" >/dev/null
load "$on_port" "$on_token" "$on_pid" >/dev/null

echo "== GET /api/v1/user with a token: $rounds rounds of ${secs}s per server, $conns connections"
results=$(mktemp)
dirs+=("$results")
for r in $(seq "$rounds"); do
  # Alternate which server goes first, so that neither always follows the other's load.
  if [ $((r % 2)) -eq 1 ]; then
    off=$(load "$off_port" "$off_token" "$off_pid"); on=$(load "$on_port" "$on_token" "$on_pid")
  else
    on=$(load "$on_port" "$on_token" "$on_pid"); off=$(load "$off_port" "$off_token" "$off_pid")
  fi
  echo "$off $on" >>"$results"
  # shellcheck disable=SC2086
  printf 'round %d: metrics off %8.0f req/s   on %8.0f req/s\n' "$r" ${off%% *} ${on%% *}
done
python3 - "$results" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
tick_us = 1e6 / float(sys.argv[2])
# Throughput: the median round of each. CPU per request: over all rounds.
rps_off = statistics.median(r[0] for r in rows)
rps_on = statistics.median(r[3] for r in rows)
cpu_off = sum(r[2] for r in rows) * tick_us / sum(r[1] for r in rows)
cpu_on = sum(r[5] for r in rows) * tick_us / sum(r[4] for r in rows)
print(f"throughput (median): off {rps_off:.0f} req/s, on {rps_on:.0f} req/s: "
      f"ratio on/off {rps_on / rps_off:.3f}, overhead {100 * (1 - rps_on / rps_off):.1f} %")
print(f"server CPU per request: off {cpu_off:.2f} us, on {cpu_on:.2f} us: "
      f"ratio on/off {cpu_on / cpu_off:.3f}, overhead {100 * (cpu_on / cpu_off - 1):.1f} % (goal < 5 %)")
PY
curl -sf "http://127.0.0.1:$on_port/metrics" | grep '^hearth_http_requests_total{.*route="/api/v1/user"' || true
