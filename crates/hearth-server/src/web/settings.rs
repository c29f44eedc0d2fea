//! `/user/settings…`: the signed-in account's profile, password, e-mail addresses, SSH keys and
//! access tokens (web-ui.md §5), through the same services as the API's `/user/…` routes.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::users::UserRow;
use hearth_store::{Window, keys as key_store};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::account::sentence;
use super::page::{WebError, render_status, ser};
use super::session::{Viewer, redirect_with_flash};
use crate::app::AppState;
use crate::service::accounts::{self, OwnProfile};
use crate::service::keys::{self, DeleteKey};
use crate::service::oauth2::{self, AppForm};
use crate::service::{ServiceError, emails, tokens};

/// One settings page: its template, the values it shows, and a failed form's errors.
struct SettingsPage<'a> {
    viewer: &'a Viewer,
    template: &'static str,
    ctx: Value,
}

impl SettingsPage<'_> {
    fn ok(self) -> Result<Response, WebError> {
        let errors = context! {};
        render_status(self.viewer, StatusCode::OK, self.template, context! { ..self.ctx, ..context! { errors } })
    }

    /// The form again with 422: `field`'s control marked invalid, the message in the alert.
    fn invalid(self, field: &str, message: String) -> Result<Response, WebError> {
        let errors = Value::from_pairs([(field.to_string(), message.clone())]);
        render_status(
            self.viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            self.template,
            context! { ..self.ctx, ..context! { errors, error => message } },
        )
    }
}

/// The service's refusal as a field error; anything else is the page's failure.
fn refused(e: ServiceError) -> Result<String, WebError> {
    match e {
        ServiceError::Invalid(m) | ServiceError::BadRequest(m) | ServiceError::Forbidden(m) => Ok(sentence(&m)),
        ServiceError::Field { message, .. } => Ok(sentence(message)),
        other => Err(other.into()),
    }
}

/// Which field a service message names (`… [field: website]`), else `default`.
fn field_of<'a>(message: &'a str, default: &'a str) -> &'a str {
    message.split("[field: ").nth(1).and_then(|rest| rest.split(']').next()).unwrap_or(default)
}

// ---- profile ----

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    full_name: String,
    website: String,
    location: String,
}

fn profile_page<'a>(viewer: &'a Viewer, form: &ProfileForm) -> SettingsPage<'a> {
    SettingsPage {
        viewer,
        template: "settings/profile.html",
        ctx: context! { section => "profile", form => ser(form) },
    }
}

pub async fn profile(viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let form =
        ProfileForm { full_name: me.full_name.clone(), website: me.website.clone(), location: me.location.clone() };
    profile_page(&viewer, &form).ok()
}

pub async fn update_profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ProfileForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let change = OwnProfile {
        full_name: form.full_name.clone(),
        website: form.website.clone(),
        location: form.location.clone(),
    };
    match accounts::update_own_profile(&state.db, me, &change).await {
        Ok(_) => Ok(redirect_with_flash(&state, "/user/settings", "Your profile has been updated.")),
        Err(ServiceError::Invalid(m)) => {
            let field = field_of(&m, "full_name").to_string();
            profile_page(&viewer, &form).invalid(&field, sentence(&m))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- password ----

fn password_page(viewer: &Viewer) -> SettingsPage<'_> {
    SettingsPage { viewer, template: "settings/password.html", ctx: context! { section => "password" } }
}

pub async fn password(viewer: Viewer) -> Result<Response, WebError> {
    viewer.signed_in()?;
    password_page(&viewer).ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    old_password: String,
    password: String,
    retype: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    if form.password != form.retype {
        return password_page(&viewer).invalid("retype", "The new passwords do not match.".into());
    }
    let keep = viewer.session_hash.as_deref();
    match accounts::change_own_password(&state.db, &state.passwords, me, &form.old_password, &form.password, keep).await
    {
        Ok(()) => Ok(redirect_with_flash(&state, "/user/settings/password", "Your password has been changed.")),
        Err(ServiceError::Forbidden(_)) => {
            password_page(&viewer).invalid("old_password", "The current password is not correct.".into())
        }
        Err(e @ (ServiceError::Busy { .. } | ServiceError::Internal(_) | ServiceError::NotFound)) => Err(e.into()),
        Err(e) => password_page(&viewer).invalid("password", refused(e)?),
    }
}

// ---- e-mail addresses ----

async fn email_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    me: &UserRow,
    new: &str,
) -> Result<SettingsPage<'a>, WebError> {
    let list = emails::list(&state.db, me).await?;
    let preference = crate::service::mail::preference(state, me).await?;
    Ok(SettingsPage {
        viewer,
        template: "settings/email.html",
        ctx: context! { section => "email", emails => ser(&list), new_email => new, preference },
    })
}

pub async fn email(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    email_page(&state, &viewer, me, "").await?.ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PreferenceForm {
    preference: String,
}

/// Which notifications come by e-mail: all, only mentions, none.
pub async fn set_mail_preference(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PreferenceForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    match crate::service::mail::set_preference(&state, me, &form.preference).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/user/settings/email", "Your e-mail preference has been saved.")),
        Err(e) => {
            let message = refused(e)?;
            email_page(&state, &viewer, me, "").await?.invalid("preference", message)
        }
    }
}

pub async fn add_email(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let activated = !state.config.auth.require_email_confirmation;
    match emails::add(&state.db, me, std::slice::from_ref(&form.email), activated).await {
        Ok(_) => Ok(redirect_with_flash(&state, "/user/settings/email", "The e-mail address has been added.")),
        Err(e) => {
            let message = refused(e)?;
            email_page(&state, &viewer, me, &form.email).await?.invalid("email", message)
        }
    }
}

pub async fn delete_email(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    match emails::delete(&state.db, me, std::slice::from_ref(&form.email)).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/user/settings/email", "The e-mail address has been deleted.")),
        Err(e) => {
            let message = refused(e)?;
            email_page(&state, &viewer, me, "").await?.invalid("list", message)
        }
    }
}

pub async fn make_primary(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    match emails::make_primary(&state.db, me, &form.email).await {
        Ok(()) => {
            Ok(redirect_with_flash(&state, "/user/settings/email", "Your primary e-mail address has been changed."))
        }
        Err(ServiceError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let message = refused(e)?;
            email_page(&state, &viewer, me, "").await?.invalid("list", message)
        }
    }
}

// ---- SSH keys ----

#[derive(Serialize)]
struct KeyItem {
    id: i64,
    name: String,
    fingerprint: String,
    created_unix: i64,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct KeyForm {
    title: String,
    content: String,
}

async fn ssh_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    me: &UserRow,
    form: &KeyForm,
) -> Result<SettingsPage<'a>, WebError> {
    let mut h = state.db.acquire().await?;
    let (rows, _) = key_store::list_user_keys(h.conn(), me.id, Window::ALL).await?;
    let list: Vec<KeyItem> = rows
        .into_iter()
        .map(|k| KeyItem { id: k.id, name: k.name, fingerprint: k.fingerprint, created_unix: k.created_unix })
        .collect();
    Ok(SettingsPage {
        viewer,
        template: "settings/ssh.html",
        ctx: context! { section => "ssh", keys => ser(&list), form => ser(form) },
    })
}

pub async fn ssh(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    ssh_page(&state, &viewer, me, &KeyForm::default()).await?.ok()
}

pub async fn add_key(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<KeyForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let title = form.title.trim();
    if title.is_empty() {
        return ssh_page(&state, &viewer, me, &form).await?.invalid("title", "Key name is required.".into());
    }
    match keys::add_user_key(&state.db, me.id, title, form.content.trim()).await {
        Ok(_) => Ok(redirect_with_flash(&state, "/user/settings/ssh", "The SSH key has been added.")),
        Err(e) => {
            let message = refused(e)?;
            let field = if message.contains("title") { "title" } else { "content" };
            ssh_page(&state, &viewer, me, &form).await?.invalid(field, message)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IdForm {
    /// Kept as text: a hostile or garbled id is "not found", not axum's plain-text rejection.
    id: String,
}

impl IdForm {
    fn id(&self) -> Result<i64, WebError> {
        self.id.trim().parse().map_err(|_| WebError::NotFound)
    }
}

pub async fn delete_key(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<IdForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    // Only the viewer's own keys, also for a site admin (the admin pages manage other accounts).
    let own = {
        let mut h = state.db.acquire().await?;
        key_store::by_id(h.conn(), form.id()?).await?.is_some_and(|k| k.owner_id == me.id)
    };
    if !own {
        return Err(WebError::NotFound);
    }
    match keys::delete_user_key(&state.db, me, form.id()?).await? {
        DeleteKey::Deleted => Ok(redirect_with_flash(&state, "/user/settings/ssh", "The SSH key has been deleted.")),
        DeleteKey::Missing | DeleteKey::NotYours => Err(WebError::NotFound),
    }
}

// ---- access tokens ----

#[derive(Serialize)]
struct TokenItem {
    id: i64,
    name: String,
    last_eight: String,
    created_unix: i64,
}

#[derive(Serialize)]
struct OAuth2AppItem {
    id: i64,
    name: String,
    client_id: String,
    created_unix: i64,
}

#[derive(Serialize)]
struct GrantItem {
    id: i64,
    app_name: String,
    scope: String,
    created_unix: i64,
}

async fn applications_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    me: &UserRow,
    name: &str,
) -> Result<SettingsPage<'a>, WebError> {
    applications_page_with(state, viewer, me, name, &OAuth2AppForm::default()).await
}

async fn applications_page_with<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    me: &UserRow,
    name: &str,
    app_form: &OAuth2AppForm,
) -> Result<SettingsPage<'a>, WebError> {
    let (rows, _) = tokens::list(&state.db, me.id, None).await?;
    let list: Vec<TokenItem> = rows
        .into_iter()
        .map(|t| TokenItem { id: t.id, name: t.name, last_eight: t.token_last_eight, created_unix: t.created_unix })
        .collect();
    let (apps, _) = oauth2::list_apps(&state.db, me.id, Window::ALL).await?;
    let apps: Vec<OAuth2AppItem> = apps
        .into_iter()
        .map(|a| OAuth2AppItem { id: a.id, name: a.name, client_id: a.client_id, created_unix: a.created_unix })
        .collect();
    let grants: Vec<GrantItem> = oauth2::grants_of(&state.db, me.id)
        .await?
        .into_iter()
        .map(|g| GrantItem { id: g.grant_id, app_name: g.app_name, scope: g.scope, created_unix: g.created_unix })
        .collect();
    Ok(SettingsPage {
        viewer,
        template: "settings/applications.html",
        ctx: context! {
            section => "applications", tokens => ser(&list), name,
            apps => ser(&apps), grants => ser(&grants), app_form => ser(app_form),
        },
    })
}

pub async fn applications(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    applications_page(&state, &viewer, me, "").await?.ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        let message = "Token name is required (at most 255 characters).".to_string();
        return applications_page(&state, &viewer, me, &form.name).await?.invalid("name", message);
    }
    match tokens::create(&state.db, me.id, name, &[]).await {
        Ok((_, raw)) => Ok(redirect_with_flash(
            &state,
            "/user/settings/applications",
            &format!("Your new token: {raw}. Copy it now: it will not be shown again."),
        )),
        Err(e) => {
            let message = refused(e)?;
            applications_page(&state, &viewer, me, &form.name).await?.invalid("name", message)
        }
    }
}

pub async fn delete_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<IdForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    match tokens::delete(&state.db, me.id, &form.id()?.to_string()).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/user/settings/applications", "The token has been deleted.")),
        Err(ServiceError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

// ---- OAuth2 applications ----

/// The OAuth2 application form: redirect URIs one per line; the checkboxes are absent when off.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct OAuth2AppForm {
    application_name: String,
    redirect_uris: String,
    confidential_client: Option<String>,
    skip_secondary_authorization: Option<String>,
}

impl OAuth2AppForm {
    fn service_form(&self) -> AppForm {
        AppForm {
            name: self.application_name.trim().to_string(),
            redirect_uris: self
                .redirect_uris
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            confidential_client: self.confidential_client.is_some(),
            skip_secondary_authorization: self.skip_secondary_authorization.is_some(),
        }
    }

    fn name_problem(&self) -> Option<String> {
        let name = self.application_name.trim();
        (name.is_empty() || name.chars().count() > 255)
            .then(|| "Application name is required (at most 255 characters).".to_string())
    }
}

fn oauth2_app_page<'a>(
    viewer: &'a Viewer,
    app: &hearth_store::oauth2::AppRow,
    secret: Option<String>,
) -> SettingsPage<'a> {
    let form = OAuth2AppForm {
        application_name: app.name.clone(),
        redirect_uris: oauth2::redirect_uris(app).join("\n"),
        confidential_client: app.confidential_client.then(|| "on".into()),
        skip_secondary_authorization: app.skip_secondary_authorization.then(|| "on".into()),
    };
    SettingsPage {
        viewer,
        template: "settings/oauth2_app.html",
        ctx: context! {
            section => "applications", id => app.id, client_id => app.client_id.clone(), secret,
            form => ser(&form),
        },
    }
}

fn id_of(raw: &str) -> Result<i64, WebError> {
    raw.trim().parse().map_err(|_| WebError::NotFound)
}

/// `POST /user/settings/applications/oauth2`: register an application; the page that follows shows
/// its client secret this once.
pub async fn create_oauth2_app(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<OAuth2AppForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    if let Some(message) = form.name_problem() {
        return applications_page_with(&state, &viewer, me, "", &form).await?.invalid("application_name", message);
    }
    match oauth2::create_app(&state.db, me.id, &form.service_form()).await {
        Ok((app, secret)) => oauth2_app_page(&viewer, &app, Some(secret)).ok(),
        Err(e) => {
            let message = refused(e)?;
            applications_page_with(&state, &viewer, me, "", &form).await?.invalid("redirect_uris", message)
        }
    }
}

pub async fn oauth2_app(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let app = oauth2::get_app(&state.db, me.id, id_of(&id)?).await?;
    oauth2_app_page(&viewer, &app, None).ok()
}

pub async fn update_oauth2_app(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<OAuth2AppForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let id = id_of(&id)?;
    let app = oauth2::get_app(&state.db, me.id, id).await?;
    if let Some(message) = form.name_problem() {
        return oauth2_app_page(&viewer, &app, None).invalid("application_name", message);
    }
    match oauth2::edit_app(&state.db, me.id, id, &form.service_form()).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/user/settings/applications/oauth2/{id}"),
            "The application has been updated.",
        )),
        Err(ServiceError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let message = refused(e)?;
            oauth2_app_page(&viewer, &app, None).invalid("redirect_uris", message)
        }
    }
}

pub async fn regenerate_oauth2_secret(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let (app, secret) = oauth2::regenerate_secret(&state.db, me.id, id_of(&id)?).await?;
    oauth2_app_page(&viewer, &app, Some(secret)).ok()
}

pub async fn delete_oauth2_app(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    oauth2::delete_app(&state.db, me.id, id_of(&id)?).await?;
    Ok(redirect_with_flash(&state, "/user/settings/applications", "The application has been deleted."))
}

/// Withdraw the viewer's authorization of an application: its tokens stop working.
pub async fn revoke_oauth2_grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<IdForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    oauth2::revoke_grant(&state.db, me.id, form.id()?).await?;
    Ok(redirect_with_flash(&state, "/user/settings/applications", "The application's access has been revoked."))
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_messages_name_their_field() {
        assert_eq!(super::field_of("website must be … [field: website]", "full_name"), "website");
        assert_eq!(super::field_of("no field here", "full_name"), "full_name");
    }
}
