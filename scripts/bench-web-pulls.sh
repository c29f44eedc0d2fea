#!/usr/bin/env bash
# Web UI part II benchmarks (issue #20), server time as seen over loopback, p50 of 31 requests:
#  1. the issue list page of a repository with 1,000 issues (page 1), and an issue page with 200
#     comments, beside the API's JSON of the same 200 comments (`GET …/issues/1/comments`);
#  2. a pull request's conversation with 200 comments;
#  3. the files-changed page of a pull touching 1,000 files: time to first byte, total, size, and
#     the server's peak RSS before and after (VmHWM).
# Goals: list and 200-comment pages p50 < 20 ms; files page first byte < 100 ms.
# Usage: scripts/bench-web-pulls.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet -p hearth; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench; git config --global user.email bench@example.com
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
site="http://127.0.0.1:$port"
base="$site/api/v1"
"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
RUST_LOG=warn "$bin" web --data "$work/data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' -d '{"name":"proj"}' "$base/user/repos" >/dev/null

# A history of 1,000 files, and a branch that changes every one of them, plus a small branch.
wt="$work/wt"
git init -q -b master "$wt"
python3 - "$wt" <<'PY'
import os, sys
for f in range(1000):
    d = os.path.join(sys.argv[1], f"src/d{f % 40}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{f}.txt"), "w") as out:
        out.write("".join(f"line {i} of file {f}\n" for i in range(30)))
PY
git -C "$wt" add -A && git -C "$wt" commit -qm "Start"
git -C "$wt" checkout -q -b wide
for f in "$wt"/src/*/*.txt; do echo "wide change" >> "$f"; done
git -C "$wt" commit -qam "Touch 1,000 files"
git -C "$wt" checkout -q -b small master
echo small >> "$wt/src/d0/f0.txt"; git -C "$wt" commit -qam "Small change"
git -C "$wt" push -q "http://bench:bench-pass@127.0.0.1:$port/bench/proj.git" master wide small

python3 - "$site" "$base" "$token" "$pid" <<'PY'
import json, statistics, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
site, base, token, pid = sys.argv[1:5]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Authorization": "token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
def timed(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    t = time.monotonic()
    with urllib.request.urlopen(req) as r:
        r.read(1); first = time.monotonic()
        rest = r.read()
    end = time.monotonic()
    return (first - t) * 1000, (end - t) * 1000, len(rest) + 1
def p50(url, headers=None, n=31):
    timed(url, headers)
    return statistics.median(timed(url, headers)[1] for _ in range(n))
def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0

# 1,000 issues (the first with 200 comments), two pulls (the small one with 200 comments).
with ThreadPoolExecutor(8) as ex:
    list(ex.map(lambda i: call("POST", "/repos/bench/proj/issues", {"title": f"issue {i}", "body": f"Body of issue {i}, see #1"}), range(1000)))
small = call("POST", "/repos/bench/proj/pulls", {"head": "small", "base": "master", "title": "small"})["number"]
wide = call("POST", "/repos/bench/proj/pulls", {"head": "wide", "base": "master", "title": "wide"})["number"]
for n in (1, small):
    for i in range(200):
        call("POST", f"/repos/bench/proj/issues/{n}/comments", {"body": f"Comment **{i}** about `code` and #{n}, cc @bench"})
call("GET", f"/repos/bench/proj/pulls/{wide}")  # settled

api = p50(base + "/repos/bench/proj/issues/1/comments", {"Authorization": "token " + token})
print(f"issue list page (1,000 issues, page 1)        {p50(site + '/bench/proj/issues'):7.2f} ms  goal < 20 ms")
print(f"issue page with 200 comments                  {p50(site + '/bench/proj/issues/1'):7.2f} ms  goal < 20 ms  (API JSON of the same comments {api:5.2f} ms)")
print(f"pull request page with 200 comments           {p50(site + f'/bench/proj/pulls/{small}'):7.2f} ms  goal < 20 ms")
before = hwm()
runs = [timed(site + f"/bench/proj/pulls/{wide}/files") for _ in range(6)][1:]
first = statistics.median(r[0] for r in runs)
total = statistics.median(r[1] for r in runs)
print(f"files changed of a 1,000-file pull            first byte {first:6.1f} ms, whole page {total:6.1f} ms, "
      f"{runs[0][2] / 1024:.0f} KiB  goal < 100 ms to first byte")
print(f"server peak RSS                                before {before} MiB, after the files pages {hwm()} MiB")
PY
