//! Test harness: a real server on 127.0.0.1:0 with a temporary data directory, and what tests
//! use to talk to it. Tests take everything with `use crate::support::*;`.
//!
//! - `server`: [`TestServer`] (start, restart, SQL on its database, users, tokens, repositories)
//! - `postgres`: the per-test PostgreSQL database behind it when `HEARTH_TEST_POSTGRES_URL` is set
//! - `requests`: one-call requests (`s.get_json(path, &token)`) and the auth helpers
//! - `git`: the `git` command-line client ([`Git`])
//! - `receiver`: a webhook [`Receiver`] and the server that may deliver to it
//! - `shapes`: whole JSON shapes as insta snapshots ([`assert_shape!`])
//! - `smtp`: an SMTP sink ([`SmtpSink`]) for e-mail
//! - `ssh_keys`: SSH public keys

// The harness offers more than the tests use at any one time.
#![allow(dead_code, unused_imports)]

mod browser;
mod git;
mod postgres;
mod receiver;
mod requests;
mod server;
mod shapes;
mod smtp;
mod ssh_keys;
mod totp;
mod webdriver;

pub use browser::{Browser, Page, alert, assert_html, outside_articles, status_message};
pub use git::{Git, GitOutput};
pub use postgres::with_database;
pub use receiver::{Received, Receiver, hook_server};
pub use requests::{Anon, Authed, Caller, Reply, basic, json, token_header};
pub use server::{Leftovers, TestServer, TestUser, scratch_left};
pub(crate) use shapes::assert_shape;
pub use shapes::{BASE_IN_SNAPSHOTS, time_redaction};
pub use smtp::{Mail, SmtpSink, mail_server};
pub use ssh_keys::ed25519_key;
pub use totp::{totp_code, unbase32};
pub use webdriver::{Driver, Session, browser_missing};
