//! Gitea's OAuth2 application API, `/user/applications/oauth2[/:id]`: the caller's own
//! applications only (another user's is 404). `PATCH` replaces the fields and, as Gitea, returns a
//! new client secret; the secret is shown only on create and on that edit.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::oauth2::AppRow;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, ListParams, Page, Paged, TokenUser, Validator};
use crate::service::oauth2::{self, AppForm};
use crate::types::{OAuth2Application, rfc3339};

/// Gitea's CreateOAuth2ApplicationOptions (also the body of `PATCH`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateOAuth2ApplicationOptions {
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Default true, as Gitea's column (a client that can keep a secret).
    #[serde(default = "yes")]
    pub confidential_client: bool,
    pub skip_secondary_authorization: bool,
}

fn yes() -> bool {
    true
}

impl CreateOAuth2ApplicationOptions {
    fn form(self) -> ApiResult<AppForm> {
        Validator::new().required("Name", &self.name).max_size("Name", &self.name, 255).finish()?;
        Ok(AppForm {
            name: self.name,
            redirect_uris: self.redirect_uris,
            confidential_client: self.confidential_client,
            skip_secondary_authorization: self.skip_secondary_authorization,
        })
    }
}

fn shape(row: AppRow, secret: String) -> OAuth2Application {
    OAuth2Application {
        redirect_uris: oauth2::redirect_uris(&row),
        id: row.id,
        name: row.name,
        client_id: row.client_id,
        client_secret: secret,
        confidential_client: row.confidential_client,
        skip_secondary_authorization: row.skip_secondary_authorization,
        created: rfc3339(row.created_unix),
    }
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse().map_err(|_| ApiError::not_found())
}

#[utoipa::path(post, path = "/user/applications/oauth2", tag = "user",
    request_body = CreateOAuth2ApplicationOptions,
    responses((status = 201, body = OAuth2Application), (status = 401), (status = 422)))]
pub async fn create_oauth2_application(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateOAuth2ApplicationOptions>,
) -> ApiResult<(StatusCode, Json<OAuth2Application>)> {
    let (row, secret) = oauth2::create_app(&state.db, me.id, &opt.form()?).await?;
    Ok((StatusCode::CREATED, Json(shape(row, secret))))
}

/// The caller's applications, oldest first (`client_secret` empty).
#[utoipa::path(get, path = "/user/applications/oauth2", tag = "user",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [OAuth2Application]), (status = 401)))]
pub async fn list_oauth2_applications(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<OAuth2Application>> {
    let page = params.optional();
    let (rows, total) = oauth2::list_apps(&state.db, me.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.into_iter().map(|r| shape(r, String::new())).collect(), total, &params, page))
}

#[utoipa::path(get, path = "/user/applications/oauth2/{id}", tag = "user",
    params(("id" = i64, Path)),
    responses((status = 200, body = OAuth2Application), (status = 401), (status = 404)))]
pub async fn get_oauth2_application(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
) -> ApiResult<Json<OAuth2Application>> {
    let row = oauth2::get_app(&state.db, me.id, parse_id(&id)?).await?;
    Ok(Json(shape(row, String::new())))
}

/// Replace the application's fields; the answer carries a new client secret (the old one stops
/// working), as Gitea's.
#[utoipa::path(patch, path = "/user/applications/oauth2/{id}", tag = "user",
    params(("id" = i64, Path)),
    request_body = CreateOAuth2ApplicationOptions,
    responses((status = 200, body = OAuth2Application), (status = 401), (status = 404), (status = 422)))]
pub async fn update_oauth2_application(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
    Body(opt): Body<CreateOAuth2ApplicationOptions>,
) -> ApiResult<Json<OAuth2Application>> {
    let id = parse_id(&id)?;
    let (row, secret) = oauth2::update_app(&state.db, me.id, id, &opt.form()?).await?;
    Ok(Json(shape(row, secret)))
}

/// Delete the application; every grant and token issued for it stops working.
#[utoipa::path(delete, path = "/user/applications/oauth2/{id}", tag = "user",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn delete_oauth2_application(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    oauth2::delete_app(&state.db, me.id, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
