//! Account lifecycle: creation (API and CLI), authentication, administrative edits, deletion.

use std::net::IpAddr;

use hearth_store::users::{self, NewUser, UserRow, UserUpdate};
use hearth_store::{Db, StoreError, Unique, UserKind};

use super::login_throttle::LoginThrottle;
use super::names::{check_user_name_allowed, is_alpha_dash_dot, is_valid_email};
use super::passwords::Passwords;
use super::token_scopes::Scopes;
use super::{ServiceError, ServiceResult, now_unix};

/// A new individual account.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub password: String,
    pub full_name: String,
    pub login_source: i64,
    pub login_name: String,
    pub is_admin: bool,
    /// A welcome e-mail to queue with the account (the admin API's `send_notify`).
    pub welcome: Option<super::mail::ThreadMail>,
    /// Created inactive, with this activation code (its hash and expiry) and the mail carrying it
    /// (sign-up while `REQUIRE_EMAIL_CONFIRMATION` is on).
    pub activation: Option<super::password_reset::Activation>,
}

/// Create an individual account, active immediately (as Gogs' admin API and CLI do).
pub async fn create_user(db: &Db, passwords: &Passwords, a: &NewAccount) -> ServiceResult<UserRow> {
    if a.name.is_empty() || a.name.chars().count() > 35 || !is_alpha_dash_dot(&a.name) {
        return Err(ServiceError::Invalid(format!("name is not valid [name: {}]", a.name)));
    }
    check_user_name_allowed(&a.name)?;
    let email = a.email.trim().to_lowercase();
    if !is_valid_email(&email) {
        return Err(ServiceError::Invalid(format!("email is not valid [email: {}]", a.email)));
    }
    if a.login_source != 0 {
        // No external login sources exist yet.
        return Err(ServiceError::Invalid(format!("login source does not exist [id: {}]", a.login_source)));
    }
    passwords.check_new(&a.password)?;
    let passwd = passwords.hash(&a.password).await?;

    let mut tx = db.begin().await?;
    if users::by_name(tx.conn(), &a.name).await?.is_some() {
        return Err(user_exists(&a.name));
    }
    if users::email_in_use(tx.conn(), &email, 0).await? {
        return Err(email_used(&email));
    }
    let new = NewUser {
        name: &a.name,
        full_name: &a.full_name,
        email: &email,
        passwd: &passwd,
        salt: "",
        login_source: a.login_source,
        login_name: &a.login_name,
        kind: UserKind::Individual,
        is_active: a.activation.is_none(),
        is_admin: a.is_admin,
        now: now_unix(),
    };
    let row = users::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(Unique::UserEmail | Unique::EmailAddress) => email_used(&email),
        StoreError::Conflict(_) => user_exists(&a.name),
        other => other.into(),
    })?;
    if let Some(act) = &a.activation {
        hearth_store::account_codes::insert(
            tx.conn(),
            &act.code_hash,
            row.id,
            hearth_store::account_codes::ACTIVATE,
            act.expires,
        )
        .await?;
        super::mail::queue(tx.conn(), std::slice::from_ref(&email), &act.mail, now_unix()).await?;
    }
    if let Some(w) = &a.welcome {
        super::mail::queue(tx.conn(), std::slice::from_ref(&email), w, now_unix()).await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// Self-service sign-up (the web UI): an active account; the first account of an instance that
/// has none becomes a site administrator, as in Gogs.
pub async fn sign_up(db: &Db, passwords: &Passwords, a: &NewAccount) -> ServiceResult<UserRow> {
    let first = {
        let mut h = db.acquire().await?;
        users::count(h.conn()).await? == 0
    };
    // The first account (the administrator) is active at once, as in Gogs.
    let activation = if first { None } else { a.activation.clone() };
    create_user(db, passwords, &NewAccount { is_admin: first, activation, ..a.clone() }).await
}

fn user_exists(name: &str) -> ServiceError {
    ServiceError::Invalid(format!("user already exists [name: {name}]"))
}

fn email_used(email: &str) -> ServiceError {
    ServiceError::Invalid(format!("email has been used [email: {email}]"))
}

/// Check a login (user name, or primary e-mail when it contains `@`) and password, throttled per
/// name tried and per client address (see [`login_throttle`](super::login_throttle)): while
/// either is limited, [`ServiceError::TooManyLoginAttempts`] comes back before any password hash
/// is computed. Unknown accounts and wrong passwords are indistinguishable to the caller, and
/// count alike.
pub async fn authenticate(
    db: &Db,
    passwords: &Passwords,
    throttle: &LoginThrottle,
    login: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> ServiceResult<Option<UserRow>> {
    let attempt = throttle.begin(login, ip)?;
    match check_password(db, passwords, login, password).await {
        Ok(Some(user)) => {
            attempt.succeeded();
            Ok(Some(user))
        }
        Ok(None) => {
            attempt.failed();
            Ok(None)
        }
        Err(e) => {
            attempt.not_checked();
            Err(e)
        }
    }
}

/// The password check behind [`authenticate`], unthrottled.
async fn check_password(db: &Db, passwords: &Passwords, login: &str, password: &str) -> ServiceResult<Option<UserRow>> {
    if login.is_empty() || password.is_empty() {
        return Ok(None);
    }
    let mut h = db.acquire().await?;
    let user = if login.contains('@') {
        users::by_email(h.conn(), login).await?
    } else {
        users::by_name(h.conn(), login).await?
    };
    drop(h);
    let Some(user) = user.filter(|u| u.kind == UserKind::Individual && u.login_source == 0) else {
        return Ok(None);
    };
    if !passwords.verify(user.id, password, &user.passwd, &user.salt).await? {
        return Ok(None);
    }
    if !user.passwd.starts_with("$argon2") {
        // An imported Gogs PBKDF2 hash: upgrade it now that we know the password.
        let upgraded = passwords.hash(password).await?;
        let mut h = db.acquire().await?;
        users::set_password(h.conn(), user.id, &upgraded, "").await?;
    }
    Ok(Some(user))
}

/// Git over HTTP (git-transport.md §2.4): the password, else the user name as an access token,
/// else the password as an access token. Returns the user, and the token's id and scopes when a
/// token was used.
///
/// The password is throttled as in [`authenticate`]; tokens are not. While the name or address is
/// limited, or while password checks are refused as busy, the password is skipped but the tokens
/// are still tried, so token users are never locked out; only when no token matches does the
/// limit (or busy) error come back. A wrong password followed by a matching token is a success.
pub async fn authenticate_git(
    db: &Db,
    passwords: &Passwords,
    throttle: &LoginThrottle,
    login: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> ServiceResult<Option<(UserRow, Option<GitToken>)>> {
    let refused = match throttle.begin(login, ip) {
        Err(limited) => ServiceError::from(limited),
        Ok(attempt) => match check_password(db, passwords, login, password).await {
            Ok(Some(user)) => {
                attempt.succeeded();
                return Ok(Some((user, None)));
            }
            Ok(None) => {
                let found = token_login(db, login, password).await?;
                if found.is_some() {
                    attempt.succeeded()
                } else {
                    attempt.failed()
                }
                return Ok(found);
            }
            Err(e) => {
                attempt.not_checked();
                match e {
                    ServiceError::Busy { .. } => e,
                    other => return Err(other),
                }
            }
        },
    };
    // The password was not checked: only a token can get in.
    match token_login(db, login, password).await? {
        Some(found) => Ok(Some(found)),
        None => Err(refused),
    }
}

/// A token that signed in to Git: the personal access token's id (for its "last used" time;
/// `None` for an OAuth2 access token), and the token's scopes.
pub type GitToken = (Option<i64>, Scopes);

/// The user name, else the password, as an access token (a personal one, or an OAuth2 one, as
/// `git-credential-oauth` sends it).
async fn token_login(db: &Db, login: &str, password: &str) -> ServiceResult<Option<(UserRow, Option<GitToken>)>> {
    for candidate in [login, password] {
        if let Some(found) = super::oauth2::access_owner(db, candidate).await? {
            return Ok(Some((found.user, Some((None, found.scopes)))));
        }
        if let Some(found) = super::tokens::owner(db, candidate).await? {
            let scopes = Scopes::from_stored(&found.token_scope);
            return Ok(Some((found.user, Some((Some(found.token_id), scopes)))));
        }
    }
    Ok(None)
}

/// `PATCH /admin/users/:u` (schemas.md B24): the always-written fields, plus the optional ones.
#[derive(Debug, Clone, Default)]
pub struct AdminEdit {
    pub login_source: i64,
    pub login_name: String,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub website: String,
    pub location: String,
    pub active: Option<bool>,
    pub admin: Option<bool>,
    pub allow_git_hook: Option<bool>,
    pub allow_import_local: Option<bool>,
    pub prohibit_login: Option<bool>,
    pub max_repo_creation: Option<i64>,
}

pub async fn admin_edit(db: &Db, passwords: &Passwords, user: &UserRow, e: &AdminEdit) -> ServiceResult<UserRow> {
    if e.login_source != 0 {
        return Err(ServiceError::Invalid(format!("login source does not exist [id: {}]", e.login_source)));
    }
    let email = e.email.trim().to_lowercase();
    if !is_valid_email(&email) {
        return Err(ServiceError::Invalid(format!("email is not valid [email: {}]", e.email)));
    }
    if !e.password.is_empty() {
        passwords.check_new(&e.password)?;
    }
    let passwd = if e.password.is_empty() { user.passwd.clone() } else { passwords.hash(&e.password).await? };
    let salt = if e.password.is_empty() { user.salt.clone() } else { String::new() };
    let mut tx = db.begin().await?;
    if email != user.email && users::email_in_use(tx.conn(), &email, user.id).await? {
        return Err(email_used(&email));
    }
    let is_active = e.active.unwrap_or(user.is_active);
    let prohibit_login = e.prohibit_login.unwrap_or(user.prohibit_login);
    let update = UserUpdate {
        full_name: e.full_name.clone(),
        email: email.clone(),
        passwd,
        salt,
        login_source: e.login_source,
        login_name: e.login_name.clone(),
        website: e.website.clone(),
        location: e.location.clone(),
        is_active,
        is_admin: e.admin.unwrap_or(user.is_admin),
        allow_git_hook: e.allow_git_hook.unwrap_or(user.allow_git_hook),
        allow_import_local: e.allow_import_local.unwrap_or(user.allow_import_local),
        max_repo_creation: e.max_repo_creation.map(|m| m.max(-1)).unwrap_or(user.max_repo_creation),
        now: now_unix(),
    };
    users::update(tx.conn(), user.id, &update).await.map_err(|err| match err {
        StoreError::Conflict(_) => email_used(&email),
        other => other.into(),
    })?;
    if prohibit_login != user.prohibit_login {
        users::set_prohibit_login(tx.conn(), user.id, prohibit_login).await?;
    }
    // An account that may no longer sign in, or whose password was reset by an administrator,
    // loses its web sessions in the same transaction: nobody keeps browsing on an old cookie.
    if !is_active || prohibit_login || !e.password.is_empty() {
        hearth_store::web_sessions::delete_for_user(tx.conn(), user.id, None).await?;
    }
    let row = users::by_id(tx.conn(), user.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// An individual account by name (organisations are not accounts one signs in to).
pub async fn user_by_name(db: &Db, name: &str) -> ServiceResult<UserRow> {
    let mut h = db.acquire().await?;
    match users::by_name(h.conn(), name).await? {
        Some(user) if user.kind == UserKind::Individual => Ok(user),
        _ => Err(ServiceError::Invalid(format!("user does not exist [name: {name}]"))),
    }
}

/// Set a new password (the CLI's `admin change-password`); the old one stops working at once,
/// also for a server sharing the database (its password cache is keyed by the stored hash).
/// Every web session of the account ends with it (web-ui.md §4.1).
pub async fn change_password(db: &Db, passwords: &Passwords, user: &UserRow, password: &str) -> ServiceResult<()> {
    set_password(db, passwords, user, password, None).await
}

/// The account's own password change (`/user/settings/password`): the current password must be
/// right; the account's other web sessions end, the one that made the change (`keep`, its id hash)
/// stays.
pub async fn change_own_password(
    db: &Db,
    passwords: &Passwords,
    user: &UserRow,
    current: &str,
    new: &str,
    keep: Option<&str>,
) -> ServiceResult<()> {
    if !passwords.verify(user.id, current, &user.passwd, &user.salt).await? {
        return Err(ServiceError::Forbidden("current password is not correct".into()));
    }
    set_password(db, passwords, user, new, keep).await
}

async fn set_password(
    db: &Db,
    passwords: &Passwords,
    user: &UserRow,
    password: &str,
    keep_session: Option<&str>,
) -> ServiceResult<()> {
    passwords.check_new(password)?;
    let passwd = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    users::set_password(tx.conn(), user.id, &passwd, "").await?;
    hearth_store::web_sessions::delete_for_user(tx.conn(), user.id, keep_session).await?;
    tx.commit().await?;
    Ok(())
}

/// What an account may change about itself (`/user/settings`); Gogs' profile form limits.
#[derive(Debug, Clone, Default)]
pub struct OwnProfile {
    pub full_name: String,
    pub website: String,
    pub location: String,
}

pub async fn update_own_profile(db: &Db, user: &UserRow, p: &OwnProfile) -> ServiceResult<UserRow> {
    let (full_name, website, location) = (p.full_name.trim(), p.website.trim(), p.location.trim());
    if full_name.chars().count() > 100 {
        return Err(ServiceError::Invalid("full name must be at most 100 characters [field: full_name]".into()));
    }
    if website.chars().count() > 255 {
        return Err(ServiceError::Invalid("website must be at most 255 characters [field: website]".into()));
    }
    let web_url = website.starts_with("http://") || website.starts_with("https://");
    if !website.is_empty() && !web_url {
        return Err(ServiceError::Invalid("website must be an http or https URL [field: website]".into()));
    }
    if location.chars().count() > 50 {
        return Err(ServiceError::Invalid("location must be at most 50 characters [field: location]".into()));
    }
    let mut tx = db.begin().await?;
    users::update_profile(tx.conn(), user.id, full_name, &user.description, website, location).await?;
    let row = users::by_id(tx.conn(), user.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Delete an account; refused while it still owns repositories or belongs to an organisation.
/// Its gists go with it (rows in the transaction, repositories after it).
pub async fn delete_user(db: &Db, config: &crate::Config, user: &UserRow) -> ServiceResult<()> {
    if user.num_repos > 0 {
        return Err(ServiceError::Invalid(format!("user still has ownership of repositories [uid: {}]", user.id)));
    }
    let mut tx = db.begin().await?;
    if hearth_store::orgs::count_orgs_of(tx.conn(), user.id).await? > 0 {
        return Err(ServiceError::Invalid(format!("user still has membership of organizations [uid: {}]", user.id)));
    }
    let gists = hearth_store::gists::delete_by_owner(tx.conn(), user.id).await?;
    // The foreign key cascades too; said here so the sessions' end does not hang on the schema.
    hearth_store::web_sessions::delete_for_user(tx.conn(), user.id, None).await?;
    users::delete(tx.conn(), user.id).await?;
    tx.commit().await?;
    for id in gists {
        super::gists::remove_repository(config, &id).await;
    }
    Ok(())
}
