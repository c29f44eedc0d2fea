//! The HTTP API: Gogs' JSON shapes (`types`) and the `/api/v1` handlers (`v1`).

pub mod types;
pub mod v1;
