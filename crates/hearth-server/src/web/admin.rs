//! `/admin…`: site administration (web-ui.md §6): the dashboard's counts, accounts, organisations,
//! repositories and notices, through the same services as the admin API. Every page and every
//! POST answers 404 to a signed-in viewer who is not a site administrator (the pages do not admit
//! they exist) and sends anonymous visitors to sign in.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use hearth_store::users::UserRow;
use hearth_store::{UserKind, Window};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::account::sentence;
use super::home::Pager;
use super::page::{WebError, invalid_form, render, ser};
use super::session::{Viewer, redirect_with_flash, urlencode};
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::Validator;
use crate::service::accounts::{self, AdminEdit, NewAccount};
use crate::service::{ServiceError, admin, notices, two_factor};

/// Rows per list page (accounts, organisations, repositories).
const PAGE: i64 = 20;
/// Notices per page (Gogs' admin page size, as the notices API).
const NOTICE_PAGE: i64 = 25;

pub fn routes() -> Router<AppState> {
    admin::mark_started();
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/users", get(users))
        .route("/admin/users/new", get(new_user_form).post(create_user))
        .route("/admin/users/{id}", get(edit_user_form).post(update_user))
        .route("/admin/users/{id}/delete", post(delete_user))
        .route("/admin/users/{id}/two_factor/delete", post(reset_two_factor))
        .route("/admin/orgs", get(orgs))
        .route("/admin/repos", get(repos))
        .route("/admin/notices", get(notice_list))
        .route("/admin/notices/empty", post(delete_notices))
}

/// The signed-in site administrator; anyone else signed in gets 404 (web-ui.md §2).
fn site_admin(viewer: &Viewer) -> Result<&Arc<UserRow>, WebError> {
    let me = viewer.signed_in()?;
    if me.is_admin { Ok(me) } else { Err(WebError::NotFound) }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    /// Kept as text: a garbled number is the first page, not axum's plain-text rejection.
    page: String,
}

impl ListQuery {
    /// Capped, so that the pager's `page * per_page` cannot overflow.
    fn page(&self) -> i64 {
        crate::web::home::page_number(&self.page)
    }

    fn window(&self, per_page: i64) -> Window {
        Window { limit: per_page, offset: (self.page() - 1).saturating_mul(per_page) }
    }

    /// What a pager link starts with, keeping the search.
    fn base(&self) -> String {
        let q = self.q.trim();
        if q.is_empty() { "?".into() } else { format!("?q={}&", urlencode(q)) }
    }
}

// ---- dashboard ----

#[derive(Serialize)]
struct Stat {
    label: &'static str,
    count: i64,
}

pub async fn dashboard(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let c = admin::counts(&state.db).await?;
    let stats = [
        Stat { label: "Users", count: c.users },
        Stat { label: "Organizations", count: c.orgs },
        Stat { label: "Repositories", count: c.repos },
        Stat { label: "Issues", count: c.issues },
        Stat { label: "Pull requests", count: c.pulls },
        Stat { label: "Public keys", count: c.public_keys },
        Stat { label: "Webhooks", count: c.webhooks },
    ];
    render(
        &viewer,
        "admin/dashboard.html",
        context! {
            section => "dashboard",
            stats => ser(&stats),
            version => env!("CARGO_PKG_VERSION"),
            uptime => human_duration(admin::uptime().as_secs()),
        },
    )
}

/// "2 days, 3 hours" (the two largest units; "less than a minute" at first).
fn human_duration(secs: u64) -> String {
    let units = [(86400, "day"), (3600, "hour"), (60, "minute")];
    let mut rest = secs;
    let mut parts = Vec::new();
    for (size, name) in units {
        let n = rest / size;
        rest %= size;
        if n > 0 || !parts.is_empty() {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
    }
    parts.truncate(2);
    if parts.is_empty() { "less than a minute".into() } else { parts.join(", ") }
}

// ---- accounts ----

#[derive(Serialize)]
struct AccountItem {
    id: i64,
    name: String,
    full_name: String,
    email: String,
    is_admin: bool,
    is_active: bool,
    prohibit_login: bool,
    num_repos: i64,
    created_unix: i64,
    /// Enrolled in two-factor authentication.
    two_factor: bool,
}

impl AccountItem {
    fn new(u: &UserRow) -> AccountItem {
        AccountItem {
            id: u.id,
            name: u.name.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone(),
            is_admin: u.is_admin,
            is_active: u.is_active,
            prohibit_login: u.prohibit_login,
            num_repos: u.num_repos,
            created_unix: u.created_unix,
            two_factor: false,
        }
    }
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let (rows, total) = admin::find_accounts(&state.db, UserKind::Individual, &q.q, q.window(PAGE)).await?;
    let enrolled = {
        let mut h = state.db.acquire().await?;
        hearth_store::two_factor::enrolled_among(h.conn(), &rows.iter().map(|u| u.id).collect::<Vec<_>>()).await?
    };
    let list: Vec<AccountItem> =
        rows.iter().map(|u| AccountItem { two_factor: enrolled.contains(&u.id), ..AccountItem::new(u) }).collect();
    render(
        &viewer,
        "admin/users.html",
        context! {
            section => "users", q => q.q.trim(), base => q.base(), users => ser(&list),
            pager => ser(&Pager::new(q.page(), PAGE, total)),
        },
    )
}

/// The admin API's binding rules (the same [`Validator`]), with the first failure as a sentence
/// naming the form's label.
fn first_violation(v: &mut Validator, labels: &[(&str, &str)]) -> Option<(String, String)> {
    let Err(ApiError::Validation(errors)) = v.finish() else { return None };
    let e = errors.into_iter().next()?;
    let field = e.field_names.first().cloned().unwrap_or_default();
    let label = labels.iter().find(|(f, _)| *f == field).map_or("This field", |(_, l)| l);
    let message = match e.classification.as_str() {
        "RequiredError" => format!("{label} is required."),
        "MaxSizeError" => format!("{label} is too long."),
        "EmailError" => format!("{label} is not a valid e-mail address."),
        "AlphaDashDotError" => format!("{label} may only contain letters, digits, '-', '_' and '.'."),
        _ => format!("{label} is not valid."),
    };
    Some((field, message))
}

/// Which control a service refusal is about.
fn field_for(message: &str, name_field: &str) -> String {
    let lower = message.to_lowercase();
    if lower.starts_with("password") {
        "password".into()
    } else if lower.contains("email") {
        "email".into()
    } else {
        name_field.into()
    }
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct NewUserForm {
    user_name: String,
    email: String,
    #[serde(skip_serializing)]
    password: String,
}

pub async fn new_user_form(viewer: Viewer) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    render(
        &viewer,
        "admin/user_new.html",
        context! { section => "users", form => ser(&NewUserForm::default()), errors => context! {} },
    )
}

pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let ctx = context! { section => "users", form => ser(&form) };
    let name = form.user_name.trim();
    let email = form.email.trim();
    let mut rules = Validator::new();
    rules
        .required("user_name", name)
        .alpha_dash_dot("user_name", name)
        .max_size("user_name", name, 35)
        .required("email", email)
        .email("email", email)
        .max_size("email", email, 254)
        .required("password", &form.password)
        .max_size("password", &form.password, 255);
    let labels = [("user_name", "Username"), ("email", "Email"), ("password", "Password")];
    if let Some((field, message)) = first_violation(&mut rules, &labels) {
        return invalid_form(&viewer, "admin/user_new.html", ctx, &field, message);
    }
    let account = NewAccount {
        name: name.to_string(),
        email: email.to_string(),
        password: form.password.clone(),
        ..Default::default()
    };
    match accounts::create_user(&state.db, &state.passwords, &account).await {
        Ok(user) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/users/{}", user.id),
            &format!("The account {} has been created.", user.name),
        )),
        Err(ServiceError::Invalid(m)) => {
            invalid_form(&viewer, "admin/user_new.html", ctx, &field_for(&m, "user_name"), sentence(&m))
        }
        Err(e) => Err(e.into()),
    }
}

/// The edit form's values: the account's, or what was submitted (never a password).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct EditUserForm {
    email: String,
    full_name: String,
    #[serde(skip_serializing)]
    password: String,
    /// Checkboxes: present when checked.
    admin: Option<String>,
    active: Option<String>,
    prohibit_login: Option<String>,
}

impl EditUserForm {
    fn of(u: &UserRow) -> EditUserForm {
        let on = |b: bool| b.then(|| "on".to_string());
        EditUserForm {
            email: u.email.clone(),
            full_name: u.full_name.clone(),
            password: String::new(),
            admin: on(u.is_admin),
            active: on(u.is_active),
            prohibit_login: on(u.prohibit_login),
        }
    }
}

fn account_id(id: &str) -> Result<i64, WebError> {
    id.trim().parse().map_err(|_| WebError::NotFound)
}

async fn edit_context(state: &AppState, user: &UserRow, form: &EditUserForm) -> Result<Value, WebError> {
    let item = AccountItem { two_factor: two_factor::is_enrolled(state, user.id).await?, ..AccountItem::new(user) };
    Ok(context! { section => "users", account => ser(&item), form => ser(form) })
}

/// `POST /admin/users/ID/two_factor/delete`: end an account's two-factor enrolment (a user who
/// lost both phone and recovery codes); the password alone signs in again.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let user = admin::account_by_id(&state.db, account_id(&id)?).await?;
    let message = if two_factor::disable(&state, user.id).await? {
        format!("Two-factor authentication of {} has been reset.", user.name)
    } else {
        format!("{} has no two-factor authentication to reset.", user.name)
    };
    Ok(redirect_with_flash(&state, &format!("/admin/users/{}", user.id), &message))
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let user = admin::account_by_id(&state.db, account_id(&id)?).await?;
    let ctx = edit_context(&state, &user, &EditUserForm::of(&user)).await?;
    render(&viewer, "admin/user_edit.html", context! { ..ctx, ..context! { errors => context! {} } })
}

pub async fn update_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<EditUserForm>,
) -> Result<Response, WebError> {
    let me = site_admin(&viewer)?;
    let user = admin::account_by_id(&state.db, account_id(&id)?).await?;
    let ctx = edit_context(&state, &user, &form).await?;
    // An administrator cannot lock themselves out from this form (their session would end at
    // once, with nobody left to undo it); another administrator, or the CLI, can.
    if user.id == me.id {
        let lockout = if form.admin.is_none() {
            Some(("admin", "You cannot take away your own administrator rights."))
        } else if form.active.is_none() {
            Some(("active", "You cannot deactivate your own account."))
        } else if form.prohibit_login.is_some() {
            Some(("prohibit_login", "You cannot prohibit your own login."))
        } else {
            None
        };
        if let Some((field, message)) = lockout {
            return invalid_form(&viewer, "admin/user_edit.html", ctx, field, message.into());
        }
    }
    let email = form.email.trim();
    let mut rules = Validator::new();
    rules
        .max_size("full_name", &form.full_name, 100)
        .required("email", email)
        .email("email", email)
        .max_size("email", email, 254)
        .max_size("password", &form.password, 255);
    let labels = [("email", "Email"), ("full_name", "Full name"), ("password", "Password")];
    if let Some((field, message)) = first_violation(&mut rules, &labels) {
        return invalid_form(&viewer, "admin/user_edit.html", ctx, &field, message);
    }
    // The fields this form does not show keep their values (the service writes them all).
    let edit = AdminEdit {
        login_source: user.login_source,
        login_name: user.login_name.clone(),
        full_name: form.full_name.trim().to_string(),
        email: email.to_string(),
        password: form.password.clone(),
        website: user.website.clone(),
        location: user.location.clone(),
        active: Some(form.active.is_some()),
        admin: Some(form.admin.is_some()),
        prohibit_login: Some(form.prohibit_login.is_some()),
        ..AdminEdit::default()
    };
    match accounts::admin_edit(&state.db, &state.passwords, &user, &edit).await {
        Ok(updated) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/users/{}", updated.id),
            &format!("The account {} has been updated.", updated.name),
        )),
        Err(ServiceError::Invalid(m)) => {
            invalid_form(&viewer, "admin/user_edit.html", ctx, &field_for(&m, "email"), sentence(&m))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let me = site_admin(&viewer)?;
    let user = admin::account_by_id(&state.db, account_id(&id)?).await?;
    if user.id == me.id {
        let ctx = edit_context(&state, &user, &EditUserForm::of(&user)).await?;
        return invalid_form(
            &viewer,
            "admin/user_edit.html",
            ctx,
            "delete",
            "You cannot delete your own account.".into(),
        );
    }
    match accounts::delete_user(&state.db, &state.config, &user).await {
        Ok(()) => {
            Ok(redirect_with_flash(&state, "/admin/users", &format!("The account {} has been deleted.", user.name)))
        }
        Err(ServiceError::Invalid(m)) => {
            let message = if m.contains("repositories") {
                "This account still owns repositories: transfer or delete them first."
            } else {
                "This account still belongs to organizations: remove it from them first."
            };
            let ctx = edit_context(&state, &user, &EditUserForm::of(&user)).await?;
            invalid_form(&viewer, "admin/user_edit.html", ctx, "delete", message.into())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- organisations and repositories ----

#[derive(Serialize)]
struct OrgItem {
    name: String,
    full_name: String,
    members: i64,
    repos: i64,
    created_unix: i64,
}

pub async fn orgs(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let (rows, total) = admin::find_orgs(&state.db, &q.q, q.window(PAGE)).await?;
    let list: Vec<OrgItem> = rows
        .iter()
        .map(|e| OrgItem {
            name: e.org.name.clone(),
            full_name: e.org.full_name.clone(),
            members: e.members,
            repos: e.org.num_repos,
            created_unix: e.org.created_unix,
        })
        .collect();
    render(
        &viewer,
        "admin/orgs.html",
        context! {
            section => "orgs", q => q.q.trim(), base => q.base(), orgs => ser(&list),
            pager => ser(&Pager::new(q.page(), PAGE, total)),
        },
    )
}

#[derive(Serialize)]
struct RepoItem {
    owner: String,
    name: String,
    description: String,
    is_private: bool,
    is_fork: bool,
    is_mirror: bool,
    stars: i64,
    issues: i64,
    created_unix: i64,
}

pub async fn repos(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let (rows, total) = admin::find_repos(&state.db, &q.q, q.window(PAGE)).await?;
    let list: Vec<RepoItem> = rows
        .iter()
        .map(|e| RepoItem {
            owner: e.owner.clone(),
            name: e.repo.name.clone(),
            description: e.repo.description.clone(),
            is_private: e.repo.is_private,
            is_fork: e.repo.is_fork,
            is_mirror: e.repo.is_mirror,
            stars: e.repo.num_stars,
            issues: e.repo.num_issues,
            created_unix: e.repo.created_unix,
        })
        .collect();
    render(
        &viewer,
        "admin/repos.html",
        context! {
            section => "repos", q => q.q.trim(), base => q.base(), repos => ser(&list),
            pager => ser(&Pager::new(q.page(), PAGE, total)),
        },
    )
}

// ---- notices ----

#[derive(Serialize)]
struct NoticeItem {
    kind: &'static str,
    description: String,
    created_unix: i64,
}

pub async fn notice_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    let w = q.window(NOTICE_PAGE);
    let (rows, total) = notices::list(&state.db, w.limit, w.offset).await?;
    let list: Vec<NoticeItem> = rows
        .into_iter()
        .map(|n| NoticeItem {
            kind: if n.kind == notices::NoticeKind::Task as i64 { "Task" } else { "Repository" },
            description: n.description,
            created_unix: n.created_unix,
        })
        .collect();
    render(
        &viewer,
        "admin/notices.html",
        context! {
            section => "notices", notices => ser(&list), total, base => "?",
            pager => ser(&Pager::new(q.page(), NOTICE_PAGE, total)),
        },
    )
}

pub async fn delete_notices(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    site_admin(&viewer)?;
    notices::delete_all(&state.db).await?;
    Ok(redirect_with_flash(&state, "/admin/notices", "All notices have been deleted."))
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn uptimes_read_as_words() {
        assert_eq!(human_duration(5), "less than a minute");
        assert_eq!(human_duration(61), "1 minute");
        assert_eq!(human_duration(3 * 3600 + 120), "3 hours, 2 minutes");
        assert_eq!(human_duration(86400 + 59), "1 day, 0 hours");
    }
}
