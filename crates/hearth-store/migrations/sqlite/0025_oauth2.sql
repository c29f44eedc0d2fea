-- The OAuth2 provider (Gitea's `/login/oauth/…`): applications users register, the grants users
-- give them, one-time authorization codes, and the opaque access and refresh tokens issued for a
-- grant. Secrets, codes and tokens are kept only as SHA-256 hex digests.
CREATE TABLE oauth2_application (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    uid                          BIGINT  NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    name                         TEXT    NOT NULL,
    client_id                    TEXT    NOT NULL,
    client_secret_sha256         TEXT    NOT NULL,
    confidential_client          BOOLEAN NOT NULL DEFAULT TRUE,
    skip_secondary_authorization BOOLEAN NOT NULL DEFAULT FALSE,
    -- A JSON array of strings, as Gitea stores it.
    redirect_uris                TEXT    NOT NULL,
    created_unix                 BIGINT  NOT NULL,
    updated_unix                 BIGINT  NOT NULL
);
CREATE UNIQUE INDEX oauth2_application_client_id ON oauth2_application (client_id);
CREATE INDEX oauth2_application_uid ON oauth2_application (uid, id);

-- One per (user, application): what the user consented to (space-separated scopes as requested).
CREATE TABLE oauth2_grant (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES oauth2_application (id) ON DELETE CASCADE,
    scope          TEXT   NOT NULL DEFAULT '',
    nonce          TEXT   NOT NULL DEFAULT '',
    created_unix   BIGINT NOT NULL,
    updated_unix   BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth2_grant_user_application ON oauth2_grant (user_id, application_id);
CREATE INDEX oauth2_grant_application ON oauth2_grant (application_id);

-- `used`: exchanged once already; kept until it expires so that a replay is recognised.
CREATE TABLE oauth2_authorization_code (
    code_sha256           TEXT     NOT NULL PRIMARY KEY,
    grant_id              BIGINT   NOT NULL REFERENCES oauth2_grant (id) ON DELETE CASCADE,
    redirect_uri          TEXT     NOT NULL,
    code_challenge        TEXT     NOT NULL DEFAULT '',
    code_challenge_method TEXT     NOT NULL DEFAULT '',
    expires_unix          BIGINT   NOT NULL,
    used                  BOOLEAN  NOT NULL DEFAULT FALSE
);
CREATE INDEX oauth2_authorization_code_grant ON oauth2_authorization_code (grant_id);

-- kind 1 = access token, 2 = refresh token. A refresh token is `used` once exchanged (rotation);
-- it stays until it expires so that a second use is recognised.
CREATE TABLE oauth2_token (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id     BIGINT   NOT NULL REFERENCES oauth2_grant (id) ON DELETE CASCADE,
    kind         SMALLINT NOT NULL,
    sha256       TEXT     NOT NULL,
    expires_unix BIGINT   NOT NULL,
    used         BOOLEAN  NOT NULL DEFAULT FALSE,
    created_unix BIGINT   NOT NULL
);
CREATE UNIQUE INDEX oauth2_token_sha256 ON oauth2_token (sha256);
CREATE INDEX oauth2_token_grant ON oauth2_token (grant_id);
