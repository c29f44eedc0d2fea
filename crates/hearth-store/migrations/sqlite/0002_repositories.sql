-- Repositories (a row per bare repository on disk), watches, and the ref updates pushes produced
-- (the queue the webhook deliverer will read).

CREATE TABLE repository (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id                BIGINT  NOT NULL REFERENCES "user" (id),
    lower_name              TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    description             TEXT    NOT NULL DEFAULT '',
    website                 TEXT    NOT NULL DEFAULT '',
    default_branch          TEXT    NOT NULL,
    size                    BIGINT  NOT NULL DEFAULT 0,
    is_private              BOOLEAN NOT NULL DEFAULT FALSE,
    is_unlisted             BOOLEAN NOT NULL DEFAULT FALSE,
    is_bare                 BOOLEAN NOT NULL DEFAULT TRUE,
    is_mirror               BOOLEAN NOT NULL DEFAULT FALSE,
    is_fork                 BOOLEAN NOT NULL DEFAULT FALSE,
    fork_id                 BIGINT  NOT NULL DEFAULT 0,
    num_watches             BIGINT  NOT NULL DEFAULT 0,
    num_stars               BIGINT  NOT NULL DEFAULT 0,
    num_forks               BIGINT  NOT NULL DEFAULT 0,
    num_issues              BIGINT  NOT NULL DEFAULT 0,
    num_closed_issues       BIGINT  NOT NULL DEFAULT 0,
    enable_issues           BOOLEAN NOT NULL DEFAULT TRUE,
    allow_public_issues     BOOLEAN NOT NULL DEFAULT FALSE,
    enable_external_tracker BOOLEAN NOT NULL DEFAULT FALSE,
    external_tracker_url    TEXT    NOT NULL DEFAULT '',
    external_tracker_format TEXT    NOT NULL DEFAULT '',
    external_tracker_style  TEXT    NOT NULL DEFAULT '',
    enable_wiki             BOOLEAN NOT NULL DEFAULT TRUE,
    allow_public_wiki       BOOLEAN NOT NULL DEFAULT FALSE,
    enable_external_wiki    BOOLEAN NOT NULL DEFAULT FALSE,
    external_wiki_url       TEXT    NOT NULL DEFAULT '',
    enable_pulls            BOOLEAN NOT NULL DEFAULT TRUE,
    created_unix            BIGINT  NOT NULL,
    updated_unix            BIGINT  NOT NULL
);
CREATE UNIQUE INDEX repository_owner_lower_name ON repository (owner_id, lower_name);
CREATE INDEX repository_lower_name ON repository (lower_name);
CREATE INDEX repository_owner_updated ON repository (owner_id, updated_unix);
CREATE INDEX repository_private ON repository (is_private, is_unlisted, id);

CREATE TABLE watch (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX watch_user_repo ON watch (user_id, repo_id);
CREATE INDEX watch_repo ON watch (repo_id);

-- One row per ref a push created, updated or deleted, in the order git reported them.
CREATE TABLE push_event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    pusher_id    BIGINT NOT NULL,
    ref_name     TEXT   NOT NULL,
    old_sha      TEXT   NOT NULL,
    new_sha      TEXT   NOT NULL,
    created_unix BIGINT NOT NULL
);
CREATE INDEX push_event_repo ON push_event (repo_id, id);
