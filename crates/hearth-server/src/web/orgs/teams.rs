//! `/org/ORG/teams…`: members of the organisation see its teams; owners change them.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::orgs::{self as org_store, TeamRow};
use hearth_store::{Window, users as user_store};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::{OrgView, member_view, owner_view};
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::{ServiceError, orgs};
use crate::web::account::sentence;
use crate::web::home::{Pager, page_number};
use crate::web::page::invalid_form;
use crate::web::page::{WebError, render, render_status, ser};
use crate::web::session::{Viewer, redirect_with_flash};

#[derive(Serialize)]
struct TeamItem {
    name: String,
    description: String,
    permission: &'static str,
    members: i64,
    repos: i64,
    owners: bool,
}

/// The form's word for a team's mode (Owners shows as "Owner").
fn permission(mode: AccessMode) -> &'static str {
    match mode {
        AccessMode::Owner => "owner",
        AccessMode::Admin => "admin",
        AccessMode::Write => "write",
        _ => "read",
    }
}

async fn team_item(state: &AppState, t: &TeamRow) -> Result<TeamItem, WebError> {
    let mut h = state.db.acquire().await?;
    let members = org_store::count_team_members(h.conn(), t.id).await?;
    let repos = org_store::count_team_repos(h.conn(), t.id, t.org_id, t.is_owners()).await?;
    Ok(TeamItem {
        name: t.name.clone(),
        description: t.description.clone(),
        permission: permission(t.authorize),
        members,
        repos,
        owners: t.is_owners(),
    })
}

async fn team_of(state: &AppState, v: &OrgView, name: &str) -> Result<TeamRow, WebError> {
    let mut h = state.db.acquire().await?;
    org_store::team_by_name(h.conn(), v.org.id, name).await?.ok_or(WebError::NotFound)
}

/// Teams a page.
const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// Kept as text: see [`page_number`].
    page: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let v = member_view(&state, &viewer, &org).await?;
    let number = page_number(&q.page);
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        let w = Window { limit: PER_PAGE, offset: (number - 1) * PER_PAGE };
        org_store::teams_of_org(h.conn(), v.org.id, w).await?
    };
    let mut teams = Vec::with_capacity(rows.len());
    for t in &rows {
        teams.push(team_item(&state, t).await?);
    }
    render(
        &viewer,
        "org/teams.html",
        context! {
            org_name => v.org.name.clone(), teams => ser(&teams), is_owner => v.owner,
            pager => ser(&Pager::new(number, PER_PAGE, total)),
        },
    )
}

// ---- the team form ----

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct TeamForm {
    team_name: String,
    description: String,
    permission: String,
}

const FORM: &str = "org/team_form.html";

fn form_ctx(org: &str, team: Option<&TeamRow>, form: &TeamForm) -> Value {
    context! {
        org_name => org, team => team.map(|t| context! { name => t.name.clone(), owners => t.is_owners() }),
        form => ser(form),
    }
}

/// The team API's binding rules (B22), worded for the form; `Some((field, message))` on failure.
fn check(form: &TeamForm) -> Option<(&'static str, String)> {
    let name = form.team_name.trim();
    if name.is_empty() {
        Some(("team_name", "Team name is required.".into()))
    } else if name.chars().count() > 30 {
        Some(("team_name", "Team name is too long.".into()))
    } else if !crate::service::names::is_alpha_dash_dot(name) {
        Some(("team_name", "Team name may only contain letters, digits, '-', '_' and '.'.".into()))
    } else if form.description.chars().count() > 255 {
        Some(("description", "Description is too long.".into()))
    } else if !matches!(form.permission.as_str(), "read" | "write" | "admin") {
        Some(("permission", "Choose a permission.".into()))
    } else {
        None
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let form = TeamForm { permission: "read".into(), ..Default::default() };
    render(&viewer, FORM, context! { ..form_ctx(&v.org.name, None, &form), ..context! { errors => context! {} } })
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Form(form): Form<TeamForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let ctx = form_ctx(&v.org.name, None, &form);
    if let Some((field, message)) = check(&form) {
        return invalid_form(&viewer, FORM, ctx, field, message);
    }
    let mode = AccessMode::parse_grant(&form.permission);
    match orgs::create_team(&state.db, &v.org, form.team_name.trim(), form.description.trim(), mode).await {
        Ok(team) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams/{}", v.org.name, team.name),
            &format!("The team {} has been created.", team.name),
        )),
        Err(ServiceError::Invalid(m)) => invalid_form(&viewer, FORM, ctx, "team_name", sentence(&m)),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    let form = TeamForm {
        team_name: team.name.clone(),
        description: team.description.clone(),
        permission: permission(team.authorize).into(),
    };
    render(
        &viewer,
        FORM,
        context! { ..form_ctx(&v.org.name, Some(&team), &form), ..context! { errors => context! {} } },
    )
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
    Form(mut form): Form<TeamForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    // Owners keeps its name and mode (the service ignores them): only its description is checked.
    if team.is_owners() {
        form.team_name = team.name.clone();
        form.permission = "admin".into();
    }
    let ctx = form_ctx(&v.org.name, Some(&team), &form);
    if let Some((field, message)) = check(&form) {
        return invalid_form(&viewer, FORM, ctx, field, message);
    }
    let mode = AccessMode::parse_grant(&form.permission);
    match orgs::edit_team(&state.db, &team, Some(form.team_name.trim()), Some(form.description.trim()), Some(mode))
        .await
    {
        Ok(team) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams/{}", v.org.name, team.name),
            &format!("The team {} has been updated.", team.name),
        )),
        Err(ServiceError::Invalid(m)) => invalid_form(&viewer, FORM, ctx, "team_name", sentence(&m)),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    match orgs::delete_team(&state.db, &team).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams", v.org.name),
            &format!("The team {} has been deleted.", team.name),
        )),
        Err(ServiceError::Invalid(m)) => team_page(&state, &viewer, &v, &team, Some(sentence(&m)), "").await,
        Err(e) => Err(e.into()),
    }
}

// ---- the team page: members ----

#[derive(Serialize)]
struct Person {
    name: String,
    full_name: String,
}

async fn team_page(
    state: &AppState,
    viewer: &Viewer,
    v: &OrgView,
    team: &TeamRow,
    error: Option<String>,
    user_name: &str,
) -> Result<Response, WebError> {
    let rows = {
        let mut h = state.db.acquire().await?;
        org_store::team_members(h.conn(), team.id, Window::ALL).await?.0
    };
    let members: Vec<Person> =
        rows.iter().map(|u| Person { name: u.name.clone(), full_name: u.full_name.clone() }).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let errors = match &error {
        Some(m) => Value::from_pairs([("user_name".to_string(), m.clone())]),
        None => context! {},
    };
    render_status(
        viewer,
        status,
        "org/team.html",
        context! {
            org_name => v.org.name.clone(), team => ser(&team_item(state, team).await?),
            members => ser(&members), is_owner => v.owner, error, errors, user_name,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = member_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    team_page(&state, &viewer, &v, &team, None, "").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    user_name: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
    Form(form): Form<MemberForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    let name = form.user_name.trim();
    let user = {
        let mut h = state.db.acquire().await?;
        user_store::by_name(h.conn(), name).await?
    };
    let Some(user) = user else {
        let msg =
            if name.is_empty() { "Username is required.".to_string() } else { format!("There is no user {name}.") };
        return team_page(&state, &viewer, &v, &team, Some(msg), name).await;
    };
    match orgs::add_team_member(&state.db, &team, &user).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams/{}", v.org.name, team.name),
            &format!("{} has been added to the team.", user.name),
        )),
        Err(ServiceError::Invalid(m)) => team_page(&state, &viewer, &v, &team, Some(sentence(&m)), name).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
    Form(form): Form<MemberForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    let user = {
        let mut h = state.db.acquire().await?;
        user_store::by_name(h.conn(), form.user_name.trim()).await?.ok_or(WebError::NotFound)?
    };
    match orgs::remove_team_member(&state.db, &team, &user).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams/{}", v.org.name, team.name),
            &format!("{} has been removed from the team.", user.name),
        )),
        Err(ServiceError::Invalid(m)) => team_page(&state, &viewer, &v, &team, Some(sentence(&m)), "").await,
        Err(e) => Err(e.into()),
    }
}

// ---- the team's repositories ----

async fn repos_page(
    state: &AppState,
    viewer: &Viewer,
    v: &OrgView,
    team: &TeamRow,
    error: Option<String>,
    repo_name: &str,
) -> Result<Response, WebError> {
    let rows = {
        let mut h = state.db.acquire().await?;
        org_store::team_repos(h.conn(), team.id, team.org_id, team.is_owners(), Window::ALL).await?.0
    };
    let repos: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let errors = match &error {
        Some(m) => Value::from_pairs([("repo_name".to_string(), m.clone())]),
        None => context! {},
    };
    render_status(
        viewer,
        status,
        "org/team_repos.html",
        context! {
            org_name => v.org.name.clone(), team => ser(&team_item(state, team).await?),
            repos, is_owner => v.owner, error, errors, repo_name,
        },
    )
}

pub async fn repos(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let v = member_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    repos_page(&state, &viewer, &v, &team, None, "").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RepoForm {
    repo_name: String,
}

pub async fn add_repo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
    Form(form): Form<RepoForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    let name = form.repo_name.trim();
    match orgs::add_team_repo(&state.db, &team, name).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/teams/{}/repositories", v.org.name, team.name),
            &format!("{name} has been added to the team."),
        )),
        // The organisation has no such repository: the form again, not a 404 page.
        Err(ServiceError::NotFound) => {
            let msg = if name.is_empty() {
                "Repository name is required.".to_string()
            } else {
                format!("{} has no repository {name}.", v.org.name)
            };
            repos_page(&state, &viewer, &v, &team, Some(msg), name).await
        }
        Err(ServiceError::Invalid(m)) => repos_page(&state, &viewer, &v, &team, Some(sentence(&m)), name).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_repo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, team)): Path<(String, String)>,
    Form(form): Form<RepoForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &org).await?;
    let team = team_of(&state, &v, &team).await?;
    let name = form.repo_name.trim();
    orgs::remove_team_repo(&state.db, &team, name).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/org/{}/teams/{}/repositories", v.org.name, team.name),
        &format!("{name} has been removed from the team."),
    ))
}
