//! Gogs' JSON shapes (spec schemas.md), field for field and in Gogs' order, one file per area.
//! They sit below the services (which build webhook payloads from them) and are built from store
//! rows plus [`Links`], never from the whole application state; store rows are never serialized
//! directly.

mod admin;
mod commits;
mod contents;
mod feeds;
mod gists;
mod git_data;
mod hooks;
mod issues;
mod notifications;
mod orgs;
mod pulls;
mod releases;
mod repos;
mod templates;
mod users;

pub use admin::*;
pub use commits::*;
pub use contents::*;
pub use feeds::*;
pub use gists::*;
pub use git_data::*;
pub use hooks::*;
pub use issues::*;
pub use notifications::*;
pub use orgs::*;
pub use pulls::*;
pub use releases::*;
pub use repos::*;
pub use templates::*;
pub use users::*;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::config::Config;

/// What a shape needs to know about the server to build its URLs.
#[derive(Debug, Clone)]
pub struct Links {
    /// External URL, always ending in `/`.
    pub external_url: String,
    /// `external_url + "api/v1"`.
    pub api_url: String,
    /// The Gravatar base, or `None` when avatars are served by hearth (`[picture] DISABLE_GRAVATAR`).
    pub gravatar_source: Option<String>,
    /// `ssh_url`'s user, host and port (`[server] RUN_USER`, `SSH_DOMAIN`, `SSH_PORT`).
    pub ssh_user: String,
    pub ssh_domain: String,
    pub ssh_port: u16,
}

impl Links {
    pub fn new(config: &Config, external_url: String) -> Links {
        Links {
            api_url: format!("{external_url}api/v1"),
            gravatar_source: (!config.picture.disable_gravatar).then(|| config.picture.gravatar_source.clone()),
            ssh_user: config.ssh.run_user.clone(),
            ssh_domain: config.ssh.domain.clone().unwrap_or_else(|| host_of(&external_url)),
            ssh_port: config.ssh.port,
            external_url,
        }
    }

    /// The web URL and the HTTPS and SSH clone URLs of a repository.
    pub fn repo_urls(&self, owner: &str, name: &str) -> RepoUrls {
        let html = format!("{}{owner}/{name}", self.external_url);
        let (user, domain) = (&self.ssh_user, &self.ssh_domain);
        let ssh = if self.ssh_port == 22 {
            format!("{user}@{domain}:{owner}/{name}.git")
        } else {
            format!("ssh://{user}@{domain}:{}/{owner}/{name}.git", self.ssh_port)
        };
        RepoUrls { clone: format!("{html}.git"), html, ssh }
    }
}

/// The web URL and the HTTPS and SSH clone URLs of a repository.
pub struct RepoUrls {
    pub html: String,
    pub clone: String,
    pub ssh: String,
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    if host_port.starts_with('[') {
        return host_port.split(']').next().map(|h| format!("{h}]")).unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or(host_port).to_string()
}

/// RFC 3339 with second precision, in UTC.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH).format(&Rfc3339).unwrap_or_default()
}

/// `GET /version` (a Gitea extension).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerVersion {
    pub version: String,
}

/// RFC 3339 in a given offset (seconds east of UTC), for git times.
pub fn rfc3339_with_offset(unix: i64, offset_seconds: i32) -> String {
    let offset = time::UtcOffset::from_whole_seconds(offset_seconds).unwrap_or(time::UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host_of("http://127.0.0.1:3000/"), "127.0.0.1");
        assert_eq!(host_of("https://git.example.com/sub/"), "git.example.com");
        assert_eq!(host_of("http://[::1]:3000/"), "[::1]");
    }
}
