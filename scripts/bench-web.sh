#!/usr/bin/env bash
# Web UI benchmarks (issue #17, web-ui.md §8): server time of the repository home and of a file
# view on a repository with 25,000 files, the highlighted view of a 1,000-line source file cold
# (first view of that blob) and from the cache, and the repository home's total transfer (page,
# stylesheet, icon, script). Each figure is printed beside the raw API answer for the same data, measured
# in the same run, as a ratio.
# Usage: scripts/bench-web.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet -p hearth; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# One repository: 25,000 small files under big/, two different 1,000-line Rust files and a README
# at the root (git fast-import: seconds).
python3 - "$work" <<'PY'
import os, subprocess, sys
path = os.path.join(sys.argv[1], "wide.git")
def rust(seed):
    lines = []
    for i in range(1000):
        if i % 10 == 0:
            lines.append(f"/// Doc comment {seed} {i}: returns a value.")
        elif i % 10 == 1:
            lines.append(f"pub fn f{seed}_{i}(x: u32, s: &str) -> Result<u32, String> {{")
        elif i % 10 == 9:
            lines.append("}")
        else:
            lines.append(f"    let v{i} = if s.is_empty() {{ x + {i} }} else {{ \"text {i}\".len() as u32 }}; // note")
    return ("\n".join(lines) + "\n").encode()
out = []
files = [("README.md", b"# wide\n\nA benchmark repository.\n"), ("lib.rs", rust(1)), ("other.rs", rust(2))]
for n, (name, data) in enumerate(files):
    out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (n + 1, len(data), data))
for i in range(25000):
    data = (f"file {i} ".encode() * 20)[:100]
    out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (i + 10, len(data), data))
out.append(b"commit refs/heads/master\ncommitter B <b@x> 1700000000 +0000\ndata 4\nwide\n")
for n, (name, _) in enumerate(files):
    out.append(b"M 100644 :%d %s\n" % (n + 1, name.encode()))
for i in range(25000):
    out.append(b"M 100644 :%d big/f%05d.txt\n" % (i + 10, i))
subprocess.run(["git", "init", "-q", "--bare", "-b", "master", path], check=True)
subprocess.run(["git", "--git-dir", path, "fast-import", "--quiet"], input=b"".join(out), check=True)
subprocess.run(["git", "--git-dir", path, "gc", "-q"], check=True)
PY

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true HEARTH__PICTURE__DISABLE_GRAVATAR=true RUST_LOG=warn \
  "$bin" web --data "$work/data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
site="http://127.0.0.1:$port"
api="$site/api/v1"
for _ in $(seq 100); do curl -sf "$api/version" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$api/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' \
  -d "{\"clone_addr\":\"$work/wide.git\",\"uid\":1,\"repo_name\":\"wide\"}" "$api/repos/migrate" >/dev/null

python3 - "$site" "$api" "$token" <<'PY'
import statistics, sys, time, urllib.request
site, api, token = sys.argv[1], sys.argv[2], sys.argv[3]
def get(url):
    # Pages are viewed anonymously; the API is called with the token, as a client would.
    headers = {"Authorization": "token " + token} if url.startswith(api) else {}
    start = time.monotonic()
    body = urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read()
    return (time.monotonic() - start) * 1000, body
def median(url, n=21):
    times = [get(url)[0] for _ in range(n)]
    return statistics.median(times)
def line(what, ms, ref_ms, goal):
    print(f"{what:<52} {ms:7.2f} ms  (raw API {ref_ms:6.2f} ms, ratio {ms / ref_ms:5.1f}x)  goal {goal}")

raw = f"{api}/repos/bench/wide/raw/master/lib.rs"
ref = median(raw)
# Cold: the first view of each blob. The very first also loads the grammars once per process.
first, _ = get(f"{site}/bench/wide/src/master/other.rs")
cold, page = get(f"{site}/bench/wide/src/master/lib.rs")
assert b'class="hl-' in page, "the file view is highlighted"
line("file view, first in the process (grammars load)", first, ref, "-")
line("file view, 1,000 lines highlighted, cold", cold, ref, "< 50 ms")
line("file view, 1,000 lines highlighted, cached (p50)", median(f"{site}/bench/wide/src/master/lib.rs"), ref, "< 5 ms")
line("repository home, 25,000 files (p50)", median(f"{site}/bench/wide"), median(f"{api}/repos/bench/wide/contents"), "< 20 ms")
line("directory of 25,000 files (p50 of 5)", median(f"{site}/bench/wide/src/master/big", 5),
     median(f"{api}/repos/bench/wide/contents/big", 5), "-")
_, home = get(f"{site}/bench/wide")
html = home.decode()
css = html.split('rel="stylesheet" href="')[1].split('"')[0]
icon = html.split('rel="icon" href="')[1].split('"')[0]
js = html.split('<script src="')[1].split('"')[0]
sizes = {"page": len(home), "stylesheet": len(get(site + css)[1]), "icon": len(get(site + icon)[1]),
         "script": len(get(site + js)[1])}
print(f"repository home transfer: {sum(sizes.values()) / 1024:.1f} KiB in total ({sizes}; no fonts)  goal < 100 KB")
PY
echo "binary: $(du -h "$bin" | cut -f1)"
