-- Releases, each bound to a tag of its repository.
CREATE TABLE release (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id        BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    publisher_id   BIGINT  NOT NULL,
    tag_name       TEXT    NOT NULL,
    lower_tag_name TEXT    NOT NULL,
    target         TEXT    NOT NULL DEFAULT '',
    title          TEXT    NOT NULL DEFAULT '',
    sha1           TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT '',
    is_draft       BOOLEAN NOT NULL DEFAULT FALSE,
    is_prerelease  BOOLEAN NOT NULL DEFAULT FALSE,
    created_unix   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX release_repo_tag ON release (repo_id, lower_tag_name);
