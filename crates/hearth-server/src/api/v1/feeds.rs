//! Activity feeds (issue #19): Gitea's `…/activities/feeds` for a user, an organisation and a
//! repository, and `GET /feeds`, the caller's dashboard (seed 000's Activity > Feeds).

use axum::extract::{Path, State};
use hearth_store::actions::Feed;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, ListParams, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::feeds::{self, FeedQuery};
use crate::types::Activity;

const DAY: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Gitea's `date` (`YYYY-MM-DD`, UTC): the first second of that day; unparsable → 422.
fn day(params: &ListParams) -> ApiResult<Option<i64>> {
    match params.get("date").filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => time::Date::parse(d, DAY)
            .map(|date| Some(date.midnight().assume_utc().unix_timestamp()))
            .map_err(|e| ApiError::unprocessable(format!("parsing date \"{d}\": {e}"))),
    }
}

async fn page(state: &AppState, q: FeedQuery<'_>, params: &ListParams) -> ApiResult<Paged<Activity>> {
    let page = params.optional().unwrap_or(params.fixed(30));
    let (data, total) = feeds::list(state, &q, page.window()).await?;
    Ok(Paged::page(data, total, params, page))
}

/// A user's activity (Gitea: what they did, and with `only-performed-by=false` what happened in
/// what they watch — here always what they did, as Gitea's `only-performed-by=true`). Private
/// repositories' entries only for the user themself and site admins, and only while they can read
/// them.
#[utoipa::path(get, path = "/users/{username}/activities/feeds", tag = "users",
    params(("username" = String, Path), ("only-performed-by" = Option<bool>, Query), ("date" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Activity]), (status = 404), (status = 422)))]
pub async fn user_feed(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Activity>> {
    let user = load_user(&state, &username).await?;
    let viewer = who.user.as_deref();
    let private = viewer.is_some_and(|v| v.id == user.id || v.is_admin);
    let only_own = params.get("only-performed-by").is_some_and(|v| v == "true" || v == "1");
    // A user's dashboard is theirs to see; others get what the user did.
    let feed = if private && !only_own { Feed::Dashboard(user.id) } else { Feed::Actor(user.id) };
    let q = FeedQuery { feed, owner_id: Some(user.id), viewer, private, day: day(&params)? };
    page(&state, q, &params).await
}

/// What happened in an organisation's repositories (private ones for its members).
#[utoipa::path(get, path = "/orgs/{org}/activities/feeds", tag = "organizations",
    params(("org" = String, Path), ("date" = Option<String>, Query), ("page" = Option<i64>, Query),
        ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Activity]), (status = 404), (status = 422)))]
pub async fn org_feed(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(org): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Activity>> {
    let org = crate::service::orgs::require_org(&state.db, &org).await?;
    let viewer = who.user.as_deref();
    let private = match viewer {
        Some(v) if v.is_admin => true,
        Some(v) => {
            let mut h = state.db.acquire().await?;
            hearth_store::orgs::is_member(h.conn(), org.id, v.id).await?
        }
        None => false,
    };
    let q = FeedQuery { feed: Feed::Owner(org.id), owner_id: None, viewer, private, day: day(&params)? };
    page(&state, q, &params).await
}

/// What happened in a repository (its readers).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/activities/feeds", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("date" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Activity]), (status = 404), (status = 422)))]
pub async fn repo_feed(
    State(state): State<AppState>,
    Auth(who): Auth,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Activity>> {
    ctx.require(AccessMode::Read)?;
    let viewer = who.user.as_deref();
    let q = FeedQuery { feed: Feed::Repo(ctx.repo.id), owner_id: None, viewer, private: true, day: day(&params)? };
    page(&state, q, &params).await
}

/// The caller's dashboard: what they did, what people they follow did, what happened in the
/// repositories they watch.
#[utoipa::path(get, path = "/feeds", tag = "users",
    params(("date" = Option<String>, Query), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Activity]), (status = 401), (status = 422)))]
pub async fn my_feed(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Activity>> {
    let q = FeedQuery {
        feed: Feed::Dashboard(me.id),
        owner_id: Some(me.id),
        viewer: Some(&me),
        private: true,
        day: day(&params)?,
    };
    page(&state, q, &params).await
}
