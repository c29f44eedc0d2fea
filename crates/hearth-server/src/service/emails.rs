//! An account's e-mail addresses.

use hearth_store::emails;
use hearth_store::users::{self, UserRow};
use hearth_store::{Db, StoreError};

use super::names::is_valid_email;
use super::{ServiceError, ServiceResult};
use crate::types::Email;

/// The stored addresses in id order, with the primary one flagged (appended if it has no row).
pub async fn list(db: &Db, user: &UserRow) -> ServiceResult<Vec<Email>> {
    let mut h = db.acquire().await?;
    let rows = emails::list(h.conn(), user.id).await?;
    let mut out: Vec<Email> = rows
        .into_iter()
        .map(|r| Email { primary: r.email == user.email, email: r.email, verified: r.is_activated })
        .collect();
    if !out.iter().any(|e| e.primary) {
        out.push(Email { email: user.email.clone(), verified: user.is_active, primary: true });
    }
    Ok(out)
}

/// Add addresses, all or none (a listed difference: Gogs keeps those added before a failure).
pub async fn add(db: &Db, user: &UserRow, addresses: &[String], activated: bool) -> ServiceResult<Vec<Email>> {
    let mut tx = db.begin().await?;
    let mut added = Vec::with_capacity(addresses.len());
    for sent in addresses {
        let email = sent.trim().to_lowercase();
        if !is_valid_email(&email) {
            return Err(ServiceError::Invalid(format!("email is not valid [email: {sent}]")));
        }
        if email == user.email || users::email_in_use(tx.conn(), &email, 0).await? || already_listed(&added, &email) {
            return Err(used(sent));
        }
        emails::insert(tx.conn(), user.id, &email, activated).await.map_err(|e| match e {
            StoreError::Conflict(_) => used(sent),
            other => other.into(),
        })?;
        added.push(Email { email: sent.clone(), verified: activated, primary: false });
    }
    tx.commit().await?;
    Ok(added)
}

fn already_listed(added: &[Email], email: &str) -> bool {
    added.iter().any(|e| e.email.trim().to_lowercase() == email)
}

fn used(email: &str) -> ServiceError {
    ServiceError::Invalid(format!("email address has been used: {email}"))
}

/// Delete addresses; the primary one cannot be deleted, unknown ones are ignored.
pub async fn delete(db: &Db, user: &UserRow, addresses: &[String]) -> ServiceResult<()> {
    if let Some(primary) = addresses.iter().find(|a| **a == user.email) {
        return Err(ServiceError::BadRequest(format!("cannot delete primary email \"{primary}\"")));
    }
    let mut tx = db.begin().await?;
    for a in addresses {
        emails::delete(tx.conn(), user.id, &a.trim().to_lowercase()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Make one of the account's other activated addresses its primary one; the former primary stays
/// listed (Gogs' `MakeEmailPrimary`).
pub async fn make_primary(db: &Db, user: &UserRow, address: &str) -> ServiceResult<()> {
    let email = address.trim().to_lowercase();
    if email == user.email {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let rows = emails::list(tx.conn(), user.id).await?;
    match rows.iter().find(|r| r.email == email) {
        None => return Err(ServiceError::NotFound),
        Some(r) if !r.is_activated => {
            return Err(ServiceError::Invalid(format!("email address is not activated [email: {address}]")));
        }
        Some(_) => {}
    }
    if !user.email.is_empty() && !rows.iter().any(|r| r.email == user.email) {
        emails::insert(tx.conn(), user.id, &user.email, true).await?;
    }
    users::set_email(tx.conn(), user.id, &email).await?;
    tx.commit().await?;
    Ok(())
}
