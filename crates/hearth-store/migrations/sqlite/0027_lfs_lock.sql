-- Git LFS file locks (the LFS locking API): one lock per repository and path, held by one user.
-- `ref_name` is the ref the client named when locking (kept, not used for matching). A lock goes
-- with its repository, and with its owner's account.

CREATE TABLE lfs_lock (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    owner_id     BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    path         TEXT   NOT NULL,
    ref_name     TEXT,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX lfs_lock_repo_path ON lfs_lock (repo_id, path);
CREATE INDEX lfs_lock_owner ON lfs_lock (owner_id);
