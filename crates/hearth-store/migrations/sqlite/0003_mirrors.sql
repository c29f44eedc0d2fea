-- Pull mirrors: how often to fetch, and when next.
CREATE TABLE mirror (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id          BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    interval_hours   BIGINT  NOT NULL DEFAULT 8,
    enable_prune     BOOLEAN NOT NULL DEFAULT TRUE,
    remote_is_local  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_unix     BIGINT  NOT NULL,
    next_update_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX mirror_repo ON mirror (repo_id);
CREATE INDEX mirror_next_update ON mirror (next_update_unix);
