-- Web UI sessions (web-ui.md §4.1): the cookie holds a random id; only its SHA-256 is stored, so
-- a database read does not hand out live sessions. The CSRF token is bound to the session row.
CREATE TABLE web_session (
    id_hash      TEXT   NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    csrf_token   TEXT   NOT NULL,
    created_unix BIGINT NOT NULL,
    expires_unix BIGINT NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);
CREATE INDEX web_session_expires ON web_session (expires_unix);
