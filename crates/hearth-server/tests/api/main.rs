//! The integration tests: each test starts the real server (`hearth_server::serve`) on a free
//! port with a temporary data directory and speaks HTTP to it.

mod support;

mod admin;
mod auth;
mod collaborators;
mod contents;
mod conventions;
mod database;
mod emails;
mod followers;
mod forks;
mod git_http;
mod git_refs;
mod issues;
mod keys;
mod markdown;
mod migrate;
mod orgs;
mod permissions;
mod releases;
mod repo_edit;
mod repo_transfer;
mod repos;
mod ssh;
mod templates;
mod tokens;
mod users;
mod webhooks;
