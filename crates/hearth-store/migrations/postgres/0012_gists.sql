-- Gists (GitHub's gists API shape; neither Gogs nor Gitea has them). Each gist is a bare Git
-- repository at <data>/gists/<id>.git; its files live only there (read with gix), so the row
-- holds what Git cannot: the owner, the description, visibility and times.
-- id: 32 lower-case hex characters, random.
CREATE TABLE gist (
    id           TEXT    NOT NULL PRIMARY KEY,
    owner_id     BIGINT  NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    is_public    BOOLEAN NOT NULL DEFAULT TRUE,
    created_unix BIGINT  NOT NULL,
    updated_unix BIGINT  NOT NULL
);
CREATE INDEX gist_owner ON gist (owner_id, created_unix);
