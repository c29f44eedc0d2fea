//! Static files under `/assets/`: embedded, named with a content hash, cached for a year.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::page::WebError;

const STYLE: &str = include_str!("../../assets/style.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
const SCRIPT: &str = include_str!("../../assets/app.js");

struct Asset {
    name: String,
    body: &'static str,
    content_type: &'static str,
}

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let hashed = |stem: &str, ext: &str, body: &str| {
            let digest = hex::encode(Sha256::digest(body.as_bytes()));
            format!("{stem}.{}.{ext}", &digest[..12])
        };
        vec![
            Asset { name: hashed("style", "css", STYLE), body: STYLE, content_type: "text/css; charset=utf-8" },
            Asset { name: hashed("favicon", "svg", FAVICON), body: FAVICON, content_type: "image/svg+xml" },
            Asset { name: hashed("app", "js", SCRIPT), body: SCRIPT, content_type: "text/javascript; charset=utf-8" },
        ]
    })
}

/// The stylesheet's URL, with its content hash.
pub fn stylesheet_url() -> String {
    format!("/assets/{}", assets()[0].name)
}

/// The icon's URL, with its content hash.
pub fn favicon_url() -> String {
    format!("/assets/{}", assets()[1].name)
}

/// The script's URL (progressive enhancement: copy buttons), with its content hash.
pub fn script_url() -> String {
    format!("/assets/{}", assets()[2].name)
}

/// `/favicon.ico`, which browsers ask for on pages without an icon link (raw files, archives):
/// the same icon, so no page view logs a failed request.
pub async fn favicon() -> Response {
    respond(&assets()[1])
}

pub async fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let asset = assets().iter().find(|a| a.name == file).ok_or(WebError::NotFound)?;
    Ok(respond(asset))
}

fn respond(asset: &Asset) -> Response {
    let mut resp = asset.body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    resp
}

/// `/avatars/ID`: the avatar an account has while Gravatar is off (`[picture] DISABLE_GRAVATAR`)
/// or it has no e-mail address, the URL the API's `avatar_url` names then. A generated picture:
/// the name's first letter on a colour taken from the name, so no request leaves the server.
pub async fn avatar(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let user = {
        let mut h = state.db.acquire().await?;
        hearth_store::users::by_id(h.conn(), id).await?.ok_or(WebError::NotFound)?
    };
    let digest = Sha256::digest(user.name.as_bytes());
    let hue = u16::from_be_bytes([digest[0], digest[1]]) % 360;
    // Account names are letters, digits, `-`, `_` and `.`; anything else becomes `?`.
    let letter = user.name.chars().next().filter(char::is_ascii_alphanumeric).map_or('?', |c| c.to_ascii_uppercase());
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\"><rect width=\"64\" height=\"64\" \
         fill=\"hsl({hue},55%,42%)\"/><text x=\"32\" y=\"43\" font-size=\"32\" text-anchor=\"middle\" \
         font-family=\"sans-serif\" fill=\"#fff\">{letter}</text></svg>"
    );
    let mut resp = svg.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(resp)
}
