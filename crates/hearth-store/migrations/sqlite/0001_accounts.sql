-- Accounts: users (and, later, organisations), e-mails, access tokens, public keys, follows.
-- Timestamps are unix seconds (`*_unix`), as in Gogs' schema; booleans are BOOLEAN.

CREATE TABLE "user" (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    lower_name         TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    full_name          TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL DEFAULT '',
    passwd             TEXT    NOT NULL DEFAULT '',
    salt               TEXT    NOT NULL DEFAULT '',
    login_source       BIGINT  NOT NULL DEFAULT 0,
    login_name         TEXT    NOT NULL DEFAULT '',
    type               BIGINT  NOT NULL DEFAULT 0,
    location           TEXT    NOT NULL DEFAULT '',
    website            TEXT    NOT NULL DEFAULT '',
    description        TEXT    NOT NULL DEFAULT '',
    is_active          BOOLEAN NOT NULL DEFAULT FALSE,
    is_admin           BOOLEAN NOT NULL DEFAULT FALSE,
    allow_git_hook     BOOLEAN NOT NULL DEFAULT FALSE,
    allow_import_local BOOLEAN NOT NULL DEFAULT FALSE,
    prohibit_login     BOOLEAN NOT NULL DEFAULT FALSE,
    max_repo_creation  BIGINT  NOT NULL DEFAULT -1,
    num_followers      BIGINT  NOT NULL DEFAULT 0,
    num_following      BIGINT  NOT NULL DEFAULT 0,
    num_repos          BIGINT  NOT NULL DEFAULT 0,
    created_unix       BIGINT  NOT NULL,
    updated_unix       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX user_lower_name ON "user" (lower_name);
-- A primary e-mail belongs to one individual account (organisations may leave it empty).
CREATE UNIQUE INDEX user_email_individual ON "user" (email) WHERE type = 0 AND email <> '';
CREATE INDEX user_type_lower_name ON "user" (type, lower_name);

CREATE TABLE email_address (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uid          BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    is_activated BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX email_address_email ON email_address (email);
CREATE INDEX email_address_uid ON email_address (uid, id);

CREATE TABLE access_token (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uid          BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    created_unix BIGINT  NOT NULL,
    updated_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX access_token_sha256 ON access_token (sha256);
CREATE UNIQUE INDEX access_token_uid_name ON access_token (uid, name);

-- type 1 = user key, 2 = deploy key (the deploy-key relation table comes with repositories).
CREATE TABLE public_key (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    mode         BIGINT  NOT NULL DEFAULT 2,
    type         BIGINT  NOT NULL DEFAULT 1,
    created_unix BIGINT  NOT NULL,
    updated_unix BIGINT  NOT NULL
);
CREATE UNIQUE INDEX public_key_user_fingerprint ON public_key (fingerprint) WHERE type = 1;
CREATE UNIQUE INDEX public_key_user_title ON public_key (owner_id, name) WHERE type = 1;
CREATE INDEX public_key_owner ON public_key (owner_id, id);

CREATE TABLE follow (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    follow_id    BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    created_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX follow_user_follow ON follow (user_id, follow_id);
CREATE INDEX follow_follow_id ON follow (follow_id, id);
