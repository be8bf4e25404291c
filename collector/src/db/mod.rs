//! All SQL of the collector, behind typed functions: handlers and commands call these and
//! never build SQL. One backend module per database; rows are converted in `rows`.

mod postgres;
pub mod rows;
mod sqlite;

use std::borrow::Cow;

use analysis::Record;
use analysis::WorkerTotals;
use analysis::record::InstallId;
use analysis::report::TotalsCell;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::ingest::{ParsedBatch, RecordProblem};

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
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Db(DbError::Sqlx(error))
    }
}

/// An enrolled install, as found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    /// The database key; never leaves the collector.
    pub key: i64,
    pub public_id: InstallId,
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
pub enum Database {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PostgresStore),
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
        if url.starts_with("sqlite:") {
            Ok(Database::Sqlite(sqlite::SqliteStore::connect(url, max_connections).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Database::Postgres(postgres::PostgresStore::connect(url, max_connections).await?))
        } else {
            Err(DbError::UnknownScheme)
        }
    }

    /// Applies the migrations of `migrations/<backend>/` that are not applied yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Database::Sqlite(store) => store.migrate().await,
            Database::Postgres(store) => store.migrate().await,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// Enrolls an install. `token_hash` is `None` only for the demo's synthetic installs.
    pub async fn create_install(
        &self,
        public_id: &InstallId,
        token_hash: Option<&str>,
        consent_version: Option<&str>,
    ) -> Result<Install, DbError> {
        match self {
            Database::Sqlite(store) => store.create_install(public_id, token_hash, consent_version).await,
            Database::Postgres(store) => store.create_install(public_id, token_hash, consent_version).await,
        }
    }

    pub async fn install_by_token_hash(&self, token_hash: &str) -> Result<Option<Install>, DbError> {
        match self {
            Database::Sqlite(store) => store.install_by_token_hash(token_hash).await,
            Database::Postgres(store) => store.install_by_token_hash(token_hash).await,
        }
    }

    /// Stores a batch in one transaction: new records, their totals, the data version. Either
    /// all of it is committed or nothing is; the caller answers only after this returns.
    pub async fn store_batch(
        &self,
        install: &Install,
        batch: &ParsedBatch,
    ) -> Result<StoredCounts, StoreError> {
        match self {
            Database::Sqlite(store) => store.store_batch(install, batch).await,
            Database::Postgres(store) => store.store_batch(install, batch).await,
        }
    }

    /// Erases every record of an install, its totals and the install itself.
    pub async fn erase_install(&self, install: &Install) -> Result<ErasedCounts, DbError> {
        match self {
            Database::Sqlite(store) => store.erase_install(install).await,
            Database::Postgres(store) => store.erase_install(install).await,
        }
    }

    /// A number that changes after every committed write that changes reports.
    pub async fn data_version(&self) -> Result<i64, DbError> {
        match self {
            Database::Sqlite(store) => store.data_version().await,
            Database::Postgres(store) => store.data_version().await,
        }
    }

    /// Streams every install's totals (of one month, `YYYYMM`, if given) into `visit`.
    pub async fn for_each_totals(
        &self,
        month: Option<i64>,
        visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        match self {
            Database::Sqlite(store) => store.for_each_totals(month, visit).await,
            Database::Postgres(store) => store.for_each_totals(month, visit).await,
        }
    }

    /// Streams every stored record into `visit`, which may stop the stream with an error.
    pub async fn for_each_record<E: From<DbError>>(
        &self,
        visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Database::Sqlite(store) => store.for_each_record(visit).await,
            Database::Postgres(store) => store.for_each_record(visit).await,
        }
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        match self {
            Database::Sqlite(store) => store.meta(key).await,
            Database::Postgres(store) => store.meta(key).await,
        }
    }

    /// Sets `key` unless it is set already; answers the value in force afterwards.
    pub async fn meta_set_once(&self, key: &str, value: &str) -> Result<String, DbError> {
        match self {
            Database::Sqlite(store) => store.meta_set_once(key, value).await,
            Database::Postgres(store) => store.meta_set_once(key, value).await,
        }
    }

    pub async fn install_count(&self) -> Result<i64, DbError> {
        match self {
            Database::Sqlite(store) => store.install_count().await,
            Database::Postgres(store) => store.install_count().await,
        }
    }

    /// Lets in-flight queries finish and closes every connection.
    pub async fn close(&self) {
        match self {
            Database::Sqlite(store) => store.close().await,
            Database::Postgres(store) => store.close().await,
        }
    }
}

/// The columns of `records` in the order the backends read them.
const RECORD_COLUMNS: &str = "record_id, platform, country, kind, category, outcome, started_at, ended_at, active_seconds, reward, bonus, currency";
const TOTALS_COLUMNS: &str = "platform, country, month, earnings_usd, paid_task_seconds, unpaid_task_seconds, unpaid_record_seconds, tasks";

fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::CorruptRow(what.to_string())
}
