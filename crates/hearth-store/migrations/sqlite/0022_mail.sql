-- Outgoing e-mail: queued in the transaction of what causes it, sent and retried by a background
-- job, never inside a request.
CREATE TABLE mail_task (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr       TEXT   NOT NULL,
    subject       TEXT   NOT NULL,
    body          TEXT   NOT NULL,
    message_id    TEXT   NOT NULL,
    in_reply_to   TEXT   NOT NULL DEFAULT '',
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_try_unix BIGINT NOT NULL,
    created_unix  BIGINT NOT NULL
);
CREATE INDEX mail_task_due ON mail_task (next_try_unix, id);

-- Which notifications a user wants by e-mail: 0 all (no row), 1 only when mentioned, 2 none.
CREATE TABLE mail_preference (
    user_id BIGINT   NOT NULL PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
    mode    SMALLINT NOT NULL
);
