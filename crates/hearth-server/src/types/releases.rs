//! Releases.

use serde::Serialize;
use utoipa::ToSchema;

use super::User;

/// A16. Release.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Release {
    pub id: i64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub prerelease: bool,
    pub author: User,
    pub created_at: String,
}
