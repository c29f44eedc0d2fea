-- Pull request reviews (Gitea's API): a review is pending until submitted as approved, comment or
-- request-changes; a requested review is a row in state 4 until the reviewer submits one.
CREATE TABLE pull_review (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id     BIGINT   NOT NULL REFERENCES issue (id) ON DELETE CASCADE,
    reviewer_id  BIGINT   NOT NULL DEFAULT 0,
    team_id      BIGINT   NOT NULL DEFAULT 0,
    -- 0 pending, 1 approved, 2 comment, 3 request changes, 4 review requested.
    state        SMALLINT NOT NULL,
    body         TEXT     NOT NULL DEFAULT '',
    commit_id    TEXT     NOT NULL DEFAULT '',
    official     BOOLEAN  NOT NULL DEFAULT FALSE,
    stale        BOOLEAN  NOT NULL DEFAULT FALSE,
    dismissed    BOOLEAN  NOT NULL DEFAULT FALSE,
    created_unix BIGINT   NOT NULL,
    updated_unix BIGINT   NOT NULL
);
CREATE INDEX pull_review_issue ON pull_review (issue_id, id);

-- Line comments of a review: on the new side (new_position) or the old side (old_position).
CREATE TABLE review_comment (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id     BIGINT NOT NULL REFERENCES pull_review (id) ON DELETE CASCADE,
    poster_id     BIGINT NOT NULL,
    path          TEXT   NOT NULL,
    new_position  BIGINT NOT NULL DEFAULT 0,
    old_position  BIGINT NOT NULL DEFAULT 0,
    commit_id     TEXT   NOT NULL DEFAULT '',
    body          TEXT   NOT NULL,
    created_unix  BIGINT NOT NULL,
    updated_unix  BIGINT NOT NULL
);
CREATE INDEX review_comment_review ON review_comment (review_id, id);
