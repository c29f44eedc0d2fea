-- The issue tracker: issues (and, later, pull requests) numbered per repository, labels,
-- milestones and the comment timeline. The open/closed counters on repository and milestone rows
-- are changed in the same transaction as the issues they count.

-- The last issue number handed out in each repository (a row lock makes allocation gap-free and
-- duplicate-free under concurrency on both backends).
ALTER TABLE repository ADD COLUMN issue_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE milestone (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id           BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL DEFAULT '',
    content           TEXT    NOT NULL DEFAULT '',
    is_closed         BOOLEAN NOT NULL DEFAULT FALSE,
    num_issues        BIGINT  NOT NULL DEFAULT 0,
    num_closed_issues BIGINT  NOT NULL DEFAULT 0,
    deadline_unix     BIGINT  NOT NULL DEFAULT 0,
    closed_unix       BIGINT  NOT NULL DEFAULT 0,
    created_unix      BIGINT  NOT NULL
);
CREATE INDEX milestone_repo ON milestone (repo_id, id);

CREATE TABLE label (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id           BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    name              TEXT   NOT NULL,
    color             TEXT   NOT NULL
);
CREATE INDEX label_repo_name ON label (repo_id, name);

CREATE TABLE issue (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    idx          BIGINT  NOT NULL,
    poster_id    BIGINT  NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL DEFAULT '',
    milestone_id BIGINT  NOT NULL DEFAULT 0,
    assignee_id  BIGINT  NOT NULL DEFAULT 0,
    is_closed    BOOLEAN NOT NULL DEFAULT FALSE,
    is_pull      BOOLEAN NOT NULL DEFAULT FALSE,
    num_comments BIGINT  NOT NULL DEFAULT 0,
    created_unix BIGINT  NOT NULL,
    updated_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX issue_repo_idx ON issue (repo_id, idx);
-- The list: one repository, issues or pulls, one state, newest first.
CREATE INDEX issue_repo_list ON issue (repo_id, is_pull, is_closed, created_unix, id);
-- The filters (assignee across repositories, poster and milestone within one), each followed by the
-- list's order so a page is read off the index instead of sorted.
CREATE INDEX issue_assignee ON issue (assignee_id, is_pull, is_closed, created_unix, id);
CREATE INDEX issue_poster ON issue (repo_id, poster_id, is_pull, is_closed, created_unix, id);
CREATE INDEX issue_milestone ON issue (milestone_id, is_pull, is_closed, created_unix, id);

CREATE TABLE issue_label (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id BIGINT NOT NULL REFERENCES issue (id) ON DELETE CASCADE,
    label_id BIGINT NOT NULL REFERENCES label (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX issue_label_issue_label ON issue_label (issue_id, label_id);
CREATE INDEX issue_label_label ON issue_label (label_id);

-- type: 0 plain comment, 1 reopen, 2 close (Gogs' numbering).
CREATE TABLE comment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    type         BIGINT NOT NULL DEFAULT 0,
    poster_id    BIGINT NOT NULL,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    issue_id     BIGINT NOT NULL REFERENCES issue (id) ON DELETE CASCADE,
    content      TEXT   NOT NULL DEFAULT '',
    created_unix BIGINT NOT NULL,
    updated_unix BIGINT NOT NULL
);
CREATE INDEX comment_issue ON comment (issue_id, id);
CREATE INDEX comment_repo_updated ON comment (repo_id, updated_unix);
