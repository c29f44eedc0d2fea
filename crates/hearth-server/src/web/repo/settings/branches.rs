//! `/OWNER/REPO/settings/branches[/BRANCH]`: the default branch, and per branch a protection rule
//! (Gitea's rules, as the API's branch-protection routes store them) in Gogs' three settings:
//! protected (no force pushes, no deletion), pull requests required (no direct pushes), and the
//! users who may still push directly.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminRepo, refused, ticked};
use crate::app::AppState;
use crate::service::branch_protection::{self as protection, Named};
use crate::service::repo_manage::{self, EditRepo};
use crate::service::{ServiceError, git_blocking};
use crate::web::page::{WebError, ser};
use crate::web::session::redirect_with_flash;

#[derive(Serialize)]
struct BranchItem {
    name: String,
    is_default: bool,
    protected: bool,
}

async fn branch_names(page: &AdminRepo) -> Result<Vec<String>, WebError> {
    let dir = page.0.ctx.dir().to_path_buf();
    let mut names: Vec<String> =
        git_blocking(move || hearth_git::list_branches(&dir)).await?.into_iter().map(|b| b.name).collect();
    names.sort();
    Ok(names)
}

async fn render_list(state: &AppState, page: &AdminRepo, error: Option<(&str, String)>) -> Result<Response, WebError> {
    let default = page.0.ctx.repo.default_branch.clone();
    let rules = protection::rules(state, page.0.ctx.repo.id).await?;
    let mut items: Vec<BranchItem> = branch_names(page)
        .await?
        .into_iter()
        .map(|name| BranchItem {
            is_default: name == default,
            protected: protection::rule_for(&rules, &name).is_some(),
            name,
        })
        .collect();
    items.sort_by(|a, b| b.is_default.cmp(&a.is_default).then_with(|| a.name.cmp(&b.name)));
    let ctx = context! { branches => ser(&items), default_branch => default };
    const TEMPLATE: &str = "repo/settings/branches.html";
    match error {
        Some((field, message)) => page.invalid(state, TEMPLATE, "branches", ctx, field, message).await,
        None => page.render(state, TEMPLATE, "branches", ctx).await,
    }
}

pub async fn show(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    render_list(&state, &page, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DefaultForm {
    default_branch: String,
}

pub async fn set_default(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<DefaultForm>,
) -> Result<Response, WebError> {
    // The service ignores a branch that does not exist; the form says so instead.
    if !branch_names(&page).await?.contains(&form.default_branch) {
        return render_list(&state, &page, Some(("default_branch", "Choose one of the branches.".into()))).await;
    }
    let ctx = &page.0.ctx;
    let edit = EditRepo { default_branch: Some(form.default_branch.clone()), ..EditRepo::default() };
    match repo_manage::edit(&state, &ctx.owner, &ctx.repo, page.me()?, &edit).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &page.path("/settings/branches"),
            &format!("The default branch is now {}.", form.default_branch),
        )),
        Err(e) => {
            let message = refused(e)?;
            render_list(&state, &page, Some(("default_branch", message))).await
        }
    }
}

// ---- one branch's protection ----

/// A branch name as a URL path (slashes kept), for the redirect back to its page.
fn encode_path(name: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(name, SET).to_string()
}

const RULE_TEMPLATE: &str = "repo/settings/branch.html";

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct RuleForm {
    protect: Option<String>,
    require_pr: Option<String>,
    push_users: String,
    status_check: Option<String>,
    /// Context names or globs, one per line (or comma-separated).
    status_contexts: String,
    /// Text, so a garbled number is the form again with its error, not a plain 400.
    approvals: String,
}

/// The words of a list typed one per line or comma-separated.
fn list_of(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c: char| separators.contains(&c)).map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

/// The branch the path names; 404 unless it exists.
async fn existing_branch(page: &AdminRepo, branch: &str) -> Result<(), WebError> {
    let dir = page.0.ctx.dir().to_path_buf();
    let name = branch.to_string();
    match git_blocking(move || hearth_git::branch(&dir, &name)).await? {
        Some(_) => Ok(()),
        None => Err(WebError::NotFound),
    }
}

/// The rule named exactly like the branch, if there is one.
async fn rule_of(state: &AppState, page: &AdminRepo, branch: &str) -> Result<Option<protection::Rule>, WebError> {
    match protection::get(state, &page.0.ctx.repo, branch).await {
        Ok(rule) => Ok(Some(rule)),
        Err(ServiceError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn rule(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, branch)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    existing_branch(&page, &branch).await?;
    let form = match rule_of(&state, &page, &branch).await? {
        Some(rule) => {
            let s = &rule.settings;
            let [push_users, ..] = protection::names_of(&state, s).await?;
            RuleForm {
                protect: Some("on".into()),
                require_pr: (!s.enable_push || s.enable_push_whitelist).then(|| "on".into()),
                push_users: if s.enable_push_whitelist { push_users.join(", ") } else { String::new() },
                status_check: s.enable_status_check.then(|| "on".into()),
                status_contexts: s.status_check_contexts.join("\n"),
                approvals: s.required_approvals.to_string(),
            }
        }
        None => RuleForm::default(),
    };
    // A pattern rule (set over the API) may cover the branch; an exact rule saved here wins over it.
    let rules = protection::rules(&state, page.0.ctx.repo.id).await?;
    let pattern = protection::rule_for(&rules, &branch).filter(|r| r.is_glob()).map(|r| r.row.rule_name.clone());
    page.render(&state, RULE_TEMPLATE, "branches", context! { branch, pattern, form => ser(&form) }).await
}

pub async fn save_rule(
    State(state): State<AppState>,
    page: AdminRepo,
    Path((_, _, branch)): Path<(String, String, String)>,
    Form(form): Form<RuleForm>,
) -> Result<Response, WebError> {
    existing_branch(&page, &branch).await?;
    let invalid = |field: &str, message: String| {
        let ctx = context! { branch => branch.clone(), form => ser(&form) };
        (ctx, field.to_string(), message)
    };
    let back = page.path(&format!("/settings/branches/{}", encode_path(&branch)));
    let ctx = &page.0.ctx;
    let existing = rule_of(&state, &page, &branch).await?;
    if !ticked(&form.protect) {
        if existing.is_some() {
            protection::delete(&state, &ctx.repo, &branch).await?;
        }
        return Ok(redirect_with_flash(&state, &back, &format!("Branch {branch} is not protected.")));
    }
    let users = list_of(&form.push_users, &[',', ' ', '\t', '\r', '\n']);
    let contexts = list_of(&form.status_contexts, &[',', '\r', '\n']);
    let status_check = ticked(&form.status_check);
    let approvals = match form.approvals.trim() {
        "" => Some(0),
        n => n.parse::<i64>().ok().filter(|n| (0..=100).contains(n)),
    };
    let Some(approvals) = approvals else {
        let (c, f, m) = invalid("approvals", "Required approvals must be a whole number from 0 to 100.".to_string());
        return page.invalid(&state, RULE_TEMPLATE, "branches", c, &f, m).await;
    };
    if status_check && contexts.is_empty() {
        let message = "Name at least one status check context (or a pattern such as ci/*).".to_string();
        let (c, f, m) = invalid("status_contexts", message);
        return page.invalid(&state, RULE_TEMPLATE, "branches", c, &f, m).await;
    }
    let require_pr = ticked(&form.require_pr);
    if !require_pr && !users.is_empty() {
        let message = "Users allowed to push are the exceptions to \"Require pull requests\": tick it as well, \
                       or leave the list empty."
            .to_string();
        let (c, f, m) = invalid("push_users", message);
        return page.invalid(&state, RULE_TEMPLATE, "branches", c, &f, m).await;
    }
    // Other settings of an existing rule (set over the API) stay as they are.
    let mut named = Named { rule_name: branch.clone(), ..Named::default() };
    if let Some(rule) = &existing {
        let [_, mu, au, fu, _, mt, at, ft] = protection::names_of(&state, &rule.settings).await?;
        named.settings = rule.settings.clone();
        (named.merge_users, named.approvals_users, named.force_users) = (mu, au, fu);
        (named.merge_teams, named.approvals_teams, named.force_teams) = (mt, at, ft);
    }
    let s = &mut named.settings;
    s.enable_force_push = false;
    s.enable_push = !require_pr || !users.is_empty();
    s.enable_push_whitelist = require_pr && !users.is_empty();
    s.enable_status_check = status_check;
    s.status_check_contexts = if status_check { contexts } else { Vec::new() };
    s.required_approvals = approvals;
    named.push_users = users;
    let saved = match existing {
        Some(_) => protection::edit(&state, &ctx.owner, &ctx.repo, &named).await,
        None => protection::create(&state, &ctx.owner, &ctx.repo, &named).await,
    };
    match saved {
        Ok(_) => Ok(redirect_with_flash(&state, &back, &format!("The protection of branch {branch} has been saved."))),
        Err(e) => {
            let message = refused(e)?;
            let field = if message.contains("user") { "push_users" } else { "protect" };
            let (c, f, m) = invalid(field, message);
            page.invalid(&state, RULE_TEMPLATE, "branches", c, &f, m).await
        }
    }
}
