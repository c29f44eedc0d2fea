//! Who is calling (spec README §3): tokens (header, and `?token=`/`?access_token=` unless
//! disabled), then HTTP Basic; then `Sudo`. The middleware resolves the identity once per request;
//! the extractors below are the route guards.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::Extensions;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hearth_store::UserKind;
use hearth_store::users::{self, UserRow};

use crate::app::AppState;
use crate::error::ApiError;
use crate::service::token_scopes::{Level, Scopes, route_categories};
use crate::service::{accounts, oauth2, two_factor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Anonymous,
    /// Authenticated by an access token (its id).
    Token(i64),
    /// Authenticated by an OAuth2 access token (its id); a token for every guard.
    OAuth2(i64),
    /// Authenticated by user name (or e-mail) and password.
    Basic,
}

/// The resolved caller of a request.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: Option<Arc<UserRow>>,
    pub method: AuthMethod,
    /// The token's scopes; empty (no limit) for a token made without scopes and for other methods.
    pub scopes: Scopes,
}

impl Identity {
    fn anonymous() -> Identity {
        Identity { user: None, method: AuthMethod::Anonymous, scopes: Scopes::default() }
    }
}

/// Credentials found in a request, before checking them.
struct Credentials {
    token: Option<String>,
    basic: Option<(String, String)>,
}

fn find_credentials(parts: &Parts, allow_query: bool) -> Credentials {
    let mut token = None;
    if allow_query && let Some(q) = parts.uri.query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        token = ["token", "access_token"]
            .iter()
            .find_map(|name| pairs.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone()));
    }
    let mut basic = None;
    if let Some(value) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut words = value.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            // `token` as Gogs spells it; `bearer` in any case, as Gitea's own clients send it.
            (Some(scheme), Some(t), None)
                if token.is_none() && (scheme == "token" || scheme.eq_ignore_ascii_case("bearer")) =>
            {
                token = Some(t.to_string())
            }
            (Some(scheme), Some(encoded), None) if scheme.eq_ignore_ascii_case("basic") => {
                basic = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
                    .and_then(|raw| String::from_utf8(raw).ok())
                    .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_string(), p.to_string())));
            }
            _ => {}
        }
    }
    Credentials { token, basic }
}

/// The client's address: the one the request log decided on ([`real_ip`]: `X-Forwarded-For` only
/// from a trusted proxy), else the TCP peer, when the server was started with it.
pub fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    if let Some(ClientIp(ip)) = extensions.get::<ClientIp>() {
        return Some(*ip);
    }
    extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

/// Tokens are never throttled; Basic auth is, per name and address, and answers 429 while limited
/// (before the password is looked at), also on routes that allow anonymous callers.
async fn resolve(state: &AppState, parts: &Parts) -> Result<Identity, ApiError> {
    let creds = find_credentials(parts, !state.config.security.disable_query_auth_token);
    if let Some(raw) = creds.token.as_deref()
        && oauth2::is_access_token(raw)
    {
        if let Some(found) = oauth2::access_owner(&state.db, raw).await? {
            return Ok(Identity {
                user: Some(Arc::new(found.user)),
                method: AuthMethod::OAuth2(found.token_id),
                scopes: found.scopes,
            });
        }
    } else if let Some(raw) = creds.token.as_deref()
        && let Some(found) = state.token_cache.owner(&state.db, raw).await?
    {
        state.token_usage.touch(found.token_id);
        return Ok(Identity {
            user: Some(found.user.clone()),
            method: AuthMethod::Token(found.token_id),
            scopes: found.scopes,
        });
    }
    if let Some((login, password)) = creds.basic
        && let Some(user) = accounts::authenticate(
            &state.db,
            &state.passwords,
            &state.login_throttle,
            &login,
            &password,
            client_ip(&parts.extensions),
        )
        .await?
    {
        // An account with a second factor needs its passcode with the password (Gitea's header).
        let otp = ["x-forgejo-otp", "x-gitea-otp"]
            .iter()
            .find_map(|name| parts.headers.get(*name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()))
            .unwrap_or("");
        if two_factor::check(state, user.id, otp).await? == two_factor::Check::Refused {
            return Err(ApiError::Message(StatusCode::UNAUTHORIZED, "invalid provided OTP".into()));
        }
        return Ok(Identity { user: Some(Arc::new(user)), method: AuthMethod::Basic, scopes: Scopes::default() });
    }
    Ok(Identity::anonymous())
}

fn sudo_target(parts: &Parts) -> Option<String> {
    let from_query = parts.uri.query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, v)| k == "sudo" && !v.is_empty())
            .map(|(_, v)| v)
    });
    from_query.or_else(|| {
        parts
            .headers
            .get("sudo")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    })
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "message": text }))).into_response()
}

/// Middleware for `/api/…`: resolves the identity, applies the account-state and sign-in gates,
/// `Sudo`, and the OPTIONS catch-all.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let mut identity = match resolve(&state, &parts).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    if let Some(user) = &identity.user {
        if user.prohibit_login {
            return message(
                StatusCode::FORBIDDEN,
                "This account is prohibited from signing in, please contact your site administrator.",
            );
        }
        if state.config.auth.require_email_confirmation && !user.is_active {
            return message(StatusCode::FORBIDDEN, "This account is not activated.");
        }
    } else if state.config.auth.require_signin_view {
        return message(StatusCode::FORBIDDEN, "Only authenticated user is allowed to call APIs.");
    }
    if parts.method == Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    if let Some(target) = sudo_target(&parts) {
        if !identity.user.as_ref().is_some_and(|u| u.is_admin) {
            return message(StatusCode::FORBIDDEN, "Only administrators allowed to sudo.");
        }
        let found = match state.db.acquire().await {
            Ok(mut h) => users::by_name(h.conn(), &target).await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(u)) if u.kind == UserKind::Individual => identity.user = Some(Arc::new(u)),
            Ok(_) => return ApiError::not_found().into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    let user = identity.user.as_ref().map(|u| RequestUser(u.name.clone()));
    parts.extensions.insert(identity);
    let mut resp = enforce_scopes(Request::from_parts(parts, body), next).await;
    if let Some(user) = user {
        resp.extensions_mut().insert(user);
    }
    resp
}

/// Who made an API request (the user acted as, with `Sudo`), left on the response for the
/// request log.
#[derive(Clone)]
pub struct RequestUser(pub String);

/// The client address the request log decided on (see [`real_ip`]), for everything after it.
#[derive(Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// The client's address: the TCP peer, or the address `X-Forwarded-For` names when the peer is a
/// trusted proxy (`[auth] TRUSTED_PROXY_IPS`): the right-most address that is not itself trusted.
pub fn real_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let hops: Vec<&str> = hops.collect();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// Middleware after [`identify`]: a token with scopes may call a route only when it has the route's
/// categories at the method's level (Gitea's `tokenRequiresScopes`), else 403 with Gitea's message.
pub async fn enforce_scopes(req: Request, next: Next) -> Response {
    if let Some(id) = req.extensions().get::<Identity>()
        && matches!(id.method, AuthMethod::Token(_) | AuthMethod::OAuth2(_))
        && !id.scopes.is_empty()
    {
        let categories = route_categories(req.uri().path());
        if let Err(message) = id.scopes.check(&categories, Level::of(req.method())) {
            return ApiError::Message(StatusCode::FORBIDDEN, message).into_response();
        }
    }
    next.run(req).await
}

pub(crate) fn identity_of(parts: &Parts) -> Identity {
    parts.extensions.get::<Identity>().cloned().unwrap_or_else(Identity::anonymous)
}

/// Any caller, possibly anonymous (`none` routes).
pub struct Auth(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Auth(identity_of(parts)))
    }
}

/// The `token` guard: a token, or (hearth's default, a Gitea superset) Basic auth; else 401.
pub struct TokenUser(pub Arc<UserRow>);

impl FromRequestParts<AppState> for TokenUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let id = identity_of(parts);
        match (id.method, id.user) {
            (AuthMethod::Token(_) | AuthMethod::OAuth2(_), Some(u)) => Ok(TokenUser(u)),
            (AuthMethod::Basic, Some(u)) if !state.config.security.strict_token_auth => Ok(TokenUser(u)),
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// The `basic` guard: user name and password; a token is not enough (401).
pub struct BasicUser(pub Arc<UserRow>);

impl<S: Send + Sync> FromRequestParts<S> for BasicUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let id = identity_of(parts);
        match (id.method, id.user) {
            (AuthMethod::Basic, Some(u)) => Ok(BasicUser(u)),
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// The `site-admin` guard: any credential of a site administrator; everyone else 403.
pub struct SiteAdmin(pub Arc<UserRow>);

impl<S: Send + Sync> FromRequestParts<S> for SiteAdmin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identity_of(parts).user {
            Some(u) if u.is_admin => Ok(SiteAdmin(u)),
            _ => Err(ApiError::forbidden()),
        }
    }
}

/// Gitea's site-admin guard (its `/admin` routes sit behind `reqToken` first): 401 without
/// credentials, 403 for callers who are not site administrators. Gogs' own admin routes keep
/// [`SiteAdmin`] (403 for everyone).
pub struct SignedInAdmin(pub Arc<UserRow>);

impl<S: Send + Sync> FromRequestParts<S> for SignedInAdmin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identity_of(parts).user {
            Some(u) if u.is_admin => Ok(SignedInAdmin(u)),
            Some(_) => Err(ApiError::forbidden()),
            None => Err(ApiError::unauthorized()),
        }
    }
}
