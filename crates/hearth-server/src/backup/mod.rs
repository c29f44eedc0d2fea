//! `hearth dump` and `hearth restore`: the whole instance (database rows, repositories, gists, the
//! SSH host key, the config file) as one archive, and back.
//!
//! The archive's layout is a contract shared with `hearth import gogs`, which writes the same tree
//! and hands it to [`restore_dir`]:
//! - `hearth-dump.json`: the [`Manifest`];
//! - `db/<table>.jsonl`: every row of every table, one JSON object per line, keys = column names,
//!   in primary-key order (see `hearth_store::snapshot`);
//! - `repositories/<owner>/<name>.git/…` and `gists/<id>.git/…`: bare repositories;
//! - `lfs/<a>/<b>/<oid>`: every Git LFS object an `lfs_object` row references, once, in the layout of
//!   `[lfs] OBJECTS_PATH` (the manifest's `lfs` counts them and names those the dump found missing
//!   or damaged; a restore checks each object's SHA-256 as it places it);
//! - `ssh/<file>`: the SSH host key(s); `custom/conf/app.ini`: the config file, when one was used.

mod archive;
mod dump;
pub mod gogs;
mod restore;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use archive::Format;
pub use dump::{DumpSummary, dump};
pub use restore::{RestoreSummary, refuse_non_empty, restore_archive, restore_dir};

/// The version of the archive layout [`Manifest::format`] names.
pub const FORMAT_VERSION: i64 = 1;
/// The manifest's path in the archive (its first entry).
pub const MANIFEST: &str = "hearth-dump.json";
/// Where each part lives in the archive.
pub const DB_DIR: &str = "db";
pub const REPOSITORIES_DIR: &str = "repositories";
pub const GISTS_DIR: &str = "gists";
pub const SSH_DIR: &str = "ssh";
pub const LFS_DIR: &str = "lfs";
/// The server's secret key file (see `secret.rs`), which two-factor secrets need to open.
pub const SECRET_KEY_FILE: &str = crate::secret::KEY_FILE;
pub const CONFIG_FILE: &str = "custom/conf/app.ini";
/// Where a restore puts the archived config file, in the target's data directory (the target's
/// own settings come from its `--config`; this copy is for reference).
pub const RESTORED_CONFIG: &str = "app.ini.restored";

/// `hearth-dump.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub format: i64,
    pub hearth_version: String,
    /// The commit the writing binary was built from (12 hex digits, or "unknown").
    pub commit: String,
    pub created_unix: i64,
    /// `sqlite`, `postgres`, or `gogs` for an imported Gogs backup.
    pub source_engine: String,
    /// The highest migration applied to the rows' schema.
    pub migration: i64,
    /// Every table's row count (each has a `db/<table>.jsonl`, which may be absent when 0).
    pub tables: BTreeMap<String, u64>,
    /// The Git LFS objects under `lfs/`; absent from archives made before they were archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<LfsPart>,
}

/// The manifest's account of the Git LFS objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LfsPart {
    /// Objects archived, and their bytes.
    pub objects: u64,
    pub bytes: u64,
    /// Objects rows reference whose file the dump found missing or damaged: archived without
    /// them, and a restore brings their rows all the same (as on the source, a client pushing such
    /// an object stores it again). Any other referenced object missing from the archive fails the
    /// restore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}
