-- Webhooks (webhooks.md §1). A repository hook has org_id 0; an organisation hook has repo_id 0
-- and fires for every repository of the organisation.
CREATE TABLE webhook (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id        BIGINT  NOT NULL DEFAULT 0,
    org_id         BIGINT  NOT NULL DEFAULT 0,
    url            TEXT    NOT NULL,
    content_type   BIGINT  NOT NULL DEFAULT 1,
    secret         TEXT    NOT NULL DEFAULT '',
    events         TEXT    NOT NULL,
    is_ssl         BOOLEAN NOT NULL DEFAULT FALSE,
    is_active      BOOLEAN NOT NULL DEFAULT FALSE,
    hook_task_type BIGINT  NOT NULL DEFAULT 1,
    meta           TEXT    NOT NULL DEFAULT '',
    last_status    BIGINT  NOT NULL DEFAULT 0,
    created_unix   BIGINT  NOT NULL,
    updated_unix   BIGINT  NOT NULL
);
CREATE INDEX webhook_repo ON webhook (repo_id);
CREATE INDEX webhook_org ON webhook (org_id);

-- One delivery (the outbox): inserted in the transaction of the change that caused it, then
-- attempted by the delivery worker. `next_attempt_ms` schedules retries; -1 parks a task that was
-- refused before sending (blocked URL) until the next start or a redelivery.
CREATE TABLE hook_task (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id          BIGINT  NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    hook_id          BIGINT  NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
    uuid             TEXT    NOT NULL,
    type             BIGINT  NOT NULL,
    url              TEXT    NOT NULL,
    signature        TEXT    NOT NULL DEFAULT '',
    payload_content  TEXT    NOT NULL,
    content_type     BIGINT  NOT NULL,
    event_type       TEXT    NOT NULL,
    is_ssl           BOOLEAN NOT NULL DEFAULT FALSE,
    is_delivered     BOOLEAN NOT NULL DEFAULT FALSE,
    delivered        BIGINT  NOT NULL DEFAULT 0,
    is_succeed       BOOLEAN NOT NULL DEFAULT FALSE,
    request_content  TEXT    NOT NULL DEFAULT '',
    response_content TEXT    NOT NULL DEFAULT '',
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_ms  BIGINT  NOT NULL DEFAULT 0,
    duration_ms      BIGINT  NOT NULL DEFAULT 0,
    is_redelivery    BOOLEAN NOT NULL DEFAULT FALSE,
    created_unix     BIGINT  NOT NULL
);
CREATE INDEX hook_task_hook ON hook_task (hook_id, id);
CREATE INDEX hook_task_pending ON hook_task (is_delivered, repo_id, id);
