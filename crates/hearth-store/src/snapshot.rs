//! The whole database as plain rows, engine-independent: what `hearth dump` writes and
//! `hearth restore` (and `hearth import gogs`) load. A row is a JSON object keyed by column name;
//! values are converted by the column's type on each engine, so rows read from SQLite load into
//! PostgreSQL and back.
//!
//! Tables, columns, keys and foreign keys are read from the catalog rather than listed here, so a
//! new migration needs nothing in this module. The catalog queries are the only SQL in the store
//! written once per engine: the two catalogs have nothing in common.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use futures_util::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::{AssertSqlSafe, Row};

use crate::{Conn, RawConn, StoreError, StoreResult, with_conn};

/// A row: column name → value.
pub type JsonRow = Map<String, Value>;

/// How a column's values are read, written and shown in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON number (i64).
    Integer,
    /// JSON true/false.
    Boolean,
    /// JSON string.
    Text,
    /// JSON number (f64).
    Real,
    /// JSON string, base64.
    Bytes,
}

/// A column of a table, as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// The table the migrations bookkeep in; it is never dumped or loaded.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Catalog names go into SQL text (identifiers cannot be bound), so only plain lower-case names
/// are accepted, and they are always quoted.
fn quoted(name: &str) -> StoreResult<String> {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        Ok(format!("\"{name}\""))
    } else {
        Err(StoreError::Data(format!("unexpected table or column name `{name}`")))
    }
}

/// Every table of the schema (not the migrations' own), parents before the tables whose foreign
/// keys point at them (then by name), which is the order rows can be loaded in.
pub async fn tables(mut c: Conn<'_>) -> StoreResult<Vec<String>> {
    let names: Vec<String> = match c.reborrow().into_raw() {
        RawConn::Sqlite(x) => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name",
            )
            .fetch_all(&mut *x)
            .await?
        }
        RawConn::Postgres(x) => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
            )
            .fetch_all(&mut *x)
            .await?
        }
    };
    // Leases are the running servers' state, not data: a dump leaves them out.
    let names: Vec<String> = names.into_iter().filter(|n| n != MIGRATIONS_TABLE && n != "lease").collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &names {
        let refs: Vec<String> = match c.reborrow().into_raw() {
            RawConn::Sqlite(x) => {
                sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list($1)")
                    .bind(t)
                    .fetch_all(&mut *x)
                    .await?
            }
            RawConn::Postgres(x) => {
                sqlx::query_scalar(
                    "SELECT p.relname::text FROM pg_constraint k \
                     JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
                     JOIN pg_namespace n ON n.oid = ch.relnamespace \
                     WHERE k.contype = 'f' AND n.nspname = current_schema() AND ch.relname = $1",
                )
                .bind(t)
                .fetch_all(&mut *x)
                .await?
            }
        };
        // A self-reference does not constrain the order between tables.
        parents.insert(t.clone(), refs.into_iter().filter(|p| p != t && names.contains(p)).collect());
    }
    let mut ordered: Vec<String> = Vec::with_capacity(names.len());
    while ordered.len() < names.len() {
        let next = names
            .iter()
            .find(|t| !ordered.contains(t) && parents[*t].iter().all(|p| ordered.contains(p)))
            .ok_or_else(|| StoreError::Data("the tables' foreign keys form a cycle".into()))?;
        ordered.push(next.clone());
    }
    Ok(ordered)
}

fn sqlite_kind(declared: &str) -> Kind {
    // SQLite's own affinity rules, with BOOLEAN (stored as 0/1) told apart from other integers.
    let t = declared.to_ascii_uppercase();
    if t.contains("BOOL") {
        Kind::Boolean
    } else if t.contains("INT") {
        Kind::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Kind::Text
    } else if t.is_empty() || t.contains("BLOB") {
        Kind::Bytes
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Kind::Real
    } else {
        Kind::Text
    }
}

fn postgres_kind(data_type: &str) -> StoreResult<Kind> {
    Ok(match data_type {
        "bigint" | "integer" | "smallint" => Kind::Integer,
        "boolean" => Kind::Boolean,
        "text" | "character varying" | "character" => Kind::Text,
        "real" | "double precision" => Kind::Real,
        "bytea" => Kind::Bytes,
        other => return Err(StoreError::Data(format!("column type `{other}` is not supported"))),
    })
}

/// A table's columns in declaration order, and its primary key's columns (empty when it has none).
pub async fn columns(c: Conn<'_>, table: &str) -> StoreResult<(Vec<Column>, Vec<String>)> {
    let (cols, mut pk): (Vec<Column>, Vec<(i64, String)>) = match c.into_raw() {
        RawConn::Sqlite(x) => {
            let rows: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&mut *x)
                    .await?;
            let pk = rows.iter().filter(|r| r.2 > 0).map(|r| (r.2, r.0.clone())).collect();
            (rows.into_iter().map(|(name, t, _)| Column { name, kind: sqlite_kind(&t) }).collect(), pk)
        }
        RawConn::Postgres(x) => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *x)
            .await?;
            let pk: Vec<(i64, String)> = sqlx::query_as(
                "SELECT k.ordinal_position::bigint, k.column_name::text \
                 FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k \
                   ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema \
                   AND k.table_name = t.table_name \
                 WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema() AND t.table_name = $1",
            )
            .bind(table)
            .fetch_all(&mut *x)
            .await?;
            let cols = rows
                .into_iter()
                .map(|(name, t)| Ok(Column { kind: postgres_kind(&t)?, name }))
                .collect::<StoreResult<Vec<_>>>()?;
            (cols, pk)
        }
    };
    if cols.is_empty() {
        return Err(StoreError::Data(format!("table `{table}` does not exist")));
    }
    pk.sort();
    Ok((cols, pk.into_iter().map(|(_, n)| n).collect()))
}

/// One value of a fetched row as JSON.
macro_rules! to_json {
    ($row:expr, $i:expr, $kind:expr) => {{
        let (row, i) = (&$row, $i);
        match $kind {
            Kind::Integer => match row.try_get::<Option<i64>, _>(i) {
                Ok(v) => v.map(Value::from),
                // PostgreSQL's narrower integer columns decode only as their own width.
                Err(_) => match row.try_get::<Option<i32>, _>(i) {
                    Ok(v) => v.map(Value::from),
                    Err(_) => row.try_get::<Option<i16>, _>(i)?.map(Value::from),
                },
            },
            Kind::Boolean => row.try_get::<Option<bool>, _>(i)?.map(Value::from),
            Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::from),
            Kind::Real => row
                .try_get::<Option<f64>, _>(i)?
                .map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
            Kind::Bytes => row
                .try_get::<Option<Vec<u8>>, _>(i)?
                .map(|b| Value::from(base64::engine::general_purpose::STANDARD.encode(b))),
        }
        .unwrap_or(Value::Null)
    }};
}

/// Every row of `table` in primary-key order (all columns' order when it has no key), handed to
/// `sink` one at a time as they are read; returns how many. Run it in a [`crate::Db::begin_read`]
/// transaction to read all tables at one point in time.
pub async fn export_table<F>(mut c: Conn<'_>, table: &str, mut sink: F) -> StoreResult<u64>
where
    F: FnMut(JsonRow) -> std::io::Result<()>,
{
    let (cols, pk) = columns(c.reborrow(), table).await?;
    let list = cols.iter().map(|c| quoted(&c.name)).collect::<StoreResult<Vec<_>>>()?.join(", ");
    let order = if pk.is_empty() {
        list.clone()
    } else {
        pk.iter().map(|c| quoted(c)).collect::<StoreResult<Vec<_>>>()?.join(", ")
    };
    let sql = format!("SELECT {list} FROM {} ORDER BY {order}", quoted(table)?);
    let mut n = 0u64;
    with_conn!(c, x => {
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *x);
        while let Some(row) = rows.try_next().await? {
            let mut obj = JsonRow::new();
            for (i, col) in cols.iter().enumerate() {
                obj.insert(col.name.clone(), to_json!(row, i, col.kind));
            }
            sink(obj).map_err(StoreError::Sink)?;
            n += 1;
        }
    });
    Ok(n)
}

/// A value converted to its column's type, ready to bind.
enum Bound {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Real(Option<f64>),
    Bytes(Option<Vec<u8>>),
}

/// Convert a JSON value to the target column's type: the same value may arrive as a number from
/// one engine (SQLite's 0/1 booleans) and as a boolean from another.
fn convert(v: &Value, kind: Kind) -> Result<Bound, String> {
    let bad = || format!("{v} is not a valid {kind:?} value");
    Ok(match (kind, v) {
        (Kind::Integer, Value::Null) => Bound::Int(None),
        (Kind::Integer, Value::Number(n)) => Bound::Int(Some(n.as_i64().ok_or_else(bad)?)),
        (Kind::Integer, Value::Bool(b)) => Bound::Int(Some(i64::from(*b))),
        (Kind::Integer, Value::String(s)) => Bound::Int(Some(s.trim().parse().map_err(|_| bad())?)),
        (Kind::Boolean, Value::Null) => Bound::Bool(None),
        (Kind::Boolean, Value::Bool(b)) => Bound::Bool(Some(*b)),
        (Kind::Boolean, Value::Number(n)) => Bound::Bool(Some(n.as_i64().ok_or_else(bad)? != 0)),
        (Kind::Boolean, Value::String(s)) => Bound::Bool(Some(match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => true,
            "false" | "f" | "0" => false,
            _ => return Err(bad()),
        })),
        (Kind::Text, Value::Null) => Bound::Text(None),
        (Kind::Text, Value::String(s)) => Bound::Text(Some(s.clone())),
        (Kind::Text, Value::Number(n)) => Bound::Text(Some(n.to_string())),
        (Kind::Text, Value::Bool(b)) => Bound::Text(Some(b.to_string())),
        (Kind::Real, Value::Null) => Bound::Real(None),
        (Kind::Real, Value::Number(n)) => Bound::Real(Some(n.as_f64().ok_or_else(bad)?)),
        (Kind::Real, Value::String(s)) => Bound::Real(Some(s.trim().parse().map_err(|_| bad())?)),
        (Kind::Bytes, Value::Null) => Bound::Bytes(None),
        (Kind::Bytes, Value::String(s)) => {
            Bound::Bytes(Some(base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| bad())?))
        }
        _ => return Err(bad()),
    })
}

/// Bind values (the arms differ in type, so one macro serves both engines).
macro_rules! bind_all {
    ($q:expr, $vals:expr) => {{
        let mut q = $q;
        for v in $vals {
            q = match v {
                Bound::Int(v) => q.bind(v),
                Bound::Bool(v) => q.bind(v),
                Bound::Text(v) => q.bind(v),
                Bound::Real(v) => q.bind(v),
                Bound::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Bind parameters per statement: below SQLite's limit (32766) and PostgreSQL's (65535).
const MAX_BINDS: usize = 20_000;

/// Insert `rows` into `table` as they are, ids included, converting each value to its column's
/// type. A key that is not a column of the table is an error; a column a row leaves out gets its
/// default. Returns how many rows were inserted. Afterwards (all tables loaded) call
/// [`reset_sequences`].
pub async fn load_rows(mut c: Conn<'_>, table: &str, rows: &[JsonRow]) -> StoreResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let (cols, _) = columns(c.reborrow(), table).await?;
    let kinds: BTreeMap<&str, Kind> = cols.iter().map(|c| (c.name.as_str(), c.kind)).collect();
    let mut done = 0usize;
    while done < rows.len() {
        // A run of rows with the same keys goes into one statement.
        let keys: Vec<&String> = rows[done].keys().collect();
        if keys.is_empty() {
            return Err(StoreError::Data(format!("table `{table}`: a row has no columns")));
        }
        for k in &keys {
            if !kinds.contains_key(k.as_str()) {
                return Err(StoreError::Data(format!("table `{table}` has no column `{k}`")));
            }
        }
        let per_stmt = (MAX_BINDS / keys.len()).clamp(1, 1000);
        let mut end = done;
        while end < rows.len() && end - done < per_stmt && rows[end].keys().eq(keys.iter().copied()) {
            end += 1;
        }
        let mut vals = Vec::with_capacity((end - done) * keys.len());
        for (offset, row) in rows[done..end].iter().enumerate() {
            for k in &keys {
                let v = convert(&row[k.as_str()], kinds[k.as_str()]).map_err(|e| {
                    StoreError::Data(format!("table `{table}`, row {}, column `{k}`: {e}", done + offset + 1))
                })?;
                vals.push(v);
            }
        }
        let names = keys.iter().map(|k| quoted(k)).collect::<StoreResult<Vec<_>>>()?.join(", ");
        let tuples = (0..end - done)
            .map(|r| format!("({})", crate::placeholders(r * keys.len() + 1, keys.len())))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO {} ({names}) VALUES {tuples}", quoted(table)?);
        with_conn!(c.reborrow(), x => bind_all!(sqlx::query(AssertSqlSafe(sql)), vals).execute(&mut *x).await.map(|_| ()))?;
        done = end;
    }
    Ok(rows.len() as u64)
}

/// After rows were loaded with their ids: make PostgreSQL's id sequences continue after the
/// highest id of their table. (SQLite needs nothing: an explicit id moves its AUTOINCREMENT
/// counter.)
pub async fn reset_sequences(mut c: Conn<'_>) -> StoreResult<()> {
    let RawConn::Postgres(x) = c.reborrow().into_raw() else { return Ok(()) };
    let serials: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    )
    .fetch_all(&mut *x)
    .await?;
    for (table, column) in serials {
        let (t, col) = (quoted(&table)?, quoted(&column)?);
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({col}) FROM {t}), 0) + 1, false)"
        );
        sqlx::query(AssertSqlSafe(sql)).bind(&t).bind(&column).execute(&mut *x).await?;
    }
    Ok(())
}

/// The tables that hold at least one row (empty: a database a restore may load into).
pub async fn nonempty_tables(mut c: Conn<'_>) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for t in tables(c.reborrow()).await? {
        let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) s", quoted(&t)?);
        let n: i64 = with_conn!(c.reborrow(), x => sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&mut *x).await)?;
        if n > 0 {
            out.push(t);
        }
    }
    Ok(out)
}

/// Whether no table holds a row.
pub async fn is_empty(c: Conn<'_>) -> StoreResult<bool> {
    Ok(nonempty_tables(c).await?.is_empty())
}

/// The highest migration applied (0 for a database never migrated).
pub async fn migration_version(mut c: Conn<'_>) -> StoreResult<i64> {
    let exists: i64 = match c.reborrow().into_raw() {
        RawConn::Sqlite(x) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(MIGRATIONS_TABLE)
                .fetch_one(&mut *x)
                .await?
        }
        RawConn::Postgres(x) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(MIGRATIONS_TABLE)
        .fetch_one(&mut *x)
        .await?,
    };
    if exists == 0 {
        return Ok(0);
    }
    const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).fetch_one(&mut *x).await)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, DbOptions};

    /// A migrated SQLite database, and a fresh PostgreSQL one when `HEARTH_TEST_POSTGRES_URL` is
    /// set (with what drops it).
    async fn databases(dir: &std::path::Path) -> Vec<(Db, Option<(String, String)>)> {
        let mut out = vec![(Db::open_sqlite(&dir.join("t.db"), &DbOptions::default()).await.unwrap(), None)];
        if let Some(admin) = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
            let name = format!("hearth_snapshot_{}", std::process::id());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
            let (base, query) =
                admin.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((&admin, String::new()));
            let url = format!("{}/{name}{query}", base.rsplit_once('/').unwrap().0);
            out.push((Db::open_postgres(&url, &DbOptions::default()).await.unwrap(), Some((admin.clone(), name))));
        }
        out
    }

    fn user(id: Option<i64>, name: &str, admin: Value) -> JsonRow {
        let mut row = serde_json::json!({"lower_name": name, "name": name, "is_admin": admin,
            "created_unix": 1_700_000_000, "updated_unix": 1_700_000_001});
        if let Some(id) = id {
            row["id"] = Value::from(id);
        }
        row.as_object().unwrap().clone()
    }

    async fn users(db: &Db, c: Option<&mut crate::Tx>) -> Vec<JsonRow> {
        let mut rows = Vec::new();
        let mut h;
        let conn = match c {
            Some(tx) => tx.conn(),
            None => {
                h = db.acquire().await.unwrap();
                h.conn()
            }
        };
        export_table(conn, "user", |r| {
            rows.push(r);
            Ok(())
        })
        .await
        .unwrap();
        rows
    }

    #[tokio::test]
    async fn rows_go_out_and_in_with_their_ids_on_both_engines() {
        let dir = tempfile::tempdir().unwrap();
        for (db, pg_db) in databases(dir.path()).await {
            let engine = db.engine();
            let mut h = db.acquire().await.unwrap();
            assert!(is_empty(h.conn()).await.unwrap(), "{engine:?}");
            assert_eq!(migration_version(h.conn()).await.unwrap(), crate::latest_migration());
            let order = tables(h.conn()).await.unwrap();
            let at = |t: &str| order.iter().position(|x| x == t).unwrap_or_else(|| panic!("{t} in {order:?}"));
            assert!(at("user") < at("repository") && at("repository") < at("issue") && at("issue") < at("comment"));
            assert!(at("repo_transfer") < at("repo_transfer_team") && at("team") < at("repo_transfer_team"));
            assert!(!order.iter().any(|t| t.starts_with("_sqlx") || t.starts_with("sqlite")), "{order:?}");

            // SQLite's 0/1 and JSON booleans both load into a boolean column.
            let mut tx = db.begin().await.unwrap();
            let rows = [user(Some(5), "five", Value::from(1)), user(Some(9), "nine", Value::Bool(false))];
            assert_eq!(load_rows(tx.conn(), "user", &rows).await.unwrap(), 2);
            reset_sequences(tx.conn()).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(nonempty_tables(h.conn()).await.unwrap(), vec!["user".to_string()]);

            // A read transaction keeps its point in time while a writer commits beside it.
            let mut read = db.begin_read().await.unwrap();
            let seen = users(&db, Some(&mut read)).await;
            assert_eq!(seen.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), [Value::from(5), Value::from(9)]);
            assert_eq!(seen[0]["is_admin"], Value::Bool(true), "{engine:?}");
            assert_eq!(seen[0]["full_name"], Value::from(""), "a left-out column gets its default");
            let mut tx = db.begin().await.unwrap();
            const NEXT: &str = "INSERT INTO \"user\" (lower_name, name, created_unix, updated_unix) VALUES ('ten', 'ten', 0, 0) RETURNING id";
            let id: i64 = with_conn!(tx.conn(), x => sqlx::query_scalar(NEXT).fetch_one(&mut *x).await).unwrap();
            assert_eq!(id, 10, "{engine:?}: ids continue after the loaded ones");
            tx.commit().await.unwrap();
            assert_eq!(users(&db, Some(&mut read)).await, seen, "{engine:?}");
            drop(read);
            assert_eq!(users(&db, None).await.len(), 3);

            let mut tx = db.begin().await.unwrap();
            let mut bad = user(Some(20), "bad", Value::Bool(true));
            bad.insert("no_such_column".into(), Value::from(1));
            let e = load_rows(tx.conn(), "user", &[bad]).await.unwrap_err().to_string();
            assert!(e.contains("has no column `no_such_column`"), "{e}");
            let e = load_rows(tx.conn(), "user", &[user(Some(21), "x", Value::from("perhaps"))]).await.unwrap_err();
            assert!(e.to_string().contains("row 1, column `is_admin`"), "{e}");
            drop((tx, h));
            db.close().await;
            if let Some((admin, name)) = pg_db {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            }
        }
    }

    #[test]
    fn values_convert_by_the_target_column() {
        let int = |v: Value| match convert(&v, Kind::Integer) {
            Ok(Bound::Int(i)) => i,
            _ => panic!("{v}"),
        };
        assert_eq!(int(Value::from(7)), Some(7));
        assert_eq!(int(Value::Bool(true)), Some(1));
        assert_eq!(int(Value::from("-3")), Some(-3));
        assert_eq!(int(Value::Null), None);
        let boolean = |v: Value| match convert(&v, Kind::Boolean) {
            Ok(Bound::Bool(b)) => b,
            _ => panic!("{v}"),
        };
        assert_eq!(boolean(Value::from(1)), Some(true));
        assert_eq!(boolean(Value::from(0)), Some(false));
        assert_eq!(boolean(Value::from("true")), Some(true));
        assert_eq!(boolean(Value::Bool(false)), Some(false));
        assert!(matches!(convert(&Value::from("AAE="), Kind::Bytes), Ok(Bound::Bytes(Some(b))) if b == [0, 1]));
        for (v, k) in [
            (Value::from("x"), Kind::Integer),
            (Value::from(1.5), Kind::Integer),
            (Value::from("maybe"), Kind::Boolean),
            (Value::Array(vec![]), Kind::Text),
            (Value::from("!"), Kind::Bytes),
        ] {
            assert!(convert(&v, k).is_err(), "{v} as {k:?}");
        }
    }

    #[test]
    fn only_plain_names_reach_sql() {
        assert_eq!(quoted("user").unwrap(), "\"user\"");
        assert_eq!(quoted("repo_transfer_team").unwrap(), "\"repo_transfer_team\"");
        for bad in ["", "User", "a\"b", "a;b", "1a", "a b"] {
            assert!(quoted(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sqlite_declared_types() {
        assert_eq!(sqlite_kind("BIGINT"), Kind::Integer);
        assert_eq!(sqlite_kind("INTEGER"), Kind::Integer);
        assert_eq!(sqlite_kind("BOOLEAN"), Kind::Boolean);
        assert_eq!(sqlite_kind("TEXT"), Kind::Text);
        assert_eq!(sqlite_kind("BLOB"), Kind::Bytes);
        assert_eq!(sqlite_kind("DOUBLE"), Kind::Real);
    }
}
