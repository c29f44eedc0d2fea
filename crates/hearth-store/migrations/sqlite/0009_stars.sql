-- Stars: one row per user and starred repository; repository.num_stars counts them and is changed
-- in the same transaction as the row.

CREATE TABLE star (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX star_user_repo ON star (user_id, repo_id);
CREATE INDEX star_repo ON star (repo_id, id);
