-- One-time codes sent by e-mail (password reset, account activation): only their SHA-256 is kept; a code is used up
-- when taken, and useless after it expires.
CREATE TABLE account_code (
    code_hash    TEXT     NOT NULL PRIMARY KEY,
    user_id      BIGINT   NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    -- 1 password reset, 2 account activation.
    purpose      SMALLINT NOT NULL,
    expires_unix BIGINT   NOT NULL
);
CREATE INDEX account_code_user ON account_code (user_id);
