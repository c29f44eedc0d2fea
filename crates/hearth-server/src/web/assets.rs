//! Static files under `/assets/`: embedded, named with a content hash, cached for a year.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::page::WebError;

const STYLE: &str = include_str!("../../assets/style.css");

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
        vec![Asset { name: hashed("style", "css", STYLE), body: STYLE, content_type: "text/css; charset=utf-8" }]
    })
}

/// The stylesheet's URL, with its content hash.
pub fn stylesheet_url() -> String {
    format!("/assets/{}", assets()[0].name)
}

pub async fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let asset = assets().iter().find(|a| a.name == file).ok_or(WebError::NotFound)?;
    let mut resp = asset.body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(resp)
}
