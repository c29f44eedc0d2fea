//! Site administration of users: `POST /admin/users`, `PATCH|DELETE /admin/users/:username`,
//! `POST /admin/users/:username/keys`.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::keys::CreateKeyOption;
use super::load_user;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{Body, SiteAdmin, Validator};
use crate::service::accounts::{self, AdminEdit, NewAccount};
use crate::service::keys;
use crate::types::{PublicKey, User};

/// B23. CreateUserOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateUserOption {
    pub source_id: i64,
    pub login_name: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub send_notify: bool,
}

/// B24. EditUserOption: the plain fields are always written; the optional ones only when present.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditUserOption {
    pub source_id: i64,
    pub login_name: String,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub website: String,
    pub location: String,
    pub active: Option<bool>,
    pub admin: Option<bool>,
    pub allow_git_hook: Option<bool>,
    pub allow_import_local: Option<bool>,
    pub max_repo_creation: Option<i64>,
}

/// Create an account, active immediately.
#[utoipa::path(post, path = "/admin/users", tag = "admin",
    request_body = CreateUserOption,
    responses((status = 201, body = User), (status = 403), (status = 422)))]
pub async fn create_user(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Body(opt): Body<CreateUserOption>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Validator::new()
        .required("Username", &opt.username)
        .alpha_dash_dot("Username", &opt.username)
        .max_size("Username", &opt.username, 35)
        .max_size("FullName", &opt.full_name, 100)
        .required("Email", &opt.email)
        .email("Email", &opt.email)
        .max_size("Email", &opt.email, 254)
        .required("Password", &opt.password)
        .max_size("Password", &opt.password, 255)
        .finish()?;
    let welcome =
        (opt.send_notify && state.config.email.enabled).then(|| crate::service::mail::welcome(&state, &opt.username));
    let account = NewAccount {
        name: opt.username,
        email: opt.email,
        password: opt.password,
        full_name: opt.full_name,
        login_source: opt.source_id,
        login_name: opt.login_name,
        is_admin: false,
        welcome,
        activation: None,
    };
    let user = accounts::create_user(&state.db, &state.passwords, &account).await?;
    if account.welcome.is_some() {
        state.wake(crate::service::signals::Job::Mail);
    }
    Ok((StatusCode::CREATED, Json(User::new(&state.links, &user, true))))
}

#[utoipa::path(patch, path = "/admin/users/{username}", tag = "admin",
    params(("username" = String, Path)),
    request_body = EditUserOption,
    responses((status = 200, body = User), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_user(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path(username): Path<String>,
    Body(opt): Body<EditUserOption>,
) -> ApiResult<Json<User>> {
    Validator::new()
        .max_size("FullName", &opt.full_name, 100)
        .required("Email", &opt.email)
        .email("Email", &opt.email)
        .max_size("Email", &opt.email, 254)
        .max_size("Password", &opt.password, 255)
        .max_size("Website", &opt.website, 50)
        .max_size("Location", &opt.location, 50)
        .finish()?;
    let user = load_user(&state, &username).await?;
    let edit = AdminEdit {
        login_source: opt.source_id,
        login_name: opt.login_name,
        full_name: opt.full_name,
        email: opt.email,
        password: opt.password,
        website: opt.website,
        location: opt.location,
        active: opt.active,
        admin: opt.admin,
        allow_git_hook: opt.allow_git_hook,
        allow_import_local: opt.allow_import_local,
        prohibit_login: None,
        max_repo_creation: opt.max_repo_creation,
    };
    let updated = accounts::admin_edit(&state.db, &state.passwords, &user, &edit).await?;
    Ok(Json(User::new(&state.links, &updated, true)))
}

/// Delete an account (422 while it still owns repositories).
#[utoipa::path(delete, path = "/admin/users/{username}", tag = "admin",
    params(("username" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn delete_user(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let user = load_user(&state, &username).await?;
    accounts::delete_user(&state.db, &state.config, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a public key to any user.
#[utoipa::path(post, path = "/admin/users/{username}/keys", tag = "admin",
    params(("username" = String, Path)),
    request_body = CreateKeyOption,
    responses((status = 201, body = PublicKey), (status = 403), (status = 404), (status = 422)))]
pub async fn create_user_key(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path(username): Path<String>,
    Body(opt): Body<CreateKeyOption>,
) -> ApiResult<(StatusCode, Json<PublicKey>)> {
    opt.validate()?;
    let user = load_user(&state, &username).await?;
    let row = keys::add_user_key(&state.db, user.id, &opt.title, &opt.key).await?;
    Ok((StatusCode::CREATED, Json(PublicKey::new(&state.links, &row))))
}
