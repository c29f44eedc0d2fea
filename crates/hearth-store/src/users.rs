//! The `user` table: individuals and organisations ([`crate::UserKind`]).

use sqlx::FromRow;

use crate::{Conn, StoreResult, UserKind, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub lower_name: String,
    pub name: String,
    pub full_name: String,
    pub email: String,
    pub passwd: String,
    pub salt: String,
    pub login_source: i64,
    pub login_name: String,
    #[sqlx(rename = "type")]
    pub kind: UserKind,
    pub location: String,
    pub website: String,
    pub description: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub allow_git_hook: bool,
    pub allow_import_local: bool,
    pub prohibit_login: bool,
    pub max_repo_creation: i64,
    pub num_followers: i64,
    pub num_following: i64,
    pub num_repos: i64,
    pub created_unix: i64,
    pub updated_unix: i64,
}

/// The columns of [`UserRow`], optionally prefixed with a table alias (`user_columns!("u.")`).
#[macro_export]
#[doc(hidden)]
macro_rules! user_columns {
    () => {
        $crate::user_columns!("")
    };
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "lower_name, ",
            $p,
            "name, ",
            $p,
            "full_name, ",
            $p,
            "email, ",
            $p,
            "passwd, ",
            $p,
            "salt, ",
            $p,
            "login_source, ",
            $p,
            "login_name, ",
            $p,
            "type, ",
            $p,
            "location, ",
            $p,
            "website, ",
            $p,
            "description, ",
            $p,
            "is_active, ",
            $p,
            "is_admin, ",
            $p,
            "allow_git_hook, ",
            $p,
            "allow_import_local, ",
            $p,
            "prohibit_login, ",
            $p,
            "max_repo_creation, ",
            $p,
            "num_followers, ",
            $p,
            "num_following, ",
            $p,
            "num_repos, ",
            $p,
            "created_unix, ",
            $p,
            "updated_unix"
        )
    };
}

/// What a new account is made of.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    pub passwd: &'a str,
    pub salt: &'a str,
    pub login_source: i64,
    pub login_name: &'a str,
    pub kind: UserKind,
    pub is_active: bool,
    pub is_admin: bool,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, u: &NewUser<'_>) -> StoreResult<UserRow> {
    c.rows_changed();
    const SQL: &str = concat!(
        "INSERT INTO \"user\" (lower_name, name, full_name, email, passwd, salt, login_source, login_name, \
         type, is_active, is_admin, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ",
        user_columns!()
    );
    let row = with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(u.name.to_lowercase())
        .bind(u.name)
        .bind(u.full_name)
        .bind(u.email)
        .bind(u.passwd)
        .bind(u.salt)
        .bind(u.login_source)
        .bind(u.login_name)
        .bind(u.kind)
        .bind(u.is_active)
        .bind(u.is_admin)
        .bind(u.now)
        .fetch_one(&mut *x)
        .await)?;
    Ok(row)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<UserRow>> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM \"user\" WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// Look an account (individual or organisation) up by name, case-insensitively.
pub async fn by_name(c: Conn<'_>, name: &str) -> StoreResult<Option<UserRow>> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM \"user\" WHERE lower_name = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(name.to_lowercase())
        .fetch_optional(&mut *x)
        .await)?)
}

/// Look an individual up by its primary e-mail (stored lower-cased).
pub async fn by_email(c: Conn<'_>, email: &str) -> StoreResult<Option<UserRow>> {
    const SQL: &str = concat!("SELECT ", user_columns!(), " FROM \"user\" WHERE email = $1 AND type = 0");
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(email.to_lowercase())
        .fetch_optional(&mut *x)
        .await)?)
}

/// The individual owning an address: as primary e-mail, or as an activated secondary address
/// (how commits are attributed to accounts).
pub async fn by_activated_email(c: Conn<'_>, email: &str) -> StoreResult<Option<UserRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!(),
        " FROM \"user\" WHERE type = 0 AND (email = $1 OR id IN \
         (SELECT uid FROM email_address WHERE email = $1 AND is_activated)) ORDER BY id LIMIT 1"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(email.to_lowercase())
        .fetch_optional(&mut *x)
        .await)?)
}

/// Is the address some account's primary e-mail or an activated secondary address?
pub async fn email_in_use(c: Conn<'_>, email: &str, except_uid: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM \"user\" WHERE email = $1 AND type = 0 AND id <> $2) \
        OR EXISTS (SELECT 1 FROM email_address WHERE email = $1 AND is_activated AND uid <> $2)";
    let used: bool = with_conn!(c, x => sqlx::query_scalar(SQL)
        .bind(email.to_lowercase())
        .bind(except_uid)
        .fetch_one(&mut *x)
        .await)?;
    Ok(used)
}

/// Individuals whose lower-cased name or full name contains `q`, ordered by name.
pub async fn search(c: Conn<'_>, q: &str, limit: i64) -> StoreResult<Vec<UserRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!(),
        " FROM \"user\" WHERE type = 0 \
         AND (lower_name LIKE $1 ESCAPE '\\' OR LOWER(full_name) LIKE $1 ESCAPE '\\') \
         ORDER BY lower_name LIMIT $2"
    );
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(pattern)
        .bind(limit)
        .fetch_all(&mut *x)
        .await)?)
}

pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Every column an administrator may change, written at once.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub full_name: String,
    pub email: String,
    pub passwd: String,
    pub salt: String,
    pub login_source: i64,
    pub login_name: String,
    pub website: String,
    pub location: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub allow_git_hook: bool,
    pub allow_import_local: bool,
    pub max_repo_creation: i64,
    pub now: i64,
}

pub async fn update(c: Conn<'_>, id: i64, u: &UserUpdate) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET full_name = $2, email = $3, passwd = $4, salt = $5, \
        login_source = $6, login_name = $7, website = $8, location = $9, is_active = $10, is_admin = $11, \
        allow_git_hook = $12, allow_import_local = $13, max_repo_creation = $14, updated_unix = $15 \
        WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(&u.full_name)
        .bind(&u.email)
        .bind(&u.passwd)
        .bind(&u.salt)
        .bind(u.login_source)
        .bind(&u.login_name)
        .bind(&u.website)
        .bind(&u.location)
        .bind(u.is_active)
        .bind(u.is_admin)
        .bind(u.allow_git_hook)
        .bind(u.allow_import_local)
        .bind(u.max_repo_creation)
        .bind(u.now)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Overwrite the public profile (organisations' `PATCH /orgs/:org`).
pub async fn update_profile(
    c: Conn<'_>,
    id: i64,
    full_name: &str,
    description: &str,
    website: &str,
    location: &str,
) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET full_name = $2, description = $3, website = $4, location = $5 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(full_name).bind(description).bind(website).bind(location)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Make `email` the account's primary address (the caller checked it is one of its own).
pub async fn set_email(c: Conn<'_>, id: i64, email: &str) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET email = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(email).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Mark an account active (its e-mail address confirmed).
pub async fn set_active(c: Conn<'_>, id: i64, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET is_active = TRUE, updated_unix = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Bar the account from signing in (or lift the bar); apart from [`update`], whose callers (the
/// API's edit) have no such field and leave it alone.
pub async fn set_prohibit_login(c: Conn<'_>, id: i64, prohibit: bool) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET prohibit_login = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(prohibit).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Replace a password hash (a reset by e-mail; upgrading an imported Gogs PBKDF2 hash to Argon2id).
pub async fn set_password(c: Conn<'_>, id: i64, passwd: &str, salt: &str) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE \"user\" SET passwd = $2, salt = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(passwd).bind(salt).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn delete(mut c: Conn<'_>, id: i64) -> StoreResult<bool> {
    c.rows_changed();
    // Stars and watches go with the account (cascade); the counters they fed must follow.
    crate::stars::forget_user(c.reborrow(), id).await?;
    const SQL: &str = "DELETE FROM \"user\" WHERE id = $1";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn count(c: Conn<'_>) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM \"user\"";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).fetch_one(&mut *x).await)?)
}

/// A page of organisations by id, and how many there are.
pub async fn list_orgs(mut c: Conn<'_>, limit: i64, offset: i64) -> StoreResult<(Vec<UserRow>, i64)> {
    const SQL: &str =
        concat!("SELECT ", user_columns!(), " FROM \"user\" WHERE type = 1 ORDER BY id LIMIT $1 OFFSET $2");
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, UserRow>(SQL).bind(limit).bind(offset)
        .fetch_all(&mut *x).await)?;
    const COUNT: &str = "SELECT COUNT(*) FROM \"user\" WHERE type = 1";
    let total = with_conn!(c, x => sqlx::query_scalar(COUNT).fetch_one(&mut *x).await)?;
    Ok((rows, total))
}

/// Several accounts by id (any order).
pub async fn by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!("SELECT ", user_columns!(), " FROM \"user\" WHERE id IN ({})"),
        crate::placeholders(1, ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// Individuals for the administrators' list, by lower-case name: optionally only those with this
/// login name (`""`: any) and from this login source (`0` or less: any); a page and the total.
pub async fn admin_search(
    mut c: Conn<'_>,
    login_name: &str,
    source_id: i64,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<UserRow>, i64)> {
    const WHERE: &str =
        " FROM \"user\" WHERE type = 0 AND ($1 = '' OR login_name = $1) AND ($2 <= 0 OR login_source = $2)";
    let sql = format!(concat!("SELECT ", user_columns!(), "{} ORDER BY lower_name LIMIT $3 OFFSET $4"), WHERE);
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(login_name).bind(source_id).bind(limit).bind(offset).fetch_all(&mut *x).await)?;
    let count = format!("SELECT COUNT(*){WHERE}");
    let total = with_conn!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
        .bind(login_name).bind(source_id).fetch_one(&mut *x).await)?;
    Ok((rows, total))
}

/// When the first account was made (the local login source's age), if there is one.
pub async fn first_created(c: Conn<'_>) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT MIN(created_unix) FROM \"user\"";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, Option<i64>>(SQL).fetch_one(&mut *x).await)?)
}

/// Accounts of one kind whose lower-cased name or full name contains `q`, by name: a page and the
/// total (the web UI's explore pages).
pub async fn explore(mut c: Conn<'_>, kind: UserKind, q: &str, w: crate::Window) -> StoreResult<(Vec<UserRow>, i64)> {
    const WHERE: &str = " FROM \"user\" WHERE type = $1 \
         AND (lower_name LIKE $2 ESCAPE '\\' OR LOWER(full_name) LIKE $2 ESCAPE '\\')";
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!(),
        " FROM \"user\" WHERE type = $1 \
         AND (lower_name LIKE $2 ESCAPE '\\' OR LOWER(full_name) LIKE $2 ESCAPE '\\') \
         ORDER BY lower_name LIMIT $3 OFFSET $4"
    );
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, UserRow>(SQL)
        .bind(kind).bind(&pattern).bind(w.limit).bind(w.offset).fetch_all(&mut *x).await)?;
    let total = match w.total_from(rows.len()) {
        Some(t) => t,
        None => {
            let count = format!("SELECT COUNT(*){WHERE}");
            with_conn!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
                .bind(kind).bind(&pattern).fetch_one(&mut *x).await)?
        }
    };
    Ok((rows, total))
}
