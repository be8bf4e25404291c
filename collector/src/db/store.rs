//! Every operation of the collector's database, written once over sqlx's `Database` (statements
//! that read the same on both backends use `$n` placeholders, which SQLite accepts too). What
//! the two SQL dialects cannot share, a backend supplies through [`Backend`]: how it locks an
//! install, inserts and looks up records in bulk, and writes totals.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;

use analysis::CountryCode;
use analysis::record::InstallId;
use analysis::report::TotalsCell;
use analysis::{Record, WorkerTotals};
use futures_util::TryStreamExt;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Pool, Row, Transaction, Type};

use super::rows::{RecordRow, TotalsRow, install_id, merged_totals, sort_batch, totals_by_cell};
use super::{
    BatchRules, DbError, EnrollError, ErasedCounts, Install, SYNTHETIC_UPLOAD_DAYS, StoreError, StoredCounts,
    corrupt,
};
use crate::ingest::ParsedBatch;
use crate::proof_of_work::SolvedChallenge;

/// The columns of `records` as written, after `install`.
pub(super) const RECORD_COLUMNS: &str = "record_id, platform, country, kind, category, outcome, started_at, ended_at, active_seconds, reward, bonus, currency";
/// The columns of `worker_cell_totals`, after `install`, as written and read.
pub(super) const TOTALS_COLUMNS: &str = "platform, country, month, earnings_usd, paid_task_seconds, unpaid_task_seconds, unpaid_record_seconds, tasks";
/// How a totals row that exists already is replaced by the merged one.
pub(super) const TOTALS_ON_CONFLICT: &str = " ON CONFLICT (install, platform, country, month) DO UPDATE SET \
     earnings_usd = excluded.earnings_usd, paid_task_seconds = excluded.paid_task_seconds, \
     unpaid_task_seconds = excluded.unpaid_task_seconds, unpaid_record_seconds = excluded.unpaid_record_seconds, \
     tasks = excluded.tasks";

/// `records` columns as read back from the table called `alias`, in `RECORD_COLUMNS` order: the
/// id as text (it is a UUID on PostgreSQL).
pub(super) fn record_select(alias: &str) -> String {
    let mut columns = RECORD_COLUMNS.split(", ");
    let id = columns.next().expect("record_id comes first");
    std::iter::once(format!("CAST({alias}.{id} AS TEXT)"))
        .chain(columns.map(|column| format!("{alias}.{column}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn totals_select(alias: &str) -> String {
    TOTALS_COLUMNS.split(", ").map(|column| format!("{alias}.{column}")).collect::<Vec<_>>().join(", ")
}

/// What one backend's SQL dialect adds to the shared statements.
pub(super) trait Backend: sqlx::Database {
    /// Rows of `data_version`; a write advances row `1 + install mod DATA_VERSION_ROWS`, and the
    /// version is their sum. One is enough where writers take turns anyway.
    const DATA_VERSION_ROWS: i64;
    /// Appended to the export's query.
    const EXPORT_ORDER: &'static str;

    /// How many rows a statement changed (sqlx has no trait for it).
    fn rows_affected(result: &Self::QueryResult) -> u64;

    fn migrate(pool: &Pool<Self>) -> impl Future<Output = Result<(), DbError>> + Send;

    /// What an erasure does after its commit so that the erased rows leave the files too.
    fn after_erasure(writer: &Pool<Self>) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Makes this transaction the only writer of the install's records and totals until it ends;
    /// `false` if the install is gone.
    fn lock_install(
        connection: &mut Self::Connection,
        install: i64,
    ) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;

    /// Inserts the rows whose ids the install has not stored yet; answers how many it inserted.
    fn insert_records(
        connection: &mut Self::Connection,
        install: i64,
        rows: &[&RecordRow],
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    /// The install's stored records among `ids`, as `record_select` rows.
    fn select_records(
        connection: &mut Self::Connection,
        install: i64,
        ids: &[&str],
    ) -> impl Future<Output = Result<Vec<Self::Row>, sqlx::Error>> + Send;

    /// Writes the rows, replacing the install's stored totals of the same cells.
    fn upsert_totals(
        connection: &mut Self::Connection,
        install: i64,
        rows: &[TotalsRow],
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// What a batch's transaction reads of its install's stored totals (`Store::stored_totals`).
#[derive(Debug, Default)]
struct StoredTotals {
    /// The stored rows of the batch's cells, and perhaps a few others.
    rows: Vec<TotalsRow>,
    /// How many cells the install has stored.
    cells: i64,
    /// The countries of those cells (without the empty one of records with no country).
    countries: BTreeSet<String>,
}

/// A backend's connections: one pool that writes and one that reads (the same on PostgreSQL).
#[derive(Debug)]
pub(super) struct Store<DB: sqlx::Database> {
    pub(super) writer: Pool<DB>,
    pub(super) readers: Pool<DB>,
}

impl<DB: sqlx::Database> Clone for Store<DB> {
    fn clone(&self) -> Self {
        Store { writer: self.writer.clone(), readers: self.readers.clone() }
    }
}

impl<DB: Backend> Store<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(super) async fn migrate(&self) -> Result<(), DbError> {
        DB::migrate(&self.writer).await
    }

    pub(super) async fn create_install(
        &self,
        public_id: &InstallId,
        token_hash: Option<&str>,
        consent_version: Option<&str>,
    ) -> Result<Install, DbError> {
        let upload_days = if token_hash.is_none() { SYNTHETIC_UPLOAD_DAYS } else { 0 };
        let key: i64 = sqlx::query_scalar(
            "INSERT INTO installs (public_id, token_hash, consent_version, upload_days) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(public_id.as_str())
        .bind(token_hash)
        .bind(consent_version)
        .bind(upload_days)
        .fetch_one(&self.writer)
        .await?;
        Ok(Install { key, public_id: public_id.clone(), upload_days, last_upload_day: None })
    }

    pub(super) async fn enroll(
        &self,
        public_id: &InstallId,
        token_hash: &str,
        consent_version: Option<&str>,
        challenge: &SolvedChallenge,
        now: i64,
    ) -> Result<Install, EnrollError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM used_challenges WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        let used = sqlx::query(
            "INSERT INTO used_challenges (challenge, expires_at) VALUES ($1, $2) ON CONFLICT (challenge) DO NOTHING",
        )
        .bind(challenge.id.as_str())
        .bind(challenge.expires_at)
        .execute(&mut *tx)
        .await?;
        // Two enrollments racing with one challenge: the second waits for the first's commit
        // (SQLite's one writer; PostgreSQL's unique index) and inserts nothing.
        if DB::rows_affected(&used) == 0 {
            return Err(EnrollError::ChallengeUsed);
        }
        let key: i64 = sqlx::query_scalar(
            "INSERT INTO installs (public_id, token_hash, consent_version) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(public_id.as_str())
        .bind(token_hash)
        .bind(consent_version)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Install { key, public_id: public_id.clone(), upload_days: 0, last_upload_day: None })
    }

    pub(super) async fn install_by_token_hash(&self, token_hash: &str) -> Result<Option<Install>, DbError> {
        let row = sqlx::query(
            "SELECT id, public_id, upload_days, last_upload_day FROM installs WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await?;
        row.map(|row| {
            let public_id: String = row.try_get(1)?;
            Ok(Install {
                key: row.try_get(0)?,
                public_id: install_id(&public_id).map_err(corrupt)?,
                upload_days: row.try_get(2)?,
                last_upload_day: row.try_get(3)?,
            })
        })
        .transpose()
    }

    /// Counts `today` as one of the install's upload days, unless it was counted already, and
    /// answers how many days it has now. The install's row was read when its token was checked:
    /// a batch on a day already counted, the common case, costs no statement. The update's
    /// condition keeps two batches of one new day from counting it twice.
    async fn count_upload_day(
        tx: &mut Transaction<'static, DB>,
        install: &Install,
        today: i64,
    ) -> Result<i64, StoreError> {
        if install.last_upload_day.is_some_and(|day| day >= today) {
            return Ok(install.upload_days);
        }
        let counted: Option<i64> = sqlx::query_scalar(
            "UPDATE installs SET upload_days = upload_days + 1, last_upload_day = $2 \
             WHERE id = $1 AND (last_upload_day IS NULL OR last_upload_day < $2) RETURNING upload_days",
        )
        .bind(install.key)
        .bind(today)
        .fetch_optional(&mut **tx)
        .await?;
        match counted {
            Some(days) => Ok(days),
            None => Ok(sqlx::query_scalar("SELECT upload_days FROM installs WHERE id = $1")
                .bind(install.key)
                .fetch_one(&mut **tx)
                .await?),
        }
    }

    /// A write transaction holding the install's lock; `InstallGone` if it was erased.
    async fn begin_for(&self, install: &Install) -> Result<Transaction<'static, DB>, StoreError> {
        let mut tx = self.writer.begin().await?;
        if !DB::lock_install(&mut tx, install.key).await? {
            return Err(StoreError::InstallGone);
        }
        Ok(tx)
    }

    /// What a batch must know of the install's stored totals, in one statement: the stored rows
    /// of the batch's cells (for the merge; the statement's filter may add a few rows of the
    /// same platforms, countries and months, which the merge ignores), and how many cells the
    /// install has in each country (for the country and cell limits). On SQLite every statement
    /// while the one writer is held is a round trip to its worker thread that no other upload can
    /// use. Reading every cell of the install instead, as this did before, decoded up to
    /// `max_cells` rows per batch; the ingestion benchmark's HTTP path is 18% faster without
    /// them (docs/benchmarks.md, "Only the batch's cells read").
    async fn stored_totals(
        tx: &mut Transaction<'static, DB>,
        install: i64,
        batch_cells: &BTreeMap<TotalsCell, WorkerTotals>,
    ) -> Result<StoredTotals, StoreError> {
        // `parse_batch` refuses an empty batch, so there is always a first month.
        let Some(first_month) = batch_cells.keys().map(TotalsCell::month_number).min() else {
            return Ok(StoredTotals::default());
        };
        let last_month = batch_cells.keys().map(TotalsCell::month_number).max().unwrap_or(first_month);
        let platforms: BTreeSet<&str> = batch_cells.keys().map(|cell| cell.platform.as_str()).collect();
        let countries: BTreeSet<&str> =
            batch_cells.keys().map(|cell| cell.country.as_ref().map_or("", CountryCode::as_str)).collect();
        // Placeholders: $1 the install, $2 and $3 the months, then the platforms and countries.
        // The statement's text depends only on how many of each, so a few texts serve every batch.
        let list = |first: usize, count: usize| {
            (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        };
        let platform_list = list(4, platforms.len());
        let country_list = list(4 + platforms.len(), countries.len());
        let statement = format!(
            "SELECT CAST(0 AS BIGINT), {TOTALS_COLUMNS} FROM worker_cell_totals \
             WHERE install = $1 AND month BETWEEN $2 AND $3 \
             AND platform IN ({platform_list}) AND country IN ({country_list}) \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), '', country, COUNT(*), '', 0, 0, 0, 0 FROM worker_cell_totals \
             WHERE install = $1 GROUP BY country"
        );
        let mut query = sqlx::query(&statement).bind(install).bind(first_month).bind(last_month);
        for value in platforms.into_iter().chain(countries) {
            query = query.bind(value);
        }
        let mut stored = StoredTotals::default();
        for row in query.fetch_all(&mut **tx).await? {
            let part: i64 = row.try_get(0)?;
            if part == 0 {
                stored.rows.push(totals_row(&row, 1)?);
            } else {
                let (country, cells): (String, i64) = (row.try_get(2)?, row.try_get(3)?);
                stored.cells += cells;
                if !country.is_empty() {
                    stored.countries.insert(country);
                }
            }
        }
        Ok(stored)
    }

    /// Refuses the batch when the countries of its records and those of the install's stored
    /// totals are more than `max`: one worker works from a few countries, and an install that
    /// spreads records over many cells is a script, not a worker.
    fn check_countries(
        stored: &StoredTotals,
        batch_countries: &BTreeSet<CountryCode>,
        max: usize,
    ) -> Result<(), StoreError> {
        let mut all: BTreeSet<&str> = stored.countries.iter().map(String::as_str).collect();
        all.extend(batch_countries.iter().map(CountryCode::as_str));
        if all.len() > max && !batch_countries.is_empty() {
            return Err(StoreError::TooManyCountries {
                limit: max,
                countries: all.into_iter().map(str::to_owned).collect(),
            });
        }
        Ok(())
    }

    pub(super) async fn store_batch(
        &self,
        install: &Install,
        batch: &ParsedBatch,
        rules: &BatchRules,
    ) -> Result<StoredCounts, StoreError> {
        let max_countries = rules.max_countries;
        let batch_countries: BTreeSet<CountryCode> =
            batch.records.iter().filter_map(|(_, record)| record.country()).collect();
        // Everything that needs no database is done before the transaction takes the writer (on
        // SQLite) or the install's lock (on PostgreSQL), assuming every record is new, the common
        // case, which is then one INSERT: every statement saved under the lock is throughput.
        let rows: Vec<RecordRow> =
            batch.records.iter().map(|(_, record)| RecordRow::from_record(record)).collect();
        let all_rows: Vec<&RecordRow> = rows.iter().collect();
        let all_totals = totals_by_cell(batch.records.iter().map(|(_, record)| record));
        let mut tx = self.begin_for(install).await?;
        let mut stored = Self::stored_totals(&mut tx, install.key, &all_totals).await?;
        Self::check_countries(&stored, &batch_countries, max_countries)?;
        let inserted = insert_records::<DB>(&mut tx, install.key, &all_rows).await?;
        let (sorted, added) = if inserted == rows.len() as u64 {
            (sort_batch(batch, &HashMap::new()).expect("nothing stored, nothing conflicts"), all_totals)
        } else {
            // Some ids were there already: start again, read what is stored to tell duplicates
            // from conflicts, and insert only the new records.
            tx.rollback().await?;
            tx = self.begin_for(install).await?;
            stored = Self::stored_totals(&mut tx, install.key, &all_totals).await?;
            Self::check_countries(&stored, &batch_countries, max_countries)?;
            let ids: Vec<&str> = rows.iter().map(|row| row.record_id.as_str()).collect();
            let mut stored_records: HashMap<String, Record> = HashMap::new();
            for row in DB::select_records(&mut tx, install.key, &ids).await? {
                let row = record_row(&row, 0)?;
                let record = row.to_record(install.public_id.as_str()).map_err(corrupt)?;
                stored_records.insert(row.record_id, record);
            }
            // On a conflict the transaction is dropped, which rolls it back.
            let sorted = sort_batch(batch, &stored_records).map_err(StoreError::Conflicts)?;
            if sorted.new.is_empty() {
                return Ok(StoredCounts { accepted: 0, duplicates: sorted.duplicates });
            }
            let new_rows: Vec<&RecordRow> =
                rows.iter().filter(|row| !stored_records.contains_key(&row.record_id)).collect();
            insert_records::<DB>(&mut tx, install.key, &new_rows).await?;
            let added = totals_by_cell(sorted.new.iter().copied());
            (sorted, added)
        };
        let merged = merged_totals(&added, &stored.rows).map_err(corrupt)?;
        // The stored rows read hold every cell of the batch stored before, so the cells the batch
        // adds are those of `merged` not among them.
        let known: HashSet<(&str, &str, i64)> =
            stored.rows.iter().map(|row| (row.platform.as_str(), row.country.as_str(), row.month)).collect();
        let new_cells = merged
            .iter()
            .filter(|row| !known.contains(&(row.platform.as_str(), row.country.as_str(), row.month)))
            .count();
        let cells = stored.cells + new_cells as i64;
        if cells > i64::try_from(rules.max_cells).unwrap_or(i64::MAX) {
            return Err(StoreError::TooManyCells { limit: rules.max_cells, cells });
        }
        DB::upsert_totals(&mut tx, install.key, &merged).await?;
        let upload_days = Self::count_upload_day(&mut tx, install, rules.today).await?;
        // The totals of an install that does not count yet change no report, so its uploads
        // leave the version, and every cached report, alone: a flood of new installs recomputes
        // nothing. The upload that brings it to its last needed day moves it, and its totals,
        // all of them, enter the reports from then on.
        if upload_days >= i64::from(rules.eligible_after_days) {
            advance_data_version::<DB>(&mut tx, install.key).await?;
        }
        tx.commit().await?;
        Ok(StoredCounts { accepted: sorted.new.len() as u64, duplicates: sorted.duplicates })
    }

    pub(super) async fn erase_install(&self, install: &Install) -> Result<ErasedCounts, DbError> {
        let mut tx = self.writer.begin().await?;
        // An install already gone is nothing to erase: the deletes below find nothing.
        DB::lock_install(&mut tx, install.key).await?;
        let records =
            sqlx::query("DELETE FROM records WHERE install = $1").bind(install.key).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM worker_cell_totals WHERE install = $1")
            .bind(install.key)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM snapshot_basis WHERE install = $1")
            .bind(install.key)
            .execute(&mut *tx)
            .await?;
        let installs =
            sqlx::query("DELETE FROM installs WHERE id = $1").bind(install.key).execute(&mut *tx).await?;
        advance_data_version::<DB>(&mut tx, install.key).await?;
        tx.commit().await?;
        // The erasure is committed: a failure here must not answer as if nothing was erased.
        if let Err(error) = DB::after_erasure(&self.writer).await {
            tracing::error!(error = %error, "after an erasure, clearing its rows from the files failed");
        }
        Ok(ErasedCounts { records: DB::rows_affected(&records), installs: DB::rows_affected(&installs) })
    }

    pub(super) async fn data_version(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT CAST(SUM(version) AS BIGINT) FROM data_version")
            .fetch_one(&self.readers)
            .await?)
    }

    pub(super) async fn for_each_totals(
        &self,
        month: Option<i64>,
        min_upload_days: u32,
        mut visit: impl FnMut(&InstallId, &TotalsCell, &WorkerTotals),
    ) -> Result<(), DbError> {
        let sql = format!(
            "SELECT i.public_id, {} FROM worker_cell_totals t JOIN installs i ON i.id = t.install \
             WHERE (CAST($1 AS BIGINT) IS NULL OR t.month = $1) AND i.upload_days >= $2",
            totals_select("t")
        );
        let mut rows = sqlx::query(&sql).bind(month).bind(i64::from(min_upload_days)).fetch(&self.readers);
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

    pub(super) async fn for_each_record<E: From<DbError>>(
        &self,
        mut visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = format!(
            "SELECT i.public_id, {} FROM records r JOIN installs i ON i.id = r.install{}",
            record_select("r"),
            DB::EXPORT_ORDER
        );
        let mut rows = sqlx::query(&sql).fetch(&self.readers);
        while let Some(row) = rows.try_next().await.map_err(DbError::from)? {
            let public_id: String = row.try_get(0).map_err(DbError::from)?;
            let record = record_row(&row, 1)?.to_record(&public_id).map_err(corrupt)?;
            visit(record)?;
        }
        Ok(())
    }

    pub(super) async fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.readers)
            .await?)
    }

    pub(super) async fn meta_set_once(&self, key: &str, value: &str) -> Result<String, DbError> {
        sqlx::query("INSERT INTO collector_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.writer)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM collector_meta WHERE key = $1")
            .bind(key)
            .fetch_one(&self.writer)
            .await?)
    }

    pub(super) async fn install_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM installs").fetch_one(&self.readers).await?)
    }

    pub(super) async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

/// Inserts through the backend; an install erased since its token was checked fails the
/// foreign key (SQLite, which takes no lock) and is `InstallGone`.
async fn insert_records<DB: Backend>(
    connection: &mut DB::Connection,
    install: i64,
    rows: &[&RecordRow],
) -> Result<u64, StoreError> {
    match DB::insert_records(connection, install, rows).await {
        Ok(inserted) => Ok(inserted),
        Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => Err(StoreError::InstallGone),
        Err(error) => Err(error.into()),
    }
}

/// Moves the data version, inside the write's transaction and as its last statement, on both
/// backends. Inside: the new version becomes visible at the commit that makes the data visible,
/// never before it (a report computed in between would carry the new version without the data,
/// and stay cached as if current) and never apart from it (a failure after the commit would leave
/// committed data unannounced, and an error answered for a batch that was stored). Last: on
/// PostgreSQL the row it updates is locked until the commit, so it is held as briefly as can be.
async fn advance_data_version<DB: Backend>(
    connection: &mut DB::Connection,
    install: i64,
) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = $1")
        .bind(1 + install.rem_euclid(DB::DATA_VERSION_ROWS))
        .execute(connection)
        .await?;
    Ok(())
}

fn record_row<R: Row>(row: &R, first: usize) -> Result<RecordRow, DbError>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
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

pub(super) fn totals_row<R: Row>(row: &R, first: usize) -> Result<TotalsRow, DbError>
where
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
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
