-- Lists sorted by last update (Gitea's sort=recentupdate|leastupdate) walk an index, as the
-- newest-first lists walk issue_repo_list.
CREATE INDEX issue_repo_updated ON issue (repo_id, is_pull, is_closed, updated_unix, id);
