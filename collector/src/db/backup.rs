//! The operator's backup and restore of a SQLite database (`piecerate-collector backup` and
//! `restore`). A backup is SQLite's `VACUUM INTO`: a consistent copy made inside one read
//! transaction, so it is safe while the collector serves and writes (WAL mode lets the writer go
//! on). A restore checks the file is a collector database of a schema this collector knows,
//! brings a copy of it to the current schema, and replaces the target's rows with its rows in one
//! transaction, so a collector serving the target sees the old data or the restored data, never a
//! mix. PostgreSQL has its own tools for both (`pg_dump`, `pg_restore`; `docs/collector.md`).

use std::path::{Path, PathBuf};

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

use super::{Backends, Database, DbError, sqlite};

/// Why a backup or a restore was refused or failed. Nothing of the target was changed then.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "a PostgreSQL database is backed up with pg_dump and restored with pg_restore, e.g. `pg_dump --format=custom --file=collector.dump \"$PIECERATE_DATABASE_URL\"` (docs/collector.md, \"Back up and restore\")"
    )]
    Postgres,
    #[error("{} exists already: a backup is written to a new file", .0.display())]
    DestinationExists(PathBuf),
    #[error("{} is not a piecerate collector database: {problem}", .path.display())]
    NotACollectorDatabase { path: PathBuf, problem: String },
    #[error(
        "{} has schema version {found}, made by a newer collector; this one knows schema versions up to {known}: restore it with a collector at least as new as the one that made it",
        .path.display()
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error(
        "the database already holds {installs} installs; a restore replaces every row of it: add --overwrite to replace them"
    )]
    TargetNotEmpty { installs: i64 },
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for BackupError {
    fn from(error: sqlx::Error) -> BackupError {
        BackupError::Db(DbError::Sqlx(error))
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

/// What a backup file holds, as found by `check_backup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The last migration applied to it.
    pub schema_version: i64,
    /// `workers`, or `synthetic-demo` for a demo database.
    pub dataset: Option<String>,
    pub installs: i64,
    pub records: i64,
    pub data_version: i64,
}

/// Writes a consistent copy of the SQLite database to `destination`, which must not exist: to
/// `destination.partial` first, synced, then renamed, so a file under the name asked for is
/// always a whole backup.
pub(super) async fn backup(database: &Database, destination: &Path) -> Result<BackupSummary, BackupError> {
    let Backends::Sqlite(store) = &database.0 else { return Err(BackupError::Postgres) };
    if destination.exists() {
        return Err(BackupError::DestinationExists(destination.to_owned()));
    }
    let partial = partial_path(destination);
    remove_if_present(&partial)?;
    let text = partial.to_str().ok_or_else(|| BackupError::Io {
        context: format!("writing {}", partial.display()),
        source: std::io::Error::other("the path is not UTF-8"),
    })?;
    sqlx::query("VACUUM INTO $1").bind(text).execute(&store.readers).await?;
    sync_and_rename(&partial, destination)?;
    summarize(destination).await
}

/// A backup file that `check_backup` found to be a collector database this collector can
/// restore, and what it holds.
#[derive(Debug, Clone)]
pub struct CheckedBackup {
    path: PathBuf,
    pub summary: BackupSummary,
}

/// Checks that `path` is a collector database whose every migration this collector knows (the
/// same version, the same SQL), and that SQLite finds it intact.
pub async fn check_backup(path: &Path) -> Result<CheckedBackup, BackupError> {
    Ok(CheckedBackup { path: path.to_owned(), summary: summarize(path).await? })
}

async fn summarize(path: &Path) -> Result<BackupSummary, BackupError> {
    let not_ours = |problem: String| BackupError::NotACollectorDatabase { path: path.to_owned(), problem };
    if !path.is_file() {
        return Err(not_ours("there is no such file".to_owned()));
    }
    let options = SqliteConnectOptions::new().filename(path).read_only(true).create_if_missing(false);
    let mut connection =
        SqliteConnection::connect_with(&options).await.map_err(|e| not_ours(e.to_string()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    if integrity != "ok" {
        return Err(not_ours(format!("SQLite's integrity check says: {integrity}")));
    }
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut connection)
            .await
            .map_err(|_| not_ours("it has no table of applied migrations".to_owned()))?;
    let schema_version =
        check_migrations(&sqlite::migrations(), &applied).map_err(|problem| match problem {
            MigrationProblem::Newer { found, known } => {
                BackupError::NewerSchema { path: path.to_owned(), found, known }
            }
            MigrationProblem::Other(problem) => not_ours(problem),
        })?;
    let installs: i64 = sqlx::query_scalar("SELECT count(*) FROM installs")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM records")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let data_version: i64 = sqlx::query_scalar("SELECT coalesce(sum(version), 0) FROM data_version")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let dataset: Option<String> =
        sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = 'dataset'")
            .fetch_optional(&mut connection)
            .await
            .map_err(|e| not_ours(e.to_string()))?;
    connection.close().await?;
    Ok(BackupSummary { schema_version, dataset, installs, records, data_version })
}

enum MigrationProblem {
    Newer { found: i64, known: i64 },
    Other(String),
}

/// The schema version of a database whose applied migrations are `applied`, if every one of them
/// is one of `known`'s, with the same SQL.
fn check_migrations(known: &Migrator, applied: &[(i64, Vec<u8>)]) -> Result<i64, MigrationProblem> {
    let newest_known = known.iter().map(|migration| migration.version).max().unwrap_or(0);
    let Some(&(found, _)) = applied.last() else {
        return Err(MigrationProblem::Other("no migration was ever applied to it".to_owned()));
    };
    if found > newest_known {
        return Err(MigrationProblem::Newer { found, known: newest_known });
    }
    for (version, checksum) in applied {
        match known.iter().find(|migration| migration.version == *version) {
            Some(migration) if migration.checksum.as_ref() == checksum.as_slice() => {}
            Some(_) => {
                return Err(MigrationProblem::Other(format!(
                    "its migration {version} is not the SQL this collector has for that version"
                )));
            }
            None => {
                return Err(MigrationProblem::Other(format!(
                    "migration {version} is unknown to this collector"
                )));
            }
        }
    }
    Ok(found)
}

/// Replaces every row of the (migrated) SQLite database with the rows of the backup at `from`,
/// in one transaction; refuses a target that holds installs unless `overwrite`. The data version
/// becomes the backup's, or, if that would not move it forward, one more than the target's, so a
/// wage cache of a collector serving the target never takes the restored data for what it had.
pub(super) async fn restore(
    database: &Database,
    backup: &CheckedBackup,
    overwrite: bool,
) -> Result<BackupSummary, BackupError> {
    let Backends::Sqlite(store) = &database.0 else { return Err(BackupError::Postgres) };
    let (from, summary) = (&backup.path, backup.summary.clone());
    let installs = database.install_count().await?;
    if installs > 0 && !overwrite {
        return Err(BackupError::TargetNotEmpty { installs });
    }
    // A copy, brought to the current schema, so the rows match the target's columns and the
    // backup itself is never written to.
    let copy = {
        let mut name = from.file_name().unwrap_or_default().to_owned();
        name.push(".restoring");
        std::env::temp_dir().join(format!("piecerate-{}-{}", std::process::id(), name.to_string_lossy()))
    };
    remove_if_present(&copy)?;
    std::fs::copy(from, &copy).map_err(io(format!("copying {} to {}", from.display(), copy.display())))?;
    let result = async {
        let options = SqliteConnectOptions::new().filename(&copy).create_if_missing(false);
        let mut connection = SqliteConnection::connect_with(&options).await?;
        sqlite::migrations().run(&mut connection).await.map_err(DbError::from)?;
        connection.close().await?;
        replace_rows(store, &copy).await
    }
    .await;
    remove_if_present(&copy)?;
    result?;
    Ok(BackupSummary { data_version: database.data_version().await?, ..summary })
}

async fn replace_rows(store: &super::store::Store<sqlx::Sqlite>, copy: &Path) -> Result<(), BackupError> {
    let mut connection = store.writer.acquire().await?;
    let text = copy.to_str().ok_or_else(|| BackupError::Io {
        context: format!("reading {}", copy.display()),
        source: std::io::Error::other("the path is not UTF-8"),
    })?;
    sqlx::query("ATTACH DATABASE $1 AS restored").bind(text).execute(&mut *connection).await?;
    let replaced = async {
        let mut transaction = connection.begin().await?;
        // Rows go before the installs they refer to are back; the keys are checked at the commit.
        sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *transaction).await?;
        let before: i64 = sqlx::query_scalar("SELECT coalesce(sum(version), 0) FROM main.data_version")
            .fetch_one(&mut *transaction)
            .await?;
        // Every table of the schema, whatever later migrations add; names come from SQLite's own
        // catalogue, never from input.
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name",
        )
        .fetch_all(&mut *transaction)
        .await?;
        for table in &tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *transaction)
                .await?;
            let columns = columns.iter().map(|column| format!("\"{column}\"")).collect::<Vec<_>>().join(", ");
            sqlx::query(&format!("DELETE FROM main.\"{table}\"")).execute(&mut *transaction).await?;
            sqlx::query(&format!(
                "INSERT INTO main.\"{table}\" ({columns}) SELECT {columns} FROM restored.\"{table}\""
            ))
            .execute(&mut *transaction)
            .await?;
        }
        let after: i64 = sqlx::query_scalar("SELECT coalesce(sum(version), 0) FROM main.data_version")
            .fetch_one(&mut *transaction)
            .await?;
        if after <= before {
            sqlx::query("UPDATE main.data_version SET version = version + $1 WHERE id = (SELECT min(id) FROM main.data_version)")
                .bind(before + 1 - after)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await
    }
    .await;
    sqlx::query("DETACH DATABASE restored").execute(&mut *connection).await?;
    replaced?;
    // The replaced rows were zeroed in their pages (secure_delete); this takes their old pages
    // out of the WAL too, as after an erasure.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *connection).await?;
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(io(format!("removing {}", path.display()))(error))
        }
        _ => Ok(()),
    }
}

/// Makes the file's bytes durable, then gives it its name, then makes the name durable.
fn sync_and_rename(partial: &Path, destination: &Path) -> Result<(), BackupError> {
    std::fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .map_err(io(format!("syncing {}", partial.display())))?;
    std::fs::rename(partial, destination).map_err(io(format!(
        "renaming {} to {}",
        partial.display(),
        destination.display()
    )))?;
    let directory = destination.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(directory)
        .and_then(|file| file.sync_all())
        .map_err(io(format!("syncing {}", directory.display())))
}
