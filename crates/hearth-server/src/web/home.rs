//! The landing page, the signed-in dashboard and the explore pages.

use axum::extract::{Query, State};
use axum::response::Response;
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{UserKind, Window};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::page::{WebError, render, ser};
use super::session::Viewer;
use crate::app::AppState;
use crate::service::repo_lists;

const EXPLORE_PAGE: i64 = 20;

/// A repository as lists show it.
#[derive(Serialize)]
pub struct RepoItem {
    pub owner: String,
    pub name: String,
    pub description: String,
    pub is_private: bool,
    pub is_fork: bool,
    pub is_mirror: bool,
    pub stars: i64,
    pub updated_unix: i64,
}

impl RepoItem {
    pub fn new(repo: &RepoRow, owner: &str) -> RepoItem {
        RepoItem {
            owner: owner.to_string(),
            name: repo.name.clone(),
            description: repo.description.clone(),
            is_private: repo.is_private,
            is_fork: repo.is_fork,
            is_mirror: repo.is_mirror,
            stars: repo.num_stars,
            updated_unix: repo.updated_unix,
        }
    }
}

/// A user or organisation as lists show it.
#[derive(Serialize)]
pub struct UserItem {
    pub name: String,
    pub full_name: String,
    pub avatar: String,
}

impl UserItem {
    pub fn new(state: &AppState, u: &UserRow) -> UserItem {
        UserItem {
            name: u.name.clone(),
            full_name: u.full_name.clone(),
            avatar: crate::types::avatar_url(&state.links, u),
        }
    }
}

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let Some(me) = &viewer.user else {
        return render(&viewer, "home.html", context! {});
    };
    let repos: Vec<RepoItem> =
        repo_lists::mine(&state.db, me).await?.iter().map(|l| RepoItem::new(&l.repo, &l.owner.name)).collect();
    render(&viewer, "dashboard.html", context! { repos => ser(&repos) })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExploreQuery {
    q: String,
    page: i64,
}

impl ExploreQuery {
    fn window(&self) -> Window {
        Window { limit: EXPLORE_PAGE, offset: (self.page.max(1) - 1) * EXPLORE_PAGE }
    }
}

/// "Previous"/"Next" links for a list page.
#[derive(Serialize)]
pub struct Pager {
    pub page: i64,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

/// A `page` query value as a page number: garbled text is the first page (not axum's plain-text
/// rejection), and it is capped so that `page * per_page` cannot overflow.
pub fn page_number(raw: &str) -> i64 {
    raw.trim().parse::<i64>().unwrap_or(1).clamp(1, 1_000_000_000)
}

impl Pager {
    pub fn new(page: i64, per_page: i64, total: i64) -> Pager {
        let page = page.max(1);
        Pager { page, prev: (page > 1).then_some(page - 1), next: (page * per_page < total).then_some(page + 1) }
    }
}

pub async fn explore_repos(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ExploreQuery>,
) -> Result<Response, WebError> {
    let w = q.window();
    let keyword = q.q.trim();
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        let search = repo_store::Search {
            keyword,
            owner_id: 0,
            include_private_of: viewer.user.as_ref().map_or(-1, |u| u.id),
            limit: w.limit,
            offset: w.offset,
        };
        let (rows, total) = repo_store::search(h.conn(), &search).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let owner = user_store::by_id(h.conn(), r.owner_id).await?.map(|o| o.name).unwrap_or_default();
            out.push(RepoItem::new(r, &owner));
        }
        (out, total)
    };
    render(
        &viewer,
        "explore.html",
        context! { tab => "repos", q => keyword, base => search_base(keyword), repos => ser(&rows), pager => ser(&Pager::new(q.page, EXPLORE_PAGE, total)) },
    )
}

async fn explore_accounts(
    state: &AppState,
    viewer: &Viewer,
    q: &ExploreQuery,
    kind: UserKind,
) -> Result<Response, WebError> {
    let keyword = q.q.trim();
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        user_store::explore(h.conn(), kind, keyword, q.window()).await?
    };
    let users: Vec<UserItem> = rows.iter().map(|u| UserItem::new(state, u)).collect();
    let tab = if kind == UserKind::Organization { "organizations" } else { "users" };
    render(
        viewer,
        "explore.html",
        context! { tab, q => keyword, base => search_base(keyword), users => ser(&users), pager => ser(&Pager::new(q.page, EXPLORE_PAGE, total)) },
    )
}

pub async fn explore_users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ExploreQuery>,
) -> Result<Response, WebError> {
    explore_accounts(&state, &viewer, &q, UserKind::Individual).await
}

pub async fn explore_orgs(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ExploreQuery>,
) -> Result<Response, WebError> {
    explore_accounts(&state, &viewer, &q, UserKind::Organization).await
}

/// The query string a pager link starts with, keeping the search.
fn search_base(q: &str) -> String {
    if q.is_empty() { "?".into() } else { format!("?q={}&", super::session::urlencode(q)) }
}
