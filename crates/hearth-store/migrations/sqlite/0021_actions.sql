-- Activity (Gitea's feeds): one row per event worth showing, not one per reader; who may see it
-- is decided when a feed is read (the repository's current visibility, the reader's access).
-- op_type is Gitea's ActionType number (1 create_repo, 5 commit_repo, 6 create_issue, ...).
CREATE TABLE action (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    op_type      SMALLINT NOT NULL,
    act_user_id  BIGINT   NOT NULL,
    repo_id      BIGINT   NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    ref_name     TEXT     NOT NULL DEFAULT '',
    comment_id   BIGINT   NOT NULL DEFAULT 0,
    content      TEXT     NOT NULL DEFAULT '',
    created_unix BIGINT   NOT NULL
);
CREATE INDEX action_repo ON action (repo_id, id);
CREATE INDEX action_actor ON action (act_user_id, id);
