//! Signing up, in and out (web-ui.md §4.3), through the same account services as the API.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::{Form, response::IntoResponse};
use minijinja::context;
use serde::Deserialize;

use super::page::{WebError, render, render_status};
use super::session::{self, Viewer};
use crate::app::AppState;
use crate::extract::auth::ClientIp;
use crate::service::accounts::{self, NewAccount};
use crate::service::{ServiceError, two_factor};

const BAD_LOGIN: &str = "Incorrect username or password.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RedirectQuery {
    redirect_to: String,
}

/// `redirect_to` only when it is a path on this site (one leading `/`, not `//` or `/\`).
fn safe_redirect(to: &str) -> &str {
    let b = to.as_bytes();
    if b.first() == Some(&b'/') && !matches!(b.get(1), Some(b'/') | Some(b'\\')) && !to.contains(['\r', '\n']) {
        to
    } else {
        "/"
    }
}

pub async fn login_form(viewer: Viewer, Query(q): Query<RedirectQuery>) -> Result<Response, WebError> {
    if viewer.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(&viewer, "login.html", context! { login => "", redirect_to => q.redirect_to, error => None::<String> })
}

/// `/user/activate?code=…`: the mailed link confirms the address, activates the account and
/// signs it in.
pub async fn activate(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    match crate::service::password_reset::activate(&state, &q.code).await {
        Ok(user) => session::sign_in(&state, viewer.session_hash.as_deref(), &user, false, "/").await,
        Err(ServiceError::NotFound) => {
            render_status(&viewer, StatusCode::NOT_FOUND, "activate.html", context! { invalid => true })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResendForm {
    email: String,
}

/// `POST /user/activate`: mail another activation link (same answer whatever the address).
pub async fn resend_activation(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ResendForm>,
) -> Result<Response, WebError> {
    if !state.config.email.enabled {
        return Err(WebError::NotFound);
    }
    crate::service::password_reset::resend_activation(&state, &form.email).await?;
    render(&viewer, "activate.html", context! { sent_to => form.email.trim() })
}

pub async fn forget_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    render(&viewer, "forget_password.html", context! { unavailable => !state.config.email.enabled })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgetForm {
    email: String,
}

/// Mail a reset link; the answer is the same whether the address has an account or not.
pub async fn forget(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ForgetForm>,
) -> Result<Response, WebError> {
    if !state.config.email.enabled {
        return render_status(&viewer, StatusCode::NOT_FOUND, "forget_password.html", context! { unavailable => true });
    }
    crate::service::password_reset::request(&state, &form.email).await?;
    render(&viewer, "forget_password.html", context! { sent => true })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    code: String,
}

pub async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    match crate::service::password_reset::account_of(&state, &q.code).await {
        Ok(user) => render(&viewer, "reset_password.html", context! { name => user.name, code => q.code }),
        Err(ServiceError::NotFound) => {
            render_status(&viewer, StatusCode::NOT_FOUND, "reset_password.html", context! { invalid => true })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    code: String,
    password: String,
    retype: String,
}

/// Set the new password from a live code, then off to sign in.
pub async fn reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let user = match crate::service::password_reset::account_of(&state, &form.code).await {
        Ok(user) => user,
        Err(ServiceError::NotFound) => {
            return render_status(&viewer, StatusCode::NOT_FOUND, "reset_password.html", context! { invalid => true });
        }
        Err(e) => return Err(e.into()),
    };
    let again = |error: String| {
        render_status(
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reset_password.html",
            context! { name => user.name.clone(), code => form.code.clone(), error => error },
        )
    };
    if form.password.is_empty() {
        return again("Password is required.".into());
    }
    if form.password != form.retype {
        return again("The passwords do not match.".into());
    }
    match crate::service::password_reset::reset(&state, &form.code, &form.password).await {
        Ok(_) => Ok(Redirect::to("/user/login").into_response()),
        Err(ServiceError::Invalid(msg)) => again(sentence(&msg)),
        Err(ServiceError::NotFound) => {
            render_status(&viewer, StatusCode::NOT_FOUND, "reset_password.html", context! { invalid => true })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    user_name: String,
    password: String,
    remember: Option<String>,
    redirect_to: String,
}

pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let again = |status: StatusCode, error: &str| {
        render_status(
            &viewer,
            status,
            "login.html",
            context! { login => form.user_name.clone(), redirect_to => form.redirect_to.clone(), error => error },
        )
    };
    let login = form.user_name.trim();
    match accounts::authenticate(&state.db, &state.passwords, &state.login_throttle, login, &form.password, ip).await {
        Ok(Some(user)) if !user.prohibit_login && user.is_active => {
            let to = safe_redirect(&form.redirect_to).to_string();
            if two_factor::is_enrolled(&state, user.id).await? {
                return Ok(super::two_factor::ask_for_passcode(&state, &user, form.remember.is_some(), &to));
            }
            session::sign_in(&state, viewer.session_hash.as_deref(), &user, form.remember.is_some(), &to).await
        }
        // The right password for an account still waiting for its link: say so (as Gogs does),
        // and offer another link.
        Ok(Some(user)) if !user.prohibit_login => render(
            &viewer,
            "activate.html",
            context! { inactive => true, email => user.email, can_resend => state.config.email.enabled },
        ),
        Ok(_) => again(StatusCode::UNPROCESSABLE_ENTITY, BAD_LOGIN),
        Err(ServiceError::TooManyLoginAttempts { .. }) => {
            again(StatusCode::TOO_MANY_REQUESTS, "Too many failed sign-in attempts. Try again later.")
        }
        Err(ServiceError::Busy { .. }) => {
            again(StatusCode::SERVICE_UNAVAILABLE, "The server is busy. Try again shortly.")
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    session::sign_out(&state, &viewer).await
}

pub async fn sign_up_form(viewer: Viewer) -> Result<Response, WebError> {
    if viewer.registration_disabled {
        return render_status(&viewer, StatusCode::FORBIDDEN, "sign_up.html", context! { disabled => true });
    }
    if viewer.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(
        &viewer,
        "sign_up.html",
        context! { form => context! { user_name => "", email => "" }, errors => context! {} },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    user_name: String,
    email: String,
    password: String,
    retype: String,
}

pub async fn sign_up(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    if viewer.registration_disabled {
        return render_status(&viewer, StatusCode::FORBIDDEN, "sign_up.html", context! { disabled => true });
    }
    let again = |field: &str, message: String| {
        render_status(
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sign_up.html",
            context! {
                form => context! { user_name => form.user_name.clone(), email => form.email.clone() },
                errors => minijinja::Value::from_pairs([(field.to_string(), message.clone())]),
                error => message,
            },
        )
    };
    if form.password.is_empty() {
        return again("password", "Password is required.".into());
    }
    if form.password != form.retype {
        return again("retype", "The passwords do not match.".into());
    }
    // With confirmation required (and mail to confirm with), the account waits for its link.
    let confirm = state.config.auth.require_email_confirmation && state.config.email.enabled;
    let name = form.user_name.trim().to_string();
    let account = NewAccount {
        activation: confirm.then(|| crate::service::password_reset::activation(&state, &name)),
        name,
        email: form.email.trim().to_string(),
        password: form.password.clone(),
        ..NewAccount::default()
    };
    match accounts::sign_up(&state.db, &state.passwords, &account).await {
        Ok(user) if !user.is_active => {
            state.wake(crate::service::signals::Job::Mail);
            render(&viewer, "activate.html", context! { sent_to => user.email })
        }
        Ok(user) => session::sign_in(&state, viewer.session_hash.as_deref(), &user, false, "/").await,
        Err(ServiceError::Invalid(msg)) => {
            let field = if msg.contains("email") { "email" } else { "user_name" };
            again(field, sentence(&msg))
        }
        Err(e) => Err(e.into()),
    }
}

/// The service's message as a sentence for a person: `name is not valid [name: x]` →
/// `Name is not valid.` (a message that is already a sentence keeps its one full stop).
pub(super) fn sentence(msg: &str) -> String {
    let core = msg.split(" [").next().unwrap_or(msg).trim();
    let stop = if core.ends_with(['.', '!', '?']) { "" } else { "." };
    let mut chars = core.chars();
    match chars.next() {
        Some(first) => format!("{}{}{stop}", first.to_uppercase(), chars.as_str()),
        None => "Invalid input.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_messages_become_one_sentence() {
        assert_eq!(sentence("name is not valid [name: x]"), "Name is not valid.");
        assert_eq!(sentence("Payload URL must be an http or https URL."), "Payload URL must be an http or https URL.");
        assert_eq!(sentence(""), "Invalid input.");
    }

    #[test]
    fn only_site_paths_are_followed_after_sign_in() {
        assert_eq!(safe_redirect("/alice/repo?x=1"), "/alice/repo?x=1");
        assert_eq!(safe_redirect("//evil.example/"), "/");
        assert_eq!(safe_redirect("/\\evil.example/"), "/");
        assert_eq!(safe_redirect("https://evil.example/"), "/");
        assert_eq!(safe_redirect(""), "/");
    }
}
