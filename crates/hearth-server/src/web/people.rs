//! Lists of people and starred repositories: `/USER/followers`, `/USER/following`, `/USER/stars`,
//! `/OWNER/REPO/stars`, `/OWNER/REPO/watchers`, and the follow buttons (`POST /USER/action/…`).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::stars::Kind;
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{UserKind, follows};
use minijinja::context;

use super::home::{Pager, RepoItem, UserItem};
use super::page::{WebError, render, ser};
use super::repo::RepoPage;
use super::session::Viewer;
use crate::app::AppState;
use crate::service::{follows as follow_service, stars};

const PER_PAGE: i64 = 20;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

impl PageQuery {
    fn offset(&self) -> i64 {
        (self.page.max(1) - 1) * PER_PAGE
    }
}

async fn account(state: &AppState, name: &str) -> Result<UserRow, WebError> {
    let mut h = state.db.acquire().await?;
    user_store::by_name(h.conn(), name).await?.ok_or(WebError::NotFound)
}

pub async fn follow_list_followers(
    state: State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    q: Query<PageQuery>,
) -> Result<Response, WebError> {
    follow_list(state, viewer, name, "followers", q).await
}

pub async fn follow_list_following(
    state: State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    q: Query<PageQuery>,
) -> Result<Response, WebError> {
    follow_list(state, viewer, name, "following", q).await
}

/// `/USER/followers` and `/USER/following`.
async fn follow_list(
    State(state): State<AppState>,
    viewer: Viewer,
    name: String,
    which: &str,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let user = account(&state, &name).await?;
    if user.kind != UserKind::Individual {
        return Err(WebError::NotFound);
    }
    let (rows, total, title) = {
        let mut h = state.db.acquire().await?;
        match which {
            "followers" => {
                (follows::followers(h.conn(), user.id, PER_PAGE, q.offset()).await?, user.num_followers, "Followers")
            }
            _ => (follows::following(h.conn(), user.id, PER_PAGE, q.offset()).await?, user.num_following, "Following"),
        }
    };
    let users: Vec<UserItem> = rows.iter().map(|u| UserItem::new(&state, u)).collect();
    render(
        &viewer,
        "people.html",
        context! { title, owner => user.name.clone(), users => ser(&users), pager => ser(&Pager::new(q.page, PER_PAGE, total)) },
    )
}

/// `/USER/stars`: the repositories a user starred that the viewer may read.
pub async fn starred(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let user = account(&state, &name).await?;
    let (listed, total) =
        stars::repos_of(&state.db, Kind::Star, &user, viewer.user.as_deref(), PER_PAGE, q.offset()).await?;
    let repos: Vec<RepoItem> = listed.iter().map(|l| RepoItem::new(&l.repo, &l.owner.name)).collect();
    render(
        &viewer,
        "people.html",
        context! { title => "Stars", owner => user.name.clone(), repos => ser(&repos), pager => ser(&Pager::new(q.page, PER_PAGE, total)) },
    )
}

pub async fn repo_stars(state: State<AppState>, page: RepoPage, q: Query<PageQuery>) -> Result<Response, WebError> {
    repo_people(state, page, "stars", q).await
}

pub async fn repo_watchers(state: State<AppState>, page: RepoPage, q: Query<PageQuery>) -> Result<Response, WebError> {
    repo_people(state, page, "watchers", q).await
}

/// `/OWNER/REPO/stars` and `/OWNER/REPO/watchers`.
async fn repo_people(
    State(state): State<AppState>,
    page: RepoPage,
    which: &str,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (kind, title) = if which == "stars" { (Kind::Star, "Stargazers") } else { (Kind::Watch, "Watchers") };
    let (rows, total) = stars::users(&state.db, kind, &page.ctx.repo, PER_PAGE, q.offset()).await?;
    let users: Vec<UserItem> = rows.iter().map(|u| UserItem::new(&state, u)).collect();
    render(
        &page.viewer,
        "people.html",
        context! {
            title,
            repo => page.header(&state, "code").await?,
            users => ser(&users),
            pager => ser(&Pager::new(q.page, PER_PAGE, total)),
        },
    )
}

/// `POST /USER/action/{follow,unfollow}` behind the profile's button.
pub async fn follow_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?;
    let target = account(&state, &name).await?;
    match action.as_str() {
        "follow" => follow_service::follow(&state.db, me, &target).await?,
        "unfollow" => follow_service::unfollow(&state.db, me, &target).await?,
        _ => return Err(WebError::NotFound),
    }
    Ok(Redirect::to(&format!("/{}", target.name)).into_response())
}

/// Whether `me` follows `target` (the profile's button).
pub async fn is_following(state: &AppState, me: &UserRow, target: &UserRow) -> Result<bool, WebError> {
    let mut h = state.db.acquire().await?;
    Ok(follows::is_following(h.conn(), me.id, target.id).await?)
}
