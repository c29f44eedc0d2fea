//! Repository webhooks: Gogs' CRUD (`/repos/:o/:r/hooks`, repository admins only), plus the
//! GitHub-style single GET, delivery history, redelivery and test delivery (hearth extensions).

use std::collections::{BTreeMap, HashMap};

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::hooks::{self as hook_store, HookRow, TaskRow};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::webhooks::{self, CreateHook, EditHook, HookEvents};
use crate::types::{Hook, HookDelivery, HookDeliveryDetail, HookExchange, rfc3339};

/// B6. CreateHookOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateHookOption {
    #[serde(rename = "type")]
    pub kind: String,
    pub config: Option<HashMap<String, String>>,
    pub events: Vec<String>,
    pub active: bool,
}

/// B7. EditHookOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditHookOption {
    pub config: Option<HashMap<String, String>>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

fn to_api(h: &HookRow) -> Hook {
    Hook {
        id: h.id,
        kind: h.hook_task_type.name().to_string(),
        config: webhooks::api_config(h),
        events: HookEvents::parse(&h.events).names(),
        active: h.is_active,
        updated_at: rfc3339(h.updated_unix),
        created_at: rfc3339(h.created_unix),
    }
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(ApiError::not_found)
}

async fn load_hook(state: &AppState, ctx: &RepoCtx, id: &str) -> ApiResult<HookRow> {
    let id = parse_id(id)?;
    let mut h = state.db.acquire().await?;
    hook_store::by_id_for_repo(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/hooks", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Hook]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_hooks(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Hook>> {
    ctx.require(AccessMode::Admin)?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = hook_store::list_for_repo(h.conn(), ctx.repo.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(to_api).collect(), total, &params, page))
}

#[utoipa::path(post, path = "/repos/{owner}/{repo}/hooks", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateHookOption,
    responses((status = 201, body = Hook), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_hook(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Hook>)> {
    ctx.require(AccessMode::Admin)?;
    let opt: CreateHookOption = body.parse()?;
    Validator::new()
        .required("Type", &opt.kind)
        .required("Config", if opt.config.is_some() { "present" } else { "" })
        .finish()?;
    let create =
        CreateHook { kind: opt.kind, config: opt.config.unwrap_or_default(), events: opt.events, active: opt.active };
    let row = webhooks::create_hook(&state, ctx.repo.id, 0, &create).await?;
    Ok((StatusCode::CREATED, Json(to_api(&row))))
}

/// A single hook (GitHub's route; Gogs has none).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/hooks/{id}", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Hook), (status = 401), (status = 403), (status = 404)))]
pub async fn get_hook(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Hook>> {
    ctx.require(AccessMode::Admin)?;
    Ok(Json(to_api(&load_hook(&state, &ctx, &id).await?)))
}

/// Edit a hook: omitted `events` reset it to `["push"]`; the secret cannot be changed here.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/hooks/{id}", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = EditHookOption,
    responses((status = 200, body = Hook), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_hook(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Hook>> {
    ctx.require(AccessMode::Admin)?;
    let id = parse_id(&id)?;
    let opt: EditHookOption = body.parse()?;
    let edit = EditHook { config: opt.config, events: opt.events.unwrap_or_default(), active: opt.active };
    let row = webhooks::edit_hook(&state, ctx.repo.id, 0, id, &edit).await?;
    Ok(Json(to_api(&row)))
}

/// Delete a hook and its history; an unknown id is still 204 (as Gogs).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/hooks/{id}", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_hook(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Admin)?;
    if let Ok(id) = id.parse::<i64>() {
        webhooks::delete_hook(&state, ctx.repo.id, 0, id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Send a test `push` of the default branch's latest commit (only to a hook that selects `push`).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/hooks/{id}/tests", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn test_hook(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Admin)?;
    let hook = load_hook(&state, &ctx, &id).await?;
    webhooks::forms::test_delivery(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &hook).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The JSON stored in `request_content`/`response_content`, or an empty object.
fn stored(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Object(Default::default()))
}

fn headers_of(v: &Value) -> BTreeMap<String, String> {
    v["headers"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

fn delivery(t: &TaskRow) -> HookDelivery {
    let code = stored(&t.response_content)["status"].as_i64().unwrap_or(0);
    // The API says "OK" where the history page adds the status code.
    let status = if t.is_succeed { "OK".to_string() } else { crate::service::webhooks::forms::delivery_status(t) };
    let action =
        serde_json::from_str::<Value>(&t.payload_content).ok().and_then(|p| p["action"].as_str().map(str::to_string));
    HookDelivery {
        id: t.id,
        guid: t.uuid.clone(),
        delivered_at: (t.delivered > 0).then(|| rfc3339(t.delivered / 1_000_000_000)),
        redelivery: t.is_redelivery,
        duration: t.duration_ms as f64 / 1000.0,
        status,
        status_code: code,
        event: t.event_type.clone(),
        action,
        repository_id: t.repo_id,
        pending: !t.is_delivered,
        attempts: t.attempts,
    }
}

/// A hook's deliveries, newest first (30 a page).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/hooks/{id}/deliveries", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = [HookDelivery]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_hook_deliveries(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<HookDelivery>> {
    ctx.require(AccessMode::Admin)?;
    let hook = load_hook(&state, &ctx, &id).await?;
    let page = params.fixed(30);
    let mut h = state.db.acquire().await?;
    let total = hook_store::count_tasks_of_hook(h.conn(), hook.id).await?;
    let rows = hook_store::tasks_of_hook(h.conn(), hook.id, page.limit, page.offset()).await?;
    Ok(Paged::page(rows.iter().map(delivery).collect(), total, &params, page))
}

async fn load_delivery(state: &AppState, hook: &HookRow, id: &str) -> ApiResult<TaskRow> {
    let id = parse_id(id)?;
    let mut h = state.db.acquire().await?;
    hook_store::task_of_hook(h.conn(), hook.id, id).await?.ok_or_else(ApiError::not_found)
}

/// One delivery with its request (headers, payload) and response (headers, body).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/hooks/{id}/deliveries/{delivery_id}", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 200, body = HookDeliveryDetail), (status = 401), (status = 403), (status = 404)))]
pub async fn get_hook_delivery(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id, delivery_id)): Path<(String, String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<HookDeliveryDetail>> {
    ctx.require(AccessMode::Admin)?;
    let hook = load_hook(&state, &ctx, &id).await?;
    let t = load_delivery(&state, &hook, &delivery_id).await?;
    let (request, response) = (stored(&t.request_content), stored(&t.response_content));
    let payload = serde_json::from_str(&t.payload_content).unwrap_or(Value::String(t.payload_content.clone()));
    Ok(Json(HookDeliveryDetail {
        delivery: delivery(&t),
        url: t.url.clone(),
        request: HookExchange { headers: headers_of(&request), payload },
        response: HookExchange { headers: headers_of(&response), payload: response["body"].clone() },
    }))
}

/// Deliver again: the same delivery (id, guid, payload, signature) is queued once more.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/hooks/{id}/deliveries/{delivery_id}/attempts", tag = "hooks",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 202), (status = 401), (status = 403), (status = 404)))]
pub async fn redeliver_hook_delivery(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id, delivery_id)): Path<(String, String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<(StatusCode, Json<Value>)> {
    ctx.require(AccessMode::Admin)?;
    let hook = load_hook(&state, &ctx, &id).await?;
    let t = load_delivery(&state, &hook, &delivery_id).await?;
    webhooks::redeliver(&state, t.id).await?;
    Ok((StatusCode::ACCEPTED, Json(Value::Object(Default::default()))))
}

/// An organisation, for its owners only (site admins too); 404 for a missing organisation.
async fn owned_org(
    state: &AppState,
    me: &hearth_store::users::UserRow,
    org: &str,
) -> ApiResult<hearth_store::users::UserRow> {
    let org = crate::service::orgs::require_org(&state.db, org).await?;
    if !me.is_admin && !crate::service::orgs::is_owner(&state.db, org.id, me.id).await? {
        return Err(ApiError::forbidden());
    }
    Ok(org)
}

/// An organisation's hooks (Gitea's routes): they fire for every repository of the organisation.
#[utoipa::path(get, path = "/orgs/{org}/hooks", tag = "hooks",
    params(("org" = String, Path)),
    responses((status = 200, body = [Hook]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_org_hooks(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Hook>> {
    let org = owned_org(&state, &me, &org).await?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = hook_store::list_for_org(h.conn(), org.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(to_api).collect(), total, &params, page))
}

#[utoipa::path(post, path = "/orgs/{org}/hooks", tag = "hooks",
    params(("org" = String, Path)),
    request_body = CreateHookOption,
    responses((status = 201, body = Hook), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_org_hook(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Hook>)> {
    let org = owned_org(&state, &me, &org).await?;
    let opt: CreateHookOption = body.parse()?;
    Validator::new()
        .required("Type", &opt.kind)
        .required("Config", if opt.config.is_some() { "present" } else { "" })
        .finish()?;
    let create =
        CreateHook { kind: opt.kind, config: opt.config.unwrap_or_default(), events: opt.events, active: opt.active };
    let row = webhooks::create_hook(&state, 0, org.id, &create).await?;
    Ok((StatusCode::CREATED, Json(to_api(&row))))
}

#[utoipa::path(get, path = "/orgs/{org}/hooks/{id}", tag = "hooks",
    params(("org" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Hook), (status = 401), (status = 403), (status = 404)))]
pub async fn get_org_hook(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<Json<Hook>> {
    let org = owned_org(&state, &me, &org).await?;
    let id = parse_id(&id)?;
    let mut h = state.db.acquire().await?;
    let row = hook_store::by_id_for_org(h.conn(), org.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(to_api(&row)))
}

#[utoipa::path(patch, path = "/orgs/{org}/hooks/{id}", tag = "hooks",
    params(("org" = String, Path), ("id" = i64, Path)),
    request_body = EditHookOption,
    responses((status = 200, body = Hook), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_org_hook(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((org, id)): Path<(String, String)>,
    body: LateBody,
) -> ApiResult<Json<Hook>> {
    let org = owned_org(&state, &me, &org).await?;
    let id = parse_id(&id)?;
    let opt: EditHookOption = body.parse()?;
    let edit = EditHook { config: opt.config, events: opt.events.unwrap_or_default(), active: opt.active };
    Ok(Json(to_api(&webhooks::edit_hook(&state, 0, org.id, id, &edit).await?)))
}

#[utoipa::path(delete, path = "/orgs/{org}/hooks/{id}", tag = "hooks",
    params(("org" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_org_hook(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = owned_org(&state, &me, &org).await?;
    if let Ok(id) = id.parse::<i64>() {
        webhooks::delete_hook(&state, 0, org.id, id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
