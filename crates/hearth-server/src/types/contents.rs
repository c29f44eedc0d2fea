//! Repository contents: files, trees, blobs, the contents API's answers, EditorConfig.

use serde::Serialize;
use utoipa::ToSchema;

use super::Commit;

/// A20. RepoContent's `_links`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContentLinks {
    pub git: String,
    #[serde(rename = "self")]
    pub self_: String,
    pub html: String,
}

/// A20. RepoContent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepoContent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submodule_git_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub size: u64,
    pub name: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub sha: String,
    pub url: String,
    pub git_url: String,
    pub html_url: String,
    pub download_url: String,
    #[serde(rename = "_links")]
    pub links: ContentLinks,
}

/// A21. GitTree entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitTreeEntry {
    pub path: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub size: u64,
    pub sha: String,
    pub url: String,
}

/// A21. GitTree (`tree` is null for an empty tree).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitTree {
    pub sha: String,
    pub url: String,
    pub tree: Option<Vec<GitTreeEntry>>,
    /// GitHub/Gitea extensions for `?recursive=1`: whether entries beyond this page exist, and
    /// which page this is.
    pub truncated: bool,
    pub page: i64,
}

/// A22. GitBlob.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitBlob {
    pub content: String,
    pub encoding: String,
    pub url: String,
    pub sha: String,
    pub size: u64,
}

/// The answer to `PUT …/contents/*`: the commit made and the file written.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PutContentsResult {
    pub commit: Commit,
    pub content: RepoContent,
}

/// A23. EditorconfigDefinition: only the properties that are set (hearth adds the three Gogs'
/// library hides).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EditorconfigDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indent_style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indent_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_of_line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab_width: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trim_trailing_whitespace: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_final_newline: Option<bool>,
}
