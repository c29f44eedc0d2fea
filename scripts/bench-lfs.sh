#!/usr/bin/env bash
# LFS transfer benchmark: one large object (default 1 GiB) uploaded to and downloaded from a
# release build through the LFS basic transfer endpoints with curl, against a plain `cp` of the
# same file (with and without `sync`, since an upload is fsynced before it is kept). Prints the
# throughputs, the ratios to cp, and the server's RSS before and at its peak (VmHWM).
# Usage: scripts/bench-lfs.sh [size-MiB] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
runs="${2:-3}"

# HEARTH_BIN: an already-built binary (skips the release build).
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
data="$work/data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)

head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/object"
oid=$(sha256sum "$work/object" | cut -d' ' -f1)
bytes=$(stat -c %s "$work/object")

"$bin" admin create-user --data "$data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
RUST_LOG=warn "$bin" web --data "$data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done
curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"big"}' \
  "http://127.0.0.1:$port/api/v1/user/repos" >/dev/null
rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }
idle=$(rss VmRSS)

python3 - "$runs" "$work" "http://127.0.0.1:$port/bench/big.git/info/lfs/objects/$oid" "$bytes" "$data/lfs-objects" <<'PY'
import os, shutil, statistics, subprocess, sys, time
runs, work, url, size, store = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
src, dest = os.path.join(work, "object"), os.path.join(work, "copy")
def timed(*cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start
def clear_store():
    # An object already stored is hashed and then dropped; each run stores it anew.
    shutil.rmtree(store, ignore_errors=True)
cp, cp_sync, up, down = [], [], [], []
for _ in range(runs):
    if os.path.exists(dest): os.remove(dest)
    cp.append(timed("cp", src, dest)); os.remove(dest)
    cp_sync.append(timed("sh", "-c", f"cp '{src}' '{dest}' && sync '{dest}'")); os.remove(dest)
    clear_store()
    up.append(timed("curl", "-sf", "-u", "bench:bench-pass", "-H", "Content-Type: application/octet-stream",
                    "-T", src, "-X", "PUT", url))
    down.append(timed("curl", "-sf", "-u", "bench:bench-pass", "-o", dest, url))
    assert os.path.getsize(dest) == size, "download is short"
    os.remove(dest)
mib = size / (1 << 20)
rate = lambda t: mib / t
for name, ts in [("cp", cp), ("cp + sync", cp_sync), ("LFS upload (PUT)", up), ("LFS download (GET)", down)]:
    print(f"{name:20} best {min(ts):7.3f}s  {rate(min(ts)):8.1f} MiB/s  (median {statistics.median(ts):.3f}s)")
print(f"upload / (cp + sync): {min(cp_sync) / min(up):.3f}   download / cp: {min(cp) / min(down):.3f}")
PY
echo "server RSS: idle ${idle} MiB, peak (VmHWM) $(rss VmHWM) MiB, now $(rss VmRSS) MiB"
