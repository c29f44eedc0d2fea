//! The OAuth2 provider's HTTP side, at Gitea's paths: the consent page (`/login/oauth/authorize`,
//! answered by `POST /login/oauth/grant` with the CSRF token), and the endpoints clients call
//! directly (token, revocation, user info, JWKS, OpenID discovery), which take no session and
//! no CSRF token. With `[oauth2] ENABLED = false` all of them are 404.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use minijinja::context;
use serde::Deserialize;

use super::page::{WebError, render_status, ser};
use super::session::Viewer;
use crate::app::AppState;
use crate::service::oauth2::{self, Authorize, AuthorizeParams, OIDC_SCOPES, TokenParams};

fn enabled(state: &AppState) -> Result<(), WebError> {
    if state.config.oauth2.enabled { Ok(()) } else { Err(WebError::NotFound) }
}

/// The routes clients call without a browser session (merged beside the pages, outside the
/// CSRF guard).
pub fn provider_routes() -> Router<AppState> {
    Router::new()
        .route("/login/oauth/access_token", post(access_token))
        .route("/login/oauth/revoke", post(revoke))
        .route("/login/oauth/introspect", post(introspect))
        .route("/login/oauth/userinfo", get(user_info).post(user_info))
        .route("/login/oauth/keys", get(keys))
        .route("/.well-known/openid-configuration", get(discovery))
}

fn answer(viewer: &Viewer, outcome: Authorize, params: &AuthorizeParams) -> Result<Response, WebError> {
    match outcome {
        Authorize::Redirect(to) => Ok(Redirect::to(&to).into_response()),
        Authorize::ErrorPage { error, description } => {
            render_status(viewer, StatusCode::BAD_REQUEST, "oauth2/grant_error.html", context! { error, description })
        }
        Authorize::Consent { app, owner } => {
            let scopes: Vec<String> = params.scope.split_whitespace().map(String::from).collect();
            let token_scopes = scopes.iter().filter(|s| !OIDC_SCOPES.contains(&s.as_str())).count();
            let mut resp = render_status(
                viewer,
                StatusCode::OK,
                "oauth2/grant.html",
                context! {
                    app_name => app.name,
                    owner,
                    params => ser(params),
                    scopes,
                    full_access => token_scopes == 0 || oauth2::token_scopes(&params.scope).is_empty(),
                },
            )?;
            // The form's answer redirects to the client: the page's CSP must allow that target.
            if let Some(csp) = consent_csp(&resp, &params.redirect_uri) {
                resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            Ok(resp)
        }
    }
}

/// The page's policy with the redirect URI's origin added to `form-action` (browsers apply it to
/// the redirect that follows the form's POST).
fn consent_csp(resp: &Response, redirect_uri: &str) -> Option<HeaderValue> {
    let current = resp.headers().get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let u = url::Url::parse(redirect_uri).ok()?;
    let source = match u.scheme() {
        "http" | "https" => u.origin().ascii_serialization(),
        scheme => format!("{scheme}:"),
    };
    HeaderValue::from_str(&current.replace("form-action 'self'", &format!("form-action 'self' {source}"))).ok()
}

/// `GET /login/oauth/authorize`: anonymous viewers sign in first and come back here.
pub async fn authorize(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, WebError> {
    enabled(&state)?;
    let me = viewer.signed_in()?;
    let outcome = oauth2::authorize(&state.db, me, &params).await?;
    answer(&viewer, outcome, &params)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    /// "true" from the Authorize button; anything else denies.
    granted: String,
}

/// `POST /login/oauth/grant`: the consent page's Authorize or Cancel (CSRF-checked).
pub async fn grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<GrantForm>,
) -> Result<Response, WebError> {
    enabled(&state)?;
    let me = viewer.signed_in()?;
    let outcome = oauth2::grant(&state.db, me, &form.params, form.granted == "true").await?;
    match outcome {
        // 303: the browser follows with a GET.
        Authorize::Redirect(to) => Ok(Redirect::to(&to).into_response()),
        other => answer(&viewer, other, &form.params),
    }
}

/// RFC 6749 §2.3.1: client credentials in a Basic header (each part form-urlencoded).
fn basic_client(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some(Err(()));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok();
    let text = decoded.and_then(|d| String::from_utf8(d).ok());
    let Some((id, secret)) = text.as_deref().and_then(|t| t.split_once(':')) else { return Some(Err(())) };
    let unescape =
        |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    Some(Ok((unescape(id), unescape(secret))))
}

fn token_error(error: &'static str, description: &str) -> Response {
    let body = oauth2::TokenError { error, error_description: description.to_string() };
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// Fill the form's client credentials from a Basic header; the two must agree (Gitea's rules).
/// The refusal is an `invalid_request` description.
fn client_credentials(headers: &HeaderMap, id: &mut String, secret: &mut String) -> Result<(), &'static str> {
    if !id.is_empty() && !secret.is_empty() {
        return Ok(());
    }
    match basic_client(headers) {
        None => Ok(()),
        Some(Err(())) => Err("cannot parse basic auth header"),
        Some(Ok((h_id, h_secret))) => {
            if !id.is_empty() && *id != h_id {
                return Err("client_id in request body inconsistent with Authorization header");
            }
            if !secret.is_empty() && *secret != h_secret {
                return Err("client_secret in request body inconsistent with Authorization header");
            }
            *id = h_id;
            *secret = h_secret;
            Ok(())
        }
    }
}

/// `POST /login/oauth/access_token`: the authorization-code and refresh-token grants. Errors
/// are RFC 6749 §5.2 bodies with status 400.
pub async fn access_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(mut p): Form<TokenParams>,
) -> Result<Response, WebError> {
    enabled(&state)?;
    if let Err(why) = client_credentials(&headers, &mut p.client_id, &mut p.client_secret) {
        return Ok(token_error("invalid_request", why));
    }
    Ok(match oauth2::token(&state, &p).await? {
        Ok(tokens) => no_store(Json(tokens).into_response()),
        Err(e) => token_error(e.error, &e.error_description),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    token: String,
    client_id: String,
    client_secret: String,
}

/// `POST /login/oauth/revoke` (RFC 7009; hearth's addition): 200 with an empty body whether or not
/// the token existed.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(mut f): Form<RevokeForm>,
) -> Result<Response, WebError> {
    enabled(&state)?;
    if let Err(why) = client_credentials(&headers, &mut f.client_id, &mut f.client_secret) {
        return Ok(token_error("invalid_request", why));
    }
    Ok(match oauth2::revoke(&state.db, &f.client_id, &f.client_secret, &f.token).await? {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => {
            let mut resp = token_error(e.error, &e.error_description);
            *resp.status_mut() = StatusCode::UNAUTHORIZED;
            resp
        }
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntrospectForm {
    token: String,
}

/// `POST /login/oauth/introspect` (RFC 7662, Gitea): the client authenticates with Basic auth.
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<IntrospectForm>,
) -> Result<Response, WebError> {
    enabled(&state)?;
    let answer = match basic_client(&headers) {
        Some(Ok((id, secret))) => oauth2::introspect(&state, &id, &secret, &f.token).await?,
        _ => None,
    };
    Ok(match answer {
        Some(body) => no_store(Json(body).into_response()),
        None => {
            let mut resp = (StatusCode::UNAUTHORIZED, "no valid authorization").into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"hearth OAuth2\""));
            resp
        }
    })
}

/// The bearer token of `Authorization` (any case), else `?access_token=`.
fn bearer(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut words = value.split_whitespace();
        if let (Some(scheme), Some(token), None) = (words.next(), words.next(), words.next())
            && (scheme.eq_ignore_ascii_case("bearer") || scheme == "token")
        {
            return Some(token.to_string());
        }
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == "access_token").map(|(_, v)| v)
}

/// `/login/oauth/userinfo`: the OpenID Connect user info of an OAuth2 access token's owner (a
/// personal access token is refused, as Gitea).
pub async fn user_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, WebError> {
    enabled(&state)?;
    let found = match bearer(&headers, uri.query()) {
        Some(raw) => oauth2::user_info(&state, &raw).await?,
        None => None,
    };
    Ok(match found {
        Some(info) => no_store(Json(info).into_response()),
        None => {
            let mut resp = (StatusCode::UNAUTHORIZED, "no valid authorization").into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"hearth OAuth2\""));
            resp
        }
    })
}

/// `/login/oauth/keys`: the JSON Web Key Set with the ID-token signing key.
pub async fn keys(State(state): State<AppState>) -> Result<Response, WebError> {
    enabled(&state)?;
    let key = oauth2::signing_key(&state).await?;
    Ok(Json(serde_json::json!({ "keys": [key.jwk()] })).into_response())
}

/// `/.well-known/openid-configuration` (Gitea's document, plus the revocation endpoint and the
/// client authentication methods).
pub async fn discovery(State(state): State<AppState>) -> Result<Response, WebError> {
    enabled(&state)?;
    let issuer = state.links.external_url.clone();
    let base = issuer.trim_end_matches('/');
    Ok(Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/login/oauth/authorize"),
        "token_endpoint": format!("{base}/login/oauth/access_token"),
        "jwks_uri": format!("{base}/login/oauth/keys"),
        "userinfo_endpoint": format!("{base}/login/oauth/userinfo"),
        "revocation_endpoint": format!("{base}/login/oauth/revoke"),
        "introspection_endpoint": format!("{base}/login/oauth/introspect"),
        "response_types_supported": ["code", "id_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "scopes_supported": OIDC_SCOPES,
        "claims_supported": [
            "aud", "exp", "iat", "iss", "sub", "name", "preferred_username", "profile", "picture", "website",
            "locale", "updated_at", "email", "email_verified", "groups"
        ],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }))
    .into_response())
}
