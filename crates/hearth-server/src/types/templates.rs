//! Repository templates as Gitea's API lists them: `.gitignore` collections and licences.

use serde::Serialize;
use utoipa::ToSchema;

/// Gitea's GitignoreTemplateInfo.
#[derive(Debug, Serialize, ToSchema)]
pub struct GitignoreTemplateInfo {
    pub name: String,
    pub source: String,
}

/// Gitea's LicensesTemplateListEntry.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicensesTemplateListEntry {
    pub key: String,
    pub name: String,
    pub url: String,
}

/// Gitea's LicenseTemplateInfo.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseTemplateInfo {
    pub key: String,
    pub name: String,
    pub url: String,
    pub body: String,
    pub implementation: String,
}
