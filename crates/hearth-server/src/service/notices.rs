//! Notices for site administrators: background failures nobody is waiting for (a mirror that
//! did not sync, a directory quarantined at start, a webhook delivery given up). Writing one never
//! fails the work that reports it: a notice that cannot be stored is logged instead.

use hearth_store::notices::{self, NoticeRow};
use hearth_store::{Conn, Db};

use super::{ServiceError, ServiceResult, now_unix};

/// What a notice is about (stored as Gitea numbers them; Gogs has only `Repository`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Repository = 1,
    Task = 2,
}

/// Record a notice on `c` (inside the caller's transaction, when it has one).
pub async fn record_on(c: Conn<'_>, kind: NoticeKind, description: &str) -> ServiceResult<()> {
    notices::insert(c, kind as i64, description, now_unix()).await?;
    Ok(())
}

/// Record a notice on its own; a failure to store it is logged, not returned.
pub async fn record(db: &Db, kind: NoticeKind, description: &str) {
    let stored = async {
        let mut h = db.acquire().await?;
        record_on(h.conn(), kind, description).await
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, notice = description, "storing a notice");
    }
}

pub async fn list(db: &Db, limit: i64, offset: i64) -> ServiceResult<(Vec<NoticeRow>, i64)> {
    let mut h = db.acquire().await?;
    Ok(notices::list(h.conn(), limit, offset).await?)
}

/// Delete one notice (404 when there is none).
pub async fn delete(db: &Db, id: i64) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    if !notices::delete(tx.conn(), id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete_all(db: &Db) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    notices::delete_all(tx.conn()).await?;
    tx.commit().await?;
    Ok(())
}
