//! Forgery protection for every page POST (web-ui.md §4.2): the request's `Origin` (else
//! `Referer`) must be this site, and the form's `_csrf` field (or the `X-CSRF-Token` header) must
//! equal the viewer's token. Checked here, before any handler, so no form can forget it.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::page::WebError;
use super::session::Viewer;
use crate::app::AppState;

/// Forms are small; a larger body is refused before it is read whole.
const MAX_FORM_BYTES: usize = 1 << 20;

pub async fn guard(State(_): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    if !same_origin(&req) {
        return WebError::Forbidden.into_response();
    }
    let Some(expected) = req.extensions().get::<Viewer>().map(|v| v.csrf.clone()) else {
        return WebError::Forbidden.into_response();
    };
    let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return WebError::Forbidden.into_response();
    };
    let form_token = form_field(&bytes, "_csrf");
    let given = header_token.or(form_token).unwrap_or_default();
    if expected.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return WebError::Forbidden.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body).find(|(k, _)| k == name).map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter()
}

/// `Origin`, else `Referer`, names this host (either may be absent: old browsers and privacy
/// settings drop them; the token still has to match).
fn same_origin(req: &Request) -> bool {
    let Some(host) = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let claimed =
        req.headers().get(header::ORIGIN).or_else(|| req.headers().get(header::REFERER)).and_then(|v| v.to_str().ok());
    match claimed {
        None => true,
        Some("null") => false,
        Some(url) => url
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
    }
}
