-- Notifications (Gitea's model): one thread per user and issue or pull, made unread again by new
-- activity; status 1 unread, 2 read, 3 pinned; source 1 issue, 2 pull.
CREATE TABLE notification (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT   NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    repo_id      BIGINT   NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    issue_id     BIGINT   NOT NULL REFERENCES issue (id) ON DELETE CASCADE,
    source       SMALLINT NOT NULL,
    status       SMALLINT NOT NULL,
    comment_id   BIGINT   NOT NULL DEFAULT 0,
    updated_by   BIGINT   NOT NULL DEFAULT 0,
    created_unix BIGINT   NOT NULL,
    updated_unix BIGINT   NOT NULL
);
CREATE UNIQUE INDEX notification_user_issue ON notification (user_id, issue_id);
CREATE INDEX notification_user_list ON notification (user_id, status, updated_unix, id);
CREATE INDEX notification_user_repo ON notification (user_id, repo_id, status, updated_unix);

-- The fan-out queue: written in the transaction of the change, turned into notification rows by
-- a background job (who to notify is decided there, not in the request).
CREATE TABLE notification_task (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL,
    issue_id     BIGINT NOT NULL,
    comment_id   BIGINT NOT NULL DEFAULT 0,
    actor_id     BIGINT NOT NULL,
    -- What happened (opened, commented, closed, ...), for e-mail.
    event        TEXT   NOT NULL DEFAULT '',
    -- The @names the change's text mentions, space-separated.
    mentions     TEXT   NOT NULL DEFAULT '',
    -- The change's text (an issue's body, a comment), for e-mail.
    body         TEXT   NOT NULL DEFAULT '',
    created_unix BIGINT NOT NULL
);
