//! Who is looking: the session cookie, the viewer of every page, and the cookies hearth sets
//! (web-ui.md §4.1). A signed-in session is a `web_session` row found by the SHA-256 of the cookie
//! value; an anonymous visitor only gets a CSRF cookie (no database write for reading a page).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::users::UserRow;
use hearth_store::web_sessions;
use sha2::{Digest, Sha256};

use super::page::{ErrorPage, NeedsSignIn, WebError, error_page};
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::auth::RequestUser;
use crate::service::now_unix;

pub const SESSION_COOKIE: &str = "hearth_session";
pub const CSRF_COOKIE: &str = "hearth_csrf";
const FLASH_COOKIE: &str = "hearth_flash";

/// The viewer of a page: the signed-in user (if any), the CSRF token forms must carry, and the
/// one-time status message left by the previous POST.
#[derive(Clone)]
pub struct Viewer {
    pub user: Option<Arc<UserRow>>,
    pub csrf: String,
    /// SHA-256 of the session cookie, when signed in.
    pub session_hash: Option<String>,
    pub flash: Option<String>,
    pub registration_disabled: bool,
    /// Whether the server sends e-mail (the sign-in page then offers a password reset).
    pub mail_enabled: bool,
    /// The signed-in viewer may create organisations (`DISABLE_REGULAR_ORG_CREATION` leaves that to
    /// site admins): the header then links "New organization".
    pub may_create_org: bool,
    /// The signed-in viewer's unread notification threads (the header's "Notifications" count).
    pub unread: i64,
    /// A fresh anonymous CSRF token that the response must set as a cookie.
    new_csrf_cookie: bool,
}

impl Viewer {
    pub fn signed_in(&self) -> Result<&Arc<UserRow>, WebError> {
        self.user.as_ref().ok_or(WebError::SignIn)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Viewer, WebError> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| WebError::Internal(anyhow::anyhow!("no viewer")))
    }
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

pub fn hash_session_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Cookie attributes for this site: HttpOnly, SameSite=Lax, the external URL's path, Secure
/// behind https.
pub struct CookieJar {
    path: String,
    secure: bool,
}

impl CookieJar {
    pub fn new(state: &AppState) -> CookieJar {
        let url = state.config.server.external_url.as_deref().unwrap_or("");
        let secure = url.starts_with("https://");
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].trim_end_matches('/').to_string()))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".to_string());
        CookieJar { path, secure }
    }

    /// `max_age` None: ends with the browser session.
    pub fn set(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut c = format!("{name}={value}; Path={}; HttpOnly; SameSite=Lax", self.path);
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            c.push_str("; Secure");
        }
        HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    pub fn clear(&self, name: &str) -> HeaderValue {
        self.set(name, "", Some(0))
    }
}

/// Middleware around every route: find the viewer, run the request, then render error pages and
/// sign-in redirects with that viewer and set the cookies the response needs.
pub async fn viewer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    if api {
        // The API ignores the session cookie; its 404s stay JSON.
        let resp = next.run(req).await;
        return match resp.extensions().get::<ErrorPage>() {
            Some(ErrorPage(status)) => ApiError::Status(*status).into_response(),
            None => resp,
        };
    }
    let viewer = match find_viewer(&state, req.headers()).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("reading the session: {e:#}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response();
        }
    };
    let path_and_query =
        req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| req.uri().path().to_string());
    req.extensions_mut().insert(viewer.clone());
    let mut resp = next.run(req).await;

    if resp.extensions().get::<NeedsSignIn>().is_some() {
        let to = format!("/user/login?redirect_to={}", urlencode(&path_and_query));
        resp = Redirect::to(&to).into_response();
    } else if let Some(ErrorPage(status)) = resp.extensions().get::<ErrorPage>().copied() {
        resp = error_page(&viewer, status);
    }
    let jar = CookieJar::new(&state);
    if viewer.new_csrf_cookie
        && resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        resp.headers_mut().append(header::SET_COOKIE, jar.set(CSRF_COOKIE, &viewer.csrf, None));
    }
    if viewer.flash.is_some() && resp.status() == StatusCode::OK {
        resp.headers_mut().append(header::SET_COOKIE, jar.clear(FLASH_COOKIE));
    }
    if let Some(user) = &viewer.user {
        resp.extensions_mut().insert(RequestUser(user.name.clone()));
    }
    resp
}

async fn find_viewer(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Viewer> {
    let mut user = None;
    let mut csrf = None;
    let mut session_hash = None;
    if let Some(id) = cookie(headers, SESSION_COOKIE).filter(|v| !v.is_empty()) {
        let hash = hash_session_id(id);
        let mut h = state.db.acquire().await?;
        // Checked on every request, not only at sign-in: an account an administrator barred or
        // deactivated is signed out at once, whatever sessions survive.
        if let Some(found) = web_sessions::user_of(h.conn(), &hash, now_unix()).await?
            && !found.user.prohibit_login
            && found.user.is_active
        {
            user = Some(Arc::new(found.user));
            csrf = Some(found.csrf_token);
            session_hash = Some(hash);
        }
    }
    let unread = match &user {
        Some(u) => {
            let mut h = state.db.acquire().await?;
            hearth_store::notifications::count_unread(h.conn(), u.id).await?
        }
        None => 0,
    };
    let mut new_csrf_cookie = false;
    let csrf = match csrf {
        Some(token) => token,
        None => {
            match cookie(headers, CSRF_COOKIE).filter(|v| v.len() == 40 && v.bytes().all(|b| b.is_ascii_hexdigit())) {
                Some(token) => token.to_string(),
                None => {
                    new_csrf_cookie = true;
                    random_hex(20)
                }
            }
        }
    };
    let flash = cookie(headers, FLASH_COOKIE)
        .and_then(|v| percent_encoding::percent_decode_str(v).decode_utf8().ok().map(|s| s.into_owned()))
        .filter(|s| !s.is_empty());
    let may_create_org =
        user.as_deref().is_some_and(|u| crate::service::orgs::check_may_create(&state.config, u).is_ok());
    Ok(Viewer {
        user,
        csrf,
        session_hash,
        flash,
        registration_disabled: state.config.auth.disable_registration,
        mail_enabled: state.config.email.enabled,
        may_create_org,
        unread,
        new_csrf_cookie,
    })
}

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Start a session for `user` (a new id every time: web-ui.md §4.1) and answer with a 303 to `to`.
/// `remember` keeps the cookie for `[security] LOGIN_REMEMBER_DAYS`; otherwise it ends with the
/// browser session (the row still expires after those days).
pub async fn sign_in(
    state: &AppState,
    previous: Option<&str>,
    user: &UserRow,
    remember: bool,
    to: &str,
) -> Result<Response, WebError> {
    let id = random_hex(32);
    let days = state.config.security.login_remember_days.max(1);
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if let Some(old) = previous {
        web_sessions::delete(tx.conn(), old).await?;
    }
    web_sessions::insert(tx.conn(), &hash_session_id(&id), user.id, &random_hex(20), now, now + days * 86400).await?;
    tx.commit().await?;
    let jar = CookieJar::new(state);
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut().append(header::SET_COOKIE, jar.set(SESSION_COOKIE, &id, remember.then_some(days * 86400)));
    Ok(resp)
}

/// End the viewer's session on the server and drop its cookie.
pub async fn sign_out(state: &AppState, viewer: &Viewer) -> Result<Response, WebError> {
    if let Some(hash) = &viewer.session_hash {
        let mut h = state.db.acquire().await?;
        web_sessions::delete(h.conn(), hash).await?;
    }
    let jar = CookieJar::new(state);
    let mut resp = Redirect::to(&site_path(state, "/")).into_response();
    resp.headers_mut().append(header::SET_COOKIE, jar.clear(SESSION_COOKIE));
    Ok(resp)
}

/// A 303 to `to` that shows `message` in the next page's `role="status"` (web-ui.md §4.4). The
/// message rides in a short-lived HttpOnly cookie, cleared by the page that shows it.
pub fn redirect_with_flash(state: &AppState, to: &str, message: &str) -> Response {
    let jar = CookieJar::new(state);
    let mut resp = Redirect::to(&site_path(state, to)).into_response();
    resp.headers_mut().append(header::SET_COOKIE, jar.set(FLASH_COOKIE, &urlencode(message), Some(120)));
    resp
}

/// A site-local path under the external URL's sub-path (if any).
pub fn site_path(state: &AppState, path: &str) -> String {
    let jar = CookieJar::new(state);
    if jar.path == "/" { path.to_string() } else { format!("{}{path}", jar.path) }
}

/// `[auth] REQUIRE_SIGNIN_VIEW`: anonymous visitors see only sign-in, sign-up and the assets.
pub async fn require_signin_view(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.auth.require_signin_view {
        let open = matches!(
            req.uri().path(),
            "/user/login"
                | "/user/login/two_factor"
                | "/user/login/two_factor_recovery_code"
                | "/user/sign_up"
                | "/favicon.ico"
        ) || req.uri().path().starts_with("/assets/");
        let anon = req.extensions().get::<Viewer>().is_none_or(|v| v.user.is_none());
        if anon && !open {
            return WebError::SignIn.into_response();
        }
    }
    next.run(req).await
}

/// Drop expired sessions; run at start and by the periodic chores.
pub async fn purge_expired_sessions(state: &AppState) -> anyhow::Result<u64> {
    let mut h = state.db.acquire().await?;
    Ok(web_sessions::purge_expired(h.conn(), now_unix()).await?)
}
