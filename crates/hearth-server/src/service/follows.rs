//! Following other users (idempotent both ways; following yourself changes nothing).

use hearth_store::Db;
use hearth_store::follows;
use hearth_store::users::UserRow;

use super::{ServiceResult, now_unix};

pub async fn follow(db: &Db, follower: &UserRow, target: &UserRow) -> ServiceResult<()> {
    if target.id == follower.id {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    follows::follow(tx.conn(), follower.id, target.id, now_unix()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unfollow(db: &Db, follower: &UserRow, target: &UserRow) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    follows::unfollow(tx.conn(), follower.id, target.id).await?;
    tx.commit().await?;
    Ok(())
}
