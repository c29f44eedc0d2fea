-- Branch protection rules (Gitea's API): a rule names one branch or a glob of branches; its
-- settings (who may push or merge, required statuses and approvals, ...) are one JSON document,
-- read and written whole by the service.
CREATE TABLE protected_branch (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id      BIGINT NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
    rule_name    TEXT   NOT NULL,
    priority     BIGINT NOT NULL DEFAULT 0,
    settings     TEXT   NOT NULL DEFAULT '{}',
    created_unix BIGINT NOT NULL,
    updated_unix BIGINT NOT NULL
);
CREATE UNIQUE INDEX protected_branch_repo_rule ON protected_branch (repo_id, rule_name);
