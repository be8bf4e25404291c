//! The PostgreSQL backend. A write locks its install's row first, so that two batches of one
//! install never interleave (which keeps record ids unique per install across partitions and
//! the install's totals exact), while batches of different installs run in parallel. Bulk
//! statements bind one array per column. Only its dialect is here; the operations are `store.rs`.

use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult, PgRow};
use sqlx::{PgConnection, PgPool, Postgres};

use super::rows::{RecordRow, TotalsRow};
use super::store::{Backend, RECORD_COLUMNS, Store, TOTALS_COLUMNS, TOTALS_ON_CONFLICT, record_select};
use super::{DbError, migrator};

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<Store<Postgres>, DbError> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new().max_connections(max_connections.max(2)).connect_with(options).await?;
    Ok(Store { writer: pool.clone(), readers: pool })
}

/// Every migration of `migrations/postgres/`, in order.
pub(super) fn migrations() -> Migrator {
    migrator(&[
        (1, "initial", include_str!("../../../migrations/postgres/0001_initial.sql")),
        (2, "data version rows", include_str!("../../../migrations/postgres/0002_data_version_rows.sql")),
        (3, "install upload days", include_str!("../../../migrations/postgres/0003_install_upload_days.sql")),
        (4, "used challenges", include_str!("../../../migrations/postgres/0004_used_challenges.sql")),
        (5, "snapshots", include_str!("../../../migrations/postgres/0005_snapshots.sql")),
    ])
}

impl Backend for Postgres {
    // Batches of different installs commit in parallel; with one row they would queue on it.
    // With 64, two concurrent writes rarely share one, and a sum of 64 rows is cheap to read.
    const DATA_VERSION_ROWS: i64 = 64;
    // None: sorting every record of a large table would only slow the export down.
    const EXPORT_ORDER: &'static str = "";

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn migrate(pool: &PgPool) -> Result<(), DbError> {
        migrations().run(pool).await?;
        Ok(())
    }

    /// Nothing the server can do alone: deleted tuples stay in their pages until VACUUM reuses
    /// them, and in the WAL and its archives and backups (`docs/collector.md`, "Erasure").
    async fn after_erasure(_: &PgPool) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn lock_install(connection: &mut PgConnection, install: i64) -> Result<bool, sqlx::Error> {
        let locked = sqlx::query("SELECT 1 FROM installs WHERE id = $1 FOR UPDATE")
            .bind(install)
            .fetch_optional(connection)
            .await?;
        Ok(locked.is_some())
    }

    /// One index probe per id (as a plain `record_id = ANY(..)` lookup, a generic plan cached
    /// while the table was small came to scan every record of the install, and a batch went from
    /// milliseconds to seconds).
    async fn insert_records(
        connection: &mut PgConnection,
        install: i64,
        rows: &[&RecordRow],
    ) -> Result<u64, sqlx::Error> {
        let text = |get: fn(&RecordRow) -> Option<&str>| rows.iter().map(|row| get(row)).collect::<Vec<_>>();
        let number = |get: fn(&RecordRow) -> i64| rows.iter().map(|row| get(row)).collect::<Vec<_>>();
        let done = sqlx::query(&format!(
            "INSERT INTO records (install, {RECORD_COLUMNS}) \
             SELECT $1, n.* FROM UNNEST($2::text[]::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::int8[], $9::int8[], $10::int8[], $11::text[], $12::text[], $13::text[]) \
             AS n ({RECORD_COLUMNS}) \
             WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.install = $1 AND r.record_id = n.record_id)"
        ))
        .bind(install)
        .bind(text(|r| Some(r.record_id.as_str())))
        .bind(text(|r| Some(r.platform.as_str())))
        .bind(text(|r| r.country.as_deref()))
        .bind(text(|r| Some(r.kind.as_str())))
        .bind(text(|r| r.category.as_deref()))
        .bind(text(|r| r.outcome.as_deref()))
        .bind(number(|r| r.started_at))
        .bind(number(|r| r.ended_at))
        .bind(number(|r| r.active_seconds))
        .bind(text(|r| r.reward.as_deref()))
        .bind(text(|r| r.bonus.as_deref()))
        .bind(text(|r| r.currency.as_deref()))
        .execute(connection)
        .await?;
        Ok(done.rows_affected())
    }

    async fn select_records(
        connection: &mut PgConnection,
        install: i64,
        ids: &[&str],
    ) -> Result<Vec<PgRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {} FROM UNNEST($2::text[]::uuid[]) AS ids (id) \
             CROSS JOIN LATERAL (SELECT * FROM records WHERE install = $1 AND record_id = ids.id) AS r",
            record_select("r")
        ))
        .bind(install)
        .bind(ids)
        .fetch_all(connection)
        .await
    }

    async fn upsert_totals(
        connection: &mut PgConnection,
        install: i64,
        rows: &[TotalsRow],
    ) -> Result<(), sqlx::Error> {
        let text = |get: fn(&TotalsRow) -> &str| rows.iter().map(get).collect::<Vec<_>>();
        let number = |get: fn(&TotalsRow) -> i64| rows.iter().map(get).collect::<Vec<_>>();
        sqlx::query(&format!(
            "INSERT INTO worker_cell_totals (install, {TOTALS_COLUMNS}) \
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::int8[], $5::text[], $6::int8[], $7::int8[], \
             $8::int8[], $9::int8[]){TOTALS_ON_CONFLICT}"
        ))
        .bind(install)
        .bind(text(|r| r.platform.as_str()))
        .bind(text(|r| r.country.as_str()))
        .bind(number(|r| r.month))
        .bind(text(|r| r.earnings_usd.as_str()))
        .bind(number(|r| r.paid_task_seconds))
        .bind(number(|r| r.unpaid_task_seconds))
        .bind(number(|r| r.unpaid_record_seconds))
        .bind(number(|r| r.tasks))
        .execute(connection)
        .await?;
        Ok(())
    }
}
