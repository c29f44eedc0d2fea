#!/usr/bin/env bash
# SSH clone benchmark: a ~100 MB repository cloned over hearth's built-in SSH server, over its
# Smart HTTP, and over OpenSSH's sshd running git-upload-pack on the same repository directory (the
# reference), same machine. Prints each time (best and median of N, runs alternated) and the ratios
# http/ssh (goal >= 0.95) and openssh/ssh.
# Usage: scripts/bench-ssh.sh [size-MiB] [runs]   (BENCH_SSH_OPTS: extra options for ssh, e.g.
# `-c aes128-gcm@openssh.com`; without /usr/sbin/sshd the OpenSSH column is left out)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-100}"
runs="${2:-3}"

# HEARTH_BIN: an already-built binary (skips the release build).
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
data="$work/data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
ssh_port=$(free_port)
export GIT_CONFIG_NOSYSTEM=1 HOME="$work"
git config --global user.name bench; git config --global user.email bench@example.com

# A source repository: many commits of incompressible files, ~size_mib MiB of objects.
src="$work/src"
git init -q -b master "$src"
files=$(( size_mib * 4 ))
for i in $(seq "$files"); do
  head -c 262144 /dev/urandom > "$src/blob$((i % 97))-$i.bin"
  if (( i % 40 == 0 )); then git -C "$src" add -A; git -C "$src" commit -qm "batch $i"; fi
done
git -C "$src" add -A; git -C "$src" commit -qm last || true
git -C "$src" gc -q
echo "source: $(du -sh "$src/.git" | cut -f1) in $(git -C "$src" rev-list --count HEAD) commits"

"$bin" admin create-user --data "$data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true HEARTH__SERVER__START_SSH_SERVER=true \
  HEARTH__SERVER__SSH_PORT="$ssh_port" RUST_LOG=warn "$bin" web --data "$data" --port "$port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/version" >/dev/null && break; sleep 0.1; done
curl -sf -u bench:bench-pass -H 'Content-Type: application/json' \
  -d "{\"clone_addr\":\"$src\",\"uid\":1,\"repo_name\":\"big\"}" "http://127.0.0.1:$port/api/v1/repos/migrate" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$work/key"
python3 -c 'import json,sys; print(json.dumps({"title":"bench","key":open(sys.argv[1]).read().strip()}))' "$work/key.pub" |
  curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d @- "http://127.0.0.1:$port/api/v1/user/keys" >/dev/null
export GIT_SSH_COMMAND="ssh ${BENCH_SSH_OPTS:-} -i $work/key -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -F /dev/null"

# The reference: the system's sshd, as this user, serving the same bare repository by its path.
openssh_src=""
if [ -x /usr/sbin/sshd ]; then
  sshd_port=$(free_port)
  ssh-keygen -q -t ed25519 -N '' -f "$work/sshd_host_key"
  cp "$work/key.pub" "$work/authorized_keys"
  cat > "$work/sshd_config" <<CFG
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $work/sshd_host_key
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
CFG
  mkdir -p /run/sshd 2>/dev/null || true
  /usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
  sshd_pid=$!
  trap 'kill $pid $sshd_pid 2>/dev/null; wait $pid $sshd_pid 2>/dev/null; rm -rf "$work"' EXIT
  repo_dir=$(find "$data" -type d -name big.git | head -1)
  for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$sshd_port") 2>/dev/null && break; sleep 0.1; done
  openssh_src="ssh://$(id -un)@127.0.0.1:$sshd_port$repo_dir"
fi

# Alternate the clones run by run (the machine's speed drifts), report the best of each.
python3 - "$runs" "$work/clone" "http://127.0.0.1:$port/bench/big.git" "ssh://git@127.0.0.1:$ssh_port/bench/big.git" "$openssh_src" <<'PY'
import shutil, statistics, subprocess, sys, time
runs, dest, http_src, ssh_src, openssh_src = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def clone(*args):
    shutil.rmtree(dest, ignore_errors=True)
    start = time.monotonic()
    subprocess.run(["git", "clone", "-q", *args, dest], check=True, stdout=subprocess.DEVNULL)
    took = time.monotonic() - start
    shutil.rmtree(dest, ignore_errors=True)
    return took
http, ssh, openssh = [], [], []
for _ in range(runs):
    http.append(clone(http_src))
    ssh.append(clone(ssh_src))
    if openssh_src:
        openssh.append(clone(openssh_src))
print(f"clone over hearth smart HTTP:   best {min(http):.3f}s, median {statistics.median(http):.3f}s")
print(f"clone over hearth SSH:          best {min(ssh):.3f}s, median {statistics.median(ssh):.3f}s")
if openssh:
    print(f"clone over OpenSSH sshd:        best {min(openssh):.3f}s, median {statistics.median(openssh):.3f}s")
print(f"ratio http/ssh: best {min(http)/min(ssh):.3f}, median {statistics.median(http)/statistics.median(ssh):.3f} (goal >= 0.95)")
if openssh:
    print(f"ratio openssh/ssh: best {min(openssh)/min(ssh):.3f}, median {statistics.median(openssh)/statistics.median(ssh):.3f}")
PY
