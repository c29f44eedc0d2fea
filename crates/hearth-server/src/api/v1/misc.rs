//! Miscellaneous: `GET /version` (a Gitea extension).

use crate::json::Json;

use crate::types::ServerVersion;

#[utoipa::path(get, path = "/version", tag = "misc", responses((status = 200, body = ServerVersion)))]
pub async fn get_version() -> Json<ServerVersion> {
    Json(ServerVersion { version: env!("CARGO_PKG_VERSION").to_string() })
}
