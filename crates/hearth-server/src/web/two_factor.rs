//! Two-factor authentication in the browser: the settings page that enrols (QR code, then a
//! passcode to confirm), shows how many recovery codes are left, makes new ones and disables;
//! and the second step of signing in (a passcode, or a recovery code), all through
//! `service::two_factor`.
//!
//! Between the password and the passcode the browser holds a short-lived cookie naming the
//! account, signed with the server's key: nothing is written for a half-finished sign-in.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use base64::Engine;
use hearth_store::users::{self, UserRow};
use minijinja::context;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::page::{WebError, render, render_status};
use super::session::{self, CookieJar, Viewer, redirect_with_flash};
use crate::app::AppState;
use crate::extract::auth::ClientIp;
use crate::service::two_factor::{self, Check};
use crate::service::{ServiceError, now_unix};

const PENDING_COOKIE: &str = "hearth_2fa";
const PENDING_PURPOSE: &str = "two-factor sign-in";
/// How long the passcode step waits after the password.
const PENDING_SECS: i64 = 300;
const SECURITY: &str = "/user/settings/security";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(SECURITY, get(security))
        .route("/user/settings/two_factor_enable", get(enable_form).post(enable))
        .route("/user/settings/two_factor_disable", post(disable))
        .route("/user/settings/two_factor_recovery_codes", post(regenerate))
        .route("/user/login/two_factor", get(passcode_form).post(passcode))
        .route("/user/login/two_factor_recovery_code", get(recovery_form).post(recovery))
}

// ---- the second step of signing in ----

/// The password was right for an enrolled account: hold it in the pending cookie and ask for the
/// passcode.
pub fn ask_for_passcode(state: &AppState, user: &UserRow, remember: bool, to: &str) -> Response {
    let expires = now_unix() + PENDING_SECS;
    let payload = format!("{}\n{expires}\n{}\n{to}", user.id, u8::from(remember));
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let value = format!("{encoded}.{}", state.secret.mac(PENDING_PURPOSE, encoded.as_bytes()));
    let mut resp = redirect_with_flash(state, "/user/login/two_factor", "Enter the passcode your app shows.");
    resp.headers_mut()
        .append(header::SET_COOKIE, CookieJar::new(state).set(PENDING_COOKIE, &value, Some(PENDING_SECS)));
    resp
}

/// A sign-in waiting for its passcode: the account, "remember me" and where to go after.
struct Pending {
    user_id: i64,
    remember: bool,
    to: String,
}

fn pending(state: &AppState, headers: &HeaderMap) -> Option<Pending> {
    let value = session::cookie(headers, PENDING_COOKIE)?;
    let (encoded, mac) = value.split_once('.')?;
    let expected = state.secret.mac(PENDING_PURPOSE, encoded.as_bytes());
    if !bool::from(expected.as_bytes().ct_eq(mac.as_bytes())) {
        return None;
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut parts = text.splitn(4, '\n');
    let user_id = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let remember = parts.next()? == "1";
    let to = parts.next()?.to_string();
    (expires >= now_unix()).then_some(Pending { user_id, remember, to })
}

/// No pending sign-in (never begun, expired or forged): start again at the password.
fn start_again(state: &AppState) -> Response {
    redirect_with_flash(state, "/user/login", "Sign in again: the passcode step has expired.")
}

fn step_page(viewer: &Viewer, recovery: bool, status: StatusCode, error: Option<&str>) -> Result<Response, WebError> {
    render_status(viewer, status, "login_two_factor.html", context! { recovery, error })
}

/// The passcode (or recovery code) form of a pending sign-in.
async fn step_form(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    recovery: bool,
) -> Result<Response, WebError> {
    if pending(state, headers).is_none() {
        return Ok(start_again(state));
    }
    step_page(viewer, recovery, StatusCode::OK, None)
}

pub async fn passcode_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    step_form(&state, &viewer, &headers, false).await
}

pub async fn recovery_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    step_form(&state, &viewer, &headers, true).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    passcode: String,
    recovery_code: String,
}

pub async fn passcode(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    second_step(state, viewer, headers, ip, form, false).await
}

pub async fn recovery(
    state: State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    second_step(state, viewer, headers, ip, form, true).await
}

/// Check the passcode (or recovery code) of the pending sign-in, under the same failed-login
/// limits as passwords (per account and address), and sign in.
async fn second_step(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ip: Option<Extension<ClientIp>>,
    form: CodeForm,
    recovery: bool,
) -> Result<Response, WebError> {
    let Some(p) = pending(&state, &headers) else { return Ok(start_again(&state)) };
    let user = {
        let mut h = state.db.acquire().await?;
        users::by_id(h.conn(), p.user_id).await?
    };
    // Deleted, barred or deactivated since the password: start again (and be told there).
    let Some(user) = user.filter(|u| !u.prohibit_login && u.is_active) else { return Ok(start_again(&state)) };
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let attempt = match state.login_throttle.begin(&user.name, ip) {
        Ok(a) => a,
        Err(_) => {
            let message = "Too many failed sign-in attempts. Try again later.";
            return step_page(&viewer, recovery, StatusCode::TOO_MANY_REQUESTS, Some(message));
        }
    };
    let accepted = if recovery {
        two_factor::use_recovery_code(&state, user.id, &form.recovery_code).await
    } else {
        // Not enrolled any more (an admin reset it): the password was enough.
        two_factor::check(&state, user.id, &form.passcode).await.map(|c| c != Check::Refused)
    };
    match accepted {
        Ok(true) => {
            attempt.succeeded();
            let mut resp = session::sign_in(&state, viewer.session_hash.as_deref(), &user, p.remember, &p.to).await?;
            resp.headers_mut().append(header::SET_COOKIE, CookieJar::new(&state).clear(PENDING_COOKIE));
            Ok(resp)
        }
        Ok(false) => {
            attempt.failed();
            let message = if recovery {
                "That recovery code is not one of yours, or it has been used."
            } else {
                "The passcode is not correct (or it has been used already)."
            };
            step_page(&viewer, recovery, StatusCode::UNPROCESSABLE_ENTITY, Some(message))
        }
        Err(e) => {
            attempt.not_checked();
            Err(e.into())
        }
    }
}

// ---- settings ----

pub async fn security(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let left = two_factor::status(&state, me.id).await?;
    render(&viewer, "settings/security.html", context! { section => "security", enrolled => left.is_some(), left })
}

fn enable_page(
    state: &AppState,
    viewer: &Viewer,
    me: &UserRow,
    token: Option<&str>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let enrolment = match token {
        Some(t) => two_factor::resume(state, me, t),
        None => two_factor::begin(state, me),
    }?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        viewer,
        status,
        "settings/two_factor_enable.html",
        context! {
            section => "security",
            secret => enrolment.secret, uri => enrolment.uri,
            qr => minijinja::Value::from_safe_string(enrolment.svg),
            token => enrolment.token, error,
        },
    )
}

pub async fn enable_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    if two_factor::is_enrolled(&state, me.id).await? {
        return Ok(redirect_with_flash(&state, SECURITY, "Two-factor authentication is already enabled."));
    }
    enable_page(&state, &viewer, me, None, None)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnableForm {
    token: String,
    passcode: String,
}

pub async fn enable(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EnableForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    if two_factor::is_enrolled(&state, me.id).await? {
        return Ok(redirect_with_flash(&state, SECURITY, "Two-factor authentication is already enabled."));
    }
    match two_factor::enroll(&state, me, &form.token, &form.passcode).await {
        Ok(codes) => codes_page(&viewer, codes, "Two-factor authentication is now enabled."),
        Err(ServiceError::Invalid(message)) => enable_page(&state, &viewer, me, Some(&form.token), Some(&message)),
        // A token that is not this account's (forged, another user's, an older key): begin again.
        Err(ServiceError::NotFound) => {
            enable_page(&state, &viewer, me, None, Some("The enrolment has expired: scan this new code."))
        }
        Err(e) => Err(e.into()),
    }
}

/// The recovery codes, shown this once.
fn codes_page(viewer: &Viewer, codes: Vec<String>, message: &str) -> Result<Response, WebError> {
    render(viewer, "settings/recovery_codes.html", context! { section => "security", codes, message })
}

pub async fn regenerate(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    match two_factor::regenerate_recovery_codes(&state, me.id).await {
        Ok(codes) => codes_page(&viewer, codes, "New recovery codes: the old ones no longer work."),
        Err(ServiceError::NotFound) => {
            Ok(redirect_with_flash(&state, SECURITY, "Two-factor authentication is not enabled."))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disable(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let message = if two_factor::disable(&state, me.id).await? {
        "Two-factor authentication is now disabled."
    } else {
        "Two-factor authentication is not enabled."
    };
    Ok(redirect_with_flash(&state, SECURITY, message))
}
