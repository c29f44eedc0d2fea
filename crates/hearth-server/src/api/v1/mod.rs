//! `/api/v1` handlers, one module per Gogs area, and the one route list that is both the routing
//! table and the OpenAPI document.

mod admin;
pub(crate) mod archive;
mod branch_protections;
mod branches;
mod collaborators;
mod commit_comments;
mod commits;
pub(crate) mod contents;
mod deploy_keys;
mod emails;
mod feeds;
mod followers;
mod forks;
mod gists;
mod git_data;
mod git_refs;
mod hooks;
mod issue_comments;
mod issue_labels;
mod issues;
mod keys;
mod label_templates;
mod labels;
mod markdown;
mod milestones;
mod misc;
mod notices;
mod notifications;
mod oauth2_apps;
mod orgs;
pub mod pulls;
mod refs;
mod releases;
mod repo_manage;
mod repos;
mod reviews;
mod site_admin;
mod stars;
mod statuses;
pub mod streamed;
mod teams;
mod templates;
mod tokens;
mod users;

use hearth_store::users::UserRow;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(OpenApi)]
#[openapi(
    info(title = "hearth API", description = "Gogs-compatible REST API v1 served by hearth."),
    servers((url = "/api/v1")),
    components(schemas(crate::error::FieldError)),
    paths(branches::get_branch, contents::get_contents, contents::put_contents, contents::delete_contents, contents::get_raw, commits::get_commit, commit_comments::list_commit_comments, commit_comments::create_commit_comment, archive::get_archive, git_refs::get_git_refs, refs::delete_branch, refs::get_tag, refs::delete_tag, pulls::get_pull_by_base_head),
    modifiers(&SecurityAddon),
    security(("token" = []), ("basic" = []))
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`token <access token>`",
            ))),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// Every `/api/v1` route, relative to `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::get_authenticated_user))
        .routes(routes!(users::search_users))
        .routes(routes!(users::get_user))
        .routes(routes!(tokens::list_access_tokens, tokens::create_access_token))
        .routes(routes!(oauth2_apps::list_oauth2_applications, oauth2_apps::create_oauth2_application))
        .routes(routes!(
            oauth2_apps::get_oauth2_application,
            oauth2_apps::update_oauth2_application,
            oauth2_apps::delete_oauth2_application
        ))
        .routes(routes!(emails::list_emails, emails::add_emails, emails::delete_emails))
        .routes(routes!(followers::list_my_followers))
        .routes(routes!(followers::list_my_following))
        .routes(routes!(followers::check_my_following, followers::follow_user, followers::unfollow_user))
        .routes(routes!(followers::list_followers))
        .routes(routes!(followers::list_following))
        .routes(routes!(followers::check_following))
        .routes(routes!(keys::list_my_keys, keys::create_my_key))
        .routes(routes!(keys::get_my_key, keys::delete_my_key))
        .routes(routes!(keys::list_user_keys))
        .routes(routes!(admin::create_user))
        .routes(routes!(admin::edit_user, admin::delete_user))
        .routes(routes!(admin::create_user_key))
        .routes(routes!(repos::create_my_repo, repos::list_my_repos))
        .routes(routes!(repos::create_user_repo))
        .routes(routes!(repos::list_user_repos))
        .routes(routes!(repos::search_repos))
        .routes(routes!(repos::migrate_repo))
        .routes(routes!(repos::sync_mirror))
        .routes(routes!(repos::get_repo, repos::delete_repo))
        .routes(routes!(repos::edit_issue_tracker))
        .routes(routes!(repos::edit_wiki))
        .routes(routes!(branches::list_branches))
        // A wildcard (branch names contain `/`): routed by hand, documented through `ApiDoc`.
        .route("/repos/{owner}/{repo}/branches/{*branch}", axum::routing::get(branches::get_branch))
        .routes(routes!(branches::list_tags))
        .routes(routes!(contents::get_root_contents))
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            axum::routing::get(contents::get_contents).put(contents::put_contents).delete(contents::delete_contents),
        )
        .route("/repos/{owner}/{repo}/raw/{*refpath}", axum::routing::get(contents::get_raw))
        .routes(routes!(git_refs::list_git_refs))
        .route("/repos/{owner}/{repo}/git/refs/{*ref}", axum::routing::get(git_refs::get_git_refs))
        .routes(routes!(contents::get_tree))
        .routes(routes!(contents::get_blob))
        .routes(routes!(contents::get_editorconfig))
        .routes(routes!(commits::list_commits))
        .route("/repos/{owner}/{repo}/archive/{*archive}", axum::routing::get(archive::get_archive))
        .routes(routes!(forks::list_forks, forks::create_fork))
        .routes(routes!(releases::list_releases, releases::create_release))
        .routes(routes!(releases::get_release, releases::edit_release, releases::delete_release))
        .route("/repos/{owner}/{repo}/commits/{*sha}", axum::routing::get(commit_comments::get_commit_or_comments))
        .routes(routes!(collaborators::list_collaborators))
        .routes(routes!(
            collaborators::check_collaborator,
            collaborators::add_collaborator,
            collaborators::delete_collaborator
        ))
        .routes(routes!(deploy_keys::list_deploy_keys, deploy_keys::create_deploy_key))
        .routes(routes!(deploy_keys::get_deploy_key, deploy_keys::delete_deploy_key))
        .routes(routes!(orgs::list_my_orgs, orgs::create_my_org))
        .routes(routes!(orgs::list_user_orgs))
        .routes(routes!(orgs::admin_create_org))
        .routes(routes!(orgs::admin_list_orgs))
        .routes(routes!(orgs::get_org, orgs::edit_org))
        .routes(routes!(orgs::list_members))
        .routes(routes!(orgs::check_member, orgs::remove_member))
        .routes(routes!(orgs::put_memberships))
        .routes(routes!(orgs::put_membership_singular))
        .routes(routes!(repos::list_org_repos, repos::create_org_repo_alias))
        .routes(routes!(repos::create_org_repo))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::admin_create_team))
        .routes(routes!(teams::get_team, teams::edit_team, teams::delete_team))
        .routes(routes!(teams::list_team_members))
        .routes(routes!(teams::add_team_member, teams::remove_team_member))
        .routes(routes!(teams::list_team_repos))
        .routes(routes!(teams::add_team_repo, teams::remove_team_repo))
        .routes(routes!(teams::admin_list_team_members))
        .routes(routes!(teams::admin_add_team_member, teams::admin_remove_team_member))
        .routes(routes!(teams::admin_add_team_repo, teams::admin_remove_team_repo))
        .routes(routes!(hooks::list_hooks, hooks::create_hook))
        .routes(routes!(hooks::get_hook, hooks::edit_hook, hooks::delete_hook))
        .routes(routes!(hooks::test_hook))
        .routes(routes!(hooks::list_org_hooks, hooks::create_org_hook))
        .routes(routes!(hooks::get_org_hook, hooks::edit_org_hook, hooks::delete_org_hook))
        .routes(routes!(hooks::list_hook_deliveries))
        .routes(routes!(hooks::get_hook_delivery))
        .routes(routes!(hooks::redeliver_hook_delivery))
        .routes(routes!(issues::list_issues, issues::create_issue))
        .routes(routes!(issues::list_my_issues))
        .routes(routes!(issues::list_assigned_issues))
        .routes(routes!(issue_comments::list_repo_comments))
        .routes(routes!(issue_comments::edit_repo_comment))
        .routes(routes!(issues::get_issue, issues::edit_issue))
        .routes(routes!(issue_comments::list_issue_comments, issue_comments::create_comment))
        .routes(routes!(issue_comments::edit_comment, issue_comments::delete_comment))
        .routes(routes!(
            issue_labels::list_issue_labels,
            issue_labels::add_issue_labels,
            issue_labels::replace_issue_labels,
            issue_labels::clear_issue_labels
        ))
        .routes(routes!(issue_labels::remove_issue_label))
        .routes(routes!(feeds::user_feed))
        .routes(routes!(feeds::org_feed))
        .routes(routes!(feeds::repo_feed))
        .routes(routes!(feeds::my_feed))
        .routes(routes!(notifications::list_notifications, notifications::mark_notifications))
        .routes(routes!(notifications::count_new))
        .routes(routes!(notifications::get_thread, notifications::mark_thread))
        .routes(routes!(notifications::list_repo_notifications, notifications::mark_repo_notifications))
        .routes(routes!(pulls::list_pulls, pulls::create_pull))
        .routes(routes!(pulls::get_pull, pulls::edit_pull))
        .routes(routes!(pulls::list_pull_commits))
        // Gitea's `…/pulls/{base}/{*head}`: the head may hold slashes, and `{base}` shares its
        // position with `{index}`; routed by hand, documented through `ApiDoc`.
        .route("/repos/{owner}/{repo}/pulls/{index}/{*head}", axum::routing::get(pulls::get_pull_by_base_head))
        .routes(routes!(pulls::update_pull_branch))
        .routes(routes!(branch_protections::list_branch_protections, branch_protections::create_branch_protection))
        .routes(routes!(
            branch_protections::get_branch_protection,
            branch_protections::edit_branch_protection,
            branch_protections::delete_branch_protection
        ))
        .routes(routes!(reviews::list_reviews, reviews::create_review))
        .routes(routes!(reviews::get_review, reviews::submit_review, reviews::delete_review))
        .routes(routes!(reviews::list_review_comments))
        .routes(routes!(reviews::dismiss_review))
        .routes(routes!(reviews::undismiss_review))
        .routes(routes!(reviews::request_reviews, reviews::withdraw_review_requests))
        .routes(routes!(statuses::create_status, statuses::list_statuses))
        .routes(routes!(pulls::list_pull_files))
        .routes(routes!(pulls::is_merged, pulls::merge_pull, pulls::merge_pull_put))
        .routes(routes!(issues::list_assignees))
        .routes(routes!(issues::check_assignee))
        .routes(routes!(labels::list_labels, labels::create_label))
        .routes(routes!(labels::get_label, labels::edit_label, labels::delete_label))
        .routes(routes!(milestones::list_milestones, milestones::create_milestone))
        .routes(routes!(milestones::get_milestone, milestones::edit_milestone, milestones::delete_milestone))
        .routes(routes!(markdown::render_markdown))
        .routes(routes!(markdown::render_markdown_raw))
        .routes(routes!(misc::get_version))
        .routes(routes!(templates::list_gitignore_templates))
        .routes(routes!(templates::get_gitignore_template))
        .routes(routes!(templates::list_license_templates))
        .routes(routes!(templates::get_license_template))
        // Administration, label templates and POST /orgs (issue #15, h-admin).
        .routes(routes!(orgs::create_org))
        .routes(routes!(label_templates::list_label_templates))
        .routes(routes!(label_templates::get_label_template))
        .routes(routes!(site_admin::get_stats))
        .routes(routes!(site_admin::get_config))
        .routes(routes!(site_admin::list_auths))
        .routes(routes!(site_admin::search_users))
        .routes(routes!(notices::list_notices, notices::delete_all_notices))
        .routes(routes!(notices::delete_notice))
        // Starring and watching (Gitea's Activity routes).
        .routes(routes!(stars::list_stargazers))
        .routes(routes!(stars::list_user_starred))
        .routes(routes!(stars::list_my_starred))
        .routes(routes!(stars::check_starring, stars::star_repo, stars::unstar_repo))
        .routes(routes!(stars::list_subscribers))
        .routes(routes!(stars::list_user_subscriptions))
        .routes(routes!(stars::list_my_subscriptions))
        .routes(routes!(stars::get_subscription, stars::watch_repo, stars::unwatch_repo))
        // Branch and tag management and Git data objects (Gitea's routes); the wildcard DELETE
        // joins the `GET /branches/{*branch}` route above.
        .routes(routes!(refs::create_branch))
        .route("/repos/{owner}/{repo}/branches/{*branch}", axum::routing::delete(refs::delete_branch))
        .routes(routes!(refs::create_tag))
        .route("/repos/{owner}/{repo}/tags/{*tag}", axum::routing::get(refs::get_tag).delete(refs::delete_tag))
        .routes(routes!(git_data::get_annotated_tag))
        .routes(routes!(git_data::get_git_commit))
        // tokens (Gitea extensions): delete by id or name
        .routes(routes!(tokens::delete_access_token))
        // Repository management: edit (rename, archive) and transfers.
        .routes(routes!(repo_manage::edit_repo))
        .routes(routes!(repo_manage::transfer_repo))
        .routes(routes!(repo_manage::accept_transfer))
        .routes(routes!(repo_manage::reject_transfer))
        // Commit comments (issue #15, h-ccomments; GitHub's shape). The router cannot hold
        // `…/commits/{sha}/comments` beside the `…/commits/{*sha}` wildcard, so the wildcard's GET
        // (above) dispatches in `commit_comments::get_commit_or_comments` and its POST is added here.
        .routes(routes!(commit_comments::list_repo_commit_comments))
        .routes(routes!(
            commit_comments::get_commit_comment,
            commit_comments::edit_commit_comment,
            commit_comments::delete_commit_comment
        ))
        .route("/repos/{owner}/{repo}/commits/{*sha}", axum::routing::post(commit_comments::create_commit_comment))
        // Gists (GitHub's gists API shape).
        .routes(routes!(gists::list_my_gists, gists::create_gist))
        .routes(routes!(gists::list_user_gists))
        .routes(routes!(gists::get_gist, gists::edit_gist, gists::delete_gist))
        .routes(routes!(gists::get_gist_raw))
}

pub(crate) use crate::extract::RepoCtx;

/// Run a blocking git operation off the async workers: a missing repository directory is a 404,
/// any other git failure a 500.
pub(crate) async fn git_blocking<T: Send + 'static>(
    f: impl FnOnce() -> hearth_git::GitResult<T> + Send + 'static,
) -> ApiResult<T> {
    Ok(crate::service::git_blocking(f).await?)
}

/// Like [`git_blocking`], for reads whose `None` means "no such object" (404).
pub(crate) async fn git_find<T: Send + 'static>(
    f: impl FnOnce() -> hearth_git::GitResult<Option<T>> + Send + 'static,
) -> ApiResult<T> {
    git_blocking(f).await?.ok_or_else(ApiError::not_found)
}

/// Look an account up by name (case-insensitively); 404 if there is none.
pub(crate) async fn load_user(state: &AppState, name: &str) -> ApiResult<UserRow> {
    let found = state.rows.user_by_name(&state.db, name).await?.ok_or_else(ApiError::not_found)?;
    Ok(UserRow::clone(&found))
}
