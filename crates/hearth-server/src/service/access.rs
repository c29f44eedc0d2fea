//! The one function that decides what a user may do with a repository (permissions.md §2.1).
//! Collaborators and organisation teams join here when they exist.

use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

/// Access modes, ordered: none < read < write < admin < owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessMode {
    None,
    Read,
    Write,
    Admin,
    Owner,
}

/// The mode of `user` (or an anonymous caller) on `repo`. Site admins are owners of every
/// repository on every channel (a listed difference: Gogs grants that only to API tokens).
pub fn access_mode(user: Option<&UserRow>, repo: &RepoRow) -> AccessMode {
    if let Some(u) = user
        && (u.is_admin || u.id == repo.owner_id)
    {
        return AccessMode::Owner;
    }
    if repo.is_private { AccessMode::None } else { AccessMode::Read }
}
