//! The SQL of citable snapshots (`crate::snapshots`): each published once, by day, never
//! rewritten (the schema's trigger refuses an UPDATE), with the totals the latest was computed
//! from kept beside it for the next one's comparison.

use analysis::WorkerTotals;
use analysis::record::InstallId;
use analysis::report::TotalsCell;
use futures_util::TryStreamExt;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Row, Type};

use super::rows::{TotalsRow, install_id};
use super::store::{Backend, Store, TOTALS_COLUMNS, totals_row};
use super::{DbError, corrupt};

/// What lists a snapshot: its day, when it was published and its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Unix seconds.
    pub published_at: i64,
    pub data_version: i64,
    /// SHA-256 of `document`, in hex.
    pub content_sha256: String,
}

/// A published snapshot: its summary and the exact JSON served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub summary: SnapshotSummary,
    pub document: String,
}

const SUMMARY_COLUMNS: &str = "day, published_at, data_version, content_sha256";

fn summary<R: Row>(row: &R) -> Result<SnapshotSummary, sqlx::Error>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(SnapshotSummary {
        day: row.try_get(0)?,
        published_at: row.try_get(1)?,
        data_version: row.try_get(2)?,
        content_sha256: row.try_get(3)?,
    })
}

impl<DB: Backend> Store<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Every snapshot, the latest first.
    pub(super) async fn snapshots(&self) -> Result<Vec<SnapshotSummary>, DbError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM snapshots ORDER BY day DESC");
        let rows = sqlx::query(&sql).fetch_all(&self.readers).await?;
        Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
    }

    pub(super) async fn latest_snapshot(&self) -> Result<Option<SnapshotSummary>, DbError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM snapshots ORDER BY day DESC LIMIT 1");
        let row = sqlx::query(&sql).fetch_optional(&self.readers).await?;
        Ok(row.as_ref().map(summary).transpose()?)
    }

    pub(super) async fn snapshot(&self, day: &str) -> Result<Option<StoredSnapshot>, DbError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS}, document FROM snapshots WHERE day = $1");
        let row = sqlx::query(&sql).bind(day).fetch_optional(&self.readers).await?;
        Ok(row
            .map(|row| {
                Ok::<_, sqlx::Error>(StoredSnapshot { summary: summary(&row)?, document: row.try_get(4)? })
            })
            .transpose()?)
    }

    /// Streams the totals the latest snapshot was computed from.
    pub(super) async fn for_each_snapshot_basis(
        &self,
        mut visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        let columns = TOTALS_COLUMNS.split(", ").map(|c| format!("b.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT i.public_id, {columns} FROM snapshot_basis b JOIN installs i ON i.id = b.install"
        );
        let mut rows = sqlx::query(&sql).fetch(&self.readers);
        while let Some(row) = rows.try_next().await? {
            let public_id: String = row.try_get(0)?;
            let install = install_id(&public_id).map_err(corrupt)?;
            let (cell, totals) = totals_row(&row, 1)?.parse().map_err(corrupt)?;
            visit(&install, &cell, &totals);
        }
        Ok(())
    }

    /// Publishes `snapshot` unless its day has one already, and then makes `basis` the totals
    /// the next snapshot compares with, in one transaction. Answers whether it was published.
    /// The basis of an install erased meanwhile is left out (its row is gone).
    pub(super) async fn publish_snapshot(
        &self,
        snapshot: &StoredSnapshot,
        basis: &[(InstallId, TotalsCell, WorkerTotals)],
    ) -> Result<bool, DbError> {
        let mut tx = self.writer.begin().await?;
        let summary = &snapshot.summary;
        let inserted = sqlx::query(
            "INSERT INTO snapshots (day, published_at, data_version, content_sha256, document) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO NOTHING",
        )
        .bind(summary.day.as_str())
        .bind(summary.published_at)
        .bind(summary.data_version)
        .bind(summary.content_sha256.as_str())
        .bind(snapshot.document.as_str())
        .execute(&mut *tx)
        .await?;
        if DB::rows_affected(&inserted) == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM snapshot_basis").execute(&mut *tx).await?;
        let insert = format!(
            "INSERT INTO snapshot_basis (install, {TOTALS_COLUMNS}) \
             SELECT id, $2, $3, $4, $5, $6, $7, $8, $9 FROM installs WHERE public_id = $1"
        );
        for (install, cell, totals) in basis {
            let row = TotalsRow::new(cell, totals);
            sqlx::query(&insert)
                .bind(install.as_str())
                .bind(row.platform.as_str())
                .bind(row.country.as_str())
                .bind(row.month)
                .bind(row.earnings_usd.as_str())
                .bind(row.paid_task_seconds)
                .bind(row.unpaid_task_seconds)
                .bind(row.unpaid_record_seconds)
                .bind(row.tasks)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
