//! The published wage report, cached: computed by the library from the totals the latest
//! snapshot was computed from (its basis, a streaming pass, never all records), kept per query,
//! and recomputed when a new snapshot is published or an erasure removed an install's totals
//! from that basis. A dashboard hit reads the cached JSON.
//!
//! Every report comes out of one `Publication` per basis: the reports of every grouping and
//! method built together from one read of the totals, with the library's disclosure control
//! deciding over all of them at once which cells to publish (`docs/methodology.md`), so that no
//! subtraction between two answers isolates a suppressed cell or a worker. Serving the latest
//! snapshot's basis, not the totals of the moment, makes the live pages and the snapshots one
//! series, which moves only under the snapshots' rule (`crate::snapshots`): saving the pages
//! before and after one upload, or saving them and a snapshot, gives no worker away.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use analysis::record::InstallId;
use analysis::report::{Dimension, DisclosureRules, Publication, TotalsCell};
use analysis::{Grouping, Method, Report, ReportOptions, WorkerTotals};
use serde_json::Value;

use crate::db::{Database, DbError, SnapshotSummary};
use crate::snapshot_decisions::EarlierDecisions;

/// Distinct queries cached at once; each is one small report.
const MAX_CACHED_QUERIES: usize = 256;

/// The banner of the demo, in every page and answer.
pub(crate) const DEMO_NOTICE: &str = "synthetic demonstration data";

/// One wage query the collector can answer from its totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WagesQuery {
    method: Method,
    grouping: Grouping,
    /// `YYYYMM`: only records that started in this month.
    month: Option<i64>,
}

// By hand because `Grouping` is not `Hash`; consistent with the derived `Eq`, which compares
// the same three parts.
impl Hash for WagesQuery {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.method.hash(state);
        self.grouping.dimensions().hash(state);
        self.month.hash(state);
    }
}

impl WagesQuery {
    /// A query of `method` by `grouping`, of one month (`YYYYMM`) or all; refused if the
    /// collector does not publish it.
    pub(crate) fn new(method: Method, grouping: Grouping, month: Option<i64>) -> Result<WagesQuery, String> {
        check_grouping(&grouping)?;
        check_method(method)?;
        Ok(WagesQuery { method, grouping, month })
    }

    /// Reads the query parameters; absent ones take the defaults `by=platform,country&method=all`.
    pub(crate) fn parse(
        by: Option<&str>,
        method: Option<&str>,
        month: Option<&str>,
    ) -> Result<WagesQuery, String> {
        let grouping: Grouping = by.unwrap_or("platform,country").parse().map_err(|e| format!("by: {e}"))?;
        check_grouping(&grouping)?;
        let method: Method = method.unwrap_or("all").parse().map_err(|e| format!("method: {e}"))?;
        check_method(method)?;
        let month = month.map(parse_month).transpose()?;
        Ok(WagesQuery { method, grouping, month })
    }
}

fn check_grouping(grouping: &Grouping) -> Result<(), String> {
    if grouping.contains(Dimension::Category) {
        return Err(
            "by: category is not published by the collector; group by platform, country or month".into()
        );
    }
    Ok(())
}

fn check_method(method: Method) -> Result<(), String> {
    if let Method::Session { .. } = method {
        return Err(
            "method: the collector publishes all, task and paid; records sent by the extension carry unpaid time \
             themselves, so session gaps are not estimated"
                .into(),
        );
    }
    Ok(())
}

/// A month parameter, `YYYY-MM`, as `YYYYMM`; the error names `month`.
pub(crate) fn parse_month(text: &str) -> Result<i64, String> {
    let bad =
        || format!("month: '{}' is not a month like 2024-05", text.chars().take(16).collect::<String>());
    let (year, month) = text.split_once('-').ok_or_else(bad)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(bad());
    }
    let number = year.parse::<i64>().map_err(|_| bad())? * 100 + month.parse::<i64>().map_err(|_| bad())?;
    TotalsCell::month_from_number(number).ok_or_else(bad)?;
    Ok(number)
}

/// What a publication is computed from: the basis of the latest snapshot, `snapshot` (none
/// before the first), as it stood at `data_version` (an erasure removes an install's totals from
/// it at once; an upload changes nothing in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Basis {
    pub data_version: i64,
    pub snapshot: Option<SnapshotSummary>,
}

impl Basis {
    /// Read before the data it labels, so that a label is never newer than its figures.
    pub(crate) async fn read(database: &Database) -> Result<Basis, DbError> {
        let data_version = database.data_version().await?;
        let snapshot = database.latest_snapshot().await?;
        Ok(Basis { data_version, snapshot })
    }

    /// Whether figures computed at `self` are at least as new as `other`'s.
    fn covers(&self, other: &Basis) -> bool {
        let day = |basis: &Basis| basis.snapshot.as_ref().map(|snapshot| snapshot.day.clone());
        self.data_version >= other.data_version && day(self) >= day(other)
    }
}

/// A computed report and its two encodings.
#[derive(Debug)]
pub(crate) struct CachedReport {
    pub basis: Basis,
    pub computed_at: Instant,
    pub report: Report,
    pub json: Vec<u8>,
    pub csv: String,
}

/// Reports by query, plus one lock per query so that concurrent misses compute once.
#[derive(Debug, Default)]
pub(crate) struct WagesCache {
    entries: Mutex<HashMap<WagesQuery, Arc<CachedReport>>>,
    computing: Mutex<HashMap<WagesQuery, Arc<tokio::sync::Mutex<()>>>>,
    /// The publication of the latest basis computed, with that basis.
    publication: tokio::sync::Mutex<Option<(Basis, Arc<Publication>)>>,
}

/// What shapes every report the collector publishes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublishingRules {
    pub min_workers: u32,
    pub min_hours: f64,
    /// Only installs that uploaded on this many distinct days count.
    pub eligible_after_days: u32,
    pub disclosure: DisclosureRules,
    pub demo: bool,
    pub max_staleness: Duration,
}

impl WagesCache {
    fn cached(&self, query: &WagesQuery) -> Option<Arc<CachedReport>> {
        self.entries.lock().expect("no panics under lock").get(query).cloned()
    }

    /// The report for `query`, at most `max_staleness` behind the latest snapshot's basis (a
    /// stale one is refreshed in the background); computed now when there is none or it is too
    /// old.
    pub(crate) async fn get(
        self: &Arc<Self>,
        database: &Database,
        query: &WagesQuery,
        rules: PublishingRules,
    ) -> Result<Arc<CachedReport>, DbError> {
        let version = Basis::read(database).await?;
        if let Some(cached) = self.cached(query) {
            if cached.basis == version {
                return Ok(cached);
            }
            if cached.computed_at.elapsed() < rules.max_staleness {
                let (cache, database, query) = (Arc::clone(self), database.clone(), query.clone());
                tokio::spawn(async move {
                    if let Err(error) = cache.refresh(&database, &query, &version, rules).await {
                        tracing::error!(error = %error, "refreshing a cached wage report");
                    }
                });
                return Ok(cached);
            }
        }
        self.refresh(database, query, &version, rules).await
    }

    async fn refresh(
        &self,
        database: &Database,
        query: &WagesQuery,
        version: &Basis,
        rules: PublishingRules,
    ) -> Result<Arc<CachedReport>, DbError> {
        let lock = Arc::clone(
            self.computing.lock().expect("no panics under lock").entry(query.clone()).or_default(),
        );
        let _computing = lock.lock().await;
        if let Some(cached) = self.cached(query).filter(|cached| cached.basis.covers(version)) {
            return Ok(cached);
        }
        let started = Instant::now();
        let (version, publication) = self.publication(database, version, &rules).await?;
        let report = publication
            .report(query.method, &query.grouping, query.month.map(|month| (month / 100, month % 100)))
            .map_err(|e| DbError::CorruptRow(e.to_string()))?;
        tracing::info!(by = %query.grouping, method = %query.method, elapsed_ms = started.elapsed().as_millis() as u64,
            "wage report recomputed");
        let cached = Arc::new(encode(report, version, &rules));
        let mut entries = self.entries.lock().expect("no panics under lock");
        if entries.len() >= MAX_CACHED_QUERIES && !entries.contains_key(query) {
            let oldest = entries.iter().min_by_key(|(_, c)| c.computed_at).map(|(q, _)| q.clone());
            entries.remove(&oldest.expect("the cache is full"));
        }
        entries.insert(query.clone(), Arc::clone(&cached));
        Ok(cached)
    }
}

impl WagesCache {
    /// The publication of basis `version` or a later one, with its basis: one streaming pass
    /// over the latest snapshot's totals, then every report built and protected together, by
    /// the same code as the snapshot's document, so that its figures are the snapshot's.
    pub(crate) async fn publication(
        &self,
        database: &Database,
        version: &Basis,
        rules: &PublishingRules,
    ) -> Result<(Basis, Arc<Publication>), DbError> {
        let mut slot = self.publication.lock().await;
        if let Some((computed, publication)) = &*slot
            && computed.covers(version)
        {
            return Ok((computed.clone(), Arc::clone(publication)));
        }
        let (basis, totals) = loop {
            let basis = Basis::read(database).await?;
            let mut totals = Vec::new();
            database
                .for_each_snapshot_basis(|install, cell, worker_totals| {
                    totals.push((install.clone(), *cell, *worker_totals));
                })
                .await?;
            // A snapshot published during the read replaced the totals read: read them again,
            // so the figures are never labelled with another snapshot than theirs.
            if database.latest_snapshot().await? == basis.snapshot {
                break (basis, totals);
            }
        };
        // The latest snapshot's decisions stand for every cell, so that these figures are the
        // snapshot's, cell for cell (an erasure since then changes some cells' workers; a cell
        // it leaves with fewer than `min_workers` is withheld whatever was decided).
        let earlier = match &basis.snapshot {
            Some(snapshot) => crate::snapshots::earlier_decisions(database, snapshot).await?,
            None => EarlierDecisions::default(),
        };
        let publication = Arc::new(build_publication(rules, totals, earlier).await?);
        *slot = Some((basis.clone(), Arc::clone(&publication)));
        Ok((basis, publication))
    }
}

/// One publication of `totals`, every grouping and standard method protected together, with the
/// `earlier` snapshot's decisions that still stand, built on a blocking thread (it is the one
/// heavy computation of a read). Snapshots use it too.
pub(crate) async fn build_publication(
    rules: &PublishingRules,
    totals: Vec<(InstallId, TotalsCell, WorkerTotals)>,
    earlier: EarlierDecisions,
) -> Result<Publication, DbError> {
    let options = publication_options(rules);
    let disclosure = rules.disclosure;
    tokio::task::spawn_blocking(move || {
        Publication::carrying(options, disclosure, &Method::STANDARD, totals, |method, grouping, key| {
            earlier.get(method, grouping, key)
        })
    })
    .await
    .map_err(|e| DbError::CorruptRow(format!("computing the publication: {e}")))?
    .map_err(|e| DbError::CorruptRow(e.to_string()))
}

/// The minimum hours and plausible wage every published cell is built with.
pub(crate) fn publication_options(rules: &PublishingRules) -> ReportOptions {
    ReportOptions {
        method: Method::All,
        grouping: Grouping::default(),
        min_workers: rules.min_workers,
        min_hours: rules.min_hours,
        max_hourly_usd: analysis::report::DEFAULT_MAX_HOURLY_USD,
        currency_basis: analysis::report::CurrencyBasis::Usd,
    }
}

/// What the live figures are, to be cited: the snapshot whose figures they are, or `null` before
/// the first.
fn as_of_json(snapshot: Option<&SnapshotSummary>) -> Value {
    snapshot.map_or(Value::Null, |snapshot| {
        serde_json::json!({
            "snapshot": snapshot.day,
            "sha256": snapshot.content_sha256,
            "url": format!("/snapshots/{}", snapshot.day),
        })
    })
}

/// A published report as JSON, with the demo's notice when the data are synthetic.
pub(crate) fn report_json(report: &mut Report, demo: bool) -> Value {
    if demo {
        report.notes.insert(
            0,
            format!("{DEMO_NOTICE}: every figure here comes from `piecerate simulate`, not from workers."),
        );
    }
    let mut json = serde_json::to_value(report.document()).expect("reports serialize");
    if demo && let Value::Object(object) = &mut json {
        object.insert("data_notice".into(), Value::from(DEMO_NOTICE));
    }
    json
}

fn encode(mut report: Report, basis: Basis, rules: &PublishingRules) -> CachedReport {
    let mut json = report_json(&mut report, rules.demo);
    if let Value::Object(object) = &mut json {
        object.insert("as_of".into(), as_of_json(basis.snapshot.as_ref()));
    }
    CachedReport {
        basis,
        computed_at: Instant::now(),
        csv: report.to_csv(),
        json: serde_json::to_vec(&json).expect("values serialize"),
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_default_and_refuse_what_totals_cannot_answer() {
        let query = WagesQuery::parse(None, None, None).unwrap();
        assert_eq!(
            (query.method, query.grouping.to_string().as_str(), query.month),
            (Method::All, "platform,country", None)
        );
        let query = WagesQuery::parse(Some("country,platform"), Some("paid"), Some("2024-05")).unwrap();
        assert_eq!((query.grouping.to_string().as_str(), query.month), ("platform,country", Some(202405)));
        for (by, method, month, field) in [
            (Some("category"), None, None, "by:"),
            (Some("worker"), None, None, "by:"),
            (None, Some("session:15"), None, "method:"),
            (None, Some("hourly"), None, "method:"),
            (None, None, Some("2024-13"), "month:"),
            (None, None, Some("2024-5"), "month:"),
            (None, None, Some("1999-01"), "month:"),
        ] {
            let error = WagesQuery::parse(by, method, month).unwrap_err();
            assert!(error.starts_with(field), "{error}");
        }
        // The typed door keeps the same rules.
        let by_category = Grouping::new(&[Dimension::Platform, Dimension::Category]);
        assert!(WagesQuery::new(Method::All, by_category, None).unwrap_err().starts_with("by:"));
        let session = Method::Session { max_gap_minutes: 15 };
        assert!(WagesQuery::new(session, Grouping::default(), None).unwrap_err().starts_with("method:"));
        let by_platform = WagesQuery::new(Method::Paid, Grouping::new(&[Dimension::Platform]), None);
        assert_eq!(by_platform, WagesQuery::parse(Some("platform"), Some("paid"), None));
    }
}
