#!/usr/bin/env bash
# Notification benchmarks (issue #19):
#  1. fan-out to a repository with 10,000 watchers: an issue opened (10,000 threads written) and a
#     comment on it (10,000 threads made unread again), each from the POST until the queue is
#     empty, beside the POST's own time (goal: fan-out < 1 s, the request not waiting for it);
#  2. GET /notifications p50 (page 1, all statuses) for a user with 100 threads among ~110,000
#     rows, beside the repository's issue list page 1 in the same run (goal: a few ms);
#  3. feed pages p50 with 100,000 actions in the table: a repository's, a user's, and a dashboard
#     (GET /feeds of a user who watches the repository), beside the same issue list page.
# The watchers and the extra rows are written into the SQLite file while the server is stopped.
# Usage: scripts/bench-notifications.sh   (HEARTH_BIN=<binary> skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HEARTH_BIN:-}" ]; then cargo build --release --quiet -p hearth; fi
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
db="$work/data/hearth.db"

"$bin" admin create-user --data "$work/data" --name bench --password bench-pass --email bench@example.com --admin >/dev/null
start
token=$(curl -sf -u bench:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/bench/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
curl -sf -H "Authorization: token $token" -H 'Content-Type: application/json' -d '{"name":"proj","auto_init":true}' \
  "$base/user/repos" >/dev/null
stop

# 10,000 watchers: copies of the bench account (same password), each watching proj.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.row_factory = sqlite3.Row
row = dict(c.execute('SELECT * FROM "user" WHERE lower_name = ?', ("bench",)).fetchone())
repo = c.execute("SELECT id FROM repository WHERE lower_name = 'proj'").fetchone()[0]
del row["id"]
row["is_admin"] = 0
cols = ", ".join(f'"{k}"' for k in row)
marks = ", ".join("?" for _ in row)
for i in range(1, 10001):
    row.update(name=f"w{i}", lower_name=f"w{i}", email=f"w{i}@example.com")
    if "full_name" in row:
        row["full_name"] = ""
    uid = c.execute(f'INSERT INTO "user" ({cols}) VALUES ({marks})', list(row.values())).lastrowid
    c.execute("INSERT INTO watch (user_id, repo_id, created_unix) VALUES (?, ?, 1700000000)", (uid, repo))
c.execute("UPDATE repository SET num_watches = num_watches + 10000 WHERE id = ?", (repo,))
c.commit()
PY
start
python3 - "$base" "$token" "$db" <<'PY'
import json, sqlite3, sys, time, urllib.request
base, token, db = sys.argv[1:4]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Authorization": "token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
c = sqlite3.connect(db)
def drained():
    return c.execute("SELECT COUNT(*) FROM notification_task").fetchone()[0] == 0
def timed(what, method, path, body, check):
    t0 = time.monotonic()
    call(method, path, body)
    t1 = time.monotonic()
    while not drained():
        time.sleep(0.002)
    t2 = time.monotonic()
    n = c.execute(check).fetchone()[0]
    print(f"{what:<38} fan-out {1000 * (t2 - t0):7.1f} ms to {n} threads  (the POST itself {1000 * (t1 - t0):5.1f} ms)  goal < 1000 ms")
timed("issue opened, 10,000 watchers", "POST", "/repos/bench/proj/issues", {"title": "Broken", "body": "it broke"},
      "SELECT COUNT(*) FROM notification")
c.execute("UPDATE notification SET status = 2")
c.commit()
timed("comment on it, 10,000 watchers", "POST", "/repos/bench/proj/issues/1/comments", {"body": "fixed?"},
      "SELECT COUNT(*) FROM notification WHERE status = 1")
PY
stop

# ~100,000 more rows: 99 more issues, each a thread of w1..w1000.
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
repo = c.execute("SELECT id FROM repository WHERE lower_name = 'proj'").fetchone()[0]
users = [r[0] for r in c.execute("SELECT id FROM \"user\" WHERE lower_name LIKE 'w%' ORDER BY id LIMIT 1000")]
for i in range(2, 101):
    issue = c.execute("INSERT INTO issue (repo_id, idx, poster_id, title, body, created_unix, updated_unix) "
                      "VALUES (?, ?, 1, ?, '', ?, ?)", (repo, i, f"issue {i}", 1700000000 + i, 1700000000 + i)).lastrowid
    c.executemany("INSERT INTO notification (user_id, repo_id, issue_id, source, status, created_unix, updated_unix) "
                  "VALUES (?, ?, ?, 1, 1, ?, ?)", [(u, repo, issue, 1700000000 + i, 1700000000 + i) for u in users])
c.execute("UPDATE repository SET issue_seq = 100, num_issues = 100 WHERE id = ?", (repo,))
# 100,000 actions: issues opened and commented on by the first 1,000 watchers; every comment
# action names one of 100 comments (one per issue), so feed pages load comments too.
w = users[:1000]
issue_ids = [r[0] for r in c.execute("SELECT id FROM issue WHERE repo_id = ? ORDER BY idx", (repo,))]
comment_ids = [c.execute("INSERT INTO comment (type, poster_id, repo_id, issue_id, content, created_unix, updated_unix) "
                         "VALUES (0, 1, ?, ?, 'a comment', 1700000000, 1700000000)", (repo, iid)).lastrowid
               for iid in issue_ids]
c.executemany("INSERT INTO action (op_type, act_user_id, repo_id, comment_id, content, created_unix) VALUES (?, ?, ?, ?, ?, ?)",
              [(6 if i % 2 else 10, w[i % len(w)], repo, 0 if i % 2 else comment_ids[i % len(comment_ids)],
                f"{i % 100 + 1}|text {i}", 1700000000 + i) for i in range(100000)])
c.commit()
c.execute("ANALYZE")
print(f"notification rows: {c.execute('SELECT COUNT(*) FROM notification').fetchone()[0]}, "
      f"action rows: {c.execute('SELECT COUNT(*) FROM action').fetchone()[0]}")
PY
start
w1=$(curl -sf -u w1:bench-pass -H 'Content-Type: application/json' -d '{"name":"b"}' "$base/users/w1/tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')
python3 - "$base" "$w1" <<'PY'
import statistics, sys, time, urllib.request
base, token = sys.argv[1:3]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "token " + token})
    t = time.monotonic(); urllib.request.urlopen(req).read(); return (time.monotonic() - t) * 1000
def p50(path, n=51):
    get(path)
    return statistics.median(get(path) for _ in range(n))
mine = p50("/notifications?all=true")
new = p50("/notifications/new")
issues = p50("/repos/bench/proj/issues")
print(f"GET /notifications page 1 (100 threads of ~110,000 rows, p50) {mine:6.2f} ms  (/notifications/new {new:5.2f} ms; issue list page 1 {issues:5.2f} ms)")
repo_feed = p50("/repos/bench/proj/activities/feeds")
user_feed = p50("/users/w1/activities/feeds?only-performed-by=true")
dashboard = p50("/feeds")
print(f"feed page 1 of 100,000 actions (half of them comments), p50: repository {repo_feed:6.2f} ms, user {user_feed:6.2f} ms, dashboard {dashboard:6.2f} ms  (issue list page 1 {issues:5.2f} ms)")
PY
