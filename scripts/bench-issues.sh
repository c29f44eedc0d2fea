#!/usr/bin/env bash
# Issue tracker benchmarks (issue "Issues, comments, labels and milestones"):
#  1. 1,000 issues created concurrently by 16 clients through the API must get numbers 1..1000;
#  2. page 1 of the issue list (limit=50) in a repository with 100,000 issues, under wrk, compared
#     with the same request in a repository with 1,000 issues (goal: p50 < 2 ms, same order).
# The 99,000 extra issues are written straight into the SQLite file while the server is stopped
# (minutes through the API otherwise); the counters are set to match.
# Usage: scripts/bench-issues.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v sqlite3 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq sqlite3; }
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/api/v1"
pid=
start() {
  RUST_LOG=warn "$bin" web --data "$work/data" --port "$port" &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com >/dev/null
start
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
for r in big small; do
  curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' -d "{\"name\":\"$r\"}" \
    "$base/user/repos" >/dev/null
done

echo "== 1,000 issues created concurrently by 16 clients"
python3 - "$base" "$token" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, token = sys.argv[1], sys.argv[2]
def create(n):
    req = urllib.request.Request(f"{base}/repos/bench/small/issues", data=json.dumps({"title": f"issue {n}"}).encode(),
        headers={"Authorization": "token " + token, "Content-Type": "application/json"}, method="POST")
    return json.load(urllib.request.urlopen(req))["number"]
start = time.monotonic()
with ThreadPoolExecutor(16) as pool:
    numbers = sorted(pool.map(create, range(1000)))
took = time.monotonic() - start
ok = numbers == list(range(1, 1001))
print(f"   {len(numbers)} issues in {took:.2f} s ({1000 / took:.0f}/s); numbers exactly 1..1000: {ok}")
sys.exit(0 if ok else 1)
PY
stop

# 100,000 issues in `big`: one transaction of plain INSERTs, then the counters.
db="$work/data/hearth.db"
big_id=$(sqlite3 "$db" "SELECT id FROM repository WHERE lower_name = 'big'")
python3 - "$db" "$big_id" <<'PY'
import sqlite3, sys
db, repo = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
c.executemany(
    "INSERT INTO issue (repo_id, idx, poster_id, title, body, is_closed, created_unix, updated_unix) VALUES (?, ?, 1, ?, '', ?, ?, ?)",
    ((repo, i, f"issue {i}", i % 3 == 0, 1600000000 + i, 1600000000 + i) for i in range(1, 100001)),
)
closed = c.execute("SELECT COUNT(*) FROM issue WHERE repo_id = ? AND is_closed", (repo,)).fetchone()[0]
c.execute("UPDATE repository SET issue_seq = 100000, num_issues = 100000, num_closed_issues = ? WHERE id = ?", (closed, repo))
c.commit()
c.execute("ANALYZE")
PY
start

echo "== issue list page 1 (limit=50), wrk 2 threads, 4 connections, 10 s (goal p50 < 2 ms)"
for r in small big; do
  echo "   $r ($(curl -sf -H "Authorization: token $token" "$base/repos/bench/$r" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["open_issues_count"])') open issues):"
  wrk -t2 -c4 -d10s --latency -H "Authorization: token $token" "$base/repos/bench/$r/issues?limit=50" \
    | grep -E " 50%| 99%|Requests/sec"
done
echo "   big with a filter (created_by=bench: counted in SQL):"
wrk -t2 -c4 -d5s --latency -H "Authorization: token $token" "$base/repos/bench/big/issues?limit=50&created_by=bench" \
  | grep -E " 50%| 99%|Requests/sec"
