-- Git LFS objects: one row per repository and object it references. The object itself lives once,
-- content-addressed, under [lfs] OBJECTS_PATH; a repository reaches only the objects linked to it
-- (so a private repository's objects stay private), and the row goes with its repository.

CREATE TABLE lfs_object (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    oid          TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX lfs_object_repo_oid ON lfs_object (repo_id, oid);
CREATE INDEX lfs_object_oid ON lfs_object (oid);
