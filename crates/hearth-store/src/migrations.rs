//! The schema's migrations, embedded: applied when a [`Db`](crate::Db) opens, or only compared
//! with what a database has applied ([`Db::migration_status`](crate::Db::migration_status), for
//! `hearth doctor`, which must not change the database).

use sqlx::migrate::Migrator;

pub(crate) static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// One row of sqlx's bookkeeping table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Applied {
    pub version: i64,
    pub success: bool,
    pub checksum: Vec<u8>,
}

/// How a database's schema compares with the migrations this build carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The highest version applied successfully (0: none).
    pub latest: i64,
    /// Versions this build has and the database has not applied: (version, description).
    pub pending: Vec<(i64, String)>,
    /// Versions recorded as failed (partly applied).
    pub failed: Vec<i64>,
    /// Versions applied from a different text than this build's.
    pub modified: Vec<i64>,
    /// Versions applied that this build does not know (a newer hearth migrated the database).
    pub unknown: Vec<i64>,
}

impl MigrationStatus {
    /// Whether the schema is exactly the one this build expects.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.failed.is_empty() && self.modified.is_empty() && self.unknown.is_empty()
    }

    pub(crate) fn compare(migrator: &Migrator, applied: &[Applied]) -> MigrationStatus {
        let mut status = MigrationStatus::default();
        for m in migrator.iter().filter(|m| m.migration_type.is_up_migration()) {
            match applied.iter().find(|a| a.version == m.version) {
                None => status.pending.push((m.version, m.description.to_string())),
                Some(a) if !a.success => status.failed.push(a.version),
                Some(a) if a.checksum != *m.checksum => status.modified.push(a.version),
                Some(_) => {}
            }
        }
        for a in applied {
            if !migrator.version_exists(a.version) {
                status.unknown.push(a.version);
            }
            if a.success {
                status.latest = status.latest.max(a.version);
            }
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_versions_and_checksums() {
        let all: Vec<Applied> = SQLITE
            .iter()
            .map(|m| Applied { version: m.version, success: true, checksum: m.checksum.to_vec() })
            .collect();
        let last = all.last().unwrap().version;
        let status = MigrationStatus::compare(&SQLITE, &all);
        assert!(status.is_current());
        assert_eq!(status.latest, last);

        let mut partial = all[..all.len() - 1].to_vec();
        partial[0].checksum = vec![0];
        partial[1].success = false;
        partial.push(Applied { version: 9999, success: true, checksum: vec![] });
        let status = MigrationStatus::compare(&SQLITE, &partial);
        assert!(!status.is_current());
        assert_eq!(status.pending.iter().map(|p| p.0).collect::<Vec<_>>(), vec![last]);
        assert_eq!((status.modified, status.failed, status.unknown), (vec![1], vec![2], vec![9999]));
        assert_eq!(MigrationStatus::compare(&SQLITE, &[]).pending.len(), all.len());
    }
}
