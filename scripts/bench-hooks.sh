#!/usr/bin/env bash
# Webhook benchmark, all on 127.0.0.1:
#  1. latency: N pushes (real `git push` over Smart HTTP) to a repository whose hook points at a local
#     receiver; prints p50/p90 of push start → payload received, and of push returned → received;
#     then N commits through the contents API (same push pipeline, no git client), request → received.
#  2. throughput: 1,000 deliveries queued over 50 repositories (20 test deliveries each) to a
#     receiver that takes 100 ms per request; prints the time until the last one arrived.
# Usage: scripts/bench-hooks.sh [pushes]
set -euo pipefail
cd "$(dirname "$0")/.."
pushes="${1:-40}"

# HEARTH_BIN: an already-built binary (skips the release build).
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export GIT_CONFIG_NOSYSTEM=1 HOME="$work"
git config --global user.name bench; git config --global user.email bench@example.com

"$bin" admin create-user --data "$data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
HEARTH__SECURITY__LOCAL_NETWORK_ALLOWLIST=loopback RUST_LOG=warn "$bin" web --data "$data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done

python3 - "$port" "$work" "$pushes" <<'PY'
import base64, json, os, statistics, subprocess, sys, threading, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, work, pushes = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
api = f"http://127.0.0.1:{port}/api/v1"
got, lock = [], threading.Lock()

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        at = time.time()
        if self.path == "/slow":
            time.sleep(0.1)
        with lock:
            got.append((at, self.path, self.headers["X-Gogs-Event"], body))
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 256
server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
hook_base = f"http://127.0.0.1:{server.server_address[1]}"

basic = "Basic " + base64.b64encode(b"bench:bench-pass").decode()
def call(method, path, body=None, auth=basic):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None
token = "token " + call("POST", "/users/bench/tokens", {"name": "bench"})["sha1"]
def repo_with_hook(name, path):
    call("POST", "/user/repos", {"name": name}, token)
    hook = call("POST", f"/repos/bench/{name}/hooks",
                {"type": "gogs", "config": {"url": hook_base + path, "content_type": "json"}, "active": True}, token)
    return hook["id"]

def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

# 1. Push → payload received.
repo_with_hook("lat", "/fast")
wt = os.path.join(work, "wt")
url = f"http://bench:bench-pass@127.0.0.1:{port}/bench/lat.git"
git = lambda *a: subprocess.run(["git", "-C", wt, *a], check=True, capture_output=True, text=True).stdout.strip()
os.makedirs(wt); git("init", "-q", "-b", "master")
total, after_return = [], []
for i in range(pushes + 1):
    with open(os.path.join(wt, "f.txt"), "w") as f:
        f.write(f"{i}\n")
    git("add", "."); git("commit", "-qm", f"c{i}")
    sha = git("rev-parse", "HEAD")
    t0 = time.time(); git("push", "-q", url, "master"); t1 = time.time()
    while True:
        with lock:
            hit = [g for g in got if g[1] == "/fast" and g[2] == "push" and json.loads(g[3])["after"] == sha]
        if hit:
            break
        if time.time() - t0 > 30:
            sys.exit(f"push {i}: no delivery")
        time.sleep(0.0005)
    if i > 0:  # the first push (into an empty repository) warms things up
        total.append((hit[0][0] - t0) * 1000); after_return.append((hit[0][0] - t1) * 1000)
print(f"push → received ({pushes} pushes): p50 {pct(total, 50):.1f} ms, p90 {pct(total, 90):.1f} ms "
      f"(git push alone p50 {pct([t - a for t, a in zip(total, after_return)], 50):.1f} ms; "
      f"after push returned p50 {pct(after_return, 50):.1f} ms)")

# 1b. The same through the contents API (a web-editor commit: the push pipeline without git's client).
api_lat = []
for i in range(pushes):
    t0 = time.time()
    r = call("PUT", f"/repos/bench/lat/contents/api-{i}.txt",
             {"message": f"api {i}", "content": base64.b64encode(b"x\n").decode()}, token)
    sha = r["commit"]["sha"]
    while True:
        with lock:
            hit = [g for g in got if g[1] == "/fast" and g[2] == "push" and json.loads(g[3])["after"] == sha]
        if hit:
            break
        if time.time() - t0 > 30:
            sys.exit(f"contents PUT {i}: no delivery")
        time.sleep(0.0005)
    api_lat.append((hit[0][0] - t0) * 1000)
print(f"contents PUT → received ({pushes} commits): p50 {pct(api_lat, 50):.1f} ms, p90 {pct(api_lat, 90):.1f} ms")

# 2. 1,000 deliveries over 50 repositories, 100 ms each at the receiver.
hooks = [(f"r{i}", repo_with_hook(f"r{i}", "/slow")) for i in range(50)]
start = time.time()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda rh: call("POST", f"/repos/bench/{rh[0]}/hooks/{rh[1]}/tests", None, token),
                  [rh for rh in hooks for _ in range(20)]))
queued = time.time() - start
while True:
    with lock:
        slow = [g for g in got if g[1] == "/slow"]
    if len(slow) >= 1000 or time.time() - start > 300:
        break
    time.sleep(0.05)
last = max(g[0] for g in slow) + 0.1
print(f"1000 deliveries / 50 repositories / 100 ms receiver: {len(slow)} received in {last - start:.1f} s "
      f"(queued in {queued:.1f} s)")
PY
