//! The HTTP API: the `/api/v1` handlers (`v1`); the JSON shapes they answer with are in `crate::types`.

pub mod v1;
