//! The tables and row keys `gogs backup` writes, Gogs 0.11 to 0.14.
//!
//! Each `db/<Table>.json` line is a Go struct encoded by `encoding/json`, so the keys are the Go
//! field names (`ID`, `LowerName`, `CreatedUnix`), plus the fields of embedded structs that are not
//! hidden from JSON (a webhook's `push_only`, `send_everything`, `choose_events`, `events`). Key
//! names changed between releases (`Passwd` → `Password`, `UID` → `UserID`, `Uid` → `UID`); Go reads
//! keys case-insensitively, and so does the importer. A key or table missing from these lists is
//! reported, never fatal.

/// What the importer does with a Gogs table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Mapped onto hearth's tables.
    Imported,
    /// Derived data hearth computes itself, or transient rows: skipped without a word.
    Derived,
    /// Data hearth has no place for: skipped, and said so when the table has rows.
    Dropped(&'static str),
}

pub struct Table {
    pub name: &'static str,
    pub fate: Fate,
    /// Every key any supported Gogs release writes for this table.
    pub keys: &'static [&'static str],
}

pub const TABLES: &[Table] = &[
    Table { name: "Access", fate: Fate::Derived, keys: &["ID", "UserID", "RepoID", "Mode"] },
    Table {
        name: "AccessToken",
        fate: Fate::Imported,
        keys: &["ID", "UID", "UserID", "Name", "Sha1", "SHA256", "CreatedUnix", "UpdatedUnix"],
    },
    Table {
        name: "Action",
        fate: Fate::Dropped("the activity feed is not imported"),
        keys: &[
            "ID",
            "UserID",
            "OpType",
            "ActUserID",
            "ActUserName",
            "RepoID",
            "RepoUserName",
            "RepoName",
            "RefName",
            "IsPrivate",
            "Content",
            "CreatedUnix",
        ],
    },
    Table {
        name: "Attachment",
        fate: Fate::Dropped("attachments of issues, comments and releases are not imported"),
        keys: &["ID", "UUID", "IssueID", "CommentID", "ReleaseID", "Name", "CreatedUnix"],
    },
    Table { name: "Collaboration", fate: Fate::Imported, keys: &["ID", "RepoID", "UserID", "Mode"] },
    Table {
        name: "Comment",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "Type",
            "PosterID",
            "IssueID",
            "CommitID",
            "Line",
            "Content",
            "CreatedUnix",
            "UpdatedUnix",
            "CommitSHA",
        ],
    },
    Table {
        name: "DeployKey",
        fate: Fate::Imported,
        keys: &["ID", "KeyID", "RepoID", "Name", "Fingerprint", "CreatedUnix", "UpdatedUnix"],
    },
    Table { name: "EmailAddress", fate: Fate::Imported, keys: &["ID", "UID", "UserID", "Email", "IsActivated"] },
    Table { name: "Follow", fate: Fate::Imported, keys: &["ID", "UserID", "FollowID"] },
    Table {
        name: "HookTask",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "RepoID",
            "HookID",
            "UUID",
            "Type",
            "URL",
            "Signature",
            "PayloadContent",
            "ContentType",
            "EventType",
            "IsSSL",
            "IsDelivered",
            "Delivered",
            "IsSucceed",
            "RequestContent",
            "ResponseContent",
        ],
    },
    Table {
        name: "Issue",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "RepoID",
            "Index",
            "PosterID",
            "Title",
            "Content",
            "MilestoneID",
            "Priority",
            "AssigneeID",
            "IsClosed",
            "IsPull",
            "NumComments",
            "DeadlineUnix",
            "CreatedUnix",
            "UpdatedUnix",
        ],
    },
    Table { name: "IssueLabel", fate: Fate::Imported, keys: &["ID", "IssueID", "LabelID"] },
    Table {
        name: "IssueUser",
        fate: Fate::Derived,
        keys: &[
            "ID",
            "UID",
            "UserID",
            "IssueID",
            "RepoID",
            "MilestoneID",
            "IsRead",
            "IsAssigned",
            "IsMentioned",
            "IsPoster",
            "IsClosed",
        ],
    },
    Table {
        name: "Label",
        fate: Fate::Imported,
        keys: &["ID", "RepoID", "Name", "Color", "NumIssues", "NumClosedIssues"],
    },
    Table { name: "LFSObject", fate: Fate::Imported, keys: &["RepoID", "OID", "Size", "Storage", "CreatedAt"] },
    Table {
        name: "LoginSource",
        fate: Fate::Dropped("authentication sources (LDAP, SMTP, PAM, GitHub) are not imported"),
        keys: &[
            "ID",
            "Type",
            "Name",
            "IsActived",
            "IsDefault",
            "Cfg",
            "Config",
            "RawConfig",
            "Provider",
            "CreatedUnix",
            "UpdatedUnix",
        ],
    },
    Table {
        name: "Milestone",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "RepoID",
            "Name",
            "Content",
            "IsClosed",
            "NumIssues",
            "NumClosedIssues",
            "Completeness",
            "DeadlineUnix",
            "ClosedDateUnix",
        ],
    },
    Table {
        name: "Mirror",
        fate: Fate::Imported,
        keys: &["ID", "RepoID", "Interval", "EnablePrune", "LastSyncUnix", "NextSyncUnix"],
    },
    Table { name: "Notice", fate: Fate::Imported, keys: &["ID", "Type", "Description", "CreatedUnix"] },
    Table { name: "OrgUser", fate: Fate::Imported, keys: &["ID", "UID", "OrgID", "IsPublic", "IsOwner", "NumTeams"] },
    Table {
        name: "ProtectBranch",
        fate: Fate::Dropped("protected branches are not imported: those branches accept any push with write access"),
        keys: &[
            "ID",
            "RepoID",
            "Name",
            "Protected",
            "RequirePullRequest",
            "EnableWhitelist",
            "WhitelistUserIDs",
            "WhitelistTeamIDs",
        ],
    },
    Table {
        name: "ProtectBranchWhitelist",
        fate: Fate::Dropped("protected-branch allow lists are not imported"),
        keys: &["ID", "ProtectBranchID", "RepoID", "Name", "UserID"],
    },
    Table {
        name: "PublicKey",
        fate: Fate::Imported,
        keys: &["ID", "OwnerID", "Name", "Fingerprint", "Content", "Mode", "Type", "CreatedUnix", "UpdatedUnix"],
    },
    Table {
        name: "PullRequest",
        fate: Fate::Dropped(
            "pull request details (branches, merge state) are not imported; their issues are, marked as pull requests",
        ),
        keys: &[
            "ID",
            "Type",
            "Status",
            "IssueID",
            "Index",
            "HeadRepoID",
            "BaseRepoID",
            "HeadUserName",
            "HeadBranch",
            "BaseBranch",
            "MergeBase",
            "HasMerged",
            "MergedCommitID",
            "MergerID",
            "MergedUnix",
        ],
    },
    Table {
        name: "Release",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "RepoID",
            "PublisherID",
            "TagName",
            "LowerTagName",
            "Target",
            "Title",
            "Sha1",
            "NumCommits",
            "Note",
            "IsDraft",
            "IsPrerelease",
            "CreatedUnix",
        ],
    },
    Table {
        name: "Repository",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "OwnerID",
            "LowerName",
            "Name",
            "Description",
            "Website",
            "DefaultBranch",
            "Size",
            "UseCustomAvatar",
            "NumWatches",
            "NumStars",
            "NumForks",
            "NumIssues",
            "NumClosedIssues",
            "NumPulls",
            "NumClosedPulls",
            "NumMilestones",
            "NumClosedMilestones",
            "IsPrivate",
            "IsUnlisted",
            "IsBare",
            "IsMirror",
            "EnableWiki",
            "AllowPublicWiki",
            "EnableExternalWiki",
            "ExternalWikiURL",
            "EnableIssues",
            "AllowPublicIssues",
            "EnableExternalTracker",
            "ExternalTrackerURL",
            "ExternalTrackerFormat",
            "ExternalTrackerStyle",
            "EnablePulls",
            "PullsIgnoreWhitespace",
            "PullsAllowRebase",
            "IsFork",
            "ForkID",
            "CreatedUnix",
            "UpdatedUnix",
        ],
    },
    Table { name: "Star", fate: Fate::Imported, keys: &["ID", "UID", "UserID", "RepoID"] },
    Table {
        name: "Team",
        fate: Fate::Imported,
        keys: &["ID", "OrgID", "LowerName", "Name", "Description", "Authorize", "NumRepos", "NumMembers"],
    },
    Table { name: "TeamRepo", fate: Fate::Imported, keys: &["ID", "OrgID", "TeamID", "RepoID"] },
    Table { name: "TeamUser", fate: Fate::Imported, keys: &["ID", "OrgID", "TeamID", "UID"] },
    Table {
        name: "TwoFactor",
        fate: Fate::Dropped(
            "two-factor authentication is not imported: those accounts sign in with their password alone",
        ),
        keys: &["ID", "UserID", "Secret", "CreatedUnix"],
    },
    Table { name: "TwoFactorRecoveryCode", fate: Fate::Derived, keys: &["ID", "UserID", "Code", "IsUsed"] },
    Table { name: "Upload", fate: Fate::Derived, keys: &["ID", "UUID", "Name"] },
    Table {
        name: "User",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "LowerName",
            "Name",
            "FullName",
            "Email",
            "Passwd",
            "Password",
            "LoginType",
            "LoginSource",
            "LoginName",
            "Type",
            "Location",
            "Website",
            "Rands",
            "Salt",
            "CreatedUnix",
            "UpdatedUnix",
            "LastRepoVisibility",
            "MaxRepoCreation",
            "IsActive",
            "IsAdmin",
            "AllowGitHook",
            "AllowImportLocal",
            "ProhibitLogin",
            "Avatar",
            "AvatarEmail",
            "UseCustomAvatar",
            "NumFollowers",
            "NumFollowing",
            "NumStars",
            "NumRepos",
            "Description",
            "NumTeams",
            "NumMembers",
        ],
    },
    Table { name: "Version", fate: Fate::Derived, keys: &["ID", "Version"] },
    Table { name: "Watch", fate: Fate::Imported, keys: &["ID", "UserID", "RepoID"] },
    Table {
        name: "Webhook",
        fate: Fate::Imported,
        keys: &[
            "ID",
            "RepoID",
            "OrgID",
            "URL",
            "ContentType",
            "Secret",
            "Events",
            // The embedded `*HookEvent`, which Go's encoder promotes into the row.
            "push_only",
            "send_everything",
            "choose_events",
            "IsSSL",
            "IsActive",
            "HookTaskType",
            "Meta",
            "LastStatus",
            "CreatedUnix",
            "UpdatedUnix",
        ],
    },
];

/// The table `gogs backup` writes as `db/<name>.json` (names compare case-insensitively).
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

impl Table {
    pub fn knows(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k.eq_ignore_ascii_case(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case() {
        assert_eq!(table("user").unwrap().name, "User");
        assert!(table("Frobnicator").is_none());
        let org_user = table("OrgUser").unwrap();
        assert!(org_user.knows("Uid") && org_user.knows("UID"));
        assert!(table("Webhook").unwrap().knows("events"), "the promoted HookEvent field matches `Events`");
        assert!(!table("User").unwrap().knows("ShoeSize"));
    }
}
