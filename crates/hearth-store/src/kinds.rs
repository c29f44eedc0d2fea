//! The numbers the schema stores for levels and kinds, as typed values (the integers stay Gogs'
//! so that a database imported from Gogs means the same).

/// Access modes, ordered: none < read < write < admin < owner.
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
