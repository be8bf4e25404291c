//! The SQLite backend: one writer connection (SQLite takes one writer at a time anyway, and
//! queueing in the pool beats retrying on SQLITE_BUSY) and a pool of readers, in WAL mode with
//! `synchronous = FULL`, so a committed batch survives a crash of the process or the machine.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use analysis::record::InstallId;
use analysis::report::TotalsCell;
use analysis::{Record, WorkerTotals};
use futures_util::TryStreamExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::rows::{RecordRow, TotalsRow, install_id, merged_totals, sort_batch, totals_by_cell};
use super::{
    DbError, ErasedCounts, Install, RECORD_COLUMNS, StoreError, StoredCounts, TOTALS_COLUMNS, corrupt,
    migrator,
};
use crate::ingest::ParsedBatch;

/// Rows per INSERT statement: 13 bound values each, far below SQLite's 32766-variable limit.
const ROWS_PER_INSERT: usize = 500;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqliteStore, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let readers =
            SqlitePoolOptions::new().max_connections(max_connections.max(1)).connect_with(options).await?;
        Ok(SqliteStore { writer, readers })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator =
            migrator(&[(1, "initial", include_str!("../../../migrations/sqlite/0001_initial.sql"))]);
        migrator.run(&self.writer).await?;
        Ok(())
    }

    pub async fn create_install(
        &self,
        public_id: &InstallId,
        token_hash: Option<&str>,
        consent_version: Option<&str>,
    ) -> Result<Install, DbError> {
        let key: i64 = sqlx::query_scalar(
            "INSERT INTO installs (public_id, token_hash, consent_version) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(public_id.as_str())
        .bind(token_hash)
        .bind(consent_version)
        .fetch_one(&self.writer)
        .await?;
        Ok(Install { key, public_id: public_id.clone() })
    }

    pub async fn install_by_token_hash(&self, token_hash: &str) -> Result<Option<Install>, DbError> {
        let row = sqlx::query("SELECT id, public_id FROM installs WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.readers)
            .await?;
        row.map(|row| {
            let public_id: String = row.try_get(1)?;
            Ok(Install { key: row.try_get(0)?, public_id: install_id(&public_id).map_err(corrupt)? })
        })
        .transpose()
    }

    pub async fn store_batch(
        &self,
        install: &Install,
        batch: &ParsedBatch,
    ) -> Result<StoredCounts, StoreError> {
        // Everything that needs no database is done before taking the single writer, and the
        // common case (nothing of the batch was sent before) is one INSERT: with one writer, every
        // statement saved is throughput gained.
        let rows: Vec<RecordRow> =
            batch.records.iter().map(|(_, record)| RecordRow::from_record(record)).collect();
        let all_totals = totals_by_cell(batch.records.iter().map(|(_, record)| record));
        let all_rows: Vec<&RecordRow> = rows.iter().collect();
        let mut tx = self.writer.begin().await?;
        let inserted = insert_records(&mut tx, install.key, &all_rows).await?;
        let (sorted, added) = if inserted == rows.len() as u64 {
            (sort_batch(batch, &HashMap::new()).expect("nothing stored, nothing conflicts"), all_totals)
        } else {
            // Some ids were there already: start again, read what is stored to tell duplicates
            // from conflicts, and insert only the new records.
            tx.rollback().await?;
            tx = self.writer.begin().await?;
            let mut stored: HashMap<String, Record> = HashMap::new();
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut query = QueryBuilder::<Sqlite>::new(format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE install = "
                ));
                query.push_bind(install.key).push(" AND record_id IN (");
                let mut ids = query.separated(", ");
                for row in chunk {
                    ids.push_bind(row.record_id.as_str());
                }
                query.push(")");
                for row in query.build().fetch_all(&mut *tx).await? {
                    let row = record_row(&row)?;
                    let record = row.to_record(install.public_id.as_str()).map_err(corrupt)?;
                    stored.insert(row.record_id, record);
                }
            }
            // On a conflict the transaction is dropped, which rolls it back.
            let sorted = sort_batch(batch, &stored).map_err(StoreError::Conflicts)?;
            if sorted.new.is_empty() {
                return Ok(StoredCounts { accepted: 0, duplicates: sorted.duplicates });
            }
            let new_rows: Vec<&RecordRow> =
                rows.iter().filter(|row| !stored.contains_key(&row.record_id)).collect();
            insert_records(&mut tx, install.key, &new_rows).await?;
            let added = totals_by_cell(sorted.new.iter().copied());
            (sorted, added)
        };
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {TOTALS_COLUMNS} FROM worker_cell_totals WHERE install = "
        ));
        query.push_bind(install.key).push(" AND month IN (");
        let mut months = query.separated(", ");
        for cell in added.keys() {
            months.push_bind(cell.month_number());
        }
        query.push(")");
        let stored_totals: Vec<TotalsRow> =
            query.build().fetch_all(&mut *tx).await?.iter().map(totals_row).collect::<Result<_, _>>()?;
        let merged = merged_totals(&added, &stored_totals).map_err(corrupt)?;
        let mut upsert = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO worker_cell_totals (install, {TOTALS_COLUMNS}) "
        ));
        upsert.push_values(merged, |mut values, row| {
            values
                .push_bind(install.key)
                .push_bind(row.platform)
                .push_bind(row.country)
                .push_bind(row.month)
                .push_bind(row.earnings_usd)
                .push_bind(row.paid_task_seconds)
                .push_bind(row.unpaid_task_seconds)
                .push_bind(row.unpaid_record_seconds)
                .push_bind(row.tasks);
        });
        upsert.push(
            " ON CONFLICT (install, platform, country, month) DO UPDATE SET earnings_usd = excluded.earnings_usd, \
             paid_task_seconds = excluded.paid_task_seconds, unpaid_task_seconds = excluded.unpaid_task_seconds, \
             unpaid_record_seconds = excluded.unpaid_record_seconds, tasks = excluded.tasks",
        );
        upsert.build().execute(&mut *tx).await?;
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(StoredCounts { accepted: sorted.new.len() as u64, duplicates: sorted.duplicates })
    }

    pub async fn erase_install(&self, install: &Install) -> Result<ErasedCounts, DbError> {
        let mut tx = self.writer.begin().await?;
        let records =
            sqlx::query("DELETE FROM records WHERE install = ?").bind(install.key).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM worker_cell_totals WHERE install = ?")
            .bind(install.key)
            .execute(&mut *tx)
            .await?;
        let installs =
            sqlx::query("DELETE FROM installs WHERE id = ?").bind(install.key).execute(&mut *tx).await?;
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ErasedCounts { records: records.rows_affected(), installs: installs.rows_affected() })
    }

    pub async fn data_version(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&self.readers)
            .await?)
    }

    pub async fn for_each_totals(
        &self,
        month: Option<i64>,
        mut visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        let sql = format!(
            "SELECT i.public_id, {} FROM worker_cell_totals t JOIN installs i ON i.id = t.install \
             WHERE ? IS NULL OR t.month = ?",
            TOTALS_COLUMNS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ")
        );
        let mut rows = sqlx::query(&sql).bind(month).bind(month).fetch(&self.readers);
        let mut current: Option<(String, InstallId)> = None;
        while let Some(row) = rows.try_next().await? {
            let public_id: String = row.try_get(0)?;
            if current.as_ref().is_none_or(|(text, _)| *text != public_id) {
                current = Some((public_id.clone(), install_id(&public_id).map_err(corrupt)?));
            }
            let (cell, totals) = totals_row_at(&row, 1)?.parse().map_err(corrupt)?;
            visit(&current.as_ref().expect("set above").1, &cell, &totals);
        }
        Ok(())
    }

    pub async fn for_each_record<E: From<DbError>>(
        &self,
        mut visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = format!(
            "SELECT i.public_id, {} FROM records r JOIN installs i ON i.id = r.install ORDER BY r.install",
            RECORD_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")
        );
        let mut rows = sqlx::query(&sql).fetch(&self.readers);
        while let Some(row) = rows.try_next().await.map_err(DbError::from)? {
            let public_id: String = row.try_get(0).map_err(DbError::from)?;
            let record = record_row_at(&row, 1)?.to_record(&public_id).map_err(corrupt)?;
            visit(record)?;
        }
        Ok(())
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.readers)
            .await?)
    }

    pub async fn meta_set_once(&self, key: &str, value: &str) -> Result<String, DbError> {
        sqlx::query("INSERT INTO collector_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = ?")
            .bind(key)
            .fetch_one(&self.writer)
            .await?)
    }

    pub async fn install_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM installs").fetch_one(&self.readers).await?)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

/// Inserts rows, skipping ids the install stored before; answers how many were inserted.
/// An install erased since its token was checked fails the foreign key: that is `InstallGone`.
async fn insert_records(
    connection: &mut sqlx::SqliteConnection,
    install: i64,
    rows: &[&RecordRow],
) -> Result<u64, StoreError> {
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
        inserted += match query.build().execute(&mut *connection).await {
            Ok(done) => done.rows_affected(),
            Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
                return Err(StoreError::InstallGone);
            }
            Err(error) => return Err(error.into()),
        };
    }
    Ok(inserted)
}

fn record_row(row: &SqliteRow) -> Result<RecordRow, DbError> {
    record_row_at(row, 0)
}

fn record_row_at(row: &SqliteRow, first: usize) -> Result<RecordRow, DbError> {
    Ok(RecordRow {
        record_id: row.try_get(first)?,
        platform: row.try_get(first + 1)?,
        country: row.try_get(first + 2)?,
        kind: row.try_get(first + 3)?,
        category: row.try_get(first + 4)?,
        outcome: row.try_get(first + 5)?,
        started_at: row.try_get(first + 6)?,
        ended_at: row.try_get(first + 7)?,
        active_seconds: row.try_get(first + 8)?,
        reward: row.try_get(first + 9)?,
        bonus: row.try_get(first + 10)?,
        currency: row.try_get(first + 11)?,
    })
}

fn totals_row(row: &SqliteRow) -> Result<TotalsRow, DbError> {
    totals_row_at(row, 0)
}

fn totals_row_at(row: &SqliteRow, first: usize) -> Result<TotalsRow, DbError> {
    Ok(TotalsRow {
        platform: row.try_get(first)?,
        country: row.try_get(first + 1)?,
        month: row.try_get(first + 2)?,
        earnings_usd: row.try_get(first + 3)?,
        paid_task_seconds: row.try_get(first + 4)?,
        unpaid_task_seconds: row.try_get(first + 5)?,
        unpaid_record_seconds: row.try_get(first + 6)?,
        tasks: row.try_get(first + 7)?,
    })
}
