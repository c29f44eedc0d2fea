//! Users' SSH public keys.

use hearth_store::keys::{self, KeyRow, NewKey};
use hearth_store::{Db, KeyKind, StoreError, Unique};

use super::{ServiceError, ServiceResult, now_unix, ssh_keys};

pub async fn add_user_key(db: &Db, owner_id: i64, title: &str, key: &str) -> ServiceResult<KeyRow> {
    let parsed = ssh_keys::parse(key).map_err(|e| ServiceError::Invalid(format!("Invalid key content: {e}")))?;
    let mut tx = db.begin().await?;
    if keys::fingerprint_used(tx.conn(), &parsed.fingerprint).await? {
        return Err(content_used());
    }
    if hearth_store::deploy_keys::fingerprint_used(tx.conn(), &parsed.fingerprint).await? {
        return Err(ServiceError::Invalid("Key content has been used as deploy key".into()));
    }
    if keys::title_used(tx.conn(), owner_id, title).await? {
        return Err(title_used());
    }
    let new = NewKey {
        owner_id,
        name: title,
        fingerprint: &parsed.fingerprint,
        content: &parsed.content,
        kind: KeyKind::User,
        now: now_unix(),
    };
    let row = keys::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(Unique::KeyTitle) => title_used(),
        StoreError::Conflict(_) => content_used(),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(row)
}

fn content_used() -> ServiceError {
    ServiceError::Invalid("Key content has been used as non-deploy key".into())
}

fn title_used() -> ServiceError {
    ServiceError::Invalid("Key title has been used".into())
}

/// Why a key could not be deleted.
pub enum DeleteKey {
    Deleted,
    /// No user key with that id (the API answers 204 all the same, as Gogs).
    Missing,
    /// Someone else's key, and the caller is not a site admin.
    NotYours,
}

/// Delete a user key: its owner or a site admin.
pub async fn delete_user_key(db: &Db, doer: &hearth_store::users::UserRow, id: i64) -> ServiceResult<DeleteKey> {
    let mut tx = db.begin().await?;
    let outcome = match keys::by_id(tx.conn(), id).await?.filter(|k| k.kind == hearth_store::KeyKind::User) {
        None => DeleteKey::Missing,
        Some(k) if k.owner_id != doer.id && !doer.is_admin => DeleteKey::NotYours,
        Some(k) => {
            keys::delete(tx.conn(), k.id).await?;
            DeleteKey::Deleted
        }
    };
    tx.commit().await?;
    Ok(outcome)
}
