//! The numbers the schema stores for levels and kinds, as typed values (the integers stay Gogs'
//! so that a database imported from Gogs means the same).
//!
//! Each type is bound and read as the `BIGINT` it is stored as ([`stored_as_i64!`]). Reading
//! never fails on a number this code does not know: the access mode and the webhook kinds fall
//! back the way Gogs' own readers do, and the account, key and comment kinds keep the number
//! (`Other`) so that rows imported from Gogs load, compare unequal to every known kind and are
//! written back unchanged.

/// Implement `sqlx::Type`, `Encode` and `Decode` for a kind, for every database whose `i64` has
/// them, by converting through `as_i64` / `from_i64`.
macro_rules! stored_as_i64 {
    ($($t:ty),* $(,)?) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            i64: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <i64 as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <i64 as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            i64: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'q, DB>>::encode(self.as_i64(), buf)
            }

            fn size_hint(&self) -> usize {
                std::mem::size_of::<i64>()
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            i64: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(<$t>::from_i64(<i64 as sqlx::Decode<'r, DB>>::decode(value)?))
            }
        }
    )*};
}

stored_as_i64!(AccessMode, UserKind, KeyKind, CommentKind, HookContentType, HookKind);

/// Access modes, ordered: none < read < write < admin < owner (`team.authorize`,
/// `collaboration.mode`, `public_key.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessMode {
    None,
    Read,
    Write,
    Admin,
    Owner,
}

impl AccessMode {
    /// From the stored number (1 read … 4 owner; anything else is none).
    pub fn from_i64(v: i64) -> AccessMode {
        match v {
            1 => AccessMode::Read,
            2 => AccessMode::Write,
            3 => AccessMode::Admin,
            v if v >= 4 => AccessMode::Owner,
            _ => AccessMode::None,
        }
    }

    pub fn as_i64(self) -> i64 {
        self as i64
    }

    /// Collaborator and team permission strings: `write` and `admin`; anything else is read.
    pub fn parse_grant(s: &str) -> AccessMode {
        match s {
            "write" => AccessMode::Write,
            "admin" => AccessMode::Admin,
            _ => AccessMode::Read,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AccessMode::None => "none",
            AccessMode::Read => "read",
            AccessMode::Write => "write",
            AccessMode::Admin => "admin",
            AccessMode::Owner => "owner",
        }
    }
}

/// What a `user` row is (`user.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// 0: a person who can sign in.
    Individual,
    /// 1: an organisation (never signs in; owns repositories and teams).
    Organization,
    /// A number Gogs never writes, kept as read.
    Other(i64),
}

impl UserKind {
    pub fn from_i64(v: i64) -> UserKind {
        match v {
            0 => UserKind::Individual,
            1 => UserKind::Organization,
            v => UserKind::Other(v),
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            UserKind::Individual => 0,
            UserKind::Organization => 1,
            UserKind::Other(v) => v,
        }
    }
}

/// What a `public_key` row is (`public_key.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// 1: an account's own SSH key.
    User,
    /// 2: Gogs' marker for key material of a deploy key.
    Deploy,
    /// A number Gogs never writes, kept as read.
    Other(i64),
}

impl KeyKind {
    pub fn from_i64(v: i64) -> KeyKind {
        match v {
            1 => KeyKind::User,
            2 => KeyKind::Deploy,
            v => KeyKind::Other(v),
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            KeyKind::User => 1,
            KeyKind::Deploy => 2,
            KeyKind::Other(v) => v,
        }
    }
}

/// What an issue timeline entry is (`comment.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// 0: a comment someone wrote (the only kind the API lists and counts).
    Plain,
    /// 1: the issue was reopened.
    Reopen,
    /// 2: the issue was closed.
    Close,
    /// 7: labels changed (content `+name` added, `-name` removed; Gitea's number).
    Label,
    /// 8: milestone changed (content: the new milestone's name, empty when removed).
    Milestone,
    /// 9: assignee changed (content: the new assignee's name, empty when removed).
    Assignee,
    /// 10: title changed (content: the old title).
    Title,
    /// Any other entry (Gogs also stores references from issues, commits and pull requests).
    Other(i64),
}

impl CommentKind {
    pub fn from_i64(v: i64) -> CommentKind {
        match v {
            0 => CommentKind::Plain,
            1 => CommentKind::Reopen,
            2 => CommentKind::Close,
            7 => CommentKind::Label,
            8 => CommentKind::Milestone,
            9 => CommentKind::Assignee,
            10 => CommentKind::Title,
            v => CommentKind::Other(v),
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            CommentKind::Plain => 0,
            CommentKind::Reopen => 1,
            CommentKind::Close => 2,
            CommentKind::Label => 7,
            CommentKind::Milestone => 8,
            CommentKind::Assignee => 9,
            CommentKind::Title => 10,
            CommentKind::Other(v) => v,
        }
    }
}

/// How a webhook delivers its payload (`webhook.content_type`, `hook_task.content_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookContentType {
    /// 1: the JSON document as the body.
    Json,
    /// 2: `payload=<JSON>`, form-encoded.
    Form,
}

impl HookContentType {
    /// From the stored number: 2 is form, anything else JSON.
    pub fn from_i64(v: i64) -> HookContentType {
        if v == 2 { HookContentType::Form } else { HookContentType::Json }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            HookContentType::Json => 1,
            HookContentType::Form => 2,
        }
    }

    /// The API's `config.content_type` names.
    pub fn from_name(name: &str) -> Option<HookContentType> {
        match name {
            "json" => Some(HookContentType::Json),
            "form" => Some(HookContentType::Form),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HookContentType::Json => "json",
            HookContentType::Form => "form",
        }
    }
}

/// Whom a webhook talks to (`webhook.hook_task_type`, `hook_task.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Gogs,
    Slack,
    Discord,
    Dingtalk,
    /// Gitea's own type: Gogs' payloads (a hearth extension; 5 is a number Gogs never writes).
    Gitea,
}

impl HookKind {
    /// From the stored number (2 slack, 3 discord, 4 dingtalk, 5 gitea; anything else gogs).
    pub fn from_i64(v: i64) -> HookKind {
        match v {
            2 => HookKind::Slack,
            3 => HookKind::Discord,
            4 => HookKind::Dingtalk,
            5 => HookKind::Gitea,
            _ => HookKind::Gogs,
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            HookKind::Gogs => 1,
            HookKind::Slack => 2,
            HookKind::Discord => 3,
            HookKind::Dingtalk => 4,
            HookKind::Gitea => 5,
        }
    }

    /// The API's `type` names.
    pub fn from_name(name: &str) -> Option<HookKind> {
        match name {
            "gogs" => Some(HookKind::Gogs),
            "slack" => Some(HookKind::Slack),
            "discord" => Some(HookKind::Discord),
            "dingtalk" => Some(HookKind::Dingtalk),
            "gitea" => Some(HookKind::Gitea),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HookKind::Gogs => "gogs",
            HookKind::Slack => "slack",
            HookKind::Discord => "discord",
            HookKind::Dingtalk => "dingtalk",
            HookKind::Gitea => "gitea",
        }
    }
}
