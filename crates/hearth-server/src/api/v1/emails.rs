//! E-mail addresses of the authenticated user: `GET|POST|DELETE /user/emails`.

use crate::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, ListParams, Paged, TokenUser};
use crate::service::emails;
use crate::types::Email;

/// B2. CreateEmailOption (also the body of DELETE).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateEmailOption {
    pub emails: Vec<String>,
}

#[utoipa::path(get, path = "/user/emails", tag = "emails",
    responses((status = 200, body = [Email]), (status = 401)))]
pub async fn list_emails(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Email>> {
    // A handful per account: paged in memory.
    Ok(Paged::slice(emails::list(&state.db, &me).await?, &params, params.optional()))
}

/// Add addresses (all or none); each must be unused by any account.
#[utoipa::path(post, path = "/user/emails", tag = "emails",
    request_body = CreateEmailOption,
    responses((status = 201, body = [Email]), (status = 401), (status = 422)))]
pub async fn add_emails(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateEmailOption>,
) -> ApiResult<(StatusCode, Json<Vec<Email>>)> {
    if opt.emails.is_empty() {
        return Err(ApiError::unprocessable("no e-mail address given"));
    }
    let activated = !state.config.auth.require_email_confirmation;
    let added = emails::add(&state.db, &me, &opt.emails, activated).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Delete addresses; the primary one cannot be deleted (400), unknown ones are ignored.
#[utoipa::path(delete, path = "/user/emails", tag = "emails",
    request_body = CreateEmailOption,
    responses((status = 204), (status = 400), (status = 401)))]
pub async fn delete_emails(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateEmailOption>,
) -> ApiResult<StatusCode> {
    emails::delete(&state.db, &me, &opt.emails).await?;
    Ok(StatusCode::NO_CONTENT)
}
