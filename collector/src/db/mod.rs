//! All SQL of the collector, behind typed functions: handlers and commands call these and
//! never build SQL. Every operation is written once, in `store`, over sqlx's `Database`; each
//! backend module holds only its dialect; rows are converted in `rows`.

pub mod backup;
mod postgres;
pub mod rows;
mod snapshots;
mod sqlite;
mod store;

use std::borrow::Cow;

use analysis::Record;
use analysis::WorkerTotals;
use analysis::record::InstallId;
use analysis::report::TotalsCell;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Postgres, Sqlite};

use self::backup::{BackupError, BackupSummary};
pub use self::snapshots::{SnapshotSummary, StoredSnapshot};
use self::store::Store;

use crate::ingest::{ParsedBatch, RecordProblem};
use crate::proof_of_work::SolvedChallenge;

/// A database failure, or a row the collector cannot read back.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("applying migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored row is not valid: {0}")]
    CorruptRow(String),
    #[error("database URL must start with sqlite:// or postgres://")]
    UnknownScheme,
}

/// Why a batch was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("records conflict with what this install already sent")]
    Conflicts(Vec<RecordProblem>),
    #[error("the install was deleted")]
    InstallGone,
    /// The batch would make the install's records span more than `limit` countries.
    #[error("one install's records may span at most {limit} {}; with this batch they would span {}: {}",
        if *.limit == 1 { "country" } else { "countries" }, .countries.len(), .countries.join(", "))]
    TooManyCountries { limit: usize, countries: Vec<String> },
    /// The batch would make the install's records span more than `limit` platform × country ×
    /// month cells.
    #[error(
        "one install's records may span at most {limit} platform × country × month cells; with this batch they would span {cells}"
    )]
    TooManyCells { limit: usize, cells: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Db(DbError::Sqlx(error))
    }
}

/// Why an enrollment was not stored.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EnrollError {
    #[error("the challenge was used to enroll already")]
    ChallengeUsed,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for EnrollError {
    fn from(error: sqlx::Error) -> EnrollError {
        EnrollError::Db(DbError::Sqlx(error))
    }
}

/// An enrolled install, as found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    /// The database key; never leaves the collector.
    pub key: i64,
    pub public_id: InstallId,
    /// On how many distinct days (server's clock, UTC) it uploaded new records, as last read.
    pub upload_days: i64,
    /// The last of those days, in days since 1970-01-01.
    pub last_upload_day: Option<i64>,
}

/// On how many upload days the demo's synthetic installs count: as many as
/// `eligible_after_days` may ask for, since they stand for workers, not for fakes.
pub const SYNTHETIC_UPLOAD_DAYS: i64 = crate::config::MAX_ELIGIBLE_AFTER_DAYS as i64;

/// The rules a batch is stored under, and the server's day it arrives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchRules {
    /// The most distinct countries the install's records may span (records without a country
    /// count for none); a batch beyond is refused whole (`TooManyCountries`).
    pub max_countries: usize,
    /// The most platform × country × month cells the install's records may span; a batch
    /// beyond is refused whole (`TooManyCells`).
    pub max_cells: usize,
    /// An install counts in published figures once it uploaded on this many distinct days.
    pub eligible_after_days: u32,
    /// Today by the server's clock, in days since 1970-01-01 (`Clock::today`).
    pub today: i64,
}

/// What a stored batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCounts {
    pub accepted: u64,
    pub duplicates: u64,
}

/// What erasing an install removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErasedCounts {
    pub records: u64,
    pub installs: u64,
}

/// The collector's database, SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct Database(Backends);

#[derive(Debug, Clone)]
enum Backends {
    Sqlite(Store<Sqlite>),
    Postgres(Store<Postgres>),
}

/// The same call on whichever backend the database is.
macro_rules! on_backend {
    ($database:expr, $store:ident => $call:expr) => {
        match &$database.0 {
            Backends::Sqlite($store) => $call,
            Backends::Postgres($store) => $call,
        }
    };
}

fn migrator(files: &[(i64, &'static str, &'static str)]) -> Migrator {
    let migrations: Vec<Migration> = files
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator { migrations: Cow::Owned(migrations), ignore_missing: false, locking: true, no_tx: false }
}

impl Database {
    /// Connects (creating a SQLite file if missing); does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Database, DbError> {
        Database::connect_creating(url, max_connections, true).await
    }

    /// Connects to a database that must exist already (a SQLite file is not created).
    pub async fn connect_existing(url: &str, max_connections: u32) -> Result<Database, DbError> {
        Database::connect_creating(url, max_connections, false).await
    }

    async fn connect_creating(url: &str, max_connections: u32, create: bool) -> Result<Database, DbError> {
        if is_postgres_url(url) {
            Ok(Database(Backends::Postgres(postgres::connect(url, max_connections).await?)))
        } else if url.starts_with("sqlite:") {
            Ok(Database(Backends::Sqlite(sqlite::connect(url, max_connections, create).await?)))
        } else {
            Err(DbError::UnknownScheme)
        }
    }

    /// Applies the migrations of `migrations/<backend>/` that are not applied yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        on_backend!(self, store => store.migrate().await)
    }

    /// The versions of every migration this collector has for the database's backend, in order.
    pub fn migration_versions(&self) -> Vec<i64> {
        let migrator = match self.0 {
            Backends::Sqlite(_) => sqlite::migrations(),
            Backends::Postgres(_) => postgres::migrations(),
        };
        migrator.iter().map(|migration| migration.version).collect()
    }

    /// Applies the migrations up to `version` only, as an older collector would have: for the
    /// test that walks every schema with data in it.
    pub async fn migrate_up_to(&self, version: i64) -> Result<(), DbError> {
        fn prefix(all: Migrator, version: i64) -> Migrator {
            let kept = all.iter().filter(|migration| migration.version <= version).cloned().collect();
            Migrator { migrations: Cow::Owned(kept), ..all }
        }
        match &self.0 {
            Backends::Sqlite(store) => prefix(sqlite::migrations(), version).run(&store.writer).await?,
            Backends::Postgres(store) => prefix(postgres::migrations(), version).run(&store.writer).await?,
        }
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `destination` (a new file), safe while a
    /// collector serves it; refuses PostgreSQL, whose tool is `pg_dump`.
    pub async fn backup_to(&self, destination: &std::path::Path) -> Result<BackupSummary, BackupError> {
        backup::backup(self, destination).await
    }

    /// Replaces every row of this (migrated) SQLite database with a checked backup's
    /// (`backup::check_backup`), in one transaction; refuses a database that holds installs
    /// unless `overwrite`.
    pub async fn restore_from(
        &self,
        backup: &backup::CheckedBackup,
        overwrite: bool,
    ) -> Result<BackupSummary, BackupError> {
        backup::restore(self, backup, overwrite).await
    }

    pub fn backend_name(&self) -> &'static str {
        match self.0 {
            Backends::Sqlite(_) => "sqlite",
            Backends::Postgres(_) => "postgres",
        }
    }

    /// Enrolls an install. `token_hash` is `None` only for synthetic installs (the demo's), which
    /// count as having uploaded on [`SYNTHETIC_UPLOAD_DAYS`] days.
    pub async fn create_install(
        &self,
        public_id: &InstallId,
        token_hash: Option<&str>,
        consent_version: Option<&str>,
    ) -> Result<Install, DbError> {
        on_backend!(self, store => store.create_install(public_id, token_hash, consent_version).await)
    }

    /// Enrolls an install with a solved challenge, which is kept until it expires so that it
    /// enrolls no other (`ChallengeUsed`); expired ones are forgotten (`now`, unix seconds).
    pub(crate) async fn enroll(
        &self,
        public_id: &InstallId,
        token_hash: &str,
        consent_version: Option<&str>,
        challenge: &SolvedChallenge,
        now: i64,
    ) -> Result<Install, EnrollError> {
        on_backend!(self, store => store.enroll(public_id, token_hash, consent_version, challenge, now).await)
    }

    pub(crate) async fn install_by_token_hash(&self, token_hash: &str) -> Result<Option<Install>, DbError> {
        on_backend!(self, store => store.install_by_token_hash(token_hash).await)
    }

    /// Stores a batch in one transaction: new records, their totals, the install's upload day,
    /// and the data version if the install counts in published figures. Either all of it is
    /// committed or nothing is; the caller answers only after this returns. A batch beyond the
    /// limits of `rules` is refused whole.
    pub async fn store_batch(
        &self,
        install: &Install,
        batch: &ParsedBatch,
        rules: &BatchRules,
    ) -> Result<StoredCounts, StoreError> {
        on_backend!(self, store => store.store_batch(install, batch, rules).await)
    }

    /// Erases every record of an install, its totals and the install itself; on SQLite, from
    /// the files too (`secure_delete` and a checkpoint that truncates the WAL) before it returns.
    pub async fn erase_install(&self, install: &Install) -> Result<ErasedCounts, DbError> {
        on_backend!(self, store => store.erase_install(install).await)
    }

    /// A number that changes with every committed write that changes reports, at its commit
    /// (an upload of an install that does not count yet changes none, and does not move it):
    /// a reader that sees a version sees all the data written before it.
    pub async fn data_version(&self) -> Result<i64, DbError> {
        on_backend!(self, store => store.data_version().await)
    }

    /// Streams the totals (of one month, `YYYYMM`, if given) of every install that uploaded on
    /// at least `min_upload_days` distinct days into `visit`.
    pub(crate) async fn for_each_totals(
        &self,
        month: Option<i64>,
        min_upload_days: u32,
        visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        on_backend!(self, store => store.for_each_totals(month, min_upload_days, visit).await)
    }

    /// Streams every stored record into `visit`, which may stop the stream with an error.
    pub async fn for_each_record<E: From<DbError>>(
        &self,
        visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        on_backend!(self, store => store.for_each_record(visit).await)
    }

    /// Every published snapshot, the latest first.
    pub async fn snapshots(&self) -> Result<Vec<SnapshotSummary>, DbError> {
        on_backend!(self, store => store.snapshots().await)
    }

    pub async fn latest_snapshot(&self) -> Result<Option<SnapshotSummary>, DbError> {
        on_backend!(self, store => store.latest_snapshot().await)
    }

    /// The snapshot of `day` (`YYYY-MM-DD`), if one was published.
    pub async fn snapshot(&self, day: &str) -> Result<Option<StoredSnapshot>, DbError> {
        on_backend!(self, store => store.snapshot(day).await)
    }

    /// Streams the totals the latest snapshot was computed from into `visit`.
    pub(crate) async fn for_each_snapshot_basis(
        &self,
        visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        on_backend!(self, store => store.for_each_snapshot_basis(visit).await)
    }

    /// Publishes `snapshot` unless its day has one, with the totals it was computed from, in one
    /// transaction; answers whether it was published. A published snapshot is never changed.
    pub async fn publish_snapshot(
        &self,
        snapshot: &StoredSnapshot,
        basis: &[(InstallId, TotalsCell, WorkerTotals)],
    ) -> Result<bool, DbError> {
        on_backend!(self, store => store.publish_snapshot(snapshot, basis).await)
    }

    pub(crate) async fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        on_backend!(self, store => store.meta(key).await)
    }

    /// Sets `key` unless it is set already; answers the value in force afterwards.
    pub async fn meta_set_once(&self, key: &str, value: &str) -> Result<String, DbError> {
        on_backend!(self, store => store.meta_set_once(key, value).await)
    }

    pub async fn install_count(&self) -> Result<i64, DbError> {
        on_backend!(self, store => store.install_count().await)
    }

    /// Lets in-flight queries finish and closes every connection.
    pub async fn close(&self) {
        on_backend!(self, store => store.close().await)
    }
}

/// Whether a database URL names a PostgreSQL server.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::CorruptRow(what.to_string())
}
