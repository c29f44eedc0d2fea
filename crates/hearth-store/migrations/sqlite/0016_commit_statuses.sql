-- Commit statuses (Gitea's API): what CI says of a commit, per context. `idx` numbers the
-- statuses of one commit in one repository (1, 2, ...), as Gitea's `id` does.
CREATE TABLE commit_status (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    sha          TEXT   NOT NULL,
    idx          BIGINT NOT NULL,
    state        TEXT   NOT NULL,
    target_url   TEXT   NOT NULL DEFAULT '',
    description  TEXT   NOT NULL DEFAULT '',
    context      TEXT   NOT NULL DEFAULT '',
    creator_id   BIGINT NOT NULL DEFAULT 0,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX commit_status_repo_sha_idx ON commit_status (repo_id, sha, idx);
