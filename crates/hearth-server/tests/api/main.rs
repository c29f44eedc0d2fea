//! The integration tests: each test starts the real server (`hearth_server::serve`) on a free
//! port with a temporary data directory and speaks HTTP to it.

mod support;

mod admin;
mod admin_extra;
mod auth;
mod branch_tag_writes;
mod collaborators;
mod commit_comments;
mod contents;
mod conventions;
mod database;
mod emails;
mod followers;
mod forks;
mod gists;
mod git_data;
mod git_http;
mod git_refs;
mod issues;
mod keys;
mod label_templates;
mod markdown;
mod migrate;
mod ops;
mod orgs;
mod pagination;
mod permissions;
mod releases;
mod repo_edit;
mod repo_transfer;
mod repos;
mod ssh;
mod stars;
mod templates;
mod tokens;
mod users;
mod watches;
mod web;
mod web_browser;
mod web_forks;
mod web_migrate;
mod web_releases;
mod web_settings;
mod webhooks;
mod webhooks_gitea;
