//! The web UI (web-ui.md): server-rendered pages over the same `service/` functions as the API.
//!
//! Every page handler takes a [`Viewer`] (who is looking, from the session cookie), loads what it
//! shows through services or store reads, and renders a template ([`page::render`]). Errors are
//! [`WebError`]s; the [`session::viewer`] middleware turns them into full HTML error pages, so a
//! 404 still shows the viewer's header. Every POST passes [`csrf::guard`] first.

mod account;
mod admin;
mod assets;
mod csrf;
mod feeds;
mod highlight;
mod home;
mod hooks;
mod my_issues;
mod notifications;
pub mod oauth2;
mod orgs;
mod page;
mod people;
mod profile;
mod repo;
mod repo_create;
mod repo_migrate;
mod session;
mod settings;
mod two_factor;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::app::AppState;
use repo::settings as repo_settings;

pub use page::fallback;
pub use session::{purge_expired_sessions, viewer};

/// The issue tracker's pages: issues and pull request conversations, labels, milestones.
fn issue_routes() -> Router<AppState> {
    use repo::issues::{actions, labels, list, milestones, new, view};
    use repo::pulls;
    let mut r = Router::new()
        .route("/{owner}/{repo}/issues", get(list::issues))
        .route("/{owner}/{repo}/issues/new", get(new::form).post(new::create))
        .route("/{owner}/{repo}/issues/{index}", get(view::show_issue))
        .route("/{owner}/{repo}/issues/comments/{id}/edit", post(actions::edit_comment))
        .route("/{owner}/{repo}/issues/comments/{id}/delete", post(actions::delete_comment))
        .route("/{owner}/{repo}/pulls", get(list::pulls))
        .route("/{owner}/{repo}/pulls/{index}", get(view::show_pull))
        .route("/{owner}/{repo}/pulls/{index}/commits", get(pulls::commits))
        .route("/{owner}/{repo}/pulls/{index}/files", get(pulls::files).post(pulls::add_line_comment))
        .route("/{owner}/{repo}/pulls/{index}/reviews", post(pulls::review))
        .route("/{owner}/{repo}/pulls/{index}/merge", post(pulls::merge))
        .route("/{owner}/{repo}/pulls/{index}/delete-branch", post(pulls::delete_branch))
        .route("/{owner}/{repo}/compare", get(pulls::compare_form))
        .route("/{owner}/{repo}/compare/{*range}", get(pulls::compare).post(pulls::create))
        .route("/{owner}/{repo}/labels", get(labels::list).post(labels::create))
        .route("/{owner}/{repo}/labels/initialize", post(labels::initialize))
        .route("/{owner}/{repo}/labels/{id}/edit", post(labels::edit))
        .route("/{owner}/{repo}/labels/{id}/delete", post(labels::delete))
        .route("/{owner}/{repo}/milestones", get(milestones::list))
        .route("/{owner}/{repo}/milestones/new", get(milestones::new_form).post(milestones::create))
        .route("/{owner}/{repo}/milestones/{id}/edit", get(milestones::edit_form).post(milestones::edit))
        .route("/{owner}/{repo}/milestones/{id}/{action}", post(milestones::act));
    // The same forms act on an issue and on a pull request's conversation.
    for kind in ["issues", "pulls"] {
        r = r
            .route(&format!("/{{owner}}/{{repo}}/{kind}/{{index}}/comments"), post(actions::comment))
            .route(&format!("/{{owner}}/{{repo}}/{kind}/{{index}}/labels"), post(actions::set_labels))
            .route(&format!("/{{owner}}/{{repo}}/{kind}/{{index}}/milestone"), post(actions::set_milestone))
            .route(&format!("/{{owner}}/{{repo}}/{kind}/{{index}}/assignee"), post(actions::set_assignee))
            .route(&format!("/{{owner}}/{{repo}}/{kind}/{{index}}/title"), post(actions::set_title));
    }
    r
}

/// A repository's or an organisation's webhook pages below `base` (one set of handlers for both).
fn hook_routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(base, get(hooks::list))
        .route(&format!("{base}/gogs/new"), get(hooks::new_form).post(hooks::create))
        .route(&format!("{base}/{{id}}"), get(hooks::show).post(hooks::update))
        .route(&format!("{base}/{{id}}/test"), post(hooks::test))
        .route(&format!("{base}/{{id}}/delete"), post(hooks::delete))
        .route(&format!("{base}/{{id}}/deliveries/{{delivery}}/redeliver"), post(hooks::redeliver))
}

/// The page routes. API and Git routes are merged beside them and win where both match.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/explore/repos", get(home::explore_repos))
        .route("/explore/users", get(home::explore_users))
        .route("/explore/organizations", get(home::explore_orgs))
        .route("/user/login", get(account::login_form).post(account::login))
        .route("/user/sign_up", get(account::sign_up_form).post(account::sign_up))
        .route("/user/logout", post(account::logout))
        .route("/user/activate", get(account::activate).post(account::resend_activation))
        .route("/user/forget_password", get(account::forget_form).post(account::forget))
        .route("/user/reset_password", get(account::reset_form).post(account::reset))
        .route("/user/settings", get(settings::profile).post(settings::update_profile))
        .route("/user/settings/password", get(settings::password).post(settings::change_password))
        .route("/user/settings/email", get(settings::email).post(settings::add_email))
        .route("/user/settings/email/delete", post(settings::delete_email))
        .route("/user/settings/email/primary", post(settings::make_primary))
        .route("/user/settings/email/notifications", post(settings::set_mail_preference))
        .route("/user/settings/ssh", get(settings::ssh).post(settings::add_key))
        .route("/user/settings/ssh/delete", post(settings::delete_key))
        .route("/user/settings/applications", get(settings::applications).post(settings::create_token))
        .route("/user/settings/applications/delete", post(settings::delete_token))
        .route("/user/settings/applications/oauth2", post(settings::create_oauth2_app))
        .route("/user/settings/applications/oauth2/{id}", get(settings::oauth2_app).post(settings::update_oauth2_app))
        .route("/user/settings/applications/oauth2/{id}/regenerate_secret", post(settings::regenerate_oauth2_secret))
        .route("/user/settings/applications/oauth2/{id}/delete", post(settings::delete_oauth2_app))
        .route("/user/settings/applications/grants/revoke", post(settings::revoke_oauth2_grant))
        .route("/login/oauth/authorize", get(oauth2::authorize))
        .route("/login/oauth/grant", post(oauth2::grant))
        .route("/issues", get(my_issues::issues))
        .route("/pulls", get(my_issues::pulls))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/{id}/{to}", post(notifications::set_one))
        .route("/repo/create", get(repo_create::create_form).post(repo_create::create))
        .route("/repo/migrate", get(repo_migrate::migrate_form).post(repo_migrate::migrate))
        .route("/repo/fork/{id}", get(repo::forks::fork_form).post(repo::forks::fork))
        .route("/assets/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .route("/avatars/{id}", get(assets::avatar))
        .route("/{owner}", get(feeds::owner_page))
        .route("/{owner}/followers", get(people::follow_list_followers))
        .route("/{owner}/following", get(people::follow_list_following))
        .route("/{owner}/stars", get(people::starred))
        .route("/{owner}/action/{action}", post(people::follow_action))
        .route("/{owner}/{repo}/stars", get(people::repo_stars))
        .route("/{owner}/{repo}/watchers", get(people::repo_watchers))
        .route("/{owner}/{repo}/forks", get(repo::forks::list))
        .route("/{owner}/{repo}/releases", get(repo::releases::list))
        .route("/{owner}/{repo}/releases/tag/{*tag}", get(repo::releases::show))
        .route("/{owner}/{repo}/releases/new", get(repo::release_form::new_form).post(repo::release_form::create))
        .route(
            "/{owner}/{repo}/releases/edit/{*tag}",
            get(repo::release_form::edit_form).post(repo::release_form::edit),
        )
        .route("/{owner}/{repo}", get(feeds::repo_page))
        .route("/{owner}/{repo}/src", get(repo::tree::switch))
        .route("/{owner}/{repo}/src/{*rest}", get(repo::tree::src))
        .route("/{owner}/{repo}/raw/{*rest}", get(repo::tree::raw))
        .route("/{owner}/{repo}/commits/{*rest}", get(repo::commits::list))
        .route("/{owner}/{repo}/commit/{sha}", get(repo::commits::show))
        .route("/{owner}/{repo}/branches", get(repo::refs::branches))
        .route("/{owner}/{repo}/tags", get(repo::refs::tags))
        .route("/{owner}/{repo}/archive/{*name}", get(repo::tree::archive))
        .route("/{owner}/{repo}/action/{action}", post(repo::actions::act))
        .merge(two_factor::routes())
        .merge(issue_routes())
        .merge(admin::routes())
        .merge(orgs::routes())
        .route("/{owner}/{repo}/settings", get(repo_settings::options::show).post(repo_settings::options::update))
        .route("/{owner}/{repo}/settings/transfer", post(repo_settings::options::transfer))
        .route("/{owner}/{repo}/settings/delete", post(repo_settings::options::delete))
        .route(
            "/{owner}/{repo}/settings/collaboration",
            get(repo_settings::collaborators::show).post(repo_settings::collaborators::add),
        )
        .route("/{owner}/{repo}/settings/collaboration/access", post(repo_settings::collaborators::change_access))
        .route("/{owner}/{repo}/settings/collaboration/delete", post(repo_settings::collaborators::remove))
        .route(
            "/{owner}/{repo}/settings/branches",
            get(repo_settings::branches::show).post(repo_settings::branches::set_default),
        )
        .route(
            "/{owner}/{repo}/settings/branches/{*branch}",
            get(repo_settings::branches::rule).post(repo_settings::branches::save_rule),
        )
        .merge(hook_routes("/{owner}/{repo}/settings/hooks"))
        .merge(hook_routes("/org/{org}/settings/hooks"))
        .route("/{owner}/{repo}/settings/keys", get(repo_settings::keys::show).post(repo_settings::keys::add))
        .route("/{owner}/{repo}/settings/keys/delete", post(repo_settings::keys::delete))
        .route_layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .route_layer(middleware::from_fn_with_state(state, session::require_signin_view))
}
