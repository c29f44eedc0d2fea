use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::StoreResult;
use crate::migrations::{Applied, MigrationStatus};

/// The highest migration version this build knows.
pub fn latest_migration() -> i64 {
    crate::migrations::SQLITE.iter().chain(crate::migrations::POSTGRES.iter()).map(|m| m.version).max().unwrap_or(0)
}

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// Pool sizing shared by both backends.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub busy_timeout: Duration,
    /// sqlx's statement log (debug) and slow-statement warnings. Bulk loads turn it off: a slow
    /// batch would log its whole multi-row statement.
    pub log_statements: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { max_connections: 8, busy_timeout: Duration::from_secs(5), log_statements: true }
    }
}

/// The database: an embedded SQLite file or a PostgreSQL server, with the epoch of its cached rows
/// (a counter bumped by every committed transaction and every write to users, tokens,
/// repositories and the grants on them, so that the server's caches of those rows can tell when
/// they may be stale). Clones share both.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    epoch: Arc<Epoch>,
    /// The SQLite file, for [`Db::change_mark`].
    file: Option<Arc<PathBuf>>,
}

/// What any process's commit to a SQLite database changes: the size and modification time of
/// the database file and of its write-ahead log (see [`Db::change_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMark([(u64, Option<std::time::SystemTime>); 2]);

/// The epoch of cached rows, and a signal raised once writes made through this [`Db`] are
/// committed (what other processes sharing the database must hear of).
#[derive(Debug, Default)]
struct Epoch {
    value: AtomicU64,
    committed: tokio::sync::Notify,
}

impl Epoch {
    fn bump(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }

    /// Only once committed: another process told earlier could read and cache the old row.
    fn bump_committed(&self) {
        self.bump();
        self.committed.notify_one();
    }
}

/// The connection pool of either backend.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either backend; every query function takes one.
pub struct Conn<'a> {
    raw: RawConn<'a>,
    epoch: &'a Epoch,
    /// A pooled handle's flag that it wrote cached rows (see [`Handle`]'s `Drop`); none in a
    /// transaction, whose commit bumps the epoch.
    wrote: Option<&'a AtomicBool>,
}

/// The backend-specific connection inside a [`Conn`] (for the `with_conn!` macro).
#[doc(hidden)]
pub enum RawConn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl<'a> Conn<'a> {
    /// Reborrow, to run several queries on the same connection.
    pub fn reborrow(&mut self) -> Conn<'_> {
        let raw = match &mut self.raw {
            RawConn::Sqlite(c) => RawConn::Sqlite(c),
            RawConn::Postgres(c) => RawConn::Postgres(c),
        };
        Conn { raw, epoch: self.epoch, wrote: self.wrote }
    }

    #[doc(hidden)]
    pub fn into_raw(self) -> RawConn<'a> {
        self.raw
    }

    /// Rows the server caches (accounts, tokens, repositories, grants) are being written: cached
    /// copies may be stale.
    pub(crate) fn rows_changed(&self) {
        self.epoch.bump();
        if let Some(wrote) = self.wrote {
            wrote.store(true, Ordering::Release);
        }
    }
}

enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A connection taken from the pool for a few reads or single-statement writes.
pub struct Handle {
    conn: PooledConn,
    epoch: Arc<Epoch>,
    wrote: AtomicBool,
}

impl Handle {
    pub fn conn(&mut self) -> Conn<'_> {
        let raw = match &mut self.conn {
            PooledConn::Sqlite(c) => RawConn::Sqlite(c),
            PooledConn::Postgres(c) => RawConn::Postgres(c),
        };
        Conn { raw, epoch: &self.epoch, wrote: Some(&self.wrote) }
    }
}

/// A handle's writes commit statement by statement: the epoch is bumped again once they are all
/// done, so that a row read between the first bump and the write's commit is not cached as fresh.
impl Drop for Handle {
    fn drop(&mut self) {
        if *self.wrote.get_mut() {
            self.epoch.bump_committed();
        }
    }
}

enum OpenTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    tx: OpenTx,
    epoch: Arc<Epoch>,
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        let raw = match &mut self.tx {
            OpenTx::Sqlite(t) => RawConn::Sqlite(t),
            OpenTx::Postgres(t) => RawConn::Postgres(t),
        };
        Conn { raw, epoch: &self.epoch, wrote: None }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self.tx {
            OpenTx::Sqlite(t) => t.commit().await?,
            OpenTx::Postgres(t) => t.commit().await?,
        }
        // Anything cached while this transaction was open may predate its writes.
        self.epoch.bump_committed();
        Ok(())
    }
}

impl Db {
    /// Open (creating if missing) the SQLite file at `path` and run the migrations.
    pub async fn open_sqlite(path: &Path, opts: &DbOptions) -> StoreResult<Db> {
        let db = Db::connect_sqlite(path, opts, true).await?;
        db.migrate(None).await?;
        Ok(db)
    }

    /// Connect to PostgreSQL by URL and run the migrations.
    pub async fn open_postgres(url: &str, opts: &DbOptions) -> StoreResult<Db> {
        let db = Db::connect_postgres(url, opts).await?;
        db.migrate(None).await?;
        Ok(db)
    }

    /// Open the SQLite file at `path` without migrating (`create`: make the file when missing).
    pub async fn connect_sqlite(path: &Path, opts: &DbOptions, create: bool) -> StoreResult<Db> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout);
        let connect = if opts.log_statements { connect } else { connect.disable_statement_logging() };
        let pool = SqlitePoolOptions::new().max_connections(opts.max_connections).connect_with(connect).await?;
        Ok(Db::new(Pool::Sqlite(pool)).with_file(path))
    }

    /// Connect to PostgreSQL by URL without migrating.
    pub async fn connect_postgres(url: &str, opts: &DbOptions) -> StoreResult<Db> {
        let connect = PgConnectOptions::from_str(url)?;
        let connect = if opts.log_statements { connect } else { connect.disable_statement_logging() };
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        Ok(Db::new(Pool::Postgres(pool)))
    }

    /// Apply the migrations not yet applied: all of them, or those up to version `up_to` (a
    /// restore loads rows into the schema they were dumped from, then migrates the rest).
    pub async fn migrate(&self, up_to: Option<i64>) -> StoreResult<()> {
        match (&self.pool, up_to) {
            (Pool::Sqlite(p), None) => crate::migrations::SQLITE.run(p).await?,
            (Pool::Sqlite(p), Some(v)) => crate::migrations::SQLITE.run_to(v, p).await?,
            (Pool::Postgres(p), None) => crate::migrations::POSTGRES.run(p).await?,
            (Pool::Postgres(p), Some(v)) => crate::migrations::POSTGRES.run_to(v, p).await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match &self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Open an existing SQLite file read-only, without migrating (inspection: nothing is written,
    /// and a missing file is an error rather than a new empty database).
    pub async fn open_sqlite_read_only(path: &Path, opts: &DbOptions) -> StoreResult<Db> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(false)
            .read_only(true)
            .busy_timeout(opts.busy_timeout);
        let pool = SqlitePoolOptions::new().max_connections(opts.max_connections).connect_with(connect).await?;
        Ok(Db::new(Pool::Sqlite(pool)).with_file(path))
    }

    /// Connect to PostgreSQL in read-only transactions, without migrating (inspection).
    pub async fn open_postgres_read_only(url: &str, opts: &DbOptions) -> StoreResult<Db> {
        let connect = PgConnectOptions::from_str(url)?.options([("default_transaction_read_only", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        Ok(Db::new(Pool::Postgres(pool)))
    }

    /// Compare the migrations the database has applied with this build's, changing nothing (a
    /// database sqlx never migrated has every migration pending).
    pub async fn migration_status(&self) -> StoreResult<MigrationStatus> {
        const ROWS: &str = "SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version";
        let (migrator, applied) = match &self.pool {
            Pool::Sqlite(p) => {
                const EXISTS: &str =
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'";
                let exists: i64 = sqlx::query_scalar(EXISTS).fetch_one(p).await?;
                let rows = if exists > 0 { sqlx::query_as::<_, Applied>(ROWS).fetch_all(p).await? } else { vec![] };
                (&crate::migrations::SQLITE, rows)
            }
            Pool::Postgres(p) => {
                const EXISTS: &str = "SELECT COUNT(*) FROM information_schema.tables \
                    WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()";
                let exists: i64 = sqlx::query_scalar(EXISTS).fetch_one(p).await?;
                let rows = if exists > 0 { sqlx::query_as::<_, Applied>(ROWS).fetch_all(p).await? } else { vec![] };
                (&crate::migrations::POSTGRES, rows)
            }
        };
        Ok(MigrationStatus::compare(migrator, &applied))
    }

    fn new(pool: Pool) -> Db {
        Db { pool, epoch: Arc::default(), file: None }
    }

    fn with_file(self, path: &Path) -> Db {
        Db { file: Some(Arc::new(path.to_path_buf())), ..self }
    }

    /// A mark that differs after any process has committed to this SQLite database (every commit
    /// appends to the write-ahead log; a checkpoint rewrites the file), read with two `stat`s and
    /// no query; `None` on PostgreSQL. A job may skip a timed poll while it is unchanged.
    pub fn change_mark(&self) -> Option<ChangeMark> {
        let file = self.file.as_deref()?;
        let stat = |path: &Path| std::fs::metadata(path).map(|m| (m.len(), m.modified().ok())).unwrap_or((0, None));
        let mut wal = file.as_os_str().to_owned();
        wal.push("-wal");
        Some(ChangeMark([stat(file), stat(Path::new(&wal))]))
    }

    /// The pool itself, for what the store does not cover (tests' raw SQL).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The current epoch of cached rows (see [`Db`]).
    pub fn rows_epoch(&self) -> u64 {
        self.epoch.value.load(Ordering::Acquire)
    }

    /// Wait until writes made through this `Db` have been committed since the last call (one
    /// wake-up for any number of them): when to tell other processes their caches may be stale.
    pub async fn rows_committed(&self) {
        self.epoch.committed.notified().await;
    }

    /// Another process committed writes: rows cached here may be stale.
    pub fn rows_changed_elsewhere(&self) {
        self.epoch.bump();
    }

    pub async fn acquire(&self) -> StoreResult<Handle> {
        let conn = match &self.pool {
            Pool::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        };
        Ok(Handle { conn, epoch: self.epoch.clone(), wrote: AtomicBool::new(false) })
    }

    /// Begin a write transaction (`BEGIN IMMEDIATE` on SQLite, so that two writers never deadlock
    /// upgrading a read lock).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let tx = match &self.pool {
            Pool::Sqlite(p) => OpenTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => OpenTx::Postgres(p.begin().await?),
        };
        Ok(Tx { tx, epoch: self.epoch.clone() })
    }

    /// Begin a read-only transaction that sees one snapshot of the whole database until it ends,
    /// without blocking writers: a deferred transaction on SQLite (WAL keeps the snapshot of its
    /// first read), `REPEATABLE READ READ ONLY` on PostgreSQL. Dropping it ends it.
    pub async fn begin_read(&self) -> StoreResult<Tx> {
        let tx = match &self.pool {
            Pool::Sqlite(p) => OpenTx::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
            Pool::Postgres(p) => {
                OpenTx::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        };
        Ok(Tx { tx, epoch: self.epoch.clone() })
    }

    /// Run `SELECT 1` on a pooled connection (health checks).
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
            Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ())?,
        }
        Ok(())
    }

    /// The pool's open connections and how many of them are idle (metrics).
    pub fn pool_usage(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each database handle has its own epoch: two servers in one process (as in the tests) must
    /// not invalidate each other's caches, and a write through a clone is seen by the original.
    #[tokio::test]
    async fn rows_epoch_belongs_to_its_database() {
        let dir = tempfile::tempdir().unwrap();
        let a = Db::open_sqlite(&dir.path().join("a.db"), &DbOptions::default()).await.unwrap();
        let b = Db::open_sqlite(&dir.path().join("b.db"), &DbOptions::default()).await.unwrap();
        let (a0, b0) = (a.rows_epoch(), b.rows_epoch());
        let clone = a.clone();
        let mut tx = clone.begin().await.unwrap();
        tx.conn().rows_changed();
        tx.commit().await.unwrap();
        assert!(a.rows_epoch() > a0);
        assert_eq!(b.rows_epoch(), b0);
    }

    /// A write through a pooled handle commits statement by statement: the epoch moves when it is
    /// written and again when the handle goes (so a row read in between is not cached as fresh);
    /// a handle that only read moves nothing.
    #[tokio::test]
    async fn a_handle_that_wrote_moves_the_epoch_when_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&dir.path().join("a.db"), &DbOptions::default()).await.unwrap();
        let before = db.rows_epoch();
        let reader = db.acquire().await.unwrap();
        drop(reader);
        assert_eq!(db.rows_epoch(), before);
        let mut h = db.acquire().await.unwrap();
        h.conn().rows_changed();
        let written = db.rows_epoch();
        assert!(written > before);
        drop(h);
        assert!(db.rows_epoch() > written);
    }

    /// Another process's commit (here, a second pool on the same file) changes the mark; reads
    /// do not.
    #[tokio::test]
    async fn the_change_mark_moves_with_any_processs_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let server = Db::open_sqlite(&path, &DbOptions::default()).await.unwrap();
        let other = Db::connect_sqlite(&path, &DbOptions::default(), false).await.unwrap();
        let quiet = server.change_mark().expect("SQLite has a mark");
        {
            let mut h = server.acquire().await.unwrap();
            crate::lease::holder(h.conn(), "job:x").await.unwrap();
        }
        assert_eq!(server.change_mark(), Some(quiet), "a read changes nothing");
        for round in 0..3 {
            let before = server.change_mark();
            let mut h = other.acquire().await.unwrap();
            let until = 2_000 + round;
            assert!(crate::lease::acquire(h.conn(), "job:x", "cli", 1_000, until).await.unwrap());
            assert_ne!(server.change_mark(), before, "round {round}");
        }
    }
}
