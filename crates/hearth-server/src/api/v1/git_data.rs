//! Git data objects (Gitea's routes): `GET /repos/:o/:r/git/tags/:sha` (an annotated tag object)
//! and `GET /repos/:o/:r/git/commits/:sha` (a commit with its changed files and line counts), read
//! in-process.

use crate::json::Json;
use axum::extract::{Path, State};
use hearth_git::refs::TagObject;
use hearth_store::users::{self as user_store, UserRow};

use super::{git_blocking, git_find};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, RepoPath};
use crate::types::{
    AnnotatedTag, AnnotatedTagObject, CommitAffectedFile, CommitStats, CommitUser, GitCommit, GitCommitMeta,
    GitRepoCommit, User, Verification, rfc3339, rfc3339_with_offset,
};

/// Go's zero time, where Gitea leaves a time unset.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// An annotated tag object by its id; 400 for an object that is not a tag, as Gitea.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/tags/{sha}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    responses((status = 200, body = AnnotatedTag), (status = 400), (status = 404)))]
pub async fn get_annotated_tag(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((_owner, _repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<AnnotatedTag>> {
    let dir = ctx.dir().to_path_buf();
    let lookup = sha.to_ascii_lowercase();
    let tag = match git_blocking(move || hearth_git::refs::annotated_tag(&dir, &lookup)).await? {
        TagObject::Tag(t) => t,
        TagObject::NotATag => {
            return Err(ApiError::Message(
                axum::http::StatusCode::BAD_REQUEST,
                format!("object is not an annotated tag [id: {sha}]"),
            ));
        }
        TagObject::Missing => return Err(ApiError::not_found()),
    };
    let api = format!("{}/repos/{}/{}", state.links.api_url, ctx.owner.name, ctx.repo.name);
    Ok(Json(AnnotatedTag {
        url: format!("{api}/git/tags/{}", tag.id),
        object: AnnotatedTagObject {
            kind: "commit".into(),
            url: format!("{api}/git/commits/{}", tag.commit),
            sha: tag.commit,
        },
        tagger: tag.tagger.map(|t| CommitUser { name: t.name, email: t.email, date: rfc3339(t.time) }),
        tag: tag.name,
        sha: tag.id,
        message: tag.message,
        verification: Verification::not_signed(),
    }))
}

/// One commit by any revision, in Gitea's Commit shape with `files` and `stats`.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/commits/{sha}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    responses((status = 200, body = GitCommit), (status = 404), (status = 422)))]
pub async fn get_git_commit(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((_owner, _repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<GitCommit>> {
    if !hearth_git::read::is_safe_rev(&sha) {
        return Err(ApiError::unprocessable(format!("no valid ref or sha: {sha}")));
    }
    let dir = ctx.dir().to_path_buf();
    let c = git_find(move || hearth_git::changes::commit_changes(&dir, &sha)).await?;
    let mut h = state.db.acquire().await?;
    let author: Option<UserRow> = user_store::by_activated_email(h.conn(), &c.detail.info.author_email).await?;
    let committer: Option<UserRow> = user_store::by_activated_email(h.conn(), &c.detail.info.committer_email).await?;
    drop(h);
    let show_email = who.user.is_some();
    let author = author.map(|u| User::new(&state.links, &u, show_email));
    let committer = committer.map(|u| User::new(&state.links, &u, show_email));
    let info = &c.detail.info;
    let api = format!("{}/repos/{}/{}", state.links.api_url, ctx.owner.name, ctx.repo.name);
    let html = state.links.repo_urls(&ctx.owner.name, &ctx.repo.name).html;
    let created = rfc3339_with_offset(info.committer_time, info.committer_offset);
    let url = format!("{api}/git/commits/{}", info.id);
    let mut files = Vec::new();
    for (status, list) in [("added", &c.added), ("removed", &c.removed), ("modified", &c.modified)] {
        files.extend(list.iter().map(|f| CommitAffectedFile { filename: f.clone(), status: status.into() }));
    }
    Ok(Json(GitCommit {
        url: url.clone(),
        sha: info.id.clone(),
        created: created.clone(),
        html_url: format!("{html}/commit/{}", info.id),
        commit: GitRepoCommit {
            url,
            author: CommitUser {
                name: info.author_name.clone(),
                email: info.author_email.clone(),
                date: rfc3339_with_offset(info.author_time, info.author_offset),
            },
            committer: CommitUser {
                name: info.committer_name.clone(),
                email: info.committer_email.clone(),
                date: created.clone(),
            },
            message: info.message.clone(),
            // Gitea shows the commit's own id as the tree (its URL still serves the tree).
            tree: GitCommitMeta { url: format!("{api}/git/trees/{}", info.id), sha: info.id.clone(), created },
            verification: Verification::not_signed(),
        },
        author,
        committer,
        parents: c
            .detail
            .parents
            .iter()
            .map(|p| GitCommitMeta { url: format!("{api}/git/commits/{p}"), sha: p.clone(), created: ZERO_TIME.into() })
            .collect(),
        files,
        stats: CommitStats { total: c.additions + c.deletions, additions: c.additions, deletions: c.deletions },
    }))
}
