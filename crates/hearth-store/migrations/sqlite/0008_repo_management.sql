-- Repository management: archiving, Gitea's merge-style switches, the redirects a rename or a
-- transfer leaves behind, and transfers waiting for their recipient.

ALTER TABLE repository ADD COLUMN is_archived BOOLEAN NOT NULL DEFAULT FALSE;
-- When the repository was archived (0 while it is not, as Gitea keeps it).
ALTER TABLE repository ADD COLUMN archived_unix BIGINT NOT NULL DEFAULT 0;
ALTER TABLE repository ADD COLUMN allow_merge_commits BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE repository ADD COLUMN allow_rebase BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE repository ADD COLUMN allow_rebase_explicit BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE repository ADD COLUMN allow_squash_merge BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE repository ADD COLUMN allow_fast_forward_only_merge BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE repository ADD COLUMN default_merge_style TEXT NOT NULL DEFAULT 'merge';

-- An old `owner/name` of a renamed or transferred repository, answered as the repository it now is.
CREATE TABLE repo_redirect (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id         BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    lower_name       TEXT   NOT NULL,
    redirect_repo_id BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX repo_redirect_owner_name ON repo_redirect (owner_id, lower_name);
CREATE INDEX repo_redirect_repo ON repo_redirect (redirect_repo_id);

-- A transfer waiting for its recipient to accept or reject it (at most one per repository).
CREATE TABLE repo_transfer (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    doer_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    recipient_id BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX repo_transfer_repo ON repo_transfer (repo_id);
CREATE INDEX repo_transfer_recipient ON repo_transfer (recipient_id);

-- The recipient organisation's teams that get the repository when the transfer is accepted.
CREATE TABLE repo_transfer_team (
    transfer_id BIGINT NOT NULL REFERENCES repo_transfer (id) ON DELETE CASCADE,
    team_id     BIGINT NOT NULL REFERENCES team (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX repo_transfer_team_pair ON repo_transfer_team (transfer_id, team_id);
