//! Moving a hearth's data in and out: restoring a dump, importing another service's backup.

pub mod gogs;
pub mod restore;
