//! Repository lifecycle: a database row and a bare repository on disk, created and deleted
//! together (a failure in either half leaves neither behind).

use std::path::{Path, PathBuf};

use hearth_git::{InitFile, Person};
use hearth_store::StoreError;
use hearth_store::repos::{self, NewRepo, RepoRow};
use hearth_store::users::UserRow;

use super::disk;
use super::names::is_alpha_dash_dot;
use super::templates::{self, ReadmeVars};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// `<ROOT>/<lower owner>/<lower name>.git`. Both names must already be validated.
pub fn repo_path(root: &Path, owner: &str, name: &str) -> PathBuf {
    root.join(owner.to_lowercase()).join(format!("{}.git", name.to_lowercase()))
}

/// Gogs' repository name rules plus hearth's (no leading `-` or `.`).
pub fn check_repo_name(name: &str) -> ServiceResult<()> {
    let lower = name.to_lowercase();
    if name.is_empty() || name.chars().count() > 100 || !is_alpha_dash_dot(name) {
        return Err(ServiceError::Invalid(format!("name is not valid [name: {name}]")));
    }
    if lower == "."
        || lower == ".."
        || lower.ends_with(".git")
        || lower.ends_with(".wiki")
        || lower.starts_with('-')
        || lower.starts_with('.')
    {
        return Err(ServiceError::Invalid(format!("name is not allowed [name: {name}]")));
    }
    Ok(())
}

/// What `POST /user/repos` and its siblings ask for (schemas.md B4).
#[derive(Debug, Clone, Default)]
pub struct CreateRepo {
    pub name: String,
    pub description: String,
    pub private: bool,
    pub unlisted: bool,
    pub auto_init: bool,
    pub gitignores: String,
    pub license: String,
    pub readme: String,
    /// A label set to start the issue tracker with (Gitea's `issue_labels`; empty: none).
    pub issue_labels: String,
}

/// Create a repository owned by `owner`, on behalf of `doer` (the author of the initial commit).
pub async fn create(state: &AppState, owner: &UserRow, doer: &UserRow, opts: &CreateRepo) -> ServiceResult<RepoRow> {
    check_repo_name(&opts.name)?;
    let limit =
        if owner.max_repo_creation >= 0 { owner.max_repo_creation } else { state.config.repository.max_creation_limit };
    if limit >= 0 && owner.num_repos >= limit {
        return Err(ServiceError::Invalid(format!("user has reached maximum limit of repositories [limit: {limit}]")));
    }
    // Resolve every template first: an unknown name creates nothing.
    let files = if opts.auto_init { Some(init_files(state, owner, opts)?) } else { None };
    let labels = if opts.issue_labels.is_empty() { Vec::new() } else { templates::label_set(&opts.issue_labels)? };
    {
        let mut h = state.db.acquire().await?;
        if repos::by_name(h.conn(), owner.id, &opts.name).await?.is_some() {
            return Err(repo_exists(owner, &opts.name));
        }
    }
    let default_branch = state.config.repository.default_branch.clone();
    let path = repo_path(&state.config.repository.root, &owner.name, &opts.name);
    let now = now_unix();

    // Build the repository in scratch space, outside the root and outside any transaction.
    let scratch = disk::scratch_repo(&state.config, "create");
    let author = Person { name: display_name(doer), email: doer.email.clone(), time: now };
    let committer = Person { name: "Gogs".into(), email: "gogs@fake.local".into(), time: now };
    let (disk_path, branch) = (scratch.clone(), default_branch.clone());
    let built = tokio::task::spawn_blocking(move || -> hearth_git::GitResult<()> {
        hearth_git::init_bare(&disk_path, &branch)?;
        if let Some(files) = files {
            hearth_git::create_initial_commit(&disk_path, &branch, &files, &author, &committer, "Initial commit\n")?;
        }
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)
    .and_then(|r| r.map_err(|e| anyhow::anyhow!("initialising {}: {e}", path.display())));
    if let Err(e) = built {
        disk::remove_scratch(&state.config, &scratch).await;
        return Err(ServiceError::Internal(e));
    }
    match record_and_place(state, owner, doer, opts, &labels, &default_branch, &scratch, &path, now).await {
        Ok(row) => Ok(row),
        Err(e) => {
            disk::remove_scratch(&state.config, &scratch).await;
            Err(e)
        }
    }
}

/// Insert the row (and its initial labels) and move the built repository into place in one
/// transaction: the directory appears under the root only with its row, and goes back out if the
/// commit fails.
#[allow(clippy::too_many_arguments)]
async fn record_and_place(
    state: &AppState,
    owner: &UserRow,
    doer: &UserRow,
    opts: &CreateRepo,
    labels: &[templates::LabelTemplate],
    default_branch: &str,
    scratch: &Path,
    path: &Path,
    now: i64,
) -> ServiceResult<RepoRow> {
    let mut tx = state.db.begin().await?;
    if repos::by_name(tx.conn(), owner.id, &opts.name).await?.is_some() {
        return Err(repo_exists(owner, &opts.name));
    }
    let new = NewRepo {
        owner_id: owner.id,
        name: &opts.name,
        description: &opts.description,
        default_branch,
        is_private: opts.private || state.config.repository.force_private,
        is_unlisted: opts.unlisted,
        is_bare: !opts.auto_init,
        is_mirror: false,
        now,
    };
    let row = repos::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(_) => repo_exists(owner, &opts.name),
        other => other.into(),
    })?;
    for label in labels {
        hearth_store::labels::insert(tx.conn(), row.id, &label.name, &label.color).await?;
    }
    super::feeds::record(tx.conn(), hearth_store::actions::Op::CreateRepo, doer, row.id, "", 0, "").await?;
    place(scratch, path, &opts.name).await?;
    if let Err(e) = tx.commit().await {
        if let Err(back) = disk::move_dir(path, scratch) {
            tracing::error!(error = %back, "moving a repository back out after a failed commit");
        }
        hearth_git::forget(path);
        return Err(e.into());
    }
    Ok(row)
}

/// [`disk::move_into_place`], with its refusals as the API words them.
pub(crate) async fn place(scratch: &Path, path: &Path, name: &str) -> ServiceResult<()> {
    disk::move_into_place(scratch, path).await.map_err(|e| match e {
        disk::PlaceError::Occupied => {
            ServiceError::Invalid(format!("repository directory already exists [name: {name}]"))
        }
        disk::PlaceError::Io(e) => ServiceError::Internal(anyhow::anyhow!("moving into {}: {e}", path.display())),
    })
}

fn display_name(u: &UserRow) -> String {
    if u.full_name.is_empty() { u.name.clone() } else { u.full_name.clone() }
}

pub(crate) fn repo_exists(owner: &UserRow, name: &str) -> ServiceError {
    ServiceError::Invalid(format!("repository already exists [uname: {}, name: {name}]", owner.name))
}

fn init_files(state: &AppState, owner: &UserRow, opts: &CreateRepo) -> ServiceResult<Vec<InitFile>> {
    let u = state.links.repo_urls(&owner.name, &opts.name);
    let vars = ReadmeVars {
        name: &opts.name,
        description: &opts.description,
        clone_url_ssh: &u.ssh,
        clone_url_https: &u.clone,
    };
    let mut files =
        vec![InitFile { name: "README.md".into(), content: templates::readme(&opts.readme, &vars)?.into_bytes() }];
    if !opts.gitignores.is_empty() {
        files.push(InitFile {
            name: ".gitignore".into(),
            content: templates::gitignore(&opts.gitignores)?.into_bytes(),
        });
    }
    if !opts.license.is_empty() {
        files.push(InitFile { name: "LICENSE".into(), content: templates::license(&opts.license)?.into_bytes() });
    }
    Ok(files)
}

pub(crate) async fn remove_dir(state: &AppState, path: &Path) {
    let (root, path) = (state.config.repository.root.clone(), path.to_path_buf());
    match tokio::task::spawn_blocking(move || hearth_git::delete_repository(&root, &path)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "removing a repository directory"),
        Err(e) => tracing::error!(error = %e, "removing a repository directory"),
    }
}

/// Delete the row and the directory. The directory is first moved aside, so that a failing
/// database commit can put it back.
pub async fn delete(state: &AppState, owner: &UserRow, repo: &RepoRow) -> ServiceResult<()> {
    let path = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    let trash = path.with_extension(format!("git.deleting-{}", now_unix()));
    hearth_git::forget(&path);
    let moved = match tokio::fs::rename(&path, &trash).await {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(ServiceError::Internal(e.into())),
    };
    let result = async {
        let mut tx = state.db.begin().await?;
        // A repository's hooks go with it (its delivery history by cascade).
        hearth_store::hooks::delete_all_for_repo(tx.conn(), repo.id).await?;
        repos::delete(tx.conn(), repo).await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    match result {
        Ok(()) if moved => {
            remove_dir(state, &trash).await;
            Ok(())
        }
        Ok(()) => Ok(()),
        Err(e) => {
            if moved {
                let _ = tokio::fs::rename(&trash, &path).await;
                hearth_git::forget(&path);
            }
            Err(e)
        }
    }
}

/// Store the issue-tracker and wiki settings (`PATCH …/issue-tracker`, `PATCH …/wiki`).
pub async fn update_settings(state: &AppState, repo: &RepoRow, settings: &repos::Settings) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(repo)?;
    let mut tx = state.db.begin().await?;
    repos::update_settings(tx.conn(), repo.id, settings, now_unix()).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        for ok in ["r", "my-repo", "a.b_c", "Hello-World"] {
            assert!(check_repo_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "x.git", "X.GIT", "w.wiki", "-x", ".hidden", "a/b", "a b", "../x", &"n".repeat(101)]
        {
            assert!(check_repo_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_are_lower_case() {
        assert_eq!(repo_path(Path::new("/r"), "Alice", "Hello"), PathBuf::from("/r/alice/hello.git"));
    }
}
