-- Pull requests: an issue row (is_pull, the shared number sequence, comments, labels) plus this
-- record of what is merged into what. Mergeability is computed by a background job: `status`
-- starts at 0 (checking) whenever the head or the base moves.

ALTER TABLE repository ADD COLUMN num_pulls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE repository ADD COLUMN num_closed_pulls BIGINT NOT NULL DEFAULT 0;

CREATE TABLE pull_request (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id         BIGINT  NOT NULL REFERENCES issue (id) ON DELETE CASCADE,
    base_repo_id     BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    base_branch      TEXT    NOT NULL,
    -- The fork (or the base repository itself); 0 once the fork is deleted.
    head_repo_id     BIGINT  NOT NULL,
    head_branch      TEXT    NOT NULL,
    -- The head commit last copied to refs/pull/N/head, and the merge base found with it.
    head_sha         TEXT    NOT NULL DEFAULT '',
    merge_base       TEXT    NOT NULL DEFAULT '',
    -- 0 checking, 1 mergeable, 2 conflict, 3 empty (the head is already in the base), 4 error.
    status           SMALLINT NOT NULL DEFAULT 0,
    conflicted_files TEXT    NOT NULL DEFAULT '',
    has_merged       BOOLEAN NOT NULL DEFAULT FALSE,
    merged_unix      BIGINT  NOT NULL DEFAULT 0,
    merger_id        BIGINT  NOT NULL DEFAULT 0,
    merged_commit    TEXT    NOT NULL DEFAULT '',
    allow_maintainer_edit BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX pull_request_issue ON pull_request (issue_id);
-- The checker's queue, and the pulls a push to a branch touches (as head or as base).
CREATE INDEX pull_request_status ON pull_request (status, id);
CREATE INDEX pull_request_head ON pull_request (head_repo_id, head_branch);
CREATE INDEX pull_request_base ON pull_request (base_repo_id, base_branch);
