//! hearth's database layer.
//!
//! One SQL text per query (`$N` placeholders, the dialect SQLite and PostgreSQL share), run through
//! sqlx's native drivers. [`Db`] is the only place that knows there are two backends; every table
//! module takes a [`Conn`], which is either a pooled connection or an open transaction.

mod db;
mod error;
pub mod kinds;
mod migrations;

pub mod access;
pub mod account_codes;
pub mod actions;
pub mod collaborations;
pub mod commit_comments;
pub mod deploy_keys;
pub mod emails;
pub mod follows;
pub mod gists;
pub mod hooks;
pub mod issues;
pub mod keys;
pub mod labels;
pub mod lease;
pub mod lfs;
pub mod lfs_locks;
pub mod mail;
pub mod milestones;
pub mod mirrors;
pub mod notices;
pub mod notifications;
pub mod oauth2;
pub mod orgs;
pub mod protected_branches;
pub mod pulls;
pub mod push_events;
pub mod redirects;
pub mod releases;
pub mod repos;
pub mod reviews;
pub mod signals;
pub mod snapshot;
pub mod stars;
pub mod stats;
pub mod statuses;
pub mod tokens;
pub mod transfers;
pub mod two_factor;
pub mod users;
pub mod web_sessions;

pub use db::{ChangeMark, Conn, Db, DbOptions, Engine, Handle, Pool, RawConn, Tx, latest_migration};
pub use error::{StoreError, StoreResult, Unique};
pub use kinds::{AccessMode, CommentKind, HookContentType, HookKind, KeyKind, UserKind};
pub use migrations::MigrationStatus;

/// Which rows of an ordered list to read: `LIMIT limit OFFSET offset`. [`Window::ALL`] is the whole
/// list (Gogs returns most lists whole unless the caller asks for a page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

impl Window {
    pub const ALL: Window = Window { limit: i64::MAX, offset: 0 };

    /// The list's total size when the rows read through this window already tell it (the whole
    /// list, or a short page that is not past the end), so the `COUNT(*)` can be skipped.
    pub fn total_from(&self, rows: usize) -> Option<i64> {
        let n = rows as i64;
        (*self == Window::ALL || (n < self.limit && (n > 0 || self.offset == 0))).then_some(self.offset + n)
    }
}

/// Run `$body` with `$x` bound to the backend-specific connection inside a [`Conn`].
#[macro_export]
#[doc(hidden)]
macro_rules! with_conn {
    ($conn:expr, $x:ident => $body:expr) => {
        match $conn.into_raw() {
            $crate::RawConn::Sqlite($x) => $body,
            $crate::RawConn::Postgres($x) => $body,
        }
    };
}

/// `(rows, total)` of a list query read through a [`Window`]: `$sql` takes the binds, then `LIMIT`
/// and `OFFSET`; `$count` (the same binds) runs only when the rows do not tell the total.
#[macro_export]
#[doc(hidden)]
macro_rules! windowed {
    ($conn:expr, $row:ty, $sql:expr, $count:expr, $w:expr, [$($b:expr),*]) => {{
        let mut conn = $conn;
        let w: $crate::Window = $w;
        let rows = $crate::with_conn!(conn.reborrow(), x => sqlx::query_as::<_, $row>($sql)
            $(.bind($b))*.bind(w.limit).bind(w.offset).fetch_all(&mut *x).await)?;
        let total = match w.total_from(rows.len()) {
            Some(t) => t,
            None => $crate::with_conn!(conn, x => sqlx::query_scalar::<_, i64>($count)
                $(.bind($b))*.fetch_one(&mut *x).await)?,
        };
        (rows, total)
    }};
}

/// `$first, $first+1, …` for `n` values: the placeholder list of an `IN (…)` built at run time
/// (the only dynamic SQL: fixed text plus numbered placeholders, values always bound).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
