-- Notices for site administrators (Gogs' `notice` table): what went wrong in the background
-- (failed mirror syncs, directories quarantined at start, webhook deliveries given up).
-- type: 1 repository, 2 background task (Gitea's numbering; Gogs has only 1).
CREATE TABLE notice (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    type         BIGINT NOT NULL DEFAULT 1,
    description  TEXT   NOT NULL,
    created_unix BIGINT NOT NULL
);
