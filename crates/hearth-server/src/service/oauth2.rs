//! The OAuth2 provider (Gitea's `/login/oauth/…`, RFC 6749 with PKCE, RFC 7636): applications,
//! the authorization-code flow, refresh-token rotation, revocation (RFC 7009), and OpenID
//! Connect ID tokens signed with an RS256 key.
//!
//! Access and refresh tokens are opaque random strings (not JWTs, as Gitea's are): only their
//! SHA-256 is stored, so a token can be revoked at once and a leaked database holds none. They
//! carry a prefix (`hat_`, `hrt_`) so that the API tells them from personal access tokens without
//! a second lookup. A token's scopes are its grant's (Gitea's mapping: the OIDC scopes say what
//! the ID token holds; any other scope words are token scopes, and none means full access).

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use hearth_store::oauth2::{self as store, AppFields, AppRow, CodeRow, GrantRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Db, Window, orgs};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::token_scopes::Scopes;
use super::tokens::hash_token;
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;
use crate::types::avatar_url;

pub const ACCESS_PREFIX: &str = "hat_";
const REFRESH_PREFIX: &str = "hrt_";
/// How long an authorization code can be exchanged (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_LIFETIME_SECS: i64 = 600;
/// The scopes that shape the ID token and the user info; all others are token scopes.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "groups"];

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

/// A version-4 UUID, as Gitea's client ids are.
fn new_client_id() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// `gto_` and 32 random bytes in lowercase base32 without padding, the shape of Gitea's secrets.
fn new_client_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("gto_{}", super::two_factor::base32(&bytes).to_ascii_lowercase())
}

fn secret_matches(app: &AppRow, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    !given.is_empty() && bool::from(hash_token(given).as_bytes().ct_eq(app.client_secret_sha256.as_bytes()))
}

// ---- applications ----

/// An application's fields as the API and the settings page send them.
#[derive(Debug, Clone, Default)]
pub struct AppForm {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub confidential_client: bool,
    pub skip_secondary_authorization: bool,
}

pub fn redirect_uris(app: &AppRow) -> Vec<String> {
    serde_json::from_str(&app.redirect_uris).unwrap_or_default()
}

/// Redirect URIs must be absolute URLs without a fragment (RFC 6749 §3.1.2).
fn checked_uris(uris: &[String]) -> ServiceResult<String> {
    let uris: Vec<String> = uris.iter().map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).collect();
    if uris.is_empty() {
        return Err(ServiceError::Invalid("redirect_uris is required".into()));
    }
    for uri in &uris {
        match url::Url::parse(uri) {
            Ok(u) if u.fragment().is_none() && !u.cannot_be_a_base() => {}
            _ => return Err(ServiceError::Invalid(format!("invalid redirect URI: {uri}"))),
        }
    }
    Ok(serde_json::to_string(&uris).map_err(anyhow::Error::from)?)
}

fn fields<'a>(form: &'a AppForm, uris: &'a str) -> AppFields<'a> {
    AppFields {
        name: form.name.trim(),
        confidential_client: form.confidential_client,
        skip_secondary_authorization: form.skip_secondary_authorization,
        redirect_uris: uris,
    }
}

/// Register an application for `uid`; returns it and its secret (shown this once).
pub async fn create_app(db: &Db, uid: i64, form: &AppForm) -> ServiceResult<(AppRow, String)> {
    let uris = checked_uris(&form.redirect_uris)?;
    let secret = new_client_secret();
    let mut h = db.acquire().await?;
    let row =
        store::insert_app(h.conn(), uid, &new_client_id(), &hash_token(&secret), &fields(form, &uris), now_unix())
            .await?;
    Ok((row, secret))
}

/// Replace an application's fields; as Gitea, this also gives it a new secret (returned).
pub async fn update_app(db: &Db, uid: i64, id: i64, form: &AppForm) -> ServiceResult<(AppRow, String)> {
    let uris = checked_uris(&form.redirect_uris)?;
    let secret = new_client_secret();
    let mut h = db.acquire().await?;
    let row = store::update_app(h.conn(), uid, id, &hash_token(&secret), &fields(form, &uris), now_unix()).await?;
    Ok((row.ok_or(ServiceError::NotFound)?, secret))
}

/// Replace an application's fields, keeping its secret (the settings page's edit).
pub async fn edit_app(db: &Db, uid: i64, id: i64, form: &AppForm) -> ServiceResult<AppRow> {
    let uris = checked_uris(&form.redirect_uris)?;
    let mut tx = db.begin().await?;
    let current = store::app_of(tx.conn(), uid, id).await?.ok_or(ServiceError::NotFound)?;
    let fields = fields(form, &uris);
    let row = store::update_app(tx.conn(), uid, id, &current.client_secret_sha256, &fields, now_unix()).await?;
    tx.commit().await?;
    row.ok_or(ServiceError::NotFound)
}

/// A new secret for one of `uid`'s applications (the old one stops working).
pub async fn regenerate_secret(db: &Db, uid: i64, id: i64) -> ServiceResult<(AppRow, String)> {
    let secret = new_client_secret();
    let mut tx = db.begin().await?;
    if !store::set_secret(tx.conn(), uid, id, &hash_token(&secret), now_unix()).await? {
        return Err(ServiceError::NotFound);
    }
    let row = store::app_of(tx.conn(), uid, id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok((row, secret))
}

pub async fn list_apps(db: &Db, uid: i64, w: Window) -> ServiceResult<(Vec<AppRow>, i64)> {
    let mut h = db.acquire().await?;
    Ok(store::list_apps(h.conn(), uid, w).await?)
}

/// One of `uid`'s applications; another user's is not found.
pub async fn get_app(db: &Db, uid: i64, id: i64) -> ServiceResult<AppRow> {
    let mut h = db.acquire().await?;
    store::app_of(h.conn(), uid, id).await?.ok_or(ServiceError::NotFound)
}

/// Delete one of `uid`'s applications, and with it every grant, code and token issued for it.
pub async fn delete_app(db: &Db, uid: i64, id: i64) -> ServiceResult<()> {
    let mut h = db.acquire().await?;
    if !store::delete_app(h.conn(), uid, id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// The applications a user has authorized.
pub async fn grants_of(db: &Db, uid: i64) -> ServiceResult<Vec<store::GrantedApp>> {
    let mut h = db.acquire().await?;
    Ok(store::grants_of_user(h.conn(), uid).await?)
}

/// Withdraw a user's grant: its tokens stop working at once.
pub async fn revoke_grant(db: &Db, uid: i64, grant_id: i64) -> ServiceResult<()> {
    let mut h = db.acquire().await?;
    if !store::delete_grant(h.conn(), uid, grant_id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Whether `uri` is one of the application's redirect URIs. For public clients an `http`
/// loopback address matches whatever its port (RFC 8252 §7.3), as in Gitea: native apps such as
/// git-credential-oauth listen on a port they pick at run time.
pub fn allows_redirect(app: &AppRow, uri: &str) -> bool {
    let registered = redirect_uris(app);
    if registered.iter().any(|r| r == uri) {
        return true;
    }
    if app.confidential_client {
        return false;
    }
    let Ok(mut parsed) = url::Url::parse(uri) else { return false };
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    if parsed.scheme() != "http" || !loopback || parsed.port().is_none() {
        return false;
    }
    if parsed.set_port(None).is_err() {
        return false;
    }
    registered.iter().any(|r| url::Url::parse(r).is_ok_and(|r| r == parsed))
}

// ---- authorization ----

/// The authorization request's parameters (the query of `/login/oauth/authorize`; the consent
/// form carries the same fields back).
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct AuthorizeParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
}

/// What the authorization endpoint does next.
pub enum Authorize {
    /// Ask the user (the consent page): the application, and its owner's name.
    Consent { app: AppRow, owner: String },
    /// Send the browser back to the client (a code, or an error the client should see).
    Redirect(String),
    /// The client cannot be told (unknown client or redirect URI): an error page.
    ErrorPage { error: &'static str, description: String },
}

/// `redirect_uri` with `error`, `error_description` and `state` added to its query.
fn error_redirect(redirect_uri: &str, error: &str, description: &str, state: &str) -> Authorize {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            u.query_pairs_mut()
                .append_pair("error", error)
                .append_pair("error_description", description)
                .append_pair("state", state);
            Authorize::Redirect(u.to_string())
        }
        Err(_) => Authorize::ErrorPage { error: "invalid_request", description: "Unregistered Redirect URI".into() },
    }
}

/// Check an authorization request; the application when the client can be answered at all.
async fn check_request(db: &Db, p: &AuthorizeParams) -> ServiceResult<Result<AppRow, Authorize>> {
    let app = {
        let mut h = db.acquire().await?;
        store::app_by_client_id(h.conn(), &p.client_id).await?
    };
    let Some(app) = app else {
        return Ok(Err(Authorize::ErrorPage {
            error: "unauthorized_client",
            description: "Client ID not registered".into(),
        }));
    };
    if !allows_redirect(&app, &p.redirect_uri) {
        return Ok(Err(Authorize::ErrorPage {
            error: "invalid_request",
            description: "Unregistered Redirect URI".into(),
        }));
    }
    let refuse = |error, description: &str| Ok(Err(error_redirect(&p.redirect_uri, error, description, &p.state)));
    if p.response_type != "code" {
        return refuse("unsupported_response_type", "Only code response type is supported.");
    }
    match p.code_challenge_method.as_str() {
        "S256" | "plain" if !p.code_challenge.is_empty() => {}
        "S256" | "plain" => return refuse("invalid_request", "code_challenge is required"),
        "" if !app.confidential_client => return refuse("invalid_request", "PKCE is required for public clients"),
        "" => {}
        _ => return refuse("invalid_request", "unsupported code challenge method"),
    }
    Ok(Ok(app))
}

/// `GET /login/oauth/authorize` by a signed-in user: the consent page, or straight back to the
/// client with a code when the user already authorized a confidential (or trusted) client.
pub async fn authorize(db: &Db, user: &UserRow, p: &AuthorizeParams) -> ServiceResult<Authorize> {
    let app = match check_request(db, p).await? {
        Ok(app) => app,
        Err(answer) => return Ok(answer),
    };
    let mut h = db.acquire().await?;
    let grant = store::grant_of(h.conn(), user.id, app.id).await?;
    if grant.is_some() && (app.confidential_client || app.skip_secondary_authorization) {
        drop(h);
        return issue_code(db, user, &app, p).await;
    }
    let owner = user_store::by_id(h.conn(), app.uid).await?.map(|u| u.name).unwrap_or_default();
    Ok(Authorize::Consent { app, owner })
}

/// `POST /login/oauth/grant`: the consent page's answer. The form's fields are checked again
/// (they came through the browser).
pub async fn grant(db: &Db, user: &UserRow, p: &AuthorizeParams, granted: bool) -> ServiceResult<Authorize> {
    let app = match check_request(db, p).await? {
        Ok(app) => app,
        Err(answer) => return Ok(answer),
    };
    if !granted {
        return Ok(error_redirect(&p.redirect_uri, "access_denied", "the request is denied", &p.state));
    }
    issue_code(db, user, &app, p).await
}

async fn issue_code(db: &Db, user: &UserRow, app: &AppRow, p: &AuthorizeParams) -> ServiceResult<Authorize> {
    let code = random_hex(32);
    let mut tx = db.begin().await?;
    let grant = store::upsert_grant(tx.conn(), user.id, app.id, p.scope.trim(), &p.nonce, now_unix()).await?;
    let row = CodeRow {
        code_sha256: hash_token(&code),
        grant_id: grant.id,
        redirect_uri: p.redirect_uri.clone(),
        code_challenge: p.code_challenge.clone(),
        code_challenge_method: p.code_challenge_method.clone(),
        expires_unix: now_unix() + CODE_LIFETIME_SECS,
        used: false,
    };
    store::insert_code(tx.conn(), &row).await?;
    tx.commit().await?;
    let mut u = url::Url::parse(&p.redirect_uri).map_err(anyhow::Error::from)?;
    u.query_pairs_mut().append_pair("code", &code);
    if !p.state.is_empty() {
        u.query_pairs_mut().append_pair("state", &p.state);
    }
    Ok(Authorize::Redirect(u.to_string()))
}

// ---- the token endpoint ----

/// The token endpoint's form (RFC 6749 §4.1.3 and §6); the client's credentials may also come in
/// a Basic `Authorization` header (merged in by the handler).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenParams {
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    pub code: String,
    pub redirect_uri: String,
    pub code_verifier: String,
    pub refresh_token: String,
}

/// RFC 6749 §5.2's error body (always with status 400, as Gitea answers).
#[derive(Debug, Clone, Serialize)]
pub struct TokenError {
    pub error: &'static str,
    pub error_description: String,
}

fn token_error(error: &'static str, description: impl Into<String>) -> TokenError {
    TokenError { error, error_description: description.into() }
}

/// RFC 6749 §5.1's success body.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id_token: String,
}

/// Either answer of the token endpoint; a database failure is a plain 500.
pub type TokenResult = ServiceResult<Result<TokenResponse, TokenError>>;

pub async fn token(state: &AppState, p: &TokenParams) -> TokenResult {
    match p.grant_type.as_str() {
        "authorization_code" => exchange_code(state, p).await,
        "refresh_token" => refresh(state, p).await,
        _ => Ok(Err(token_error(
            "unsupported_grant_type",
            "Only refresh_token or authorization_code grant type is supported",
        ))),
    }
}

fn pkce_ok(code: &CodeRow, verifier: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = match code.code_challenge_method.as_str() {
        "S256" => b64url(&Sha256::digest(verifier.as_bytes())),
        "plain" => verifier.to_string(),
        // No challenge was made (a confidential client without PKCE).
        _ => return true,
    };
    !verifier.is_empty() && bool::from(expected.as_bytes().ct_eq(code.code_challenge.as_bytes()))
}

async fn exchange_code(state: &AppState, p: &TokenParams) -> TokenResult {
    let db = &state.db;
    let mut h = db.acquire().await?;
    let Some(app) = store::app_by_client_id(h.conn(), &p.client_id).await? else {
        return Ok(Err(token_error("invalid_client", format!("cannot load client with client id: '{}'", p.client_id))));
    };
    if app.confidential_client && !secret_matches(&app, &p.client_secret) {
        let what = if p.client_secret.is_empty() { "invalid empty client secret" } else { "invalid client secret" };
        return Ok(Err(token_error("unauthorized_client", what)));
    }
    if !p.redirect_uri.is_empty() && !allows_redirect(&app, &p.redirect_uri) {
        return Ok(Err(token_error("unauthorized_client", "unexpected redirect URI")));
    }
    let code_hash = hash_token(&p.code);
    let Some(code) = store::code_by_hash(h.conn(), &code_hash).await?.filter(|_| !p.code.is_empty()) else {
        return Ok(Err(token_error("unauthorized_client", "client is not authorized")));
    };
    if code.expires_unix < now_unix() {
        store::delete_code(h.conn(), &code_hash).await?;
        return Ok(Err(token_error("invalid_grant", "authorization code expired")));
    }
    if !pkce_ok(&code, &p.code_verifier) {
        return Ok(Err(token_error("unauthorized_client", "failed PKCE code challenge")));
    }
    if p.redirect_uri != code.redirect_uri {
        return Ok(Err(token_error("invalid_grant", "redirect_uri differs from the original authorization request")));
    }
    let Some(grant) = store::grant_by_id(h.conn(), code.grant_id).await?.filter(|g| g.application_id == app.id) else {
        return Ok(Err(token_error("invalid_grant", "invalid grant")));
    };
    drop(h);
    let mut tx = db.begin().await?;
    if !store::use_code(tx.conn(), &code_hash).await? {
        // A replayed code (RFC 6749 §4.1.2): the tokens issued for it may be in the wrong hands.
        drop(tx);
        let mut h = db.acquire().await?;
        let revoked = store::delete_grant_tokens(h.conn(), grant.id).await?;
        tracing::warn!(grant = grant.id, revoked, "an OAuth2 authorization code was used twice");
        return Ok(Err(token_error("invalid_grant", "authorization code already used")));
    }
    let answer = issue_tokens(state, &mut tx, &app, &grant).await?;
    tx.commit().await?;
    Ok(Ok(answer))
}

async fn refresh(state: &AppState, p: &TokenParams) -> TokenResult {
    let db = &state.db;
    let mut h = db.acquire().await?;
    let Some(app) = store::app_by_client_id(h.conn(), &p.client_id).await? else {
        return Ok(Err(token_error(
            "invalid_client",
            format!("cannot load client with client id: \"{}\"", p.client_id),
        )));
    };
    if app.confidential_client && !secret_matches(&app, &p.client_secret) {
        let what = if p.client_secret.is_empty() { "invalid empty client secret" } else { "invalid client secret" };
        return Ok(Err(token_error("invalid_client", what)));
    }
    let found = match p.refresh_token.starts_with(REFRESH_PREFIX) {
        true => store::token_by_hash(h.conn(), &hash_token(&p.refresh_token)).await?,
        false => None,
    };
    let Some(token) = found.filter(|t| t.kind == store::REFRESH_TOKEN && t.expires_unix >= now_unix()) else {
        return Ok(Err(token_error("unauthorized_client", "unable to parse refresh token")));
    };
    let Some(grant) = store::grant_by_id(h.conn(), token.grant_id).await? else {
        return Ok(Err(token_error("invalid_grant", "grant does not exist")));
    };
    if grant.application_id != app.id {
        return Ok(Err(token_error("invalid_grant", "refresh token belongs to a different client")));
    }
    drop(h);
    let mut tx = db.begin().await?;
    if state.config.oauth2.invalidate_refresh_tokens && !store::use_token(tx.conn(), token.id).await? {
        // A rotated-out refresh token came back: someone else holds the chain; end it.
        drop(tx);
        let mut h = db.acquire().await?;
        store::delete_grant_tokens(h.conn(), grant.id).await?;
        tracing::warn!(grant = grant.id, "an OAuth2 refresh token was used twice");
        return Ok(Err(token_error("unauthorized_client", "token was already used")));
    }
    let answer = issue_tokens(state, &mut tx, &app, &grant).await?;
    tx.commit().await?;
    Ok(Ok(answer))
}

async fn issue_tokens(
    state: &AppState,
    tx: &mut hearth_store::Tx,
    app: &AppRow,
    grant: &GrantRow,
) -> ServiceResult<TokenResponse> {
    let cfg = &state.config.oauth2;
    let now = now_unix();
    let access = format!("{ACCESS_PREFIX}{}", random_hex(32));
    let refresh = format!("{REFRESH_PREFIX}{}", random_hex(32));
    let access_expires = now + cfg.access_token_lifetime;
    store::insert_token(tx.conn(), grant.id, store::ACCESS_TOKEN, &hash_token(&access), access_expires, now).await?;
    let refresh_expires = now + cfg.refresh_token_lifetime_hours * 3600;
    store::insert_token(tx.conn(), grant.id, store::REFRESH_TOKEN, &hash_token(&refresh), refresh_expires, now).await?;
    let mut id_token = String::new();
    if has_scope(&grant.scope, "openid") {
        let user = user_store::by_id(tx.conn(), grant.user_id).await?.ok_or(ServiceError::NotFound)?;
        let groups = if has_scope(&grant.scope, "groups") {
            Some(groups_of(tx.conn(), &user, token_scopes(&grant.scope).public_only()).await?)
        } else {
            None
        };
        let claims = id_claims(state, app, grant, &user, access_expires, now, groups);
        id_token = signing_key(state).await?.sign(&claims)?;
    }
    Ok(TokenResponse {
        access_token: access,
        token_type: "bearer",
        expires_in: cfg.access_token_lifetime,
        refresh_token: refresh,
        id_token,
    })
}

fn has_scope(scope: &str, name: &str) -> bool {
    scope.split_whitespace().any(|s| s == name)
}

/// A grant's token scopes (Gitea's `GrantAdditionalScopes`): the scope words that are not OIDC
/// scopes; none, or any that is not a token scope, means full access.
pub fn token_scopes(grant_scope: &str) -> Scopes {
    let extra: Vec<&str> = grant_scope.split_whitespace().filter(|s| !OIDC_SCOPES.contains(s)).collect();
    if extra.is_empty() {
        return Scopes::default();
    }
    Scopes::parse(&extra).unwrap_or_default()
}

/// `org` and `org:team` for every organisation (and team in it) the user belongs to.
async fn groups_of(mut c: hearth_store::Conn<'_>, user: &UserRow, public_only: bool) -> ServiceResult<Vec<String>> {
    let (orgs_in, _) = orgs::orgs_of(c.reborrow(), user.id, public_only, Window::ALL).await?;
    let mut groups = Vec::new();
    for org in orgs_in {
        let teams = orgs::teams_of_member(c.reborrow(), org.id, user.id).await?;
        groups.extend(teams.iter().map(|team| format!("{}:{}", org.name, team.lower_name)));
        let at = groups.len() - teams.len();
        groups.insert(at, org.name);
    }
    Ok(groups)
}

fn display_name(user: &UserRow) -> String {
    match user.full_name.trim() {
        "" => user.name.clone(),
        full => full.to_string(),
    }
}

/// OpenID Connect ID token claims (Gitea's set).
#[derive(Debug, Serialize)]
struct IdClaims {
    iss: String,
    sub: String,
    aud: Vec<String>,
    exp: i64,
    iat: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    nonce: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<String>>,
}

fn id_claims(
    state: &AppState,
    app: &AppRow,
    grant: &GrantRow,
    user: &UserRow,
    exp: i64,
    now: i64,
    groups: Option<Vec<String>>,
) -> IdClaims {
    let profile = has_scope(&grant.scope, "profile");
    let email = has_scope(&grant.scope, "email");
    let links = &state.links;
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    IdClaims {
        iss: links.external_url.clone(),
        sub: user.id.to_string(),
        aud: vec![app.client_id.clone()],
        exp,
        iat: now,
        nonce: grant.nonce.clone(),
        name: profile.then(|| display_name(user)),
        preferred_username: profile.then(|| user.name.clone()),
        profile: profile.then(|| format!("{}{}", links.external_url, user.name)),
        picture: profile.then(|| avatar_url(links, user)),
        website: if profile { nonempty(&user.website) } else { None },
        updated_at: profile.then_some(user.updated_unix),
        email: if email { nonempty(&user.email) } else { None },
        email_verified: (email && user.is_active).then_some(true),
        groups: groups.filter(|g| !g.is_empty()),
    }
}

// ---- access tokens at the API, Git and user info ----

/// A live OAuth2 access token's owner: (token id, scopes, user, grant scope).
pub struct AccessOwner {
    pub token_id: i64,
    pub scopes: Scopes,
    pub grant_scope: String,
    pub user: UserRow,
}

pub fn is_access_token(raw: &str) -> bool {
    raw.starts_with(ACCESS_PREFIX) && raw.len() < 200
}

pub async fn access_owner(db: &Db, raw: &str) -> ServiceResult<Option<AccessOwner>> {
    if !is_access_token(raw) {
        return Ok(None);
    }
    let mut h = db.acquire().await?;
    let found = store::access_owner(h.conn(), &hash_token(raw), now_unix()).await?;
    Ok(found.map(|f| AccessOwner {
        token_id: f.token_id,
        scopes: token_scopes(&f.grant_scope),
        grant_scope: f.grant_scope,
        user: f.user,
    }))
}

/// `/login/oauth/userinfo` (Gitea's fields).
#[derive(Debug, Serialize)]
pub struct UserInfo {
    pub sub: String,
    pub name: String,
    pub preferred_username: String,
    pub email: String,
    pub picture: String,
    pub groups: Option<Vec<String>>,
}

pub async fn user_info(state: &AppState, raw: &str) -> ServiceResult<Option<UserInfo>> {
    let Some(owner) = access_owner(&state.db, raw).await? else { return Ok(None) };
    let user = owner.user;
    let mut h = state.db.acquire().await?;
    let groups = groups_of(h.conn(), &user, owner.scopes.public_only()).await?;
    Ok(Some(UserInfo {
        sub: user.id.to_string(),
        name: display_name(&user),
        preferred_username: user.name.clone(),
        email: user.email.clone(),
        picture: avatar_url(&state.links, &user),
        groups: (!groups.is_empty()).then_some(groups),
    }))
}

/// RFC 7009: revoke an access or refresh token issued to the (authenticated) client. Unknown
/// tokens and other clients' tokens are answered like revoked ones (200), as the RFC asks; a
/// refresh token takes its grant's other tokens with it.
pub async fn revoke(
    db: &Db,
    client_id: &str,
    client_secret: &str,
    token: &str,
) -> ServiceResult<Result<(), TokenError>> {
    let mut h = db.acquire().await?;
    let Some(app) = store::app_by_client_id(h.conn(), client_id).await? else {
        return Ok(Err(token_error("invalid_client", "client authentication failed")));
    };
    if app.confidential_client && !secret_matches(&app, client_secret) {
        return Ok(Err(token_error("invalid_client", "client authentication failed")));
    }
    let Some(row) = store::token_by_hash(h.conn(), &hash_token(token)).await? else { return Ok(Ok(())) };
    let Some(grant) = store::grant_by_id(h.conn(), row.grant_id).await? else { return Ok(Ok(())) };
    if grant.application_id != app.id {
        return Ok(Ok(()));
    }
    if row.kind == store::REFRESH_TOKEN {
        store::delete_grant_tokens(h.conn(), grant.id).await?;
    } else {
        store::delete_token(h.conn(), row.id).await?;
    }
    Ok(Ok(()))
}

/// Token introspection (RFC 7662, Gitea's `/login/oauth/introspect`): `None` when the calling
/// client does not authenticate (it must be a registered client with its secret, as Gitea asks);
/// otherwise `{"active": false}`, or the live token's scope, user and registered claims. As in
/// Gitea, any registered client may introspect any token (resource servers are clients too).
pub async fn introspect(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
    token: &str,
) -> ServiceResult<Option<serde_json::Value>> {
    let mut h = state.db.acquire().await?;
    let Some(caller) = store::app_by_client_id(h.conn(), client_id).await? else { return Ok(None) };
    if !secret_matches(&caller, client_secret) {
        return Ok(None);
    }
    let inactive = serde_json::json!({ "active": false });
    let now = now_unix();
    let live = store::token_by_hash(h.conn(), &hash_token(token))
        .await?
        .filter(|t| t.expires_unix >= now && !(t.kind == store::REFRESH_TOKEN && t.used));
    let Some(row) = live else { return Ok(Some(inactive)) };
    let Some(grant) = store::grant_by_id(h.conn(), row.grant_id).await? else { return Ok(Some(inactive)) };
    let Some(app) = store::app_by_id(h.conn(), grant.application_id).await? else { return Ok(Some(inactive)) };
    let Some(user) = user_store::by_id(h.conn(), grant.user_id).await? else { return Ok(Some(inactive)) };
    let mut answer = serde_json::json!({
        "active": true,
        "username": user.name,
        "iss": state.links.external_url,
        "sub": user.id.to_string(),
        "aud": [app.client_id],
        "exp": row.expires_unix,
    });
    if !grant.scope.is_empty() {
        answer["scope"] = grant.scope.into();
    }
    Ok(Some(answer))
}

/// Drop expired codes and tokens (at start-up, as web sessions).
pub async fn purge_expired(db: &Db) -> ServiceResult<u64> {
    let mut h = db.acquire().await?;
    Ok(store::purge_expired(h.conn(), now_unix()).await?)
}

// ---- the signing key ----

/// The RS256 key that signs ID tokens, and its public half as a JWK.
pub struct SigningKey {
    encoding: jsonwebtoken::EncodingKey,
    pub kid: String,
    n: String,
    e: String,
}

impl SigningKey {
    /// Read the PKCS#8 PEM key at `path`, or make a 2048-bit one there when it is missing.
    pub fn load_or_create(path: &Path) -> anyhow::Result<SigningKey> {
        use pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let key = match std::fs::read_to_string(path) {
            Ok(pem) => rsa::PrivateKey::from_pkcs8_pem(&pem)
                .map_err(|e| anyhow::anyhow!("{}: not an RSA private key in PKCS#8 PEM: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = rsa::PrivateKey::new(&mut rand::rng(), 2048)?;
                let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| anyhow::anyhow!("encoding the key: {e}"))?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                write_private(&tmp, pem.as_bytes())?;
                std::fs::rename(&tmp, path)?;
                tracing::info!(path = %path.display(), "made the OAuth2 signing key");
                key
            }
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        };
        let der = key.to_pkcs1_der().map_err(|e| anyhow::anyhow!("encoding the key: {e}"))?;
        let n = b64url(&key.n_bytes());
        let e = b64url(&key.e_bytes());
        // RFC 7638 thumbprint: the required members in lexicographic order, no spaces.
        let kid = b64url(&Sha256::digest(format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#).as_bytes()));
        Ok(SigningKey { encoding: jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes()), kid, n, e })
    }

    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({ "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e })
    }

    fn sign(&self, claims: &impl Serialize) -> ServiceResult<String> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| ServiceError::Internal(e.into()))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// The server's signing key, read (or made) on first use.
pub async fn signing_key(state: &AppState) -> ServiceResult<Arc<SigningKey>> {
    let path = state.config.oauth2.signing_key_file.clone();
    let key = state
        .oauth2_key
        .get_or_try_init(|| async move {
            let loaded = tokio::task::spawn_blocking(move || SigningKey::load_or_create(&path)).await;
            loaded.map_err(anyhow::Error::from)?.map(Arc::new)
        })
        .await
        .map_err(ServiceError::Internal)?;
    Ok(key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_secrets_have_gitea_shapes() {
        let id = new_client_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        let secret = new_client_secret();
        assert!(secret.starts_with("gto_") && secret.len() == 4 + 52, "{secret}");
        assert!(secret[4..].chars().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
    }

    #[test]
    fn grant_scopes_map_onto_token_scopes() {
        assert!(token_scopes("openid profile").is_empty());
        assert!(token_scopes("").is_empty());
        assert!(token_scopes("openid no-such-scope").is_empty());
        let s = token_scopes("openid read:repository");
        assert!(!s.is_empty());
        assert_eq!(s.normalized(), "read:repository");
    }

    fn app(uris: &[&str], confidential: bool) -> AppRow {
        AppRow {
            id: 1,
            uid: 1,
            name: "a".into(),
            client_id: "c".into(),
            client_secret_sha256: String::new(),
            confidential_client: confidential,
            skip_secondary_authorization: false,
            redirect_uris: serde_json::to_string(uris).unwrap(),
            created_unix: 0,
            updated_unix: 0,
        }
    }

    #[test]
    fn loopback_redirects_of_public_clients_match_any_port() {
        let public = app(&["http://127.0.0.1/cb", "https://example.com/cb"], false);
        assert!(allows_redirect(&public, "http://127.0.0.1:43123/cb"));
        assert!(allows_redirect(&public, "https://example.com/cb"));
        assert!(!allows_redirect(&public, "https://example.com:444/cb"));
        assert!(!allows_redirect(&public, "http://127.0.0.1:43123/other"));
        let confidential = app(&["http://127.0.0.1/cb"], true);
        assert!(!allows_redirect(&confidential, "http://127.0.0.1:43123/cb"));
    }

    #[test]
    fn pkce_s256_compares_the_hashed_verifier() {
        let code = CodeRow {
            code_sha256: String::new(),
            grant_id: 1,
            redirect_uri: String::new(),
            // BASE64URL(SHA-256(verifier)), computed with Python's hashlib.
            code_challenge: "PyT2HWTUh1aBD6X6f6ZSo0DNn68a89-4Y5hXFKRzwuw".into(),
            code_challenge_method: "S256".into(),
            expires_unix: 0,
            used: false,
        };
        assert!(pkce_ok(&code, "dBjftJeZ4CVP-mJ0kQ2VXsw08efPdYb3y0O9ZOrrAcV"));
        assert!(!pkce_ok(&code, "dBjftJeZ4CVP-mJ0kQ2VXsw08efPdYb3y0O9ZOrrAcW"));
        assert!(!pkce_ok(&code, ""));
    }
}
