//! Messages between server processes sharing one PostgreSQL database, over `LISTEN/NOTIFY` (what
//! they say is the server's business). SQLite has no such thing: there, nothing is sent and
//! nothing is heard.

use sqlx::postgres::{PgListener, PgPoolOptions};

use crate::{Db, Pool, StoreResult};

/// Listening on one channel, over a connection of its own (not one of the pool's).
pub struct Listener(PgListener);

impl Db {
    /// Send `payload` to every process listening on `channel` (on PostgreSQL; nothing on SQLite).
    pub async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        if let Pool::Postgres(p) = self.pool() {
            sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(p).await?;
        }
        Ok(())
    }

    /// Listen on `channel` (PostgreSQL; `None` on SQLite, where no process can speak).
    pub async fn listen(&self, channel: &str) -> Option<StoreResult<Listener>> {
        let Pool::Postgres(p) = self.pool() else { return None };
        let own = PgPoolOptions::new().max_connections(1).connect_lazy_with((*p.connect_options()).clone());
        let listening = async {
            let mut l = PgListener::connect_with(&own).await?;
            l.listen(channel).await?;
            Ok(Listener(l))
        };
        Some(listening.await)
    }
}

impl Listener {
    /// The next message's payload; `None` when the connection was lost (messages may have been
    /// missed; the next call connects again).
    pub async fn next(&mut self) -> StoreResult<Option<String>> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_string()))
    }
}
