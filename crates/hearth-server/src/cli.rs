//! What `hearth admin …` does, callable without a running server.

use crate::config::Config;
use crate::service::ServiceError;
use crate::service::accounts::{self, NewAccount};
use crate::service::passwords::Passwords;

/// `hearth admin create-user`: create an active account in the configured database.
pub async fn create_user(config: &Config, name: &str, password: &str, email: &str, admin: bool) -> anyhow::Result<()> {
    let db = crate::open_db(config).await?;
    let passwords = Passwords::new(config.password.argon2_memory_kib, config.password.argon2_iterations)?;
    let account = NewAccount {
        name: name.to_string(),
        email: email.to_string(),
        password: password.to_string(),
        is_admin: admin,
        ..NewAccount::default()
    };
    let result = accounts::create_user(&db, &passwords, &account).await;
    db.close().await;
    match result {
        Ok(_) => Ok(()),
        Err(ServiceError::Invalid(msg)) | Err(ServiceError::BadRequest(msg)) => anyhow::bail!("{msg}"),
        Err(e) => Err(e.into()),
    }
}
