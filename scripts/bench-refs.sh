#!/usr/bin/env bash
# Git refs benchmark (issue "The rest of the API"): GET /repos/:o/:r/git/refs on a repository with
# 10,000 refs (5,000 branches, 5,000 annotated tags), whole and one page of 50, against the reference
# `git for-each-ref` printing the same fields (object id and type) from the same repository, in the
# same run. Prints p50/p90 of N requests and the ratio hearth p50 / git for-each-ref p50.
# Usage: scripts/bench-refs.sh [requests]   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-50}"
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# One commit, then 5,000 branches and 5,000 annotated tags on it, written with fast-import.
python3 - "$work/many.git" <<'PY'
import subprocess, sys
path = sys.argv[1]
subprocess.run(["git", "init", "-q", "--bare", "-b", "master", path], check=True)
out = [b"commit refs/heads/master\nmark :1\ncommitter B <b@x> 1700000000 +0000\ndata 4\nbase\n",
       b"M 100644 inline f.txt\ndata 2\nf\n"]
for i in range(4999):
    out.append(b"reset refs/heads/branch-%05d\nfrom :1\n\n" % i)
for i in range(5000):
    out.append(b"tag v%05d\nfrom :1\ntagger B <b@x> 1700000000 +0000\ndata 3\ntag\n" % i)
subprocess.run(["git", "--git-dir", path, "fast-import", "--quiet"], input=b"".join(out), check=True)
subprocess.run(["git", "--git-dir", path, "pack-refs", "--all"], check=True)
PY
echo "refs: $(git --git-dir "$work/many.git" for-each-ref | wc -l)"

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true RUST_LOG=warn "$bin" web --data "$work/data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port/api/v1"
for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' \
  -d "{\"clone_addr\":\"$work/many.git\",\"uid\":1,\"repo_name\":\"many\"}" "$base/repos/migrate" >/dev/null

python3 - "$base" "$token" "$n" "$work/data" <<'PY'
import glob, statistics, subprocess, sys, time, urllib.request
base, token, n, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def pct(times):
    times = sorted(times)
    return statistics.median(times), times[int(len(times) * 0.9) - 1]
def http(url):
    req = urllib.request.Request(url, headers={"Authorization": "token " + token})
    times = []
    for _ in range(n):
        start = time.monotonic()
        body = urllib.request.urlopen(req).read()
        times.append((time.monotonic() - start) * 1000)
    return pct(times), len(body)
repo = glob.glob(f"{data}/**/many.git", recursive=True)[0]
times = []
for _ in range(n):
    start = time.monotonic()
    subprocess.run(["git", "--git-dir", repo, "for-each-ref", "--format=%(objectname) %(objecttype) %(refname)"],
                   check=True, stdout=subprocess.DEVNULL)
    times.append((time.monotonic() - start) * 1000)
(ref50, ref90) = pct(times)
print(f"reference git for-each-ref (process included): p50 {ref50:.1f} ms, p90 {ref90:.1f} ms")
for label, url in [("whole list", f"{base}/repos/bench/many/git/refs"),
                   ("page of 50", f"{base}/repos/bench/many/git/refs?limit=50&page=3"),
                   ("prefix tags/v0001", f"{base}/repos/bench/many/git/refs/tags/v0001")]:
    (p50, p90), size = http(url)
    print(f"GET git/refs {label}: p50 {p50:.1f} ms, p90 {p90:.1f} ms ({size} bytes); ratio to reference {p50 / ref50:.2f}")
PY
