#!/usr/bin/env bash
# Backup benchmark (issue #16): an instance with N repositories (each with an initial commit, made
# over the API) and M issues with one comment each (written straight into the SQLite database, the
# repositories' counters kept right), then `hearth dump` to .zip and .tar.gz and `hearth restore`
# of each into a fresh data directory. Prints each step's wall time and the archives' sizes.
# With HEARTH_BENCH_POSTGRES_URL (an admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)
# the .zip is also restored into a fresh PostgreSQL database, which is dropped afterwards.
# Usage: scripts/bench-dump.sh [repositories] [issues]   (defaults 20 and 2000; the issue's figure
#        is `scripts/bench-dump.sh 1000 100000`; HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
repos="${1:-20}"
issues="${2:-2000}"
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet -p hearth; fi
bin="${HEARTH_BIN:-${CARGO_TARGET_DIR:-target}/release/hearth}"
work=$(mktemp -d)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 RUST_LOG=warn
unset HEARTH_CONFIG
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=
pgdb=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$pgdb" ] && psql -q "$HEARTH_BENCH_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

now() { python3 -c 'import time; print(time.monotonic())'; }
since() { python3 -c "import sys,time; print(f'{time.monotonic() - float(sys.argv[1]):.2f} s')" "$1"; }
size() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB')" "$1"; }

"$bin" admin create-user --data "$work/src" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
"$bin" web --data "$work/src" --port "$port" &
pid=$!
base="http://127.0.0.1:$port/api/v1"
for _ in $(seq 100); do curl -sf "$base/version" >/dev/null && break; sleep 0.1; done
t=$(now)
python3 - "$base" "$repos" <<'PY'
import base64, json, sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
auth = "Basic " + base64.b64encode(b"bench:bench-pass").decode()
for i in range(n):
    body = json.dumps({"name": f"repo{i:05d}", "auto_init": True, "description": "benchmark"}).encode()
    req = urllib.request.Request(f"{base}/user/repos", body, {"Authorization": auth, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
echo "made $repos repositories over the API in $(since "$t")"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

t=$(now)
python3 - "$work/src/hearth.db" "$issues" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
repos = [r[0] for r in c.execute("SELECT id FROM repository ORDER BY id")]
per = {}
issues, comments = [], []
for i in range(n):
    repo = repos[i % len(repos)]
    per[repo] = per.get(repo, 0) + 1
    iid = i + 1
    issues.append((iid, repo, per[repo], 1, f"Issue {i}", f"Body of issue {i}\n" * 3, 1, 1700000000 + i, 1700000000 + i))
    comments.append((iid, 1, repo, iid, f"Comment on issue {i}", 1700000100 + i, 1700000100 + i))
c.executemany("INSERT INTO issue (id, repo_id, idx, poster_id, title, body, num_comments, created_unix, updated_unix) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", issues)
c.executemany("INSERT INTO comment (id, poster_id, repo_id, issue_id, content, created_unix, updated_unix) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)", comments)
for repo, k in per.items():
    c.execute("UPDATE repository SET num_issues = ?, issue_seq = ? WHERE id = ?", (k, k, repo))
c.commit()
PY
echo "wrote $issues issues and $issues comments in $(since "$t")"
du -sh "$work/src/hearth.db" "$work/src/repositories" | sed 's/^/source: /'

for ext in zip tar.gz; do
  t=$(now)
  "$bin" dump --data "$work/src" --file "$work/backup.$ext" >/dev/null
  echo "dump .$ext: $(since "$t"), archive $(size "$work/backup.$ext")"
  t=$(now)
  "$bin" restore --data "$work/restored-${ext/./-}" --file "$work/backup.$ext" >/dev/null
  echo "restore .$ext into SQLite: $(since "$t")"
done

if [ -n "${HEARTH_BENCH_POSTGRES_URL:-}" ]; then
  pgdb="hearth_bench_dump_$$"
  psql -q "$HEARTH_BENCH_POSTGRES_URL" -c "CREATE DATABASE $pgdb" >/dev/null
  url=$(python3 -c 'import sys; b, _, q = sys.argv[1].partition("?"); print(b.rsplit("/", 1)[0] + "/" + sys.argv[2] + ("?" + q if q else ""))' \
    "$HEARTH_BENCH_POSTGRES_URL" "$pgdb")
  t=$(now)
  HEARTH__DATABASE__TYPE=postgres HEARTH__DATABASE__URL="$url" \
    "$bin" restore --data "$work/restored-pg" --file "$work/backup.zip" >/dev/null
  echo "restore .zip into PostgreSQL: $(since "$t")"
  t=$(now)
  HEARTH__DATABASE__TYPE=postgres HEARTH__DATABASE__URL="$url" \
    "$bin" dump --data "$work/restored-pg" --file "$work/from-pg.zip" >/dev/null
  echo "dump .zip from PostgreSQL: $(since "$t"), archive $(size "$work/from-pg.zip")"
fi
