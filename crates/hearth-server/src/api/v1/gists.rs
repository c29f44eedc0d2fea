//! Gists (GitHub's gists API; neither Gogs nor Gitea has them): create, list the caller's or a
//! user's, read (secret gists too, by id, as GitHub), edit and delete (owner only), and a file's
//! raw content. Lists take `page`/`limit`.

use crate::json::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, ListParams, Page, Paged, TokenUser};
use crate::service::gists::{self as service, FileChange, NewGist};
use crate::types::{CreateGistOption, EditGistOption, Gist};

async fn render(state: &AppState, gist: &service::Gist, with_content: bool, show_email: bool) -> ApiResult<Gist> {
    let files = service::files(&state.config, &gist.row.id, with_content).await?;
    Ok(Gist::new(&state.links, &gist.row, &gist.owner, &files, show_email))
}

async fn list_of(
    state: &AppState,
    owner: &hearth_store::users::UserRow,
    with_secret: bool,
    show_email: bool,
    params: &ListParams,
) -> ApiResult<Paged<Gist>> {
    let page = params.optional();
    let (rows, total) = service::list(&state.db, owner, with_secret, Page::window_of(page)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let gist = service::Gist { row, owner: owner.clone() };
        items.push(render(state, &gist, false, show_email).await?);
    }
    Ok(Paged::list(items, total, params, page))
}

/// Create a gist owned by the caller (at least one file with content).
#[utoipa::path(post, path = "/gists", tag = "gists",
    request_body = CreateGistOption,
    responses((status = 201, body = Gist), (status = 401), (status = 422)))]
pub async fn create_gist(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateGistOption>,
) -> ApiResult<(StatusCode, Json<Gist>)> {
    let new = NewGist {
        description: opt.description,
        public: opt.public,
        files: opt.files.into_iter().map(|(name, f)| (name, f.content)).collect(),
    };
    let gist = service::create(&state, &me, new).await?;
    Ok((StatusCode::CREATED, Json(render(&state, &gist, true, true).await?)))
}

/// The caller's gists, secret ones included, newest first.
#[utoipa::path(get, path = "/gists", tag = "gists",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Gist]), (status = 401)))]
pub async fn list_my_gists(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Gist>> {
    list_of(&state, &me, true, true, &params).await
}

/// A user's public gists (and secret ones for the user), newest first.
#[utoipa::path(get, path = "/users/{username}/gists", tag = "gists",
    params(("username" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Gist]), (status = 404)))]
pub async fn list_user_gists(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Gist>> {
    let user = load_user(&state, &username).await?;
    let own = who.user.as_ref().is_some_and(|u| u.id == user.id);
    list_of(&state, &user, own, who.user.is_some(), &params).await
}

/// A gist with its files' contents; secret gists are readable by whoever knows the id.
#[utoipa::path(get, path = "/gists/{id}", tag = "gists",
    params(("id" = String, Path)),
    responses((status = 200, body = Gist), (status = 404)))]
pub async fn get_gist(State(state): State<AppState>, Auth(who): Auth, Path(id): Path<String>) -> ApiResult<Json<Gist>> {
    let gist = service::get(&state.db, &id).await?;
    Ok(Json(render(&state, &gist, true, who.user.is_some()).await?))
}

/// A file's raw content at the tip of the gist's default branch.
#[utoipa::path(get, path = "/gists/{id}/raw/{filename}", tag = "gists",
    params(("id" = String, Path), ("filename" = String, Path)),
    responses((status = 200, content_type = "text/plain"), (status = 404)))]
pub async fn get_gist_raw(
    State(state): State<AppState>,
    Path((id, filename)): Path<(String, String)>,
) -> ApiResult<Response> {
    let gist = service::get(&state.db, &id).await?;
    let content = service::raw(&state.config, &gist.row.id, &filename).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], content).into_response())
}

/// Edit a gist as its owner: `description`; `files` renames (`filename`), deletes (`null`), adds
/// or edits (`content`) with one new commit.
#[utoipa::path(patch, path = "/gists/{id}", tag = "gists",
    params(("id" = String, Path)),
    request_body = EditGistOption,
    responses((status = 200, body = Gist), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_gist(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Gist>> {
    let gist = service::get(&state.db, &id).await?;
    // Parsed here, not by `Body`: a `null` file means "delete it" and must survive.
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !json.to_ascii_lowercase().contains("json") {
        return Err(ApiError::ContentType("Unsupported Content-Type"));
    }
    let opt: EditGistOption = if body.iter().all(u8::is_ascii_whitespace) {
        EditGistOption::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::Deserialization(e.to_string()))?
    };
    let changes = opt
        .files
        .into_iter()
        .map(|(name, f)| {
            let change = match f {
                None => FileChange::Delete,
                Some(f) => FileChange::Update { filename: f.filename, content: f.content },
            };
            (name, change)
        })
        .collect();
    service::edit(&state, &me, &gist, opt.description, changes).await?;
    let gist = service::get(&state.db, &id).await?;
    Ok(Json(render(&state, &gist, true, true).await?))
}

/// Delete a gist as its owner.
#[utoipa::path(delete, path = "/gists/{id}", tag = "gists",
    params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_gist(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let gist = service::get(&state.db, &id).await?;
    service::delete(&state, &me, &gist).await?;
    Ok(StatusCode::NO_CONTENT)
}
