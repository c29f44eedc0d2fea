#!/usr/bin/env bash
# The API hot path against its ceiling, measured in the same run: wrk on CPU 0, the server on
# CPU 1 (one core each), first hearth (release build), then `examples/ceiling.rs` (the same HTTP
# stack answering a repository-sized JSON document from memory), alternated for several rounds
# because this machine's speed drifts. Prints requests/s for each route and round, the median
# ratio hearth/ceiling (goal >= 0.5), and hearth's RSS (and, of it, anonymous memory: what the
# kernel cannot drop and read back from the executable) fresh, after the runs, and idle one and
# two minutes later (goal: idle <= 15 MiB).
# Usage: scripts/bench-hot-path.sh [seconds] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-32}"
rounds="${3:-3}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
cargo build --release --quiet --example ceiling -p hearth-server
bin="${HEARTH_BIN:-$target/release/hearth}"
ceiling="$target/release/examples/ceiling"
[ "$(nproc)" -ge 2 ] || { echo "needs two cores (one for wrk, one for the server)" >&2; exit 1; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
ceiling_port=$(free_port)
"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
RUST_LOG=warn taskset -c 1 "$bin" web --data "$work/data" --port "$port" &
pid=$!
taskset -c 1 "$ceiling" "$ceiling_port" &
cpid=$!
trap 'kill $pid $cpid 2>/dev/null; wait $pid $cpid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  "http://127.0.0.1:$port/api/v1/users/bench/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' -d '{"name":"big","auto_init":true}' \
  "http://127.0.0.1:$port/api/v1/user/repos" >/dev/null
sleep 1
mem() { awk '/^VmRSS/ { rss = $2 } /^RssAnon/ { anon = $2 } END { printf "%d MiB (anonymous %d MiB)", rss / 1024, anon / 1024 }' "/proc/$pid/status"; }
fresh=$(mem)
bytes=$(curl -sf -H "Authorization: token $token" "http://127.0.0.1:$port/api/v1/repos/bench/big" | wc -c)

rate() { taskset -c 0 wrk -t1 -c"$conns" -d"${secs}s" "$@" | awk '/Requests\/sec/ { print $2 }'; }
ratios="$work/ratios"
report() {
  local name="$1" path="$2"; shift 2
  local h c
  for round in $(seq "$rounds"); do
    h=$(rate "$@" "http://127.0.0.1:$port$path")
    c=$(rate "http://127.0.0.1:$ceiling_port$path")
    python3 -c "import sys; h, c = float(sys.argv[2]), float(sys.argv[3]); print(f'{sys.argv[1]:44} hearth {h:9.0f} req/s   ceiling {c:9.0f} req/s   ratio {h / c:.3f}')" "$name" "$h" "$c"
    echo "$name	$h	$c" >> "$ratios"
  done
}
echo "wrk: 1 thread on CPU 0, $conns connections, ${secs}s, $rounds rounds; servers on CPU 1; repository JSON: $bytes bytes"
report "GET /api/v1/repos/bench/big (token)" /api/v1/repos/bench/big -H "Authorization: token $token"
report "GET /api/v1/repos/bench/big (anonymous)" /api/v1/repos/bench/big
report "GET /api/v1/users/bench (anonymous)" /api/v1/users/bench
python3 - "$ratios" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, h, c = line.rstrip("\n").split("\t")
    rows.setdefault(name, []).append(float(h) / float(c))
for name, r in rows.items():
    print(f"{name:44} median ratio {statistics.median(r):.3f} (goal >= 0.5)")
PY
after=$(mem)
# Idle: the idle memory job settles 30 s after the last request, and again after any job's look
# at the database (the token-usage flush and the mirror scheduler's first round come within the
# first minute), so the second figure is the one an idle server keeps.
sleep 65
idle1=$(mem)
sleep 60
echo "hearth RSS: fresh $fresh; after the runs $after; idle a minute later $idle1; two minutes later $(mem) (goal: idle <= 15 MiB)"
