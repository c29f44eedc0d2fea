//! Whole-database rows for dumps, restores and imports: every table, in an order that respects
//! foreign keys, loaded from JSON objects keyed by column name.
//!
//! (A minimal version written for `hearth import gogs` while `hearth dump`/`restore` were being
//! built alongside; their loader takes its place.)

use serde_json::{Map, Value};

use crate::{Conn, StoreError, StoreResult, with_conn};

/// Every table of the schema (except sqlx's own), parents before children.
pub const TABLES: &[&str] = &[
    "user",
    "email_address",
    "access_token",
    "public_key",
    "follow",
    "repository",
    "watch",
    "push_event",
    "mirror",
    "release",
    "org_user",
    "team",
    "team_user",
    "team_repo",
    "collaboration",
    "deploy_key",
    "webhook",
    "hook_task",
    "milestone",
    "label",
    "issue",
    "issue_label",
    "comment",
    "repo_redirect",
    "repo_transfer",
    "repo_transfer_team",
    "star",
    "notice",
    "gist",
    "commit_comment",
];

fn known_table(table: &str) -> StoreResult<()> {
    if TABLES.contains(&table) {
        Ok(())
    } else {
        Err(StoreError::Other(sqlx::Error::Protocol(format!("unknown table {table:?}"))))
    }
}

/// A column name as the schema spells them (the only text spliced into SQL besides table names,
/// which must be in [`TABLES`]).
fn valid_column(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether every table is empty.
pub async fn is_empty(mut c: Conn<'_>) -> StoreResult<bool> {
    for table in TABLES {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{table}\")");
        let any: bool =
            with_conn!(c.reborrow(), x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *x).await)?;
        if any {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Insert `rows` into `table` as they are (ids included). Values bind by their JSON type:
/// integers, text, booleans, NULL.
pub async fn load_rows(mut c: Conn<'_>, table: &str, rows: &[Map<String, Value>]) -> StoreResult<u64> {
    known_table(table)?;
    let mut n = 0;
    for row in rows {
        let columns: Vec<&String> = row.keys().collect();
        if let Some(bad) = columns.iter().find(|k| !valid_column(k)) {
            return Err(StoreError::Other(sqlx::Error::Protocol(format!("invalid column name {bad:?} for {table}"))));
        }
        let names = columns.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO \"{table}\" ({names}) VALUES ({})", crate::placeholders(1, columns.len()));
        with_conn!(c.reborrow(), x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in row.values() {
                q = match v {
                    Value::Bool(b) => q.bind(*b),
                    Value::Number(num) => match num.as_i64() {
                        Some(i) => q.bind(i),
                        None => q.bind(num.as_f64()),
                    },
                    Value::String(s) => q.bind(s.clone()),
                    Value::Null => q.bind(Option::<String>::None),
                    other => q.bind(other.to_string()),
                };
            }
            q.execute(&mut *x).await.map(|_| ())
        })?;
        n += 1;
    }
    Ok(n)
}

/// After rows were loaded with their ids: set PostgreSQL's id sequences past the largest id (SQLite
/// needs nothing: AUTOINCREMENT continues after the largest id it finds).
pub async fn reset_sequences(mut c: Conn<'_>) -> StoreResult<()> {
    for table in TABLES {
        if matches!(*table, "repo_transfer_team" | "gist") {
            continue; // no integer id
        }
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{table}\""
        );
        if let crate::RawConn::Postgres(x) = c.reborrow().into_raw() {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *x).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert!(valid_column("created_unix"));
        assert!(!valid_column("id\"; DROP TABLE x; --"));
        assert!(!valid_column("Name"));
        assert!(!valid_column(""));
        assert!(known_table("user").is_ok() && known_table("sqlite_master").is_err());
    }

    #[test]
    fn knows_the_latest_migration() {
        assert!(crate::latest_migration() >= 13);
    }
}
