//! Request extractors: who is calling (and the guards on it), the repository a route names,
//! request bodies bound the way Gogs' binding does, and pagination.

pub mod auth;
pub mod body;
mod form;
pub mod paging;
pub mod repo;
pub mod validate;

pub use auth::{Auth, BasicUser, SiteAdmin, TokenUser};
pub use body::{Body, LateBody, read_limited};
pub use paging::{ListParams, Page, Paged};
pub use repo::{RepoCtx, RepoPath};
pub use validate::Validator;
