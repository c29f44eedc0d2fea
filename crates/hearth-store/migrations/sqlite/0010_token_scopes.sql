-- Gitea's extensions of access tokens and webhook deliveries.
-- `scope`: the token's scopes, normalised and comma-separated as Gitea stores them; '' = a token
-- made without scopes, which keeps full access (Gogs' tokens). `token_last_eight`: the last eight
-- characters of the raw token ('' for tokens made before this migration, whose value is unknown).
ALTER TABLE access_token ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE access_token ADD COLUMN token_last_eight TEXT NOT NULL DEFAULT '';

-- `signature_sha1`: hex HMAC-SHA1 of the payload (for `X-Hub-Signature`), computed with the
-- SHA-256 one when the task is made. `event_type_detail`: Gitea's event type (`issue_label`,
-- `pull_request_comment`, …; `X-Gitea-Event-Type`), '' = the same as `event_type`.
ALTER TABLE hook_task ADD COLUMN signature_sha1 TEXT NOT NULL DEFAULT '';
ALTER TABLE hook_task ADD COLUMN event_type_detail TEXT NOT NULL DEFAULT '';
