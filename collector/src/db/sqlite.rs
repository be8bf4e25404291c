//! The SQLite backend: one writer connection (SQLite takes one writer at a time anyway, and
//! queueing in the pool beats retrying on SQLITE_BUSY) and a pool of readers, in WAL mode with
//! `synchronous = FULL`, so a committed batch survives a crash of the process or the machine.
//! `secure_delete` is on, so deleted rows are overwritten with zeros in their pages, and an
//! erasure ends with a checkpoint that truncates the WAL: an erased install leaves no bytes
//! in the database's files (`erase_install`).
//! Only its dialect is here; the operations are `store.rs`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::rows::{RecordRow, TotalsRow};
use super::store::{Backend, RECORD_COLUMNS, Store, TOTALS_COLUMNS, TOTALS_ON_CONFLICT, record_select};
use super::{DbError, migrator};

/// Rows per statement: 13 bound values each, far below SQLite's 32766-variable limit.
const ROWS_PER_INSERT: usize = 500;

pub(super) async fn connect(url: &str, max_connections: u32, create: bool) -> Result<Store<Sqlite>, DbError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10));
    let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    let readers =
        SqlitePoolOptions::new().max_connections(max_connections.max(1)).connect_with(options).await?;
    Ok(Store { writer, readers })
}

/// Every migration of `migrations/sqlite/`, in order.
pub(super) fn migrations() -> Migrator {
    migrator(&[
        (1, "initial", include_str!("../../../migrations/sqlite/0001_initial.sql")),
        (2, "install upload days", include_str!("../../../migrations/sqlite/0002_install_upload_days.sql")),
        (3, "used challenges", include_str!("../../../migrations/sqlite/0003_used_challenges.sql")),
        (4, "snapshots", include_str!("../../../migrations/sqlite/0004_snapshots.sql")),
    ])
}

impl Backend for Sqlite {
    // Writes take turns on the one writer connection, so one row costs no waiting.
    const DATA_VERSION_ROWS: i64 = 1;
    // Free: `records` is stored in `(install, record_id)` order.
    const EXPORT_ORDER: &'static str = " ORDER BY r.install";

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn migrate(pool: &SqlitePool) -> Result<(), DbError> {
        migrations().run(pool).await?;
        Ok(())
    }

    /// Copies every page of the WAL into the database file, whose deleted cells `secure_delete`
    /// has zeroed, and truncates the WAL to nothing, so that the pages as they were before the
    /// erasure are gone from both files. Readers in a transaction hold it up: it waits for them
    /// as long as the busy timeout; if some are still there, it says so in the log and the next
    /// erasure's checkpoint finishes the job.
    async fn after_erasure(writer: &SqlitePool) -> Result<(), sqlx::Error> {
        let (busy, log_frames, checkpointed): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(writer).await?;
        if busy != 0 {
            tracing::warn!(
                log_frames,
                checkpointed,
                "after an erasure, the WAL could not be truncated: readers held it past the busy timeout"
            );
        }
        Ok(())
    }

    /// Nothing to take: the one writer connection serialises every write, and a deleted install
    /// fails the foreign key of the insert.
    async fn lock_install(_: &mut SqliteConnection, _: i64) -> Result<bool, sqlx::Error> {
        Ok(true)
    }

    async fn insert_records(
        connection: &mut SqliteConnection,
        install: i64,
        rows: &[&RecordRow],
    ) -> Result<u64, sqlx::Error> {
        let mut inserted = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut query =
                QueryBuilder::<Sqlite>::new(format!("INSERT INTO records (install, {RECORD_COLUMNS}) "));
            query.push_values(chunk, |mut values, row| {
                values
                    .push_bind(install)
                    .push_bind(row.record_id.as_str())
                    .push_bind(row.platform.as_str())
                    .push_bind(row.country.as_deref())
                    .push_bind(row.kind.as_str())
                    .push_bind(row.category.as_deref())
                    .push_bind(row.outcome.as_deref())
                    .push_bind(row.started_at)
                    .push_bind(row.ended_at)
                    .push_bind(row.active_seconds)
                    .push_bind(row.reward.as_deref())
                    .push_bind(row.bonus.as_deref())
                    .push_bind(row.currency.as_deref());
            });
            query.push(" ON CONFLICT (install, record_id) DO NOTHING");
            inserted += query.build().execute(&mut *connection).await?.rows_affected();
        }
        Ok(inserted)
    }

    async fn select_records(
        connection: &mut SqliteConnection,
        install: i64,
        ids: &[&str],
    ) -> Result<Vec<SqliteRow>, sqlx::Error> {
        let mut rows = Vec::new();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {} FROM records r WHERE r.install = ",
                record_select("r")
            ));
            query.push_bind(install).push(" AND r.record_id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            rows.extend(query.build().fetch_all(&mut *connection).await?);
        }
        Ok(rows)
    }

    async fn upsert_totals(
        connection: &mut SqliteConnection,
        install: i64,
        rows: &[TotalsRow],
    ) -> Result<(), sqlx::Error> {
        let mut upsert = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO worker_cell_totals (install, {TOTALS_COLUMNS}) "
        ));
        upsert.push_values(rows, |mut values, row| {
            values
                .push_bind(install)
                .push_bind(row.platform.as_str())
                .push_bind(row.country.as_str())
                .push_bind(row.month)
                .push_bind(row.earnings_usd.as_str())
                .push_bind(row.paid_task_seconds)
                .push_bind(row.unpaid_task_seconds)
                .push_bind(row.unpaid_record_seconds)
                .push_bind(row.tasks);
        });
        upsert.push(TOTALS_ON_CONFLICT);
        upsert.build().execute(connection).await?;
        Ok(())
    }
}
