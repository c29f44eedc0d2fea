use thiserror::Error;

/// Errors of the store. Unique-constraint violations are reported separately, named by what the
/// index protects (the same on both backends), so that services can answer Gogs' 422 "already
/// exists" about the field the user sent — never with a constraint name.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    #[error("unique constraint violated: {0:?}")]
    Conflict(Unique),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Rows or a schema a snapshot cannot carry (see `snapshot`).
    #[error("{0}")]
    Data(String),
    /// Writing exported rows failed.
    #[error("writing rows: {0}")]
    Sink(#[source] std::io::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every unique index of the schema, by what it keeps unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    UserName,
    UserEmail,
    EmailAddress,
    TokenHash,
    TokenName,
    KeyFingerprint,
    KeyTitle,
    Follow,
    RepoName,
    Watch,
    Star,
    Mirror,
    ReleaseTag,
    OrgMember,
    TeamName,
    TeamMember,
    TeamRepo,
    Collaborator,
    DeployKeyFingerprint,
    DeployKeyTitle,
    IssueIndex,
    IssueLabel,
    RepoRedirect,
    RepoTransfer,
    RepoTransferTeam,
    PullIssue,
    CommitStatusIndex,
    ProtectedBranchRule,
    NotificationThread,
    OAuth2ClientId,
    OAuth2Grant,
    OAuth2TokenHash,
    LfsObject,
    LfsLock,
    /// A violation this table does not know (a new index not added here).
    Unknown,
}

/// (index name as in the migrations, table, indexed columns, meaning). PostgreSQL reports the
/// index name; SQLite reports `table.column, …`.
const INDEXES: &[(&str, &str, &[&str], Unique)] = &[
    ("user_lower_name", "user", &["lower_name"], Unique::UserName),
    ("user_email_individual", "user", &["email"], Unique::UserEmail),
    ("email_address_email", "email_address", &["email"], Unique::EmailAddress),
    ("access_token_sha256", "access_token", &["sha256"], Unique::TokenHash),
    ("access_token_uid_name", "access_token", &["uid", "name"], Unique::TokenName),
    ("public_key_user_fingerprint", "public_key", &["fingerprint"], Unique::KeyFingerprint),
    ("public_key_user_title", "public_key", &["owner_id", "name"], Unique::KeyTitle),
    ("follow_user_follow", "follow", &["user_id", "follow_id"], Unique::Follow),
    ("repository_owner_lower_name", "repository", &["owner_id", "lower_name"], Unique::RepoName),
    ("watch_user_repo", "watch", &["user_id", "repo_id"], Unique::Watch),
    ("star_user_repo", "star", &["user_id", "repo_id"], Unique::Star),
    ("mirror_repo", "mirror", &["repo_id"], Unique::Mirror),
    ("release_repo_tag", "release", &["repo_id", "lower_tag_name"], Unique::ReleaseTag),
    ("org_user_uid_org", "org_user", &["uid", "org_id"], Unique::OrgMember),
    ("team_org_lower_name", "team", &["org_id", "lower_name"], Unique::TeamName),
    ("team_user_team_uid", "team_user", &["team_id", "uid"], Unique::TeamMember),
    ("team_repo_team_repo", "team_repo", &["team_id", "repo_id"], Unique::TeamRepo),
    ("collaboration_repo_user", "collaboration", &["repo_id", "user_id"], Unique::Collaborator),
    ("deploy_key_repo_fingerprint", "deploy_key", &["repo_id", "fingerprint"], Unique::DeployKeyFingerprint),
    ("deploy_key_repo_name", "deploy_key", &["repo_id", "name"], Unique::DeployKeyTitle),
    ("issue_repo_idx", "issue", &["repo_id", "idx"], Unique::IssueIndex),
    ("issue_label_issue_label", "issue_label", &["issue_id", "label_id"], Unique::IssueLabel),
    ("repo_redirect_owner_name", "repo_redirect", &["owner_id", "lower_name"], Unique::RepoRedirect),
    ("repo_transfer_repo", "repo_transfer", &["repo_id"], Unique::RepoTransfer),
    ("repo_transfer_team_pair", "repo_transfer_team", &["transfer_id", "team_id"], Unique::RepoTransferTeam),
    ("pull_request_issue", "pull_request", &["issue_id"], Unique::PullIssue),
    ("commit_status_repo_sha_idx", "commit_status", &["repo_id", "sha", "idx"], Unique::CommitStatusIndex),
    ("protected_branch_repo_rule", "protected_branch", &["repo_id", "rule_name"], Unique::ProtectedBranchRule),
    ("notification_user_issue", "notification", &["user_id", "issue_id"], Unique::NotificationThread),
    ("oauth2_application_client_id", "oauth2_application", &["client_id"], Unique::OAuth2ClientId),
    ("oauth2_grant_user_application", "oauth2_grant", &["user_id", "application_id"], Unique::OAuth2Grant),
    ("oauth2_token_sha256", "oauth2_token", &["sha256"], Unique::OAuth2TokenHash),
    ("lfs_object_repo_oid", "lfs_object", &["repo_id", "oid"], Unique::LfsObject),
    ("lfs_lock_repo_path", "lfs_lock", &["repo_id", "path"], Unique::LfsLock),
];

impl Unique {
    /// From PostgreSQL's constraint name, or SQLite's `UNIQUE constraint failed: t.a, t.b`.
    fn identify(constraint: Option<&str>, message: &str) -> Unique {
        if let Some(name) = constraint
            && let Some((.., u)) = INDEXES.iter().find(|(index, ..)| *index == name)
        {
            return *u;
        }
        if let Some(list) = message.split_once("constraint failed: ").map(|(_, l)| l) {
            let cols: Vec<(&str, &str)> = list
                .split(',')
                .filter_map(|c| c.trim().split_once('.'))
                .map(|(t, c)| (t.trim_matches('"'), c))
                .collect();
            let found = INDEXES.iter().find(|(_, table, columns, _)| {
                cols.len() == columns.len()
                    && cols.iter().zip(columns.iter()).all(|((t, c), col)| t == table && c == col)
            });
            if let Some((.., u)) = found {
                return *u;
            }
        }
        Unique::Unknown
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                let unique = Unique::identify(db.constraint(), db.message());
                if unique == Unique::Unknown {
                    tracing::warn!(constraint = ?db.constraint(), message = db.message(), "unknown unique index");
                }
                StoreError::Conflict(unique)
            }
            _ => StoreError::Other(e),
        }
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_name_the_same_index() {
        assert_eq!(Unique::identify(Some("repository_owner_lower_name"), "duplicate key"), Unique::RepoName);
        assert_eq!(
            Unique::identify(None, "UNIQUE constraint failed: repository.owner_id, repository.lower_name"),
            Unique::RepoName
        );
        assert_eq!(Unique::identify(None, "UNIQUE constraint failed: user.email"), Unique::UserEmail);
        assert_eq!(
            Unique::identify(None, "UNIQUE constraint failed: public_key.owner_id, public_key.name"),
            Unique::KeyTitle
        );
        assert_eq!(Unique::identify(None, "UNIQUE constraint failed: index 'x'"), Unique::Unknown);
        assert_eq!(Unique::identify(Some("nope"), "whatever"), Unique::Unknown);
    }

    #[test]
    fn every_unique_index_of_the_schema_is_known() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for backend in ["sqlite", "postgres"] {
            for file in std::fs::read_dir(dir.join(backend)).unwrap() {
                let sql = std::fs::read_to_string(file.unwrap().path()).unwrap();
                for line in sql.lines().filter(|l| l.contains("CREATE UNIQUE INDEX")) {
                    let name = line.split_whitespace().nth(3).unwrap();
                    assert!(INDEXES.iter().any(|(index, ..)| *index == name), "{backend}: {name} is not in INDEXES");
                }
            }
        }
    }
}
