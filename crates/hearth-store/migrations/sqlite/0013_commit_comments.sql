-- Commit comments (GitHub's "commit comments"; planned in Gogs' list): a remark on one commit of a
-- repository, optionally on a file of that commit (path) and a line of it. commit_sha is the full
-- commit id; path, line and position are NULL when not given. The poster is kept by id only (a
-- deleted account shows as the ghost user, like issue comments).
CREATE TABLE commit_comment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    commit_sha   TEXT   NOT NULL,
    poster_id    BIGINT NOT NULL,
    body         TEXT   NOT NULL,
    path         TEXT,
    line         BIGINT,
    position     BIGINT,
    created_unix BIGINT NOT NULL,
    updated_unix BIGINT NOT NULL
);
CREATE INDEX commit_comment_repo ON commit_comment (repo_id, created_unix, id);
CREATE INDEX commit_comment_commit ON commit_comment (repo_id, commit_sha, created_unix, id);
