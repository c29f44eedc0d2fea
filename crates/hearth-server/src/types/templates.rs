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

/// Gitea's LabelTemplate: one label of a label set (`color` without `#`).
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelTemplate {
    pub name: String,
    pub exclusive: bool,
    pub color: String,
    pub description: String,
}
