//! Everything Git for hearth (no database, no HTTP): bare repositories on disk, reads and the
//! initial commit in-process with gix, and the `git upload-pack`/`receive-pack` subprocesses of
//! the transport. All functions here block: call them from `spawn_blocking`.

pub mod archive;
pub mod changes;
pub mod diff;
mod error;
pub mod last_commit;
pub mod merge;
pub mod names;
pub mod pushlog;
pub mod read;
pub mod refs;
pub mod remote;
mod repo;
pub mod snapshot;
pub mod transport;
pub mod version;
pub mod write;

pub use error::{GitError, GitResult};
pub use repo::{
    BranchInfo, CommitInfo, InitFile, Person, RefEntry, branch, create_initial_commit, delete_repository, forget,
    head_branch, init_bare, list_branches, ref_snapshot, refs_with_prefix, repository_size, set_head,
};
