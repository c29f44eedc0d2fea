#!/usr/bin/env python3
"""Write the `gogs backup` archives the `hearth import gogs` tests read.

No Gogs binary is needed: the archive is written from Gogs' documented layout (`gogs backup`,
format VERSION 1):

    gogs-backup/metadata.ini         VERSION, DATE_TIME, GOGS_VERSION
    gogs-backup/db/<Table>.json      one JSON object per line, keys = Go struct field names
    gogs-backup/custom/conf/app.ini  the configuration
    gogs-backup/repositories.zip     the repository root: gogs-repositories/<owner>/<repo>.git/...

Two variants:
  gogs-backup-0.13.zip  Gogs 0.13/0.14 key names; access tokens kept as their SHA-256 only.
  gogs-backup-0.12.zip  Gogs 0.11/0.12 key names (Passwd, UID, Uid); access tokens in clear (Sha1).

The repositories are real: built with the git CLI at fixed dates (reproducible ids), each with
Gogs' delegate hook scripts in hooks/. Everything is deterministic, so running this again gives
byte-identical archives.

Usage: scripts/make-gogs-fixture.py [OUTPUT_DIR]   (default crates/hearth/tests/fixtures)
       scripts/make-gogs-fixture.py --scale REPOS ISSUES FILE   (a large archive for timing)
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

ZIP_TIME = (2024, 5, 1, 12, 0, 0)
T0 = 1700000000  # 2023-11-14, the fixture's "now"

# Passwords the tests sign in with (Gogs' PBKDF2 hashes are written below).
PASSWORDS = {"alice": "alice-old-pass", "bob": "bob-old-pass"}
SALTS = {"alice": "aLiCeSaLt1", "bob": "bObSaLt002"}
# The raw access token the tests authenticate with.
RAW_TOKEN = hashlib.sha1(b"fixture token of alice").hexdigest()

# Gogs' delegate hooks (what Gogs writes into every repository's hooks/ directory).
GOGS_HOOKS = {
    "pre-receive": "#!/usr/bin/env bash\n\"/app/gogs/gogs\" hook --config='/data/gogs/conf/app.ini' pre-receive\n",
    "update": "#!/usr/bin/env bash\n\"/app/gogs/gogs\" hook --config='/data/gogs/conf/app.ini' update $1 $2 $3\n",
    "post-receive": "#!/usr/bin/env bash\n\"/app/gogs/gogs\" hook --config='/data/gogs/conf/app.ini' post-receive\n",
}


def gogs_password(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 10000, 50).hex()


def ssh_ed25519(seed):
    """A syntactically valid ssh-ed25519 public key line (the key bytes come from `seed`)."""
    import base64
    import struct

    def string(b):
        return struct.pack(">I", len(b)) + b

    blob = string(b"ssh-ed25519") + string(hashlib.sha256(seed.encode()).digest())
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


def go_json(obj):
    """JSON as Go's encoding/json writes it: compact, <>& escaped, a newline after each value."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def git(*args, cwd=None, env=None):
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "LANG": "C",
    }
    full_env.update(env or {})
    return subprocess.run(["git", *args], cwd=cwd, env=full_env, check=True, capture_output=True, text=True).stdout


def dated(ts, name="Alice", email="alice@example.com"):
    stamp = f"{ts} +0000"
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


def bare_repo(path, with_history):
    """A bare repository as Gogs keeps it; returns the id of the tagged commit (or None)."""
    git("init", "--bare", "--template=", "-b", "master", path)
    with open(os.path.join(path, "description"), "w") as f:
        f.write("Unnamed repository; edit this file 'description' to name the repository.\n")
    tagged = with_history and fill(path)
    # Written last: these scripts run only inside a Gogs installation (they would refuse the push above).
    os.makedirs(os.path.join(path, "hooks"))
    for name, script in GOGS_HOOKS.items():
        hook = os.path.join(path, "hooks", name)
        with open(hook, "w") as f:
            f.write(script)
        os.chmod(hook, 0o755)
    return tagged or None


def fill(path):
    """Two commits on master (the second tagged v1.0) and one on develop; returns the tagged id."""
    with tempfile.TemporaryDirectory() as work:
        git("init", "--template=", "-b", "master", work)
        with open(os.path.join(work, "README.md"), "w") as f:
            f.write("# hello\n\nImported from Gogs.\n")
        git("add", "README.md", cwd=work)
        git("commit", "-m", "Initial commit", cwd=work, env=dated(T0 - 86400 * 10))
        with open(os.path.join(work, "main.go"), "w") as f:
            f.write("package main\n\nfunc main() {}\n")
        git("add", "main.go", cwd=work)
        git("commit", "-m", "Add main.go", cwd=work, env=dated(T0 - 86400 * 9))
        tagged = git("rev-parse", "HEAD", cwd=work).strip()
        git("tag", "-a", "v1.0", "-m", "Version 1.0", cwd=work, env=dated(T0 - 86400 * 9 + 60))
        git("checkout", "-q", "-b", "develop", cwd=work)
        with open(os.path.join(work, "NOTES"), "w") as f:
            f.write("work in progress\n")
        git("add", "NOTES", cwd=work)
        git("commit", "-m", "Notes", cwd=work, env=dated(T0 - 86400 * 8, "Bob", "bob@example.com"))
        git("push", "-q", path, "master", "develop", "v1.0", cwd=work)
    git("-c", "pack.threads=1", "repack", "-a", "-d", "-q", cwd=path)
    git("pack-refs", "--all", cwd=path)
    return tagged


def add_tree(z, root, prefix):
    """Add a directory tree to a zip (directory entries included, as Gogs' zip writer does)."""
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        name = prefix if rel == "." else f"{prefix}/{rel}"
        info = zipfile.ZipInfo(name + "/", ZIP_TIME)
        info.external_attr = (0o40755 << 16) | 0x10
        z.writestr(info, b"")
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            info = zipfile.ZipInfo(f"{name}/{fn}", ZIP_TIME)
            mode = os.stat(full).st_mode & 0o777
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as f:
                z.writestr(info, f.read())


def repositories_zip():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "gogs-repositories")
        tagged = bare_repo(os.path.join(root, "alice", "hello.git"), True)
        bare_repo(os.path.join(root, "alice", "hello.wiki.git"), False)
        bare_repo(os.path.join(root, "acme", "tools.git"), False)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            add_tree(z, root, "gogs-repositories")
        return buf.getvalue(), tagged


def tables(version, tagged):
    """Every table `gogs backup` writes, as {table: [row, ...]}, with `version`'s key names."""
    old = version == "0.12"
    deploy_key_line = ssh_ed25519("deploy key of alice/hello")

    def user(uid, name, kind, email, full="", admin=False, password=True, **extra):
        row = {
            "ID": uid,
            "LowerName": name.lower(),
            "Name": name,
            "FullName": full,
            "Email": email,
            ("Passwd" if old else "Password"): gogs_password(PASSWORDS[name], SALTS[name]) if password else "",
            "LoginSource": 0,
            "LoginName": "",
            "Type": kind,
            "Location": "",
            "Website": "",
            "Rands": "r4nd5" + str(uid),
            "Salt": SALTS.get(name, ""),
            "CreatedUnix": T0 - 86400 * 30 + uid,
            "UpdatedUnix": T0 - 86400 * 20 + uid,
            "LastRepoVisibility": False,
            "MaxRepoCreation": -1,
            "IsActive": True,
            "IsAdmin": admin,
            "AllowGitHook": False,
            "AllowImportLocal": False,
            "ProhibitLogin": False,
            "Avatar": hashlib.md5(email.encode()).hexdigest() if email else "",
            "AvatarEmail": email,
            "UseCustomAvatar": False,
            "NumFollowers": 0,
            "NumFollowing": 0,
            "NumStars": 0,
            "NumRepos": 0,
            "Description": "",
            "NumTeams": 0,
            "NumMembers": 0,
        }
        row.update(extra)
        return row

    users = [
        user(1, "alice", 0, "alice@example.com", "Alice Liddell", admin=True, NumFollowers=1, NumRepos=1),
        user(2, "bob", 0, "bob@example.com", "Bob", NumFollowing=1),
        user(3, "acme", 1, "", "ACME Corp", password=False, Description="Tools & toys", NumTeams=2,
             NumMembers=2, NumRepos=1),
    ]

    def repo(rid, owner, name, private, bare, **extra):
        row = {
            "ID": rid,
            "OwnerID": owner,
            "LowerName": name.lower(),
            "Name": name,
            "Description": "",
            "Website": "",
            "DefaultBranch": "master",
            "Size": 0,
            "UseCustomAvatar": False,
            "NumWatches": 0,
            "NumStars": 0,
            "NumForks": 0,
            "NumIssues": 0,
            "NumClosedIssues": 0,
            "NumPulls": 0,
            "NumClosedPulls": 0,
            "NumMilestones": 0,
            "NumClosedMilestones": 0,
            "IsPrivate": private,
            "IsBare": bare,
            "IsMirror": False,
            "EnableWiki": True,
            "AllowPublicWiki": False,
            "EnableExternalWiki": False,
            "ExternalWikiURL": "",
            "EnableIssues": True,
            "AllowPublicIssues": False,
            "EnableExternalTracker": False,
            "ExternalTrackerURL": "",
            "ExternalTrackerFormat": "",
            "ExternalTrackerStyle": "",
            "EnablePulls": True,
            "PullsIgnoreWhitespace": False,
            "PullsAllowRebase": False,
            "IsFork": False,
            "ForkID": 0,
            "CreatedUnix": T0 - 86400 * 10 - 100 + rid,
            "UpdatedUnix": T0 - 86400 * 8 + rid,
        }
        if not old:
            # IsUnlisted sits after IsPrivate in 0.13's struct.
            row = {k: row[k] for k in list(row)[: list(row).index("IsPrivate") + 1]} | {"IsUnlisted": False} | {
                k: row[k] for k in list(row)[list(row).index("IsPrivate") + 1 :]
            }
        row.update(extra)
        return row

    repos = [
        repo(1, 1, "hello", False, False, Description="Hello <world>", Size=4096, NumWatches=2, NumStars=1,
             NumIssues=2, NumClosedIssues=1, NumPulls=1, NumMilestones=1),
        repo(2, 3, "tools", True, True, Description="Internal tools"),
    ]

    uid_key = "UID" if old else "UserID"
    token = {"ID": 1, ("UserID"): 1, "Name": "ci", "Sha1": RAW_TOKEN, "CreatedUnix": T0 - 5000, "UpdatedUnix": T0 - 100}
    if not old:
        sha256 = hashlib.sha256(RAW_TOKEN.encode()).hexdigest()
        token = {"ID": 1, "UserID": 1, "Name": "ci", "Sha1": sha256[:40], "SHA256": sha256,
                 "CreatedUnix": T0 - 5000, "UpdatedUnix": T0 - 100}

    hook_events = {"push_only": False, "send_everything": False, "choose_events": True,
                   "events": {"create": True, "delete": False, "fork": False, "push": True, "issues": True,
                              "pull_request": False, "issue_comment": False, "release": False}}
    slack_events = {"push_only": True, "send_everything": False, "choose_events": False,
                    "events": {"create": False, "delete": False, "fork": False, "push": False, "issues": False,
                               "pull_request": False, "issue_comment": False, "release": False}}

    def webhook(hid, repo_id, org_id, url, secret, events, kind, meta):
        return {"ID": hid, "RepoID": repo_id, "OrgID": org_id, "URL": url, "ContentType": 1, "Secret": secret,
                "Events": json.dumps(events, separators=(",", ":")),
                # The embedded HookEvent, promoted into the row by Go's encoder.
                **events,
                "IsSSL": False, "IsActive": True, "HookTaskType": kind, "Meta": meta, "LastStatus": 1,
                "CreatedUnix": T0 - 4000 + hid, "UpdatedUnix": T0 - 3000 + hid}

    def hook_task(tid, delivered):
        return {"ID": tid, "RepoID": 1, "HookID": 1, "UUID": f"9b2e8a1c-0000-4000-8000-00000000000{tid}",
                "Type": 1, "URL": "http://127.0.0.1:9/hook", "Signature": "ab" * 32,
                "PayloadContent": '{"ref":"refs/heads/master"}', "ContentType": 1, "EventType": "push",
                "IsSSL": False, "IsDelivered": delivered, "Delivered": (T0 - 2000) * 10**9 + tid if delivered else 0,
                "IsSucceed": delivered, "RequestContent": '{"headers":{}}' if delivered else "",
                "ResponseContent": '{"status":200,"headers":{},"body":"ok"}' if delivered else ""}

    def issue(iid, index, poster, title, content, closed=False, pull=False, milestone=0, assignee=0, comments=0):
        return {"ID": iid, "RepoID": 1, "Index": index, "PosterID": poster, "Title": title, "Content": content,
                "MilestoneID": milestone, "Priority": 0, "AssigneeID": assignee, "IsClosed": closed,
                "IsPull": pull, "NumComments": comments, "DeadlineUnix": 0,
                "CreatedUnix": T0 - 7000 + iid, "UpdatedUnix": T0 - 6000 + iid}

    def comment(cid, kind, poster, issue_id, content):
        return {"ID": cid, "Type": kind, "PosterID": poster, "IssueID": issue_id, "CommitID": 0, "Line": 0,
                "Content": content, "CreatedUnix": T0 - 5500 + cid, "UpdatedUnix": T0 - 5400 + cid,
                "CommitSHA": ""}

    return {
        # Listed in the order `gogs backup` writes them (gorm tables, then the legacy ones).
        "Access": [{"ID": 1, "UserID": 2, "RepoID": 1, "Mode": 2}, {"ID": 2, "UserID": 1, "RepoID": 2, "Mode": 4}],
        "AccessToken": [token],
        "Action": [{"ID": 1, "UserID": 1, "OpType": 1, "ActUserID": 1, "ActUserName": "alice", "RepoID": 1,
                    "RepoUserName": "alice", "RepoName": "hello", "RefName": "", "IsPrivate": False, "Content": "",
                    "CreatedUnix": T0 - 86400 * 10}],
        "EmailAddress": [{"ID": 1, uid_key: 1, "Email": "alice@work.example", "IsActivated": True}],
        "Follow": [{"ID": 1, "UserID": 2, "FollowID": 1}],
        "LFSObject": [],
        "LoginSource": [],
        "Notice": [{"ID": 1, "Type": 1, "Description": "Repository sync failed: timeout", "CreatedUnix": T0 - 900}],
        "User": users,
        "PublicKey": [
            {"ID": 1, "OwnerID": 1, "Name": "laptop", "Fingerprint": "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99",
             "Content": ssh_ed25519("alice laptop"), "Mode": 2, "Type": 1, "CreatedUnix": T0 - 8000,
             "UpdatedUnix": T0 - 7900},
            {"ID": 2, "OwnerID": 1, "Name": "ci", "Fingerprint": "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
             "Content": deploy_key_line, "Mode": 1, "Type": 2, "CreatedUnix": T0 - 7800, "UpdatedUnix": T0 - 7700},
        ],
        "TwoFactor": [{"ID": 1, "UserID": 2, "Secret": "c2VjcmV0", "CreatedUnix": T0 - 9000}],
        "TwoFactorRecoveryCode": [],
        "Repository": repos,
        "DeployKey": [{"ID": 1, "KeyID": 2, "RepoID": 1, "Name": "ci",
                       "Fingerprint": "11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff",
                       "CreatedUnix": T0 - 7800, "UpdatedUnix": T0 - 7700}],
        "Collaboration": [{"ID": 1, "RepoID": 1, "UserID": 2, "Mode": 2}],
        "Upload": [],
        "Watch": [{"ID": 1, "UserID": 1, "RepoID": 1}, {"ID": 2, "UserID": 2, "RepoID": 1},
                  {"ID": 3, "UserID": 1, "RepoID": 2}],
        "Star": [{"ID": 1, uid_key: 2, "RepoID": 1}],
        "Issue": [
            issue(1, 1, 2, "First issue", "Something is **broken** & <needs> fixing.", milestone=1, assignee=1,
                  comments=1),
            issue(2, 2, 1, "Closed one", "Done already.", closed=True, comments=0),
            issue(3, 3, 2, "Add notes", "Please pull develop.", pull=True, comments=1),
        ],
        "PullRequest": [{"ID": 1, "Type": 0, "Status": 2, "IssueID": 3, "Index": 3, "HeadRepoID": 1,
                         "BaseRepoID": 1, "HeadUserName": "alice", "HeadBranch": "develop", "BaseBranch": "master",
                         "MergeBase": tagged, "HasMerged": False, "MergedCommitID": "", "MergerID": 0,
                         "MergedUnix": 0}],
        "Comment": [
            comment(1, 0, 1, 1, "Thanks, looking into it."),
            comment(2, 2, 1, 2, ""),
            comment(3, 0, 1, 3, "LGTM"),
        ],
        "Attachment": [{"ID": 1, "UUID": "5a1c0000-0000-4000-8000-000000000001", "IssueID": 1, "CommentID": 0,
                        "ReleaseID": 0, "Name": "screenshot.png", "CreatedUnix": T0 - 6900}],
        "IssueUser": [{"ID": 1, uid_key: 2, "IssueID": 1, "RepoID": 1, "MilestoneID": 1, "IsRead": True,
                       "IsAssigned": False, "IsMentioned": False, "IsPoster": True, "IsClosed": False}],
        "Label": [
            {"ID": 1, "RepoID": 1, "Name": "bug", "Color": "#ee0701", "NumIssues": 1, "NumClosedIssues": 0},
            {"ID": 2, "RepoID": 1, "Name": "enhancement", "Color": "#84b6eb", "NumIssues": 0, "NumClosedIssues": 0},
        ],
        "IssueLabel": [{"ID": 1, "IssueID": 1, "LabelID": 1}],
        "Milestone": [{"ID": 1, "RepoID": 1, "Name": "v1.1", "Content": "The next one", "IsClosed": False,
                       "NumIssues": 1, "NumClosedIssues": 0, "Completeness": 0, "DeadlineUnix": T0 + 86400 * 30,
                       "ClosedDateUnix": 0}],
        "Mirror": [],
        "Release": [{"ID": 1, "RepoID": 1, "PublisherID": 1, "TagName": "v1.0", "LowerTagName": "v1.0",
                     "Target": "master", "Title": "Version 1.0", "Sha1": tagged, "NumCommits": 2,
                     "Note": "First release.", "IsDraft": False, "IsPrerelease": False, "CreatedUnix": T0 - 86400 * 9}],
        "Webhook": [
            webhook(1, 1, 0, "http://127.0.0.1:9/hook", "s3cret", hook_events, 1, ""),
            webhook(2, 0, 3, "https://hooks.slack.com/services/T0/B0/XX", "", slack_events, 2,
                    '{"channel":"#dev","username":"gogs","icon_url":"","color":""}'),
        ],
        "HookTask": [hook_task(1, True), hook_task(2, False)],
        "ProtectBranch": [{"ID": 1, "RepoID": 1, "Name": "master", "Protected": True, "RequirePullRequest": True,
                           "EnableWhitelist": False, "WhitelistUserIDs": "", "WhitelistTeamIDs": ""}],
        "ProtectBranchWhitelist": [],
        "Team": [
            {"ID": 1, "OrgID": 3, "LowerName": "owners", "Name": "Owners", "Description": "", "Authorize": 4,
             "NumRepos": 1, "NumMembers": 1},
            {"ID": 2, "OrgID": 3, "LowerName": "developers", "Name": "Developers", "Description": "They build",
             "Authorize": 2, "NumRepos": 1, "NumMembers": 1},
        ],
        "OrgUser": [
            {"ID": 1, ("Uid" if old else "UID"): 1, "OrgID": 3, "IsPublic": True, "IsOwner": True, "NumTeams": 1},
            {"ID": 2, ("Uid" if old else "UID"): 2, "OrgID": 3, "IsPublic": False, "IsOwner": False, "NumTeams": 1},
        ],
        "TeamUser": [{"ID": 1, "OrgID": 3, "TeamID": 1, "UID": 1}, {"ID": 2, "OrgID": 3, "TeamID": 2, "UID": 2}],
        "TeamRepo": [{"ID": 1, "OrgID": 3, "TeamID": 1, "RepoID": 2}, {"ID": 2, "OrgID": 3, "TeamID": 2, "RepoID": 2}],
        "Version": [{"ID": 1, "Version": 19 if old else 20}],
    }


def backup(version, gogs_version, repos_zip, tagged):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:

        def add(name, data, compress=zipfile.ZIP_DEFLATED):
            info = zipfile.ZipInfo("gogs-backup/" + name, ZIP_TIME)
            info.external_attr = 0o100644 << 16
            info.compress_type = compress
            z.writestr(info, data)

        add("metadata.ini", f"VERSION      = 1\nDATE_TIME    = 2024-05-01 12:00:00 +0000 UTC\nGOGS_VERSION = {gogs_version}\n")
        for name, rows in tables(version, tagged).items():
            add(f"db/{name}.json", "".join(go_json(r) for r in rows))
        add("custom/conf/app.ini", "APP_NAME = Gogs\nRUN_MODE = prod\n\n[database]\nTYPE = sqlite3\nPATH = data/gogs.db\n")
        add("repositories.zip", repos_zip, zipfile.ZIP_STORED)
    return buf.getvalue()


def scaled(path, n_repos, n_issues):
    """A large archive for timing imports (not a fixture): the 0.13 data plus `n_repos` copies of
    alice/hello and `n_issues` issues spread over them, each with one comment."""
    repos_zip, tagged = repositories_zip()
    data = tables("0.13", tagged)
    template_repo, template_issue, template_comment = data["Repository"][0], data["Issue"][0], data["Comment"][0]
    for i in range(n_repos):
        name = f"r{i:05}"
        data["Repository"].append(template_repo | {"ID": 100 + i, "Name": name, "LowerName": name})
    for k in range(n_issues):
        issue_id = 1000 + k
        data["Issue"].append(template_issue | {"ID": issue_id, "RepoID": 100 + k % n_repos, "Index": k // n_repos + 1,
                                               "MilestoneID": 0, "Title": f"Issue {k}"})
        data["Comment"].append(template_comment | {"ID": issue_id, "IssueID": issue_id})
    source = zipfile.ZipFile(io.BytesIO(repos_zip))
    hello = [(i, source.read(i)) for i in source.infolist() if i.filename.startswith("gogs-repositories/alice/hello.git/")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info in source.infolist():
            z.writestr(info, source.read(info))
        for i in range(n_repos):
            for info, content in hello:
                copy = zipfile.ZipInfo(info.filename.replace("/hello.git/", f"/r{i:05}.git/"), ZIP_TIME)
                copy.external_attr, copy.compress_type = info.external_attr, zipfile.ZIP_DEFLATED
                z.writestr(copy, content)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("gogs-backup/metadata.ini", "VERSION = 1\nGOGS_VERSION = 0.13.4\n")
        for name, rows in data.items():
            z.writestr(f"gogs-backup/db/{name}.json", "".join(go_json(r) for r in rows))
        z.writestr("gogs-backup/repositories.zip", buf.getvalue(), zipfile.ZIP_STORED)
    print(f"{path}: {os.path.getsize(path)} bytes, {n_repos + 2} repositories, {n_issues + 3} issues")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--scale":
        return scaled(sys.argv[4], int(sys.argv[2]), int(sys.argv[3]))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "crates", "hearth", "tests", "fixtures")
    os.makedirs(out, exist_ok=True)
    repos_zip, tagged = repositories_zip()
    for version, gogs_version in (("0.13", "0.13.4"), ("0.12", "0.12.11")):
        path = os.path.join(out, f"gogs-backup-{version}.zip")
        with open(path, "wb") as f:
            f.write(backup(version, gogs_version, repos_zip, tagged))
        print(f"{path}: {os.path.getsize(path)} bytes")
    print(f"raw access token: {RAW_TOKEN}")


if __name__ == "__main__":
    main()
