#!/usr/bin/env bash
# Content API benchmarks (issue "Repository content API"): a 25,000-entry directory listed through
# /contents, one small file's contents under load (wrk), page 1 of the commit list of a
# 100,000-commit history, and the server's memory while it streams a ~100 MB tar.gz archive.
# Usage: scripts/bench-content.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Repositories written with git fast-import (seconds, not minutes).
python3 - "$work" <<'PY'
import os, subprocess, sys
work = sys.argv[1]
def fast_import(name, stream):
    path = os.path.join(work, name)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "master", path], check=True)
    subprocess.run(["git", "--git-dir", path, "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run(["git", "--git-dir", path, "gc", "-q"], check=True)

# 25,000 files of ~100 bytes in one directory, plus one small file at the root.
out = []
out.append(b"blob\nmark :1\ndata 6\nsmall\n")
marks = []
for i in range(25000):
    data = (f"file {i} ".encode() * 20)[:100]
    out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (i + 2, len(data), data))
out.append(b"commit refs/heads/master\ncommitter B <b@x> 1700000000 +0000\ndata 4\nwide\n")
out.append(b"M 100644 :1 small.txt\n")
for i in range(25000):
    out.append(b"M 100644 :%d big/f%05d.txt\n" % (i + 2, i))
fast_import("wide.git", b"".join(out))

# 100,000 commits, each changing one small file.
out = []
for i in range(100000):
    data = str(i).encode()
    out.append(b"commit refs/heads/master\ncommitter B <b@x> %d +0000\ndata 2\nc\n" % (1600000000 + i))
    out.append(b"M 100644 inline f.txt\ndata %d\n%s\n" % (len(data), data))
fast_import("deep.git", b"".join(out))

# ~100 MB of incompressible content for the archive.
out = []
for i in range(400):
    data = os.urandom(262144)
    out.append(b"blob\nmark :%d\ndata %d\n" % (i + 1, len(data)) + data + b"\n")
out.append(b"commit refs/heads/master\ncommitter B <b@x> 1700000000 +0000\ndata 4\nbig\n")
for i in range(400):
    out.append(b"M 100644 :%d blob%03d.bin\n" % (i + 1, i))
fast_import("heavy.git", b"".join(out))
PY

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true RUST_LOG=warn "$bin" web --data "$work/data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port/api/v1"
for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
for r in wide deep heavy; do
  curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' \
    -d "{\"clone_addr\":\"$work/$r.git\",\"uid\":1,\"repo_name\":\"$r\"}" "$base/repos/migrate" >/dev/null
done

timed() { # best and median of 5 runs of a GET, in ms
  python3 - "$1" "$token" <<'PY'
import statistics, sys, time, urllib.request
url, token = sys.argv[1], sys.argv[2]
times = []
for _ in range(5):
    req = urllib.request.Request(url, headers={"Authorization": "token " + token})
    start = time.monotonic()
    body = urllib.request.urlopen(req).read()
    times.append((time.monotonic() - start) * 1000)
print(f"best {min(times):.1f} ms, median {statistics.median(times):.1f} ms ({len(body)} bytes)")
PY
}
echo "== /contents listing of a 25,000-entry directory (goal < 250 ms): $(timed "$base/repos/bench/wide/contents/big")"
echo "== commits page 1 (limit=50) of 100,000 commits (goal < 20 ms): $(timed "$base/repos/bench/deep/commits?limit=50")"
echo "== one small file's contents under load (goal p50 < 1 ms):"
for c in 4 16; do
  echo "   $c connections:"
  wrk -t2 -c$c -d10s --latency -H "Authorization: token $token" "$base/repos/bench/wide/contents/small.txt" | grep -E "50%|99%|Requests/sec"
done

echo "== RSS while streaming a ~100 MB tar.gz (goal: grows < 20 MB)"
# Anonymous memory (heap): file-backed pages of the memory-mapped pack count in VmRSS but are
# the page cache's, shared and reclaimable.
rss() { awk '/RssAnon/ {print $2}' "/proc/$pid/status"; }
before=$(rss)
peak=$before
curl -sf -H "Authorization: token $token" "$base/repos/bench/heavy/archive/master.tar.gz" -o "$work/a.tar.gz" &
cpid=$!
while kill -0 $cpid 2>/dev/null; do r=$(rss); (( r > peak )) && peak=$r; sleep 0.05; done
wait $cpid
echo "archive $(du -h "$work/a.tar.gz" | cut -f1); anonymous RSS before $((before / 1024)) MiB, peak $((peak / 1024)) MiB, growth $(((peak - before) / 1024)) MiB; VmRSS now $(($(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024)) MiB"
