//! The PostgreSQL backend. A batch locks its install's row first, so that two batches of one
//! install never interleave (which keeps record ids unique per install across partitions and
//! the install's totals exact), while batches of different installs run in parallel.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use analysis::record::InstallId;
use analysis::report::TotalsCell;
use analysis::{Record, WorkerTotals};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};

use super::rows::{RecordRow, TotalsRow, install_id, merged_totals, sort_batch, totals_by_cell};
use super::{DbError, ErasedCounts, Install, StoreError, StoredCounts, TOTALS_COLUMNS, corrupt, migrator};
use crate::ingest::ParsedBatch;

/// `records` columns as read back: the UUID as its canonical text.
const RECORD_SELECT: &str = "record_id::text, platform, country, kind, category, outcome, started_at, ended_at, active_seconds, reward, bonus, currency";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str, max_connections: u32) -> Result<PostgresStore, DbError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(max_connections.max(2)).connect_with(options).await?;
        Ok(PostgresStore { pool })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator =
            migrator(&[(1, "initial", include_str!("../../../migrations/postgres/0001_initial.sql"))]);
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub async fn create_install(
        &self,
        public_id: &InstallId,
        token_hash: Option<&str>,
        consent_version: Option<&str>,
    ) -> Result<Install, DbError> {
        let key: i64 = sqlx::query_scalar(
            "INSERT INTO installs (public_id, token_hash, consent_version) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(public_id.as_str())
        .bind(token_hash)
        .bind(consent_version)
        .fetch_one(&self.pool)
        .await?;
        Ok(Install { key, public_id: public_id.clone() })
    }

    pub async fn install_by_token_hash(&self, token_hash: &str) -> Result<Option<Install>, DbError> {
        let row = sqlx::query("SELECT id, public_id FROM installs WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
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
        // Rows and totals are made before the install's lock is taken, assuming every record is
        // new (the common case); they are made again for the new ones only if some were not.
        let all_rows: Vec<RecordRow> =
            batch.records.iter().map(|(_, record)| RecordRow::from_record(record)).collect();
        let all_totals = totals_by_cell(batch.records.iter().map(|(_, record)| record));
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query("SELECT 1 FROM installs WHERE id = $1 FOR UPDATE")
            .bind(install.key)
            .fetch_optional(&mut *tx)
            .await?;
        if locked.is_none() {
            return Err(StoreError::InstallGone);
        }
        // Insert what is not stored yet, one index probe per id (as a plain `record_id = ANY(..)`
        // lookup, a generic plan cached while the table was small came to scan every record of
        // the install, and a batch went from milliseconds to seconds). RETURNING names what was
        // new, so the common case needs no lookup at all.
        let inserted: HashSet<String> =
            insert_records(&mut tx, install.key, &all_rows).await?.into_iter().collect();
        let sorted = if inserted.len() == batch.records.len() {
            sort_batch(batch, &HashMap::new()).expect("nothing stored, nothing conflicts")
        } else {
            // Some ids were there already: read them to tell duplicates from conflicts.
            let known: Vec<String> = all_rows
                .iter()
                .filter(|row| !inserted.contains(&row.record_id))
                .map(|r| r.record_id.clone())
                .collect();
            let existing = sqlx::query(&format!(
                "SELECT {} FROM UNNEST($2::text[]::uuid[]) AS ids (id) \
                 CROSS JOIN LATERAL (SELECT * FROM records WHERE install = $1 AND record_id = ids.id) AS r",
                RECORD_SELECT.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")
            ))
            .bind(install.key)
            .bind(&known)
            .fetch_all(&mut *tx)
            .await?;
            let mut stored: HashMap<String, Record> = HashMap::with_capacity(existing.len());
            for row in &existing {
                let row = record_row(row, 0)?;
                let record = row.to_record(install.public_id.as_str()).map_err(corrupt)?;
                stored.insert(row.record_id, record);
            }
            // On a conflict the transaction is dropped, which rolls back what was inserted.
            sort_batch(batch, &stored).map_err(StoreError::Conflicts)?
        };
        if sorted.new.is_empty() {
            return Ok(StoredCounts { accepted: 0, duplicates: sorted.duplicates });
        }
        let all_new = sorted.new.len() == batch.records.len();
        let added = if all_new { all_totals } else { totals_by_cell(sorted.new.iter().copied()) };
        let months: Vec<i64> = added.keys().map(TotalsCell::month_number).collect();
        let stored_totals: Vec<TotalsRow> = sqlx::query(&format!(
            "SELECT {TOTALS_COLUMNS} FROM worker_cell_totals WHERE install = $1 AND month = ANY($2)"
        ))
        .bind(install.key)
        .bind(&months)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| totals_row(row, 0))
        .collect::<Result<_, _>>()?;
        let merged = merged_totals(&added, &stored_totals).map_err(corrupt)?;
        let text = |get: fn(&TotalsRow) -> String| merged.iter().map(get).collect::<Vec<_>>();
        let number = |get: fn(&TotalsRow) -> i64| merged.iter().map(get).collect::<Vec<_>>();
        sqlx::query(&format!(
            "INSERT INTO worker_cell_totals (install, {TOTALS_COLUMNS}) \
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::int8[], $5::text[], $6::int8[], $7::int8[], \
             $8::int8[], $9::int8[]) \
             ON CONFLICT (install, platform, country, month) DO UPDATE SET earnings_usd = excluded.earnings_usd, \
             paid_task_seconds = excluded.paid_task_seconds, unpaid_task_seconds = excluded.unpaid_task_seconds, \
             unpaid_record_seconds = excluded.unpaid_record_seconds, tasks = excluded.tasks"
        ))
        .bind(install.key)
        .bind(text(|r| r.platform.clone()))
        .bind(text(|r| r.country.clone()))
        .bind(number(|r| r.month))
        .bind(text(|r| r.earnings_usd.clone()))
        .bind(number(|r| r.paid_task_seconds))
        .bind(number(|r| r.unpaid_task_seconds))
        .bind(number(|r| r.unpaid_record_seconds))
        .bind(number(|r| r.tasks))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Advanced only after the commit, so a reader that sees the new version sees the data.
        self.advance_data_version().await?;
        Ok(StoredCounts { accepted: sorted.new.len() as u64, duplicates: sorted.duplicates })
    }

    async fn advance_data_version(&self) -> Result<(), DbError> {
        sqlx::query("SELECT nextval('data_version')").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn erase_install(&self, install: &Install) -> Result<ErasedCounts, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT 1 FROM installs WHERE id = $1 FOR UPDATE")
            .bind(install.key)
            .execute(&mut *tx)
            .await?;
        let records =
            sqlx::query("DELETE FROM records WHERE install = $1").bind(install.key).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM worker_cell_totals WHERE install = $1")
            .bind(install.key)
            .execute(&mut *tx)
            .await?;
        let installs =
            sqlx::query("DELETE FROM installs WHERE id = $1").bind(install.key).execute(&mut *tx).await?;
        tx.commit().await?;
        self.advance_data_version().await?;
        Ok(ErasedCounts { records: records.rows_affected(), installs: installs.rows_affected() })
    }

    pub async fn data_version(&self) -> Result<i64, DbError> {
        // A new sequence reports its start value before its first nextval as well as after it;
        // `is_called` tells the two apart.
        Ok(sqlx::query_scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM data_version")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn for_each_totals(
        &self,
        month: Option<i64>,
        mut visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        let sql = format!(
            "SELECT i.public_id, {} FROM worker_cell_totals t JOIN installs i ON i.id = t.install \
             WHERE $1::int8 IS NULL OR t.month = $1",
            TOTALS_COLUMNS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ")
        );
        let mut rows = sqlx::query(&sql).bind(month).fetch(&self.pool);
        let mut current: Option<(String, InstallId)> = None;
        while let Some(row) = rows.try_next().await? {
            let public_id: String = row.try_get(0)?;
            if current.as_ref().is_none_or(|(text, _)| *text != public_id) {
                current = Some((public_id.clone(), install_id(&public_id).map_err(corrupt)?));
            }
            let (cell, totals) = totals_row(&row, 1)?.parse().map_err(corrupt)?;
            visit(&current.as_ref().expect("set above").1, &cell, &totals);
        }
        Ok(())
    }

    pub async fn for_each_record<E: From<DbError>>(
        &self,
        mut visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = format!(
            "SELECT i.public_id, {} FROM records r JOIN installs i ON i.id = r.install",
            RECORD_SELECT.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")
        );
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        while let Some(row) = rows.try_next().await.map_err(DbError::from)? {
            let public_id: String = row.try_get(0).map_err(DbError::from)?;
            let record = record_row(&row, 1)?.to_record(&public_id).map_err(corrupt)?;
            visit(record)?;
        }
        Ok(())
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn meta_set_once(&self, key: &str, value: &str) -> Result<String, DbError> {
        sqlx::query("INSERT INTO collector_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn install_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM installs").fetch_one(&self.pool).await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Inserts the rows whose ids the install has not stored yet; answers the ids inserted.
async fn insert_records(
    connection: &mut sqlx::PgConnection,
    install: i64,
    rows: &[RecordRow],
) -> Result<Vec<String>, sqlx::Error> {
    let column = |get: fn(&RecordRow) -> Option<&str>| rows.iter().map(get).collect::<Vec<_>>();
    let number = |get: fn(&RecordRow) -> i64| rows.iter().map(get).collect::<Vec<_>>();
    sqlx::query_scalar(
        "INSERT INTO records (install, record_id, platform, country, kind, category, outcome, started_at, \
         ended_at, active_seconds, reward, bonus, currency) \
         SELECT $1, n.* FROM UNNEST($2::text[]::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], \
         $7::text[], $8::int8[], $9::int8[], $10::int8[], $11::text[], $12::text[], $13::text[]) \
         AS n (record_id, platform, country, kind, category, outcome, started_at, ended_at, active_seconds, \
         reward, bonus, currency) \
         WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.install = $1 AND r.record_id = n.record_id) \
         RETURNING record_id::text",
    )
    .bind(install)
    .bind(column(|r| Some(r.record_id.as_str())))
    .bind(column(|r| Some(r.platform.as_str())))
    .bind(column(|r| r.country.as_deref()))
    .bind(column(|r| Some(r.kind.as_str())))
    .bind(column(|r| r.category.as_deref()))
    .bind(column(|r| r.outcome.as_deref()))
    .bind(number(|r| r.started_at))
    .bind(number(|r| r.ended_at))
    .bind(number(|r| r.active_seconds))
    .bind(column(|r| r.reward.as_deref()))
    .bind(column(|r| r.bonus.as_deref()))
    .bind(column(|r| r.currency.as_deref()))
    .fetch_all(connection)
    .await
}

fn record_row(row: &PgRow, first: usize) -> Result<RecordRow, DbError> {
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

fn totals_row(row: &PgRow, first: usize) -> Result<TotalsRow, DbError> {
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
