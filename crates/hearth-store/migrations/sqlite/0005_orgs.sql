-- Organisations (rows of "user" with type 1), their members and teams, repository collaborators
-- and deploy keys. Access is computed from these tables on the fly (permissions.md §2.1–§2.2),
-- so there is no materialised `access` table to keep in step.

CREATE TABLE org_user (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    uid       BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    org_id    BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    is_public BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX org_user_uid_org ON org_user (uid, org_id);
CREATE INDEX org_user_org ON org_user (org_id, uid);

-- authorize: 1 read, 2 write, 3 admin, 4 owner (only the built-in Owners team).
CREATE TABLE team (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    lower_name   TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    authorize    BIGINT  NOT NULL,
    created_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX team_org_lower_name ON team (org_id, lower_name);

CREATE TABLE team_user (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id  BIGINT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    uid     BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX team_user_team_uid ON team_user (team_id, uid);
CREATE INDEX team_user_uid_org ON team_user (uid, org_id);

-- The Owners team has every repository of its organisation implicitly (no rows).
CREATE TABLE team_repo (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id  BIGINT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    repo_id BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX team_repo_team_repo ON team_repo (team_id, repo_id);
CREATE INDEX team_repo_repo ON team_repo (repo_id);

-- mode: 1 read, 2 write, 3 admin.
CREATE TABLE collaboration (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    mode         BIGINT NOT NULL,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX collaboration_repo_user ON collaboration (repo_id, user_id);
CREATE INDEX collaboration_user ON collaboration (user_id);

-- A deploy key: key material attached to one repository. The same material may be attached to
-- many repositories (one row each) but never be a user key too. read_only is always TRUE through
-- Gogs' API.
CREATE TABLE deploy_key (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    read_only    BOOLEAN NOT NULL DEFAULT TRUE,
    created_unix BIGINT  NOT NULL,
    updated_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX deploy_key_repo_fingerprint ON deploy_key (repo_id, fingerprint);
CREATE UNIQUE INDEX deploy_key_repo_name ON deploy_key (repo_id, name);
CREATE INDEX deploy_key_fingerprint ON deploy_key (fingerprint);
