//! The OAuth2 provider's tables: `oauth2_application`, `oauth2_grant`,
//! `oauth2_authorization_code` and `oauth2_token`. Client secrets, codes and tokens are stored as
//! SHA-256 hex digests only.

use sqlx::FromRow;

use crate::users::UserRow;
use crate::{Conn, StoreResult, with_conn};

pub const ACCESS_TOKEN: i16 = 1;
pub const REFRESH_TOKEN: i16 = 2;

#[derive(Debug, Clone, FromRow)]
pub struct AppRow {
    pub id: i64,
    pub uid: i64,
    pub name: String,
    pub client_id: String,
    pub client_secret_sha256: String,
    pub confidential_client: bool,
    pub skip_secondary_authorization: bool,
    /// A JSON array of strings.
    pub redirect_uris: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! app_columns {
    () => {
        "id, uid, name, client_id, client_secret_sha256, confidential_client, skip_secondary_authorization, \
         redirect_uris, created_unix, updated_unix"
    };
}

/// An application's editable fields.
pub struct AppFields<'a> {
    pub name: &'a str,
    pub confidential_client: bool,
    pub skip_secondary_authorization: bool,
    pub redirect_uris: &'a str,
}

pub async fn insert_app(
    c: Conn<'_>,
    uid: i64,
    client_id: &str,
    secret_sha256: &str,
    f: &AppFields<'_>,
    now: i64,
) -> StoreResult<AppRow> {
    const SQL: &str = concat!(
        "INSERT INTO oauth2_application (uid, name, client_id, client_secret_sha256, confidential_client, \
         skip_secondary_authorization, redirect_uris, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
        app_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, AppRow>(SQL)
        .bind(uid)
        .bind(f.name)
        .bind(client_id)
        .bind(secret_sha256)
        .bind(f.confidential_client)
        .bind(f.skip_secondary_authorization)
        .bind(f.redirect_uris)
        .bind(now)
        .fetch_one(&mut *x)
        .await)?)
}

/// Replace an application's fields and its secret; `None` when `uid` has no such application.
pub async fn update_app(
    c: Conn<'_>,
    uid: i64,
    id: i64,
    secret_sha256: &str,
    f: &AppFields<'_>,
    now: i64,
) -> StoreResult<Option<AppRow>> {
    const SQL: &str = concat!(
        "UPDATE oauth2_application SET name = $3, client_secret_sha256 = $4, confidential_client = $5, \
         skip_secondary_authorization = $6, redirect_uris = $7, updated_unix = $8 \
         WHERE uid = $1 AND id = $2 RETURNING ",
        app_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, AppRow>(SQL)
        .bind(uid)
        .bind(id)
        .bind(f.name)
        .bind(secret_sha256)
        .bind(f.confidential_client)
        .bind(f.skip_secondary_authorization)
        .bind(f.redirect_uris)
        .bind(now)
        .fetch_optional(&mut *x)
        .await)?)
}

/// Give an application a new secret; false when `uid` has no such application.
pub async fn set_secret(c: Conn<'_>, uid: i64, id: i64, secret_sha256: &str, now: i64) -> StoreResult<bool> {
    const SQL: &str =
        "UPDATE oauth2_application SET client_secret_sha256 = $3, updated_unix = $4 WHERE uid = $1 AND id = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(uid).bind(id).bind(secret_sha256).bind(now)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A user's applications, oldest first, and how many there are.
pub async fn list_apps(c: Conn<'_>, uid: i64, w: crate::Window) -> StoreResult<(Vec<AppRow>, i64)> {
    const SQL: &str =
        concat!("SELECT ", app_columns!(), " FROM oauth2_application WHERE uid = $1 ORDER BY id LIMIT $2 OFFSET $3");
    const COUNT: &str = "SELECT COUNT(*) FROM oauth2_application WHERE uid = $1";
    Ok(crate::windowed!(c, AppRow, SQL, COUNT, w, [uid]))
}

/// One of `uid`'s applications.
pub async fn app_of(c: Conn<'_>, uid: i64, id: i64) -> StoreResult<Option<AppRow>> {
    const SQL: &str = concat!("SELECT ", app_columns!(), " FROM oauth2_application WHERE uid = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, AppRow>(SQL).bind(uid).bind(id).fetch_optional(&mut *x).await)?)
}

pub async fn app_by_client_id(c: Conn<'_>, client_id: &str) -> StoreResult<Option<AppRow>> {
    const SQL: &str = concat!("SELECT ", app_columns!(), " FROM oauth2_application WHERE client_id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, AppRow>(SQL).bind(client_id).fetch_optional(&mut *x).await)?)
}

pub async fn app_by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<AppRow>> {
    const SQL: &str = concat!("SELECT ", app_columns!(), " FROM oauth2_application WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, AppRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// Delete one of `uid`'s applications (its grants, codes and tokens go with it).
pub async fn delete_app(c: Conn<'_>, uid: i64, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM oauth2_application WHERE uid = $1 AND id = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(uid).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

// ---- grants ----

#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub application_id: i64,
    pub scope: String,
    pub nonce: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! grant_columns {
    () => {
        "id, user_id, application_id, scope, nonce, created_unix, updated_unix"
    };
}

pub async fn grant_of(c: Conn<'_>, user_id: i64, application_id: i64) -> StoreResult<Option<GrantRow>> {
    const SQL: &str =
        concat!("SELECT ", grant_columns!(), " FROM oauth2_grant WHERE user_id = $1 AND application_id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, GrantRow>(SQL).bind(user_id).bind(application_id)
        .fetch_optional(&mut *x).await)?)
}

pub async fn grant_by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<GrantRow>> {
    const SQL: &str = concat!("SELECT ", grant_columns!(), " FROM oauth2_grant WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, GrantRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// Record the user's consent: a new grant, or the existing one with this scope and nonce.
pub async fn upsert_grant(
    c: Conn<'_>,
    user_id: i64,
    application_id: i64,
    scope: &str,
    nonce: &str,
    now: i64,
) -> StoreResult<GrantRow> {
    const SQL: &str = concat!(
        "INSERT INTO oauth2_grant (user_id, application_id, scope, nonce, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (user_id, application_id) \
         DO UPDATE SET scope = excluded.scope, nonce = excluded.nonce, updated_unix = excluded.updated_unix RETURNING ",
        grant_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, GrantRow>(SQL)
        .bind(user_id)
        .bind(application_id)
        .bind(scope)
        .bind(nonce)
        .bind(now)
        .fetch_one(&mut *x)
        .await)?)
}

/// A grant together with its application, for the settings page.
#[derive(Debug, Clone, FromRow)]
pub struct GrantedApp {
    pub grant_id: i64,
    pub scope: String,
    pub created_unix: i64,
    pub app_name: String,
}

/// The applications `user_id` has authorized, oldest grant first.
pub async fn grants_of_user(c: Conn<'_>, user_id: i64) -> StoreResult<Vec<GrantedApp>> {
    const SQL: &str = "SELECT g.id AS grant_id, g.scope, g.created_unix, a.name AS app_name \
        FROM oauth2_grant g JOIN oauth2_application a ON a.id = g.application_id WHERE g.user_id = $1 ORDER BY g.id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, GrantedApp>(SQL).bind(user_id).fetch_all(&mut *x).await)?)
}

/// Withdraw one of `user_id`'s grants (its codes and tokens go with it).
pub async fn delete_grant(c: Conn<'_>, user_id: i64, grant_id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM oauth2_grant WHERE user_id = $1 AND id = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(user_id).bind(grant_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

// ---- authorization codes ----

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub code_sha256: String,
    pub grant_id: i64,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    pub expires_unix: i64,
    pub used: bool,
}

pub async fn insert_code(c: Conn<'_>, code: &CodeRow) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO oauth2_authorization_code (code_sha256, grant_id, redirect_uri, code_challenge, \
        code_challenge_method, expires_unix, used) VALUES ($1, $2, $3, $4, $5, $6, FALSE)";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(&code.code_sha256)
        .bind(code.grant_id)
        .bind(&code.redirect_uri)
        .bind(&code.code_challenge)
        .bind(&code.code_challenge_method)
        .bind(code.expires_unix)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

pub async fn code_by_hash(c: Conn<'_>, sha256: &str) -> StoreResult<Option<CodeRow>> {
    const SQL: &str = "SELECT code_sha256, grant_id, redirect_uri, code_challenge, code_challenge_method, \
        expires_unix, used FROM oauth2_authorization_code WHERE code_sha256 = $1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, CodeRow>(SQL).bind(sha256).fetch_optional(&mut *x).await)?)
}

/// Mark a code used; false when it already was (a replay, or a concurrent exchange).
pub async fn use_code(c: Conn<'_>, sha256: &str) -> StoreResult<bool> {
    const SQL: &str = "UPDATE oauth2_authorization_code SET used = TRUE WHERE code_sha256 = $1 AND used = FALSE";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(sha256).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_code(c: Conn<'_>, sha256: &str) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM oauth2_authorization_code WHERE code_sha256 = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(sha256).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

// ---- tokens ----

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub grant_id: i64,
    pub kind: i16,
    pub sha256: String,
    pub expires_unix: i64,
    pub used: bool,
    pub created_unix: i64,
}

pub async fn insert_token(
    c: Conn<'_>,
    grant_id: i64,
    kind: i16,
    sha256: &str,
    expires: i64,
    now: i64,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO oauth2_token (grant_id, kind, sha256, expires_unix, used, created_unix) \
        VALUES ($1, $2, $3, $4, FALSE, $5) RETURNING id";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(grant_id).bind(kind).bind(sha256).bind(expires).bind(now)
        .fetch_one(&mut *x).await)?)
}

pub async fn token_by_hash(c: Conn<'_>, sha256: &str) -> StoreResult<Option<TokenRow>> {
    const SQL: &str =
        "SELECT id, grant_id, kind, sha256, expires_unix, used, created_unix FROM oauth2_token WHERE sha256 = $1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL).bind(sha256).fetch_optional(&mut *x).await)?)
}

/// Mark a refresh token used; false when it already was.
pub async fn use_token(c: Conn<'_>, id: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE oauth2_token SET used = TRUE WHERE id = $1 AND used = FALSE";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_token(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM oauth2_token WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Revoke every token issued for a grant.
pub async fn delete_grant_tokens(c: Conn<'_>, grant_id: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM oauth2_token WHERE grant_id = $1";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(grant_id).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}

/// Drop codes and tokens that have expired.
pub async fn purge_expired(mut c: Conn<'_>, now: i64) -> StoreResult<u64> {
    const CODES: &str = "DELETE FROM oauth2_authorization_code WHERE expires_unix < $1";
    const TOKENS: &str = "DELETE FROM oauth2_token WHERE expires_unix < $1";
    let a = with_conn!(c.reborrow(), x => sqlx::query(CODES).bind(now).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    let b = with_conn!(c, x => sqlx::query(TOKENS).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(a + b)
}

/// A live access token's owner: the token's id, its grant's scope, and the user (the API's path).
#[derive(Debug, Clone, FromRow)]
pub struct AccessOwner {
    pub token_id: i64,
    pub grant_scope: String,
    #[sqlx(flatten)]
    pub user: UserRow,
}

pub async fn access_owner(c: Conn<'_>, sha256: &str, now: i64) -> StoreResult<Option<AccessOwner>> {
    const SQL: &str = concat!(
        "SELECT t.id AS token_id, g.scope AS grant_scope, ",
        crate::user_columns!("u."),
        " FROM oauth2_token t JOIN oauth2_grant g ON g.id = t.grant_id JOIN \"user\" u ON u.id = g.user_id \
         WHERE t.sha256 = $1 AND t.kind = 1 AND t.expires_unix >= $2"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, AccessOwner>(SQL).bind(sha256).bind(now).fetch_optional(&mut *x).await)?)
}
