//! Citable snapshots: at each interval (`--snapshot-interval`, daily by default) of the server's
//! clock, the collector publishes every report it publishes live, frozen in one JSON document
//! with the SHA-256 of its exact bytes, stored once per UTC day and never rewritten
//! (`docs/collector.md`, "Snapshots").
//!
//! Disclosure control across snapshots (`docs/methodology.md`, "Snapshots"): two snapshots a
//! reader keeps can be subtracted like two cells of one. So a snapshot is computed from totals in
//! which each finest cell (platform, country, month) either is as it is now, when at least
//! `min_workers` of the workers it counts changed since the previous snapshot (under every
//! method that moved), or is exactly as it was in the previous snapshot. The difference between
//! two consecutive snapshots, of any cell or margin, is then a sum over whole finest cells each
//! of which changed by at least k workers, never one newcomer's contribution. And a cell, of
//! any grouping, whose finest cells did not move keeps the previous snapshot's decision about it,
//! published or withheld (`crate::snapshot_decisions`), so that no cell withheld in one snapshot
//! can be read from another.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use analysis::record::InstallId;
use analysis::report::{TotalsCell, counts_in_publication};
use analysis::time::Date;
use analysis::{Method, ReportOptions, Timestamp, WorkerTotals};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::{Database, DbError, SnapshotSummary, StoredSnapshot};
use crate::snapshot_decisions::{EarlierDecisions, groupings};
use crate::wages::{DEMO_NOTICE, PublishingRules, build_publication, publication_options, report_json};

/// The format of a snapshot document, in its `format` field.
pub const SNAPSHOT_FORMAT: &str = "piecerate.snapshot/1";

/// One worker's totals in one finest cell.
type Contribution = (InstallId, TotalsCell, WorkerTotals);

/// The totals a snapshot is computed from, how many finest cells kept the previous snapshot's
/// totals, and, per standard method, the finest cells whose counted workers' totals differ from
/// the previous snapshot's (none before the first snapshot).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SnapshotTotals {
    pub totals: Vec<Contribution>,
    pub held_cells: usize,
    pub moved: Vec<(Method, Vec<TotalsCell>)>,
}

fn by_cell(contributions: Vec<Contribution>) -> BTreeMap<TotalsCell, BTreeMap<InstallId, WorkerTotals>> {
    let mut cells: BTreeMap<TotalsCell, BTreeMap<InstallId, WorkerTotals>> = BTreeMap::new();
    for (install, cell, totals) in contributions {
        cells.entry(cell).or_default().insert(install, totals);
    }
    cells
}

/// How many workers' contributions to a finest cell that count under `method` (before or
/// after) differ between `before` and `now`: joined, left, or changed totals.
fn changed_workers(
    before: Option<&BTreeMap<InstallId, WorkerTotals>>,
    now: Option<&BTreeMap<InstallId, WorkerTotals>>,
    method: Method,
    options: &ReportOptions,
) -> usize {
    let empty = BTreeMap::new();
    let (before, now) = (before.unwrap_or(&empty), now.unwrap_or(&empty));
    let installs: BTreeSet<&InstallId> = before.keys().chain(now.keys()).collect();
    installs
        .into_iter()
        .filter(|install| {
            let (old, new) = (before.get(*install), now.get(*install));
            let counts = |totals: Option<&WorkerTotals>| {
                totals.is_some_and(|totals| counts_in_publication(totals, method, options))
            };
            old != new && (counts(old) || counts(new))
        })
        .count()
}

/// The totals of the next snapshot: per finest cell, the current contributions if, under each
/// standard method, no counted worker or at least `min_changed` counted workers changed since
/// `previous` (the basis of the previous snapshot); otherwise the previous contributions,
/// unchanged. With no previous snapshot (`previous` is `None`) every cell is as it is now.
pub(crate) fn snapshot_totals(
    current: Vec<Contribution>,
    previous: Option<Vec<Contribution>>,
    min_changed: u32,
    options: &ReportOptions,
) -> SnapshotTotals {
    let Some(previous) = previous else {
        let mut totals = current;
        totals.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        return SnapshotTotals { totals, held_cells: 0, moved: Vec::new() };
    };
    let (current, previous) = (by_cell(current), by_cell(previous));
    let cells: BTreeSet<TotalsCell> = current.keys().chain(previous.keys()).copied().collect();
    let mut totals = Vec::new();
    let mut held_cells = 0;
    let mut moved: Vec<(Method, Vec<TotalsCell>)> =
        Method::STANDARD.into_iter().map(|method| (method, Vec::new())).collect();
    for cell in cells {
        let (before, now) = (previous.get(&cell), current.get(&cell));
        let changed: Vec<usize> = Method::STANDARD
            .into_iter()
            .map(|method| changed_workers(before, now, method, options))
            .collect();
        let moved_too_little = changed.iter().any(|&changed| changed > 0 && changed < min_changed as usize);
        let kept = if moved_too_little {
            held_cells += 1;
            before
        } else {
            for ((_, cells), changed) in moved.iter_mut().zip(&changed) {
                if *changed > 0 {
                    cells.push(cell);
                }
            }
            now
        };
        for (install, worker_totals) in kept.into_iter().flatten() {
            totals.push((install.clone(), cell, *worker_totals));
        }
    }
    SnapshotTotals { totals, held_cells, moved }
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub fn day_text(day: i64) -> String {
    let at = Timestamp::from_unix_seconds(day * 86_400).expect("days of the server's clock are valid times");
    Date::of(at).to_string()
}

/// What a snapshot is published under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SnapshotRules {
    pub publishing: PublishingRules,
    /// Days between snapshots.
    pub interval_days: u32,
}

/// The day's snapshot document and the totals it was computed from.
async fn compute(
    database: &Database,
    rules: &SnapshotRules,
    day: i64,
    now: i64,
    previous: Option<&SnapshotSummary>,
) -> Result<(StoredSnapshot, Vec<Contribution>), DbError> {
    let publishing = &rules.publishing;
    // The version is read before the data, so the snapshot is never labelled newer than it is.
    let data_version = database.data_version().await?;
    let mut current = Vec::new();
    database
        .for_each_totals(None, publishing.eligible_after_days, |install, cell, totals| {
            current.push((install.clone(), *cell, *totals));
        })
        .await?;
    let (basis, mut earlier) = match previous {
        None => (None, EarlierDecisions::default()),
        Some(previous) => {
            let mut basis = Vec::new();
            database
                .for_each_snapshot_basis(|install, cell, totals| {
                    basis.push((install.clone(), *cell, *totals))
                })
                .await?;
            (Some(basis), earlier_decisions(database, previous).await?)
        }
    };
    let options = publication_options(publishing);
    let SnapshotTotals { totals, held_cells, moved } =
        snapshot_totals(current, basis, publishing.min_workers, &options);
    for (method, cells) in &moved {
        earlier.moved(*method, cells);
    }
    let publication = build_publication(publishing, totals.clone(), earlier).await?;
    let mut reports = Vec::new();
    for method in Method::STANDARD {
        for grouping in groupings() {
            let mut report = publication
                .report(method, &grouping, None)
                .map_err(|error| DbError::CorruptRow(error.to_string()))?;
            reports.push(json!({
                "method": method.to_string(),
                "by": grouping.to_string(),
                "report": report_json(&mut report, publishing.demo),
            }));
        }
    }
    let published_at = Timestamp::from_unix_seconds(now).map_or_else(|_| now.to_string(), |t| t.to_string());
    let mut document = json!({
        "format": SNAPSHOT_FORMAT,
        "date": day_text(day),
        "published_at": published_at,
        "collector_version": env!("CARGO_PKG_VERSION"),
        "data_version": data_version,
        "previous_snapshot": previous.map(|summary| summary.day.clone()),
        "snapshot_rule": {
            "min_changed_workers": publishing.min_workers,
            "cells_as_in_previous_snapshot": held_cells,
        },
        "reports": reports,
    });
    if publishing.demo
        && let Value::Object(object) = &mut document
    {
        object.insert("data_notice".into(), Value::from(DEMO_NOTICE));
    }
    // serde_json's objects keep their keys sorted (its `preserve_order` feature is off), so
    // these bytes are one canonical form of the document: compact, keys in order.
    let document = serde_json::to_string(&document).expect("values serialize");
    let summary = SnapshotSummary {
        day: day_text(day),
        published_at: now,
        data_version,
        content_sha256: hex::encode(Sha256::digest(document.as_bytes())),
    };
    Ok((StoredSnapshot { summary, document }, totals))
}

/// The decisions of a published snapshot about every cell it listed.
pub(crate) async fn earlier_decisions(
    database: &Database,
    snapshot: &SnapshotSummary,
) -> Result<EarlierDecisions, DbError> {
    let stored = database.snapshot(&snapshot.day).await?.ok_or_else(|| {
        DbError::CorruptRow(format!("the snapshot of {} is listed but not stored", snapshot.day))
    })?;
    EarlierDecisions::of_document(&stored.document)
}

/// Publishes today's snapshot if the last one is `interval_days` old or there is none; answers
/// the snapshot published, if any. A day that has a snapshot keeps it: publishing again the same
/// day, here or on another replica, changes nothing.
pub(crate) async fn publish_if_due(
    database: &Database,
    rules: &SnapshotRules,
    clock: &Clock,
) -> Result<Option<SnapshotSummary>, DbError> {
    let today = clock.today();
    let latest = database.latest_snapshot().await?;
    if let Some(latest) = &latest {
        let latest_day = Date::parse(&latest.day).map_err(|error| DbError::CorruptRow(error.to_string()))?;
        let latest_day = latest_day.days_since_epoch();
        if today < latest_day + i64::from(rules.interval_days) {
            return Ok(None);
        }
    }
    let (snapshot, basis) = compute(database, rules, today, clock.now(), latest.as_ref()).await?;
    let published = database.publish_snapshot(&snapshot, &basis).await?;
    if published {
        tracing::info!(day = %snapshot.summary.day, sha256 = %snapshot.summary.content_sha256, "snapshot published");
    }
    Ok(published.then_some(snapshot.summary))
}

/// Checks for a due snapshot every `check_period` of real time, against the server's clock (a
/// test's manual clock moves days in an instant). Runs until aborted.
pub(crate) async fn run(database: Database, rules: SnapshotRules, clock: Clock, check_period: Duration) {
    loop {
        if let Err(error) = publish_if_due(&database, &rules, &clock).await {
            tracing::error!(error = %error, "publishing the day's snapshot");
        }
        tokio::time::sleep(check_period).await;
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use analysis::Platform;
    use analysis::time::Seconds;

    fn worker(name: usize, hours: u64, dollars: i64) -> Contribution {
        let totals = WorkerTotals {
            earnings_usd: Decimal::new(dollars, 0),
            paid_task_time: Seconds::new(hours * 3600),
            tasks: 3,
            ..WorkerTotals::default()
        };
        let cell = TotalsCell {
            platform: Platform::Mturk,
            country: Some(analysis::CountryCode::parse("US").unwrap()),
            month: (2026, 11),
        };
        (InstallId::parse(&format!("{name:032x}")).unwrap(), cell, totals)
    }

    fn options() -> ReportOptions {
        ReportOptions { min_hours: 0.5, ..ReportOptions::default() }
    }

    #[test]
    fn a_cell_is_republished_only_when_at_least_k_counted_workers_changed() {
        let ten: Vec<_> = (0..10).map(|i| worker(i, 2, 6 + i as i64)).collect();
        // First snapshot: everything as it is.
        let first = snapshot_totals(ten.clone(), None, 10, &options());
        assert_eq!((first.totals.len(), first.held_cells), (10, 0));
        // One newcomer: held, the previous ten exactly.
        let mut eleven = ten.clone();
        eleven.push(worker(10, 2, 30));
        let held = snapshot_totals(eleven.clone(), Some(ten.clone()), 10, &options());
        assert_eq!((held.totals.len(), held.held_cells), (10, 1));
        assert!(!held.totals.iter().any(|(install, _, _)| *install == worker(10, 2, 30).0));
        // A newcomer with too few hours to count moves no figure: taken as it is.
        let mut idle = ten.clone();
        idle.push(worker(11, 0, 1));
        assert_eq!(snapshot_totals(idle, Some(ten.clone()), 10, &options()).held_cells, 0);
        // Ten changes (nine grew, one joined): republished as it is now.
        let mut grown: Vec<_> = (0..9).map(|i| worker(i, 3, 7 + i as i64)).collect();
        grown.push(worker(9, 2, 15));
        grown.push(worker(10, 2, 30));
        let fresh = snapshot_totals(grown.clone(), Some(ten.clone()), 10, &options());
        assert_eq!((fresh.totals.len(), fresh.held_cells), (11, 0));
        // Nothing changed: the same totals.
        assert_eq!(snapshot_totals(ten.clone(), Some(ten.clone()), 10, &options()).totals, first.totals);
    }

    #[test]
    fn days_print_and_read_back() {
        assert_eq!(day_text(20_788), "2026-12-01");
        assert_eq!(Date::parse("2026-12-01").unwrap().days_since_epoch(), 20_788);
        assert_eq!(groupings().len(), 8);
    }
}
