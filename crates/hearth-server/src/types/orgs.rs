//! Organisations, teams and collaborators.

use hearth_store::orgs::TeamRow;
use hearth_store::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Links, Permission, User, avatar_url};

/// A2. Organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub avatar_url: String,
    pub description: String,
    pub website: String,
    pub location: String,
}

impl Organization {
    pub fn new(links: &Links, o: &UserRow) -> Organization {
        Organization {
            id: o.id,
            username: o.name.clone(),
            full_name: o.full_name.clone(),
            avatar_url: avatar_url(links, o),
            description: o.description.clone(),
            website: o.website.clone(),
            location: o.location.clone(),
        }
    }
}

/// Gitea's Organization: Gogs' fields (unchanged) plus Gitea's `name` (= `username`), `email`,
/// `visibility` (always `public` in hearth) and `repo_admin_change_team_access` (always false).
#[derive(Debug, Serialize, ToSchema)]
pub struct GiteaOrganization {
    #[serde(flatten)]
    pub org: Organization,
    pub name: String,
    pub email: String,
    pub visibility: String,
    pub repo_admin_change_team_access: bool,
}

impl GiteaOrganization {
    pub fn new(links: &Links, o: &UserRow) -> GiteaOrganization {
        GiteaOrganization {
            org: Organization::new(links, o),
            name: o.name.clone(),
            email: o.email.clone(),
            visibility: "public".into(),
            repo_admin_change_team_access: false,
        }
    }
}

/// A3. Team.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `read`, `write`, `admin`, or `owner` (the Owners team).
    pub permission: String,
}

impl Team {
    pub fn new(t: &TeamRow) -> Team {
        Team {
            id: t.id,
            name: t.name.clone(),
            description: t.description.clone(),
            permission: t.authorize.name().to_string(),
        }
    }
}

/// A6. Collaborator: a User plus the permissions its collaboration gives.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collaborator {
    #[serde(flatten)]
    pub user: User,
    pub permissions: Permission,
}
