//! Site-wide counts for the administration dashboard (one statement, both backends).

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

/// How many rows of each kind the site holds.
#[derive(Debug, Clone, Default, FromRow)]
pub struct Counts {
    pub users: i64,
    pub orgs: i64,
    pub public_keys: i64,
    pub deploy_keys: i64,
    pub repos: i64,
    pub private_repos: i64,
    pub forks: i64,
    pub mirrors: i64,
    pub watches: i64,
    pub stars: i64,
    pub follows: i64,
    pub collaborations: i64,
    pub issues: i64,
    pub pulls: i64,
    pub comments: i64,
    pub labels: i64,
    pub milestones: i64,
    pub releases: i64,
    pub webhooks: i64,
    pub hook_tasks: i64,
    pub teams: i64,
    pub access_tokens: i64,
    pub emails: i64,
}

/// Every count at once. Stars are the sum of the repositories' counters (there is no star table).
pub async fn counts(c: Conn<'_>) -> StoreResult<Counts> {
    const SQL: &str = "SELECT \
        (SELECT COUNT(*) FROM \"user\" WHERE type = 0) AS users, \
        (SELECT COUNT(*) FROM \"user\" WHERE type = 1) AS orgs, \
        (SELECT COUNT(*) FROM public_key) AS public_keys, \
        (SELECT COUNT(*) FROM deploy_key) AS deploy_keys, \
        (SELECT COUNT(*) FROM repository) AS repos, \
        (SELECT COUNT(*) FROM repository WHERE is_private) AS private_repos, \
        (SELECT COUNT(*) FROM repository WHERE is_fork) AS forks, \
        (SELECT COUNT(*) FROM mirror) AS mirrors, \
        (SELECT COUNT(*) FROM watch) AS watches, \
        (SELECT CAST(COALESCE(SUM(num_stars), 0) AS BIGINT) FROM repository) AS stars, \
        (SELECT COUNT(*) FROM follow) AS follows, \
        (SELECT COUNT(*) FROM collaboration) AS collaborations, \
        (SELECT COUNT(*) FROM issue WHERE NOT is_pull) AS issues, \
        (SELECT COUNT(*) FROM issue WHERE is_pull) AS pulls, \
        (SELECT COUNT(*) FROM comment) AS comments, \
        (SELECT COUNT(*) FROM label) AS labels, \
        (SELECT COUNT(*) FROM milestone) AS milestones, \
        (SELECT COUNT(*) FROM release) AS releases, \
        (SELECT COUNT(*) FROM webhook) AS webhooks, \
        (SELECT COUNT(*) FROM hook_task) AS hook_tasks, \
        (SELECT COUNT(*) FROM team) AS teams, \
        (SELECT COUNT(*) FROM access_token) AS access_tokens, \
        (SELECT COUNT(*) FROM email_address) AS emails";
    Ok(with_conn!(c, x => sqlx::query_as::<_, Counts>(SQL).fetch_one(&mut *x).await)?)
}
