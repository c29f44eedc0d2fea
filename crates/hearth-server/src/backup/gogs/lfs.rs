//! Gogs' Git LFS objects → the `lfs/` of a hearth dump. `gogs backup` leaves them out, so they are
//! read from Gogs' `[lfs] OBJECTS_PATH` (`--lfs-path`), which has hearth's layout (`a/b/<oid>`).
//! Each object is checked against its oid and size on the way; one missing or damaged is left
//! out, and so are the rows naming it (see `map`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};

use crate::backup::dump::{by_oid, fitting_size};
use crate::service::lfs_objects::{self, ObjectError};

/// Copy (or hard-link) the objects `wanted` (`(oid, size)` pairs) from Gogs' directory `from`
/// into `into`; the objects copied (oid → size), and one warning per damaged object.
pub fn stage(
    from: &Path,
    wanted: &[(String, i64)],
    into: &Path,
) -> anyhow::Result<(HashMap<String, i64>, Vec<String>)> {
    if !from.is_dir() {
        bail!("--lfs-path {}: no such directory", from.display());
    }
    let mut copied = HashMap::new();
    let mut warnings = Vec::new();
    for (oid, sizes) in by_oid(wanted) {
        let src = lfs_objects::object_path(from, oid);
        let size = fitting_size(&src, &sizes);
        match lfs_objects::stage(&src, &lfs_objects::object_path(into, oid), oid, size) {
            Ok(()) => {
                copied.insert(oid.to_string(), size);
            }
            Err(ObjectError::Missing) => {}
            Err(ObjectError::Damaged(why)) => {
                warnings.push(format!("Git LFS object {oid} in {}: {why}; not imported", from.display()))
            }
            Err(ObjectError::Io(e)) => return Err(e).with_context(|| format!("copying {}", src.display())),
        }
    }
    Ok((copied, warnings))
}
