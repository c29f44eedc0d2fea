-- TOTP two-factor authentication: the secret encrypted with a key derived from the server's secret
-- key; last_step is the newest 30-second step whose passcode was taken, so a passcode works once.
CREATE TABLE two_factor (
    user_id      BIGINT NOT NULL PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
    secret       TEXT   NOT NULL,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_unix BIGINT NOT NULL
);

-- Recovery codes of an enrolment: each works once; only a keyed hash is kept.
CREATE TABLE two_factor_recovery (
    code_hash TEXT   NOT NULL PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE
);
CREATE INDEX two_factor_recovery_user ON two_factor_recovery (user_id);
