//! hearth's database layer.
//!
//! One SQL text per query (`$N` placeholders, the dialect SQLite and PostgreSQL share), run through
//! sqlx's native drivers. [`Db`] is the only place that knows there are two backends; every table
//! module takes a [`Conn`], which is either a pooled connection or an open transaction.

mod db;
mod error;
pub mod kinds;

pub mod access;
pub mod collaborations;
pub mod deploy_keys;
pub mod emails;
pub mod follows;
pub mod hooks;
pub mod issues;
pub mod keys;
pub mod labels;
pub mod milestones;
pub mod mirrors;
pub mod orgs;
pub mod push_events;
pub mod redirects;
pub mod releases;
pub mod repos;
pub mod tokens;
pub mod transfers;
pub mod users;

pub use db::{Conn, Db, DbOptions, Handle, Pool, RawConn, Tx};
pub use error::{StoreError, StoreResult, Unique};
pub use kinds::{AccessMode, CommentKind, HookContentType, HookKind, KeyKind, UserKind};

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

/// `$first, $first+1, …` for `n` values: the placeholder list of an `IN (…)` built at run time
/// (the only dynamic SQL: fixed text plus numbered placeholders, values always bound).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
