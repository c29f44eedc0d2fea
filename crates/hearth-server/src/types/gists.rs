//! Gists in GitHub's gist shape (neither Gogs nor Gitea has gists), with hearth's User as owner.

use std::collections::BTreeMap;

use hearth_store::gists::GistRow;
use hearth_store::users::UserRow;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Links, User, rfc3339};

/// What a file name keeps unescaped in `raw_url`.
const NAME: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

/// One file of a gist. `content` is left out of lists (as GitHub) and cut at 1 MiB
/// (`truncated: true`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GistFile {
    pub filename: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub language: Option<String>,
    pub raw_url: String,
    pub size: u64,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// A gist (GitHub's Gist object).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Gist {
    pub id: String,
    pub url: String,
    pub git_pull_url: String,
    pub git_push_url: String,
    pub html_url: String,
    pub files: BTreeMap<String, GistFile>,
    pub public: bool,
    pub created_at: String,
    pub updated_at: String,
    pub description: String,
    pub comments: i64,
    pub owner: User,
    pub truncated: bool,
}

impl Gist {
    pub fn new(
        links: &Links,
        row: &GistRow,
        owner: &UserRow,
        files: &[crate::service::gists::GistFile],
        show_email: bool,
    ) -> Gist {
        let git_url = format!("{}gists/{}.git", links.external_url, row.id);
        let files = files
            .iter()
            .map(|f| {
                let (kind, language) = kind_of(&f.name);
                let file = GistFile {
                    filename: f.name.clone(),
                    kind: kind.to_string(),
                    language: language.map(str::to_string),
                    raw_url: format!("{}/gists/{}/raw/{}", links.api_url, row.id, utf8_percent_encode(&f.name, NAME)),
                    size: f.size,
                    truncated: f.truncated,
                    content: f.content.as_ref().map(|c| String::from_utf8_lossy(c).into_owned()),
                };
                (f.name.clone(), file)
            })
            .collect();
        Gist {
            id: row.id.clone(),
            url: format!("{}/gists/{}", links.api_url, row.id),
            git_pull_url: git_url.clone(),
            git_push_url: git_url,
            html_url: format!("{}gists/{}", links.external_url, row.id),
            files,
            public: row.is_public,
            created_at: rfc3339(row.created_unix),
            updated_at: rfc3339(row.updated_unix),
            description: row.description.clone(),
            comments: 0,
            owner: User::new(links, owner, show_email),
            truncated: false,
        }
    }
}

/// The MIME type and language of a file name, by its extension (a short list; others are
/// `text/plain` with no language).
pub fn kind_of(name: &str) -> (&'static str, Option<&'static str>) {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => ("text/markdown", Some("Markdown")),
        "rs" => ("text/x-rust", Some("Rust")),
        "go" => ("text/x-go", Some("Go")),
        "py" => ("application/x-python", Some("Python")),
        "js" => ("application/javascript", Some("JavaScript")),
        "ts" => ("application/typescript", Some("TypeScript")),
        "json" => ("application/json", Some("JSON")),
        "sh" => ("application/x-sh", Some("Shell")),
        "c" | "h" => ("text/x-c", Some("C")),
        "html" | "htm" => ("text/html", Some("HTML")),
        "css" => ("text/css", Some("CSS")),
        "toml" => ("application/toml", Some("TOML")),
        "yml" | "yaml" => ("application/x-yaml", Some("YAML")),
        "txt" => ("text/plain", Some("Text")),
        _ => ("text/plain", None),
    }
}

/// One file of `POST /gists`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateGistFile {
    #[serde(default)]
    pub content: String,
}

/// `POST /gists`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CreateGistOption {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub files: BTreeMap<String, CreateGistFile>,
}

/// One file of `PATCH /gists/:id`: `null` deletes it; `filename` renames it; `content` sets it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EditGistFile {
    pub filename: Option<String>,
    pub content: Option<String>,
}

/// `PATCH /gists/:id` (`files` values may be `null`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EditGistOption {
    pub description: Option<String>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, EditGistFile>)]
    pub files: BTreeMap<String, Option<EditGistFile>>,
}
