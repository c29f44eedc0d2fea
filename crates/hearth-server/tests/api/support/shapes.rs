//! Whole Gogs JSON shapes as insta snapshots (`tests/api/snapshots/*.snap`).
//!
//! `assert_shape!(s, "name", value)` snapshots `value` after two normalisations, so the snapshot
//! is the same on every run and on both databases:
//! - this server's base URL (`http://127.0.0.1:PORT/`, a new port each run) reads
//!   `http://127.0.0.1:PORT/`;
//! - times (`created_at`, `updated_at`, `closed_at`, at any depth) must be RFC 3339 and read
//!   `[time]`; a null time stays null.
//!
//! A mismatch fails the test. Outside CI insta also writes the new shape beside the old one
//! (`.snap.new`) for `cargo insta review`; CI (`CI` set, and `INSTA_UPDATE=no` in `.ci/run`) never
//! writes snapshots.

use insta::internals::{Content, Redaction};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::server::TestServer;

/// What every test server's base URL reads in a snapshot.
pub const BASE_IN_SNAPSHOTS: &str = "http://127.0.0.1:PORT/";

impl TestServer {
    /// `value` with this server's base URL replaced by [`BASE_IN_SNAPSHOTS`] in every string.
    pub fn normalise(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(s.replace(&self.base, BASE_IN_SNAPSHOTS)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.normalise(v)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.normalise(v))).collect()),
            other => other.clone(),
        }
    }
}

/// The redaction of a time field: an RFC 3339 string becomes `[time]`, null stays null, anything
/// else fails the test.
pub fn time_redaction() -> Redaction {
    insta::dynamic_redaction(|value: Content, path| {
        if value.is_nil() {
            return value;
        }
        let text = value.as_str().unwrap_or_else(|| panic!("{path} is not a time: {value:?}"));
        assert!(OffsetDateTime::parse(text, &Rfc3339).is_ok(), "{path} is not an RFC 3339 time: {text}");
        Content::from("[time]")
    })
}

/// Snapshot a JSON shape as `tests/api/snapshots/api__MODULE__NAME.snap` (see the module docs).
macro_rules! assert_shape {
    ($server:expr, $name:expr, $value:expr $(,)?) => {
        insta::assert_json_snapshot!($name, $server.normalise(&$value), {
            ".**.created_at" => $crate::support::time_redaction(),
            ".**.updated_at" => $crate::support::time_redaction(),
            ".**.closed_at" => $crate::support::time_redaction(),
        }, stringify!($value))
    };
}
pub(crate) use assert_shape;
