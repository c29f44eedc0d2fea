#!/usr/bin/env bash
# Pull-request benchmarks (issue #18), on a real history: GOGS_REPO=<a git directory> (for
# instance a clone of gogs/gogs); without it, a generated history of 3,766 commits over 2,000 files.
#  1. mergeability of a 20-commit pull: from POST /pulls until GET /pulls/1 answers it settled
#     (the background check ran), beside `git merge-tree --write-tree` of the same commits run
#     directly in the same run (goal < 200 ms);
#  2. a merge (Do=merge), beside merge-tree + commit-tree + update-ref by hand (goal < 500 ms);
#  3. page 1 of the pull list of a repository with 10,000 pulls (p50 of 51), beside page 1 of its
#     issue list (goal < 5 ms); the extra pulls are written into the SQLite file while the server
#     is stopped;
#  4. the .diff of a 1,000-file pull: time and size.
# Usage: scripts/bench-pulls.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq sqlite3; }
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet -p hearth; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench; git config --global user.email bench@example.com
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/api/v1"
pid=
start() {
  HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true RUST_LOG=warn "$bin" web --data "$work/data" --port "$port" &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

src="${GOGS_REPO:-}"
if [ -z "$src" ]; then
  src="$work/src.git"
  git init -q --bare -b main "$src"
  python3 - <<'PY' | git -C "$src" fast-import --quiet
import sys
out = sys.stdout
files = 2000
for c in range(1, 3767):
    out.write(f"commit refs/heads/main\ncommitter bench <bench@example.com> {1600000000 + c} +0000\n")
    msg = f"commit {c}\n"
    out.write(f"data {len(msg)}\n{msg}")
    if c == 1:
        for f in range(files):
            body = "".join(f"line {i} of file {f}\n" for i in range(40))
            out.write(f"M 100644 inline src/d{f % 50}/f{f}.txt\ndata {len(body)}\n{body}")
    else:
        f = (c * 7919) % files
        body = "".join(f"line {i} of file {f}, version {c}\n" for i in range(40))
        out.write(f"M 100644 inline src/d{f % 50}/f{f}.txt\ndata {len(body)}\n{body}")
    out.write("\n")
PY
fi
echo "history: $(git -C "$src" rev-list --count HEAD) commits, $(git -C "$src" ls-tree -r HEAD | wc -l) files"

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
start
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' \
  -d "{\"clone_addr\":\"$src\",\"uid\":1,\"repo_name\":\"proj\"}" "$base/repos/migrate" >/dev/null
served="$work/data/repositories/bench/proj.git"
main=$(git -C "$served" symbolic-ref --short HEAD)

# Two branches: 20 commits on top of main~30 (each changes one existing file), and one commit
# that changes 1,000 files.
wt="$work/wt"
git clone -q "$served" "$wt"
git -C "$wt" checkout -q -b pr20 "origin/$main~30"
mapfile -t files < <(git -C "$wt" ls-files | grep -v '^\.' | head -1000)
for i in $(seq 20); do
  echo "pull request line $i" >> "$wt/${files[$i]}"
  git -C "$wt" commit -qam "PR commit $i"
done
git -C "$wt" checkout -q -b wide "origin/$main"
for f in "${files[@]}"; do echo "wide change" >> "$wt/$f"; done
git -C "$wt" commit -qam "Touch 1,000 files"
url="http://bench:bench-pass@127.0.0.1:$port/bench/proj.git"
git -C "$wt" push -q "$url" pr20 wide

python3 - "$base" "$token" "$main" "$served" <<'PY'
import json, statistics, subprocess, sys, time, urllib.request
base, token, main, served = sys.argv[1:5]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Authorization": "token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.read()
def git(*args):
    return subprocess.run(["git", "--git-dir", served, *args], check=True, capture_output=True, text=True).stdout.strip()
def ms(f):
    t = time.monotonic(); r = f(); return (time.monotonic() - t) * 1000, r

head = git("rev-parse", "refs/heads/pr20")
# Reference: the same three-way merge by git itself (best of 5, after a warm-up).
ref_check = min(ms(lambda: git("merge-tree", "--write-tree", main, head))[0] for _ in range(6))
took, _ = ms(lambda: (call("POST", "/repos/bench/proj/pulls", {"head": "pr20", "base": main, "title": "twenty"}),
                      json.loads(call("GET", "/repos/bench/proj/pulls/1"))))
pr = json.loads(call("GET", "/repos/bench/proj/pulls/1"))
assert pr["mergeable"] is True, pr
print(f"mergeability of a 20-commit pull (open + settled)  {took:7.1f} ms  (git merge-tree alone {ref_check:6.1f} ms)  goal < 200 ms")

def by_hand():
    tree = git("merge-tree", "--write-tree", main, head)
    commit = git("commit-tree", tree, "-p", main, "-p", head, "-m", "by hand")
    git("update-ref", "refs/bench/by-hand", commit)
ref_merge = min(ms(by_hand)[0] for _ in range(5))
took, _ = ms(lambda: call("POST", "/repos/bench/proj/pulls/1/merge", {"Do": "merge"}))
print(f"merge (Do=merge)                                   {took:7.1f} ms  (by hand with git {ref_merge:6.1f} ms)  goal < 500 ms")

call("POST", "/repos/bench/proj/pulls", {"head": "wide", "base": main, "title": "wide"})
json.loads(call("GET", "/repos/bench/proj/pulls/2"))
took, diff = ms(lambda: call("GET", "/repos/bench/proj/pulls/2.diff"))
print(f".diff of a 1,000-file pull                         {took:7.1f} ms  ({len(diff) / 1024:.0f} KiB, {diff.count(b'diff --git')} files)")
PY
stop

# 10,000 more pulls (open, already checked) straight into the SQLite file.
db="$work/data/hearth.db"
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
repo, seq, head, base, mb = c.execute(
    "SELECT r.id, r.issue_seq, p.head_sha, p.base_branch, p.merge_base FROM repository r JOIN pull_request p "
    "ON p.base_repo_id = r.id WHERE r.lower_name = 'proj' ORDER BY p.id DESC LIMIT 1").fetchone()
for i in range(seq + 1, seq + 10001):
    cur = c.execute("INSERT INTO issue (repo_id, idx, poster_id, title, body, is_pull, created_unix, updated_unix) "
                    "VALUES (?, ?, 1, ?, '', TRUE, ?, ?)", (repo, i, f"pull {i}", 1700000000 + i, 1700000000 + i))
    c.execute("INSERT INTO pull_request (issue_id, base_repo_id, base_branch, head_repo_id, head_branch, head_sha, "
              "merge_base, status) VALUES (?, ?, ?, ?, 'wide', ?, ?, 1)", (cur.lastrowid, repo, base, repo, head, mb))
c.execute("UPDATE repository SET issue_seq = issue_seq + 10000, num_pulls = num_pulls + 10000 WHERE id = ?", (repo,))
c.commit()
c.execute("ANALYZE")
PY
start
python3 - "$base" "$token" <<'PY'
import statistics, sys, time, urllib.request
base, token = sys.argv[1:3]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "token " + token})
    t = time.monotonic(); urllib.request.urlopen(req).read(); return (time.monotonic() - t) * 1000
def p50(path, n=51):
    get(path)
    return statistics.median(get(path) for _ in range(n))
pulls = p50("/repos/bench/proj/pulls?state=open")
issues = p50("/repos/bench/proj/issues?type=pulls")
print(f"pull list page 1 (30 of 10,001 pulls, p50)          {pulls:7.2f} ms  (issue list page 1 of the same pulls {issues:5.2f} ms)  goal < 5 ms")
PY
