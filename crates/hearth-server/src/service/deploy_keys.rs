//! Deploy keys: SSH keys that read (or, when created with `read_only: false`, also write) one
//! repository (permissions.md §5, behaviours.md §11).

use hearth_store::deploy_keys::{self, DeployKeyRow, NewDeployKey};
use hearth_store::repos::RepoRow;
use hearth_store::{Db, StoreError, Unique, keys};

use super::{ServiceError, ServiceResult, now_unix, ssh_keys};

pub async fn add(db: &Db, repo: &RepoRow, title: &str, key: &str, read_only: bool) -> ServiceResult<DeployKeyRow> {
    super::repo_manage::ensure_writable(repo)?;
    let parsed = ssh_keys::parse(key).map_err(|e| ServiceError::Invalid(format!("Invalid key content: {e}")))?;
    let content_used = || ServiceError::Invalid("Key content has been used as deploy key".into());
    let title_used = || ServiceError::Invalid("Key title has been used".into());
    let mut tx = db.begin().await?;
    if keys::fingerprint_used(tx.conn(), &parsed.fingerprint).await? {
        return Err(ServiceError::Invalid("Key content has been used as non-deploy key".into()));
    }
    if deploy_keys::fingerprint_in_repo(tx.conn(), repo.id, &parsed.fingerprint).await? {
        return Err(content_used());
    }
    if deploy_keys::title_in_repo(tx.conn(), repo.id, title).await? {
        return Err(title_used());
    }
    let new = NewDeployKey {
        repo_id: repo.id,
        name: title,
        fingerprint: &parsed.fingerprint,
        content: &parsed.content,
        read_only,
        now: now_unix(),
    };
    let row = deploy_keys::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(Unique::DeployKeyTitle) => title_used(),
        StoreError::Conflict(_) => content_used(),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(row)
}

pub async fn delete(db: &Db, key: &DeployKeyRow) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    deploy_keys::delete(tx.conn(), key.id).await?;
    tx.commit().await?;
    Ok(())
}
