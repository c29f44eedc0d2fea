//! Account activation and password reset by e-mail. Password reset: a one-time link (its code kept only as a hash) to the account's
//! primary address, valid `[auth] RESET_PASSWORD_CODE_LIVES` minutes; using it sets the password
//! and ends every session of the account.

use hearth_store::account_codes::{self, ACTIVATE, RESET_PASSWORD};
use hearth_store::users::{self, UserRow};
use sha2::{Digest, Sha256};

use super::mail::{ThreadMail, queue};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// At most one mail of each kind per account in this many seconds (Gogs' resend limit): repeated
/// form posts cannot flood a mailbox.
const RESEND_LIMIT_SECS: i64 = 180;

/// Whether a code of `purpose` with lifetime `lives` minutes went to `user_id` within the limit.
async fn mailed_recently(c: hearth_store::Conn<'_>, user_id: i64, purpose: i16, lives: i64) -> ServiceResult<bool> {
    let expires_after = now_unix() + lives * 60 - RESEND_LIMIT_SECS;
    Ok(account_codes::issued_after(c, user_id, purpose, expires_after).await?)
}

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// What sign-up hands account creation when the address must be confirmed first.
#[derive(Debug, Clone)]
pub struct Activation {
    pub code_hash: String,
    pub expires: i64,
    pub mail: ThreadMail,
}

fn new_code() -> String {
    let mut raw = [0u8; 20];
    rand::fill(&mut raw);
    hex::encode(raw)
}

/// An activation for a sign-up as `name`: the link is valid `ACTIVATE_CODE_LIVES` minutes.
pub fn activation(state: &AppState, name: &str) -> Activation {
    let code = new_code();
    let lives = state.config.auth.activate_code_lives;
    let link = format!("{}user/activate?code={code}", state.links.external_url);
    Activation {
        code_hash: hash(&code),
        expires: now_unix() + lives * 60,
        mail: ThreadMail {
            subject: format!("{}Activate your account", state.config.email.subject_prefix),
            body: format!(
                "Hello {name},\n\nto confirm this address and activate your account, open\n\n{link}\n\n\
                 within {lives} minutes.\n"
            ),
            message_id: format!("<activate/{name}/{}@{}>", now_unix(), super::mail::id_domain(state)),
            in_reply_to: String::new(),
        },
    }
}

/// Mail a new activation link to the inactive account whose primary address is `email`; as with a
/// reset, the answer is the same whether there is one, and at most one mail goes out per limit.
pub async fn resend_activation(state: &AppState, email: &str) -> ServiceResult<()> {
    if !state.config.email.enabled {
        return Err(ServiceError::Invalid("e-mail is not set up on this server".into()));
    }
    let mut tx = state.db.begin().await?;
    let Some(user) = users::by_email(tx.conn(), email.trim()).await?.filter(|u| !u.is_active && !u.prohibit_login)
    else {
        return Ok(());
    };
    if mailed_recently(tx.conn(), user.id, ACTIVATE, state.config.auth.activate_code_lives).await? {
        return Ok(());
    }
    let act = activation(state, &user.name);
    account_codes::insert(tx.conn(), &act.code_hash, user.id, ACTIVATE, act.expires).await?;
    queue(tx.conn(), std::slice::from_ref(&user.email), &act.mail, now_unix()).await?;
    tx.commit().await?;
    state.wake(crate::service::signals::Job::Mail);
    Ok(())
}

/// Use an activation code: the account, now active.
pub async fn activate(state: &AppState, code: &str) -> ServiceResult<UserRow> {
    let mut tx = state.db.begin().await?;
    let id = account_codes::take(tx.conn(), &hash(code), ACTIVATE, now_unix()).await?.ok_or(ServiceError::NotFound)?;
    users::set_active(tx.conn(), id, now_unix()).await?;
    let user = users::by_id(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Mail a reset link to the account whose primary address is `email` (activated, allowed to sign
/// in). Nothing says whether there was one: the page answers the same either way.
pub async fn request(state: &AppState, email: &str) -> ServiceResult<()> {
    if !state.config.email.enabled {
        return Err(ServiceError::Invalid("e-mail is not set up on this server".into()));
    }
    let email = email.trim().to_lowercase();
    let mut tx = state.db.begin().await?;
    let Some(user) = users::by_activated_email(tx.conn(), &email).await?.filter(|u| {
        u.kind == hearth_store::UserKind::Individual && !u.prohibit_login && u.email.eq_ignore_ascii_case(&email)
    }) else {
        return Ok(());
    };
    let lives = state.config.auth.reset_password_code_lives;
    if mailed_recently(tx.conn(), user.id, RESET_PASSWORD, lives).await? {
        return Ok(());
    }
    let code = new_code();
    account_codes::insert(tx.conn(), &hash(&code), user.id, RESET_PASSWORD, now_unix() + lives * 60).await?;
    let link = format!("{}user/reset_password?code={code}", state.links.external_url);
    let mail = ThreadMail {
        subject: format!("{}Reset your password", state.config.email.subject_prefix),
        body: format!(
            "Hello {},\n\nsomeone asked to reset the password of your account. To choose a new one, open\n\n{link}\n\n\
             within {lives} minutes. If it was not you, ignore this message: your password stays as it is.\n",
            user.name
        ),
        message_id: format!("<password-reset/{}/{}@{}>", user.name, now_unix(), super::mail::id_domain(state)),
        in_reply_to: String::new(),
    };
    queue(tx.conn(), std::slice::from_ref(&user.email), &mail, now_unix()).await?;
    tx.commit().await?;
    state.wake(crate::service::signals::Job::Mail);
    Ok(())
}

/// The account a live code resets (for the form), without using the code.
pub async fn account_of(state: &AppState, code: &str) -> ServiceResult<UserRow> {
    let mut h = state.db.acquire().await?;
    let id =
        account_codes::peek(h.conn(), &hash(code), RESET_PASSWORD, now_unix()).await?.ok_or(ServiceError::NotFound)?;
    users::by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)
}

/// Use the code: set the new password and end the account's sessions.
pub async fn reset(state: &AppState, code: &str, password: &str) -> ServiceResult<UserRow> {
    state.passwords.check_new(password)?;
    let passwd = state.passwords.hash(password).await?;
    let mut tx = state.db.begin().await?;
    let id =
        account_codes::take(tx.conn(), &hash(code), RESET_PASSWORD, now_unix()).await?.ok_or(ServiceError::NotFound)?;
    users::set_password(tx.conn(), id, &passwd, "").await?;
    hearth_store::web_sessions::delete_for_user(tx.conn(), id, None).await?;
    let user = users::by_id(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}
