//! Wage reports: records in, one cell of statistics per group out (`piecerate.report/1`,
//! described in `docs/report-format.md`).
//!
//! Records stream through [`ReportBuilder::add`]; only per-worker totals are kept (and, under
//! `session:M`, each record's start and end), so memory grows with workers, not records.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::codes::CountryCode;
use crate::fast_hash::FastHashMap;
use crate::minimum_wage::Basis;
use crate::record::{Activity, InstallId, Platform, Record, TaskCategory};
use crate::reference::US_FEDERAL_MINIMUM_HOURLY_USD;
use crate::stats::{bootstrap_mean_intervals, mean, median_confidence_interval, percentile, wilson_interval};
use crate::time::{Seconds, Timestamp};
use crate::wage::{Method, TimeKind, WorkerTotals, session_gaps};

mod disclosure;
mod json;
mod merge;
mod minimum;
mod totals;
mod workers;
pub use disclosure::{
    DEFAULT_HOURS_ROUNDING_BASE, DEFAULT_N_TASKS_ROUNDING_BASE, DEFAULT_SMALL_CELL_WAGE_STEP_USD,
    DisclosureRules, EarlierDecision, MIN_EXACT_QUANTILES_WORKERS, Publication, counts_in_publication,
};
pub use json::ReportDocument;
pub use minimum::CellMinimumWage;
use minimum::{MinimumPay, Valuation, Worth};
pub use totals::{TotalsCell, TotalsError};
pub use workers::{Exclusion, WorkerWage};

pub const REPORT_SCHEMA: &str = "piecerate.report/1";
/// The schema of a report of several methods side by side ([`ReportBuilder::finish_side_by_side`]):
/// its cells are one per group and method, and their `n_workers` is the set of workers fixed
/// under the broadest method, so a reader of `/1` would misread it.
pub const SIDE_BY_SIDE_REPORT_SCHEMA: &str = "piecerate.report/2";
/// Below this many workers a published cell would point at individuals; the collector never
/// goes lower, whatever it is configured with.
pub const MIN_PUBLISHED_WORKERS: u32 = 10;
pub const DEFAULT_MIN_HOURS: f64 = 0.5;
/// An effective hourly wage above this (in US dollars, or international dollars under
/// `--currency-basis ppp`) is one no microtask pays, so a worker-cell above it is left out of the
/// cell's statistics and counted in `excluded_implausible`: without the rule, a handful of fake
/// installs each claiming one huge reward for a short time could move any published figure. The
/// record format already caps one task's pay at US$1,000, and published studies of microtask
/// wages find medians near US$2 an hour (Hara et al., "A Data-Driven Analysis of Workers'
/// Earnings on Amazon Mechanical Turk", CHI 2018: median about $2/h, under 4% of workers above
/// $7.25/h), so $200 an hour is two orders of magnitude above what workers report and well
/// below what a forged record can claim ($1,000 for a few minutes).
pub const DEFAULT_MAX_HOURLY_USD: f64 = 200.0;
/// The seed of the bootstrap interval of every cell's mean, fixed so that a report made again
/// from the same records has the same intervals to the last digit (the date this seed was set).
/// Every cell uses it: a cell's interval depends only on its workers' wages, so the same cell
/// reached by two groupings or a month filter gives the same interval.
pub const MEAN_BOOTSTRAP_SEED: u64 = 20_261_201;
/// Resamples of the mean's bootstrap: Efron and Tibshirani (1993, §19.3) ask for 1,000 or more
/// for percentile intervals; with 2,000 the ends of a cell's interval move by about 2% of its
/// width from one seed to another, under the 4 decimals' rounding for cells of a few workers and
/// well under the interval's width for any.
pub const MEAN_BOOTSTRAP_RESAMPLES: u32 = 2_000;

/// A dimension cells can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Platform,
    Country,
    Month,
    Category,
}

impl Dimension {
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Platform => "platform",
            Dimension::Country => "country",
            Dimension::Month => "month",
            Dimension::Category => "category",
        }
    }
}

/// The dimensions of a report, e.g. `platform,country`; empty means one cell for everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouping(Vec<Dimension>);

impl Grouping {
    pub fn new(dimensions: &[Dimension]) -> Grouping {
        let mut dimensions = dimensions.to_vec();
        dimensions.sort_unstable();
        dimensions.dedup();
        Grouping(dimensions)
    }

    pub fn contains(&self, dimension: Dimension) -> bool {
        self.0.contains(&dimension)
    }

    pub fn dimensions(&self) -> &[Dimension] {
        &self.0
    }
}

impl FromStr for Grouping {
    type Err = String;

    fn from_str(text: &str) -> Result<Grouping, String> {
        let mut dimensions = Vec::new();
        for word in text.split(',').map(str::trim).filter(|word| !word.is_empty()) {
            dimensions.push(match word {
                "platform" => Dimension::Platform,
                "country" => Dimension::Country,
                "month" => Dimension::Month,
                "category" => Dimension::Category,
                other => {
                    return Err(format!(
                        "'{}' is not a grouping dimension; expected any of platform, country, month, category",
                        other.chars().take(32).collect::<String>()
                    ));
                }
            });
        }
        Ok(Grouping::new(&dimensions))
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.0.iter().map(|d| d.as_str()).collect();
        f.write_str(&words.join(","))
    }
}

/// What money is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CurrencyBasis {
    /// US dollars at each month's market exchange rate.
    #[default]
    Usd,
    /// International dollars at purchasing-power parity (World Bank PPP, GDP), through the
    /// worker's country: for comparing what wages buy across countries.
    Ppp,
}

impl CurrencyBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            CurrencyBasis::Usd => "usd",
            CurrencyBasis::Ppp => "ppp",
        }
    }
}

impl FromStr for CurrencyBasis {
    type Err = String;

    fn from_str(text: &str) -> Result<CurrencyBasis, String> {
        match text {
            "usd" => Ok(CurrencyBasis::Usd),
            "ppp" => Ok(CurrencyBasis::Ppp),
            other => Err(format!(
                "'{}' is not a currency basis; expected usd or ppp",
                other.chars().take(16).collect::<String>()
            )),
        }
    }
}

/// Everything that shapes a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub method: Method,
    pub grouping: Grouping,
    /// Cells with fewer workers than this publish no statistic.
    pub min_workers: u32,
    /// Workers with fewer counted hours than this in a cell are left out of its statistics.
    pub min_hours: f64,
    /// Workers whose effective hourly wage in a cell is above this are left out of its
    /// statistics as implausible (in the report's currency basis: the same number under PPP).
    pub max_hourly_usd: f64,
    pub currency_basis: CurrencyBasis,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            method: Method::All,
            grouping: Grouping::default(),
            min_workers: MIN_PUBLISHED_WORKERS,
            min_hours: DEFAULT_MIN_HOURS,
            max_hourly_usd: DEFAULT_MAX_HOURLY_USD,
            currency_basis: CurrencyBasis::Usd,
        }
    }
}

/// The group a cell stands for. A dimension not grouped by is `None`; a country or category of
/// `Some(None)` gathers the records that have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub platform: Option<Platform>,
    pub country: Option<Option<CountryCode>>,
    /// Year and month (1-12), UTC, of the records' start.
    pub month: Option<(i64, i64)>,
    pub category: Option<Option<TaskCategory>>,
}

impl CellKey {
    /// The key's value for one dimension as reports write it (`mturk`, `US`, `2024-05`,
    /// `survey`); `None` when the dimension is not grouped by or its value is unknown.
    pub fn value(&self, dimension: Dimension) -> Option<String> {
        match dimension {
            Dimension::Platform => self.platform.map(|platform| platform.as_str().to_owned()),
            Dimension::Country => self.country.flatten().map(|country| country.as_str().to_owned()),
            Dimension::Month => self.month.map(|(year, month)| format!("{year:04}-{month:02}")),
            Dimension::Category => self.category.flatten().map(|category| category.as_str().to_owned()),
        }
    }

    fn of(
        record_platform: Platform,
        country: Option<CountryCode>,
        at: Timestamp,
        grouping: &Grouping,
    ) -> CellKey {
        CellKey {
            platform: grouping.contains(Dimension::Platform).then_some(record_platform),
            country: grouping.contains(Dimension::Country).then_some(country),
            month: grouping.contains(Dimension::Month).then(|| at.year_month()),
            category: None,
        }
    }
}

#[derive(Debug, Default)]
struct WorkerCell {
    totals: WorkerTotals,
    /// What the local minimum wage would have paid for the same time, per kind of time.
    minimum: MinimumPay,
    /// Unpaid time that has no task category yet; spread over the worker's categories at the end.
    uncategorised_unpaid: Seconds,
    /// What the minimum would have paid for `uncategorised_unpaid`, spread with it.
    uncategorised_minimum: MinimumPay,
    country: Option<CountryCode>,
    /// Some earnings could not be valued at purchasing-power parity (no country, or no factor).
    unvalued: bool,
}

#[derive(Debug)]
struct SessionSpan {
    platform: Platform,
    start: Timestamp,
    end: Timestamp,
    key: CellKey,
}

/// Accumulates records and produces a [`Report`].
#[derive(Debug)]
pub struct ReportBuilder {
    options: ReportOptions,
    install_index: HashMap<InstallId, u32>,
    installs: Vec<InstallId>,
    cells: FastHashMap<(u32, CellKey), WorkerCell>,
    /// The install of the previous record and its index: records of one worker usually come
    /// together, and comparing two ids is much cheaper than hashing one.
    last_install: Option<(InstallId, u32)>,
    session_spans: Vec<(u32, SessionSpan)>,
    valuation: Valuation,
    /// Whether `finish_with_members` is to say which workers each cell holds (disclosure
    /// control needs it; a plain report does not pay for it).
    keep_members: bool,
    /// Whether `finish` is to give every worker's row too (`finish_with_workers`).
    keep_workers: bool,
    /// How many threads `finish` may compute the cells' bootstrap intervals over.
    finish_threads: usize,
}

/// One worker of a cell's statistics: its wage, as the cell's statistics count it, and whether
/// it is below the local minimum (`None` when the minimum is not known for all its time).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerSample {
    pub install: InstallId,
    pub wage: f64,
    pub below_local_minimum: Option<bool>,
}

/// A finished report with, as asked for, each cell's members, each cell's samples and every
/// worker's row.
type Finished = (Report, Vec<CellMembers>, Vec<Vec<WorkerSample>>, Vec<WorkerWage>);

/// The workers a cell's statistics include (not those left out for too few hours, an
/// implausible wage or no PPP factor), sorted by worker index.
pub(crate) type CellMembers = Vec<u32>;

impl ReportBuilder {
    pub fn new(options: ReportOptions) -> ReportBuilder {
        let basis = options.currency_basis;
        ReportBuilder {
            options,
            install_index: HashMap::new(),
            installs: Vec::new(),
            cells: FastHashMap::default(),
            last_install: None,
            session_spans: Vec::new(),
            valuation: Valuation::new(basis),
            keep_members: false,
            keep_workers: false,
            finish_threads: 1,
        }
    }

    /// Lets `finish` compute the cells' bootstrap intervals of the mean over up to `threads`
    /// threads (1, the default, computes them in the calling thread; the figures are the same
    /// either way). They are what is left to compute once every record was read: on the
    /// 10-million-record benchmark, 0.38 s of CPU while the other core was idle.
    pub fn finish_over_threads(&mut self, threads: usize) {
        self.finish_threads = threads.max(1);
    }

    pub fn add(&mut self, record: &Record) {
        let worker = match &self.last_install {
            Some((install, index)) if install == record.install_id() => *index,
            _ => {
                let index = match self.install_index.get(record.install_id()) {
                    Some(&index) => index,
                    None => {
                        let index =
                            u32::try_from(self.installs.len()).expect("fewer than 4 billion installs");
                        self.installs.push(record.install_id().clone());
                        self.install_index.insert(record.install_id().clone(), index);
                        index
                    }
                };
                self.last_install = Some((record.install_id().clone(), index));
                index
            }
        };
        let grouping = &self.options.grouping;
        let base = CellKey::of(record.platform(), record.country(), record.started_at(), grouping);
        let by_category = grouping.contains(Dimension::Category);
        if let Method::Session { .. } = self.options.method {
            self.session_spans.push((
                worker,
                SessionSpan {
                    platform: record.platform(),
                    start: record.started_at(),
                    end: record.ended_at(),
                    key: base,
                },
            ));
        }
        let (year, month) = record.started_at().year_month();
        let value = self.valuation.of(record.country(), year, month);
        let key = match record.activity() {
            Activity::Task { category, .. } => CellKey { category: by_category.then_some(category), ..base },
            Activity::Unpaid { .. } => base,
        };
        let cell = self.cells.entry((worker, key)).or_default();
        cell.country = cell.country.or(record.country());
        let earnings = match value.worth {
            Worth::Market => record.earnings_usd(),
            Worth::Ppp(factor) => record.earnings_usd() * factor,
            Worth::Unvalued => {
                cell.unvalued = true;
                record.earnings_usd()
            }
        };
        if by_category && matches!(record.activity(), Activity::Unpaid { .. }) {
            cell.uncategorised_unpaid += record.active();
            cell.uncategorised_minimum.add(TimeKind::UnpaidRecord, record.active(), &value, (year, month));
        } else {
            let kind = cell.totals.add_valued(record, earnings);
            cell.minimum.add(kind, record.active(), &value, (year, month));
        }
    }

    pub fn finish(self) -> Report {
        self.finish_with_members().0
    }

    /// The report and one row per worker and cell, in the order of the report's cells (a cell's
    /// workers by install id): the values its statistics were computed from.
    pub fn finish_with_workers(mut self) -> (Report, Vec<WorkerWage>) {
        self.keep_workers = true;
        let (report, _, _, workers) = self.finish_all(false, &[]);
        (report, workers)
    }

    /// The report and, when the builder keeps them, each cell's members in the order of the
    /// report's cells.
    pub(crate) fn finish_with_members(self) -> (Report, Vec<CellMembers>) {
        let (report, members, _, _) = self.finish_all(false, &[]);
        (report, members)
    }

    /// The report and, in the order of its cells, the workers each cell's statistics include,
    /// with their wages: what a comparison of two periods resamples (`compare.rs`).
    pub fn finish_with_samples(self) -> (Report, Vec<Vec<WorkerSample>>) {
        let (report, _, samples, _) = self.finish_all(true, &[]);
        (report, samples)
    }

    /// A report of several methods side by side on one set of workers: in each cell, the workers
    /// the builder's own method counts (enough hours, a plausible wage), which must be the
    /// broadest of `methods` ([`broadest_method`]), so that every method's figures are over the
    /// same workers. Each cell gives one row per method, in the order of `methods`; a worker of
    /// the set without any hour a narrower method counts (no paid task, under `paid`) has no wage
    /// under it and is counted in that row's `n_workers_without_wage`, not in its wage figures.
    pub fn finish_side_by_side(self, methods: &[Method]) -> Result<Report, SideBySideError> {
        let broadest = broadest_method(methods)?;
        if broadest != self.options.method {
            return Err(SideBySideError::NotBuiltUnderBroadest { broadest, built: self.options.method });
        }
        let mut unique: Vec<Method> = Vec::with_capacity(methods.len());
        for method in methods {
            if !unique.contains(method) {
                unique.push(*method);
            }
        }
        Ok(self.finish_all(false, &unique).0)
    }

    fn finish_all(mut self, keep_samples: bool, side_by_side: &[Method]) -> Finished {
        if let Method::Session { max_gap_minutes } = self.options.method {
            self.add_session_gaps(max_gap_minutes);
        }
        if self.options.grouping.contains(Dimension::Category) {
            self.spread_uncategorised_unpaid_time();
        }
        let options = self.options;
        let mut groups: HashMap<CellKey, Vec<(u32, WorkerCell)>> = HashMap::new();
        for ((worker, key), cell) in self.cells {
            groups.entry(key).or_default().push((worker, cell));
        }
        let mut excluded_workers = 0;
        let mut excluded_implausible = 0;
        let mut unvalued_workers = 0;
        let mut keys: Vec<CellKey> = groups.keys().copied().collect();
        keys.sort_unstable();
        let mut cells = Vec::with_capacity(keys.len());
        // Each published row's index among `cells` and its sorted wages, for its mean's bootstrap.
        let mut bootstraps: Vec<(usize, Vec<f64>)> = Vec::new();
        let mut cell_members = Vec::new();
        let mut cell_samples = Vec::new();
        let mut workers = Vec::new();
        let (mut any_simulated, mut any_requester, mut any_lowest_regional) = (false, false, false);
        let mut unknown_minimum_workers = 0;
        for key in keys {
            let members = &groups[&key];
            let exclusions: Vec<Option<Exclusion>> =
                members.iter().map(|(_, cell)| Exclusion::of(cell, &options)).collect();
            let mut included: Vec<&(u32, WorkerCell)> = Vec::with_capacity(members.len());
            for (member, exclusion) in members.iter().zip(&exclusions) {
                match exclusion {
                    None => included.push(member),
                    Some(Exclusion::NotValuedAtPpp) => {
                        unvalued_workers += 1;
                        excluded_workers += 1;
                    }
                    Some(Exclusion::TooFewHours) => excluded_workers += 1,
                    Some(Exclusion::ImplausibleWage) => excluded_implausible += 1,
                }
            }
            if self.keep_members {
                let mut included_workers: CellMembers = included.iter().map(|(worker, _)| *worker).collect();
                included_workers.sort_unstable();
                cell_members.push(included_workers);
            }
            if keep_samples {
                cell_samples.push(
                    included
                        .iter()
                        .map(|(worker, cell)| WorkerSample {
                            install: self.installs[*worker as usize].clone(),
                            wage: cell
                                .totals
                                .hourly_wage_usd(options.method)
                                .expect("included workers have counted time"),
                            below_local_minimum: cell.minimum.is_below(&cell.totals, options.method),
                        })
                        .collect(),
                );
            }
            let contains_simulated = included.iter().any(|(w, _)| self.installs[*w as usize].is_simulated());
            // Over every worker of the cell, not only those with counted time: a batch that paid
            // nothing has no paid hours under `paid`, and is still a requester's lower bound.
            let contains_requester_data =
                members.iter().any(|(w, _)| self.installs[*w as usize].is_from_requester_export());
            any_simulated |= contains_simulated;
            any_requester |= contains_requester_data;
            let published = included.len() >= options.min_workers as usize;
            if self.keep_workers {
                let first = workers.len();
                workers.extend(members.iter().zip(&exclusions).map(|(member, exclusion)| {
                    let install = &self.installs[member.0 as usize];
                    WorkerWage::of(install, key, member, *exclusion, &options, published)
                }));
                // By install id: the same records give the same rows in the same order, however
                // they were read.
                workers[first..].sort_unstable_by(|a, b| a.install_id.as_str().cmp(b.install_id.as_str()));
            }
            // One row of the report's method, or one per method side by side: each over the
            // cell's included workers, its wages over those whose wage the method defines (all
            // of them under the report's own method).
            let rows: Vec<Option<Method>> = if side_by_side.is_empty() {
                vec![None]
            } else {
                side_by_side.iter().copied().map(Some).collect()
            };
            for row in rows {
                let method = row.unwrap_or(options.method);
                let with_wage: Vec<&(u32, WorkerCell)> = included
                    .iter()
                    .copied()
                    .filter(|(_, cell)| cell.totals.hourly_wage_usd(method).is_some())
                    .collect();
                let statistics = (with_wage.len() >= options.min_workers as usize).then(|| {
                    let (statistics, wages) = CellStatistics::of(&included, &with_wage, method);
                    // The cell this row is about to become.
                    bootstraps.push((cells.len(), wages));
                    CellStatistics {
                        n_workers_without_wage: row.map(|_| (included.len() - with_wage.len()) as u64),
                        ..statistics
                    }
                });
                let minimum_wage = match (&statistics, key.country) {
                    (Some(_), Some(Some(country))) => Some(CellMinimumWage::of(country, &with_wage, method)),
                    _ => None,
                };
                if let Some(statistics) = &statistics {
                    any_lowest_regional |= with_wage.iter().any(|(_, cell)| {
                        cell.minimum.latest.is_some_and(|row| row.basis == Basis::LowestRegional)
                    });
                    // Side by side, the workers are those of the report's method: counted once.
                    if method == options.method {
                        unknown_minimum_workers +=
                            statistics.n_workers - statistics.n_workers_with_known_minimum;
                    }
                }
                cells.push(Cell {
                    key,
                    method: row,
                    n_workers_fewer_than: statistics.is_none().then_some(options.min_workers),
                    statistics,
                    minimum_wage,
                    contains_simulated,
                    contains_requester_data,
                    complementary_suppression: false,
                });
            }
        }
        // Every cell's bootstrap at once, over the threads the caller allows.
        let samples: Vec<&[f64]> = bootstraps.iter().map(|(_, wages)| wages.as_slice()).collect();
        let intervals = bootstrap_mean_intervals(
            &samples,
            0.95,
            MEAN_BOOTSTRAP_RESAMPLES,
            MEAN_BOOTSTRAP_SEED,
            self.finish_threads,
        );
        for ((index, _), interval) in bootstraps.iter().zip(intervals) {
            if let Some(statistics) = &mut cells[*index].statistics {
                statistics.mean_ci95_usd =
                    interval.map(|(low, high)| [(low * 1e4).floor() / 1e4, (high * 1e4).ceil() / 1e4]);
            }
        }
        let without_wage: Vec<(Method, u64)> = side_by_side
            .iter()
            .map(|method| {
                let count = cells
                    .iter()
                    .filter(|cell| cell.method == Some(*method))
                    .filter_map(|cell| cell.statistics.as_ref()?.n_workers_without_wage)
                    .sum();
                (*method, count)
            })
            .collect();
        let mut notes = Vec::new();
        if any_simulated {
            notes.push("Some cells contain synthetic workers made by `piecerate simulate`; their figures are not observations.".to_owned());
        }
        if any_requester {
            notes.push("Some cells contain workers imported from requester-side exports, whose times are wall times from accept to submit, including time the task sat in the worker's queue: their wages are lower bounds.".to_owned());
        }
        notes.push("A worker is below the local minimum wage when their earnings are less than what the statutory minimum in force in each month of their counted time (on its first day) would have paid for those hours; workers whose minimum is not known for all their counted time are left out of that share.".to_owned());
        if any_lowest_regional {
            notes.push("Where a country sets minimum wages only per region (Canada), its workers are compared with the lowest regional rate, so their share below the local minimum is a lower bound.".to_owned());
        }
        if unknown_minimum_workers > 0 {
            notes.push(format!("{unknown_minimum_workers} worker-cell pair{} in published cells had no known minimum wage for some of their counted time (no statutory minimum, or none in the shipped sources) and {} left out of the share below the local minimum.", if unknown_minimum_workers == 1 { "" } else { "s" }, if unknown_minimum_workers == 1 { "is" } else { "are" }));
        }
        if excluded_implausible > 0 {
            notes.push(implausible_note(excluded_implausible, options.max_hourly_usd));
        }
        if !side_by_side.is_empty() {
            notes.push(side_by_side_note(side_by_side, options.method, &without_wage));
        }
        if options.currency_basis == CurrencyBasis::Ppp {
            notes.push("Money is in international dollars at purchasing-power parity (World Bank PPP conversion factor, GDP; the latest published year is used for later years): the fields named *_usd hold international dollars, and the $7.25 reference is 7.25 international dollars.".to_owned());
            if unvalued_workers > 0 {
                notes.push(format!("{unvalued_workers} worker-cell pair{} without a country or a PPP factor for it could not be valued at purchasing-power parity and {} left out.", if unvalued_workers == 1 { "" } else { "s" }, if unvalued_workers == 1 { "is" } else { "are" }));
            }
        }
        let report = Report {
            method: options.method,
            methods: side_by_side.to_vec(),
            grouping: options.grouping,
            currency_basis: options.currency_basis,
            min_workers: options.min_workers,
            min_hours: options.min_hours,
            max_hourly_usd: options.max_hourly_usd,
            cells,
            excluded_workers,
            excluded_implausible,
            notes,
            disclosure: None,
        };
        (report, cell_members, cell_samples, workers)
    }

    fn add_session_gaps(&mut self, max_gap_minutes: u32) {
        let mut spans = std::mem::take(&mut self.session_spans);
        spans.sort_unstable_by_key(|(worker, span)| (*worker, span.platform, span.start, span.end));
        for run in spans.chunk_by(|(wa, a), (wb, b)| wa == wb && a.platform == b.platform) {
            let intervals: Vec<(Timestamp, Timestamp)> =
                run.iter().map(|(_, span)| (span.start, span.end)).collect();
            for (index, gap) in session_gaps(&intervals, max_gap_minutes) {
                // A gap is the search for the record that follows it, so it joins that cell.
                let (worker, span) = &run[index];
                let cell = self.cells.entry((*worker, span.key)).or_default();
                let (year, month) = span.start.year_month();
                let value = self.valuation.of(cell.country, year, month);
                if self.options.grouping.contains(Dimension::Category) {
                    cell.uncategorised_unpaid += gap;
                    cell.uncategorised_minimum.add(TimeKind::UnpaidRecord, gap, &value, (year, month));
                } else {
                    cell.totals.session_gap_time += gap;
                    cell.minimum.add(TimeKind::SessionGap, gap, &value, (year, month));
                }
            }
        }
    }

    /// Unpaid time belongs to no task category, so under a category grouping a worker's unpaid
    /// time is shared among that worker's categories in proportion to their task time. A worker
    /// with unpaid time and no task in the group keeps it in the cell without a category.
    fn spread_uncategorised_unpaid_time(&mut self) {
        let pending: Vec<((u32, CellKey), Seconds)> = self
            .cells
            .iter()
            .filter(|(_, cell)| cell.uncategorised_unpaid > Seconds::ZERO)
            .map(|(key, cell)| (*key, cell.uncategorised_unpaid))
            .collect();
        let mut task_time: HashMap<(u32, CellKey), Vec<(CellKey, u64)>> = HashMap::new();
        for ((worker, key), cell) in &self.cells {
            if key.category.is_some() {
                let time = cell.totals.paid_task_time + cell.totals.unpaid_task_time;
                task_time
                    .entry((*worker, CellKey { category: None, ..*key }))
                    .or_default()
                    .push((*key, time.get()));
            }
        }
        // The last category takes the rounding remainder, so the categories are put in a fixed
        // order: the same records give the same report however the map happens to be laid out
        // (after `merge`, for instance).
        for shares in task_time.values_mut() {
            shares.sort_unstable_by_key(|&(key, _)| key);
        }
        for ((worker, base), unpaid) in pending {
            let shares = task_time.get(&(worker, base)).filter(|s| s.iter().any(|&(_, t)| t > 0));
            let base_cell = self.cells.get_mut(&(worker, base)).expect("pending cells exist");
            base_cell.uncategorised_unpaid = Seconds::ZERO;
            let minimum = std::mem::take(&mut base_cell.uncategorised_minimum);
            let (country, unvalued) = (base_cell.country, base_cell.unvalued);
            let Some(shares) = shares else {
                let target =
                    self.cells.entry((worker, CellKey { category: Some(None), ..base })).or_default();
                target.totals.unpaid_record_time += unpaid;
                target.minimum.merge(&minimum);
                target.country = target.country.or(country);
                target.unvalued |= unvalued;
                continue;
            };
            let total: u64 = shares.iter().map(|&(_, t)| t).sum();
            let mut given = 0;
            for (position, &(key, time)) in shares.iter().enumerate() {
                // Integer shares; the last category takes the rounding remainder.
                let share = if position + 1 == shares.len() {
                    unpaid.get() - given
                } else {
                    (u128::from(unpaid.get()) * u128::from(time) / u128::from(total)) as u64
                };
                given += share;
                let target = self.cells.get_mut(&(worker, key)).expect("listed above");
                target.totals.unpaid_record_time += Seconds::new(share);
                target.minimum.merge(&minimum.share(share, unpaid.get()));
                target.unvalued |= unvalued;
            }
        }
        self.cells.retain(|(_, key), cell| {
            !(key.category.is_none()
                && cell.totals == WorkerTotals::default()
                && cell.uncategorised_unpaid == Seconds::ZERO)
        });
    }
}

/// Builds a report from records in one call.
pub fn report<'a>(records: impl IntoIterator<Item = &'a Record>, options: ReportOptions) -> Report {
    let mut builder = ReportBuilder::new(options);
    for record in records {
        builder.add(record);
    }
    builder.finish()
}

/// A wage report: what it was computed with, and one [`Cell`] per group. Its documents
/// (`piecerate.report/1` JSON, CSV) are renderings of it (`report/json.rs`, `report_csv.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The method of the figures; in a report of several methods side by side, the broadest of
    /// them, under which each cell's workers were chosen.
    pub method: Method,
    /// The methods side by side, in their order, when the report has several (`piecerate.report/2`);
    /// empty for a report of one method.
    pub methods: Vec<Method>,
    pub grouping: Grouping,
    pub currency_basis: CurrencyBasis,
    pub min_workers: u32,
    pub min_hours: f64,
    pub max_hourly_usd: f64,
    pub cells: Vec<Cell>,
    /// Worker-cell pairs left out of the statistics for having fewer than `min_hours` hours.
    pub excluded_workers: u64,
    /// Worker-cell pairs (with enough hours) left out for an effective hourly wage above
    /// `max_hourly_usd`.
    pub excluded_implausible: u64,
    pub notes: Vec<String>,
    /// The disclosure control the report was published under, when it was (the collector's
    /// reports; `docs/methodology.md`, "Disclosure control").
    pub disclosure: Option<DisclosureRules>,
}

/// One group of workers.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub key: CellKey,
    /// The method of this row, in a report of several methods side by side; `None` otherwise.
    pub method: Option<Method>,
    /// Only on suppressed cells: the cell has fewer workers than this.
    pub n_workers_fewer_than: Option<u32>,
    /// `None` on a suppressed cell.
    pub statistics: Option<CellStatistics>,
    /// The minimum wage the cell's workers were compared with: on published cells that have a
    /// country.
    pub minimum_wage: Option<CellMinimumWage>,
    pub contains_simulated: bool,
    pub contains_requester_data: bool,
    /// Suppressed although it has enough workers, so that no subtraction between published
    /// cells isolates a smaller cell or a worker.
    pub complementary_suppression: bool,
}

impl Cell {
    /// Whether the cell publishes no statistic (too few workers, or complementary suppression).
    pub fn suppressed(&self) -> bool {
        self.statistics.is_none()
    }
}

/// The statistics of a cell that has at least `min_workers` workers. Each worker counts once.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CellStatistics {
    pub n_workers: u64,
    pub n_tasks: u64,
    pub hours_paid: f64,
    pub hours_unpaid: f64,
    pub mean_hourly_usd: f64,
    pub median_hourly_usd: f64,
    pub p10_hourly_usd: f64,
    pub p25_hourly_usd: f64,
    pub p75_hourly_usd: f64,
    pub p90_hourly_usd: f64,
    pub median_ci95_usd: Option<[f64; 2]>,
    /// The percentile bootstrap 95% interval of the mean (`MEAN_BOOTSTRAP_RESAMPLES` resamples,
    /// `MEAN_BOOTSTRAP_SEED`), its ends rounded outward; `None` for a cell of one worker.
    pub mean_ci95_usd: Option<[f64; 2]>,
    /// Among the workers whose minimum wage is known for all their counted time.
    pub share_below_local_minimum: Option<f64>,
    /// Wilson's 95% interval of `share_below_local_minimum`, its ends rounded outward.
    pub share_below_local_minimum_ci95: Option<[f64; 2]>,
    pub n_workers_with_known_minimum: u64,
    pub share_below_usd_7_25: f64,
    /// Wilson's 95% interval of `share_below_usd_7_25`, its ends rounded outward.
    pub share_below_usd_7_25_ci95: [f64; 2],
    /// In a report of several methods side by side only: the workers of `n_workers` that this
    /// row's method counts no hour of (no paid task, under `paid`), so that it gives them no
    /// wage; the wage figures are over the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_workers_without_wage: Option<u64>,
    /// Set when disclosure control rounded every wage statistic of this small cell (mean,
    /// percentiles, the interval's ends outward) to a multiple of this many US dollars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wages_rounded_to_usd: Option<f64>,
}

impl CellStatistics {
    /// The statistics of a cell's `members` (workers, tasks, hours) and of the wages of those of
    /// them in `with_wage` (the same workers, except in a report of several methods side by
    /// side, where a narrower method may count no hour of some), with those wages sorted; the
    /// mean's interval is left to the caller, which computes every cell's at once.
    fn of(
        members: &[&(u32, WorkerCell)],
        with_wage: &[&(u32, WorkerCell)],
        method: Method,
    ) -> (CellStatistics, Vec<f64>) {
        let mut wages: Vec<f64> = Vec::with_capacity(with_wage.len());
        let (mut n_tasks, mut paid, mut unpaid) = (0, Seconds::ZERO, Seconds::ZERO);
        let (mut known_minimum, mut below_minimum, mut below_reference) = (0u64, 0u64, 0u64);
        for (_, cell) in members {
            n_tasks += cell.totals.tasks;
            paid += cell.totals.paid_task_time;
            unpaid += cell.totals.unpaid_time(method);
        }
        for (_, cell) in with_wage {
            let wage = cell.totals.hourly_wage_usd(method).expect("workers with a wage have counted time");
            wages.push(wage);
            if let Some(below) = cell.minimum.is_below(&cell.totals, method) {
                known_minimum += 1;
                below_minimum += u64::from(below);
            }
            below_reference += u64::from(wage < US_FEDERAL_MINIMUM_HOURLY_USD);
        }
        wages.sort_unstable_by(f64::total_cmp);
        let quantile = |p| round(percentile(&wages, p).expect("cells with statistics are not empty"), 4);
        let n = wages.len() as f64;
        let statistics = CellStatistics {
            n_workers: members.len() as u64,
            n_tasks,
            hours_paid: round(paid.hours(), 3),
            hours_unpaid: round(unpaid.hours(), 3),
            mean_hourly_usd: round(mean(&wages).expect("not empty"), 4),
            median_hourly_usd: quantile(0.5),
            p10_hourly_usd: quantile(0.1),
            p25_hourly_usd: quantile(0.25),
            p75_hourly_usd: quantile(0.75),
            p90_hourly_usd: quantile(0.9),
            median_ci95_usd: median_confidence_interval(&wages, 0.95)
                .map(|(lo, hi)| [round(lo, 4), round(hi, 4)]),
            // Computed with every other cell's, in `finish_all`.
            mean_ci95_usd: None,
            share_below_local_minimum: (known_minimum > 0)
                .then(|| round(below_minimum as f64 / known_minimum as f64, 4)),
            share_below_local_minimum_ci95: share_interval(below_minimum, known_minimum),
            n_workers_with_known_minimum: known_minimum,
            share_below_usd_7_25: round(below_reference as f64 / n, 4),
            share_below_usd_7_25_ci95: share_interval(below_reference, wages.len() as u64)
                .expect("cells with statistics are not empty"),
            n_workers_without_wage: None,
            wages_rounded_to_usd: None,
        };
        (statistics, wages)
    }
}

/// Why a report of several methods side by side cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SideBySideError {
    #[error("give at least two methods to compare side by side")]
    TooFew,
    #[error("methods {0} and {1} count different session gaps; give one session:M at most")]
    TwoSessionGaps(Method, Method),
    #[error(
        "the workers side by side are those of the broadest method, {broadest}, and the report was built under {built}"
    )]
    NotBuiltUnderBroadest { broadest: Method, built: Method },
}

/// How many kinds of time a method counts: each method counts every kind a narrower one does
/// (`TimeKind::counted_by`), so more counted time and, on the same earnings, a lower wage.
fn breadth(method: Method) -> u8 {
    match method {
        Method::Paid => 0,
        Method::Task => 1,
        Method::All => 2,
        Method::Session { .. } => 3,
    }
}

/// The method, among `methods`, whose eligibility admits every worker any of them admits: the
/// one that counts the most time. A worker with enough hours under a narrower method has at
/// least as many under it, and a wage under the cap there is no higher under it
/// (`paid ≥ task ≥ all ≥ session:M`, `docs/methodology.md`), so its workers are a superset.
pub fn broadest_method(methods: &[Method]) -> Result<Method, SideBySideError> {
    let sessions: Vec<Method> =
        methods.iter().copied().filter(|method| matches!(method, Method::Session { .. })).collect();
    if let Some(other) = sessions.iter().find(|other| **other != sessions[0]) {
        return Err(SideBySideError::TwoSessionGaps(sessions[0], *other));
    }
    let mut distinct: Vec<Method> = methods.to_vec();
    distinct.sort_by_key(|method| breadth(*method));
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(SideBySideError::TooFew);
    }
    Ok(*distinct.last().expect("two at least"))
}

/// The note of a report of several methods side by side: which workers, and who has no wage.
fn side_by_side_note(methods: &[Method], broadest: Method, without_wage: &[(Method, u64)]) -> String {
    let names: Vec<String> = methods.iter().map(Method::to_string).collect();
    let mut note = format!(
        "Methods {} are side by side on one set of workers: in each cell, those counted under {broadest}, the broadest (enough counted hours, a plausible wage), whatever the other methods would count, so the rows of a cell compare the same workers.",
        names.join(", ")
    );
    for (method, count) in without_wage.iter().filter(|(_, count)| *count > 0) {
        note.push_str(&format!(
            " Under {method}, {count} worker-cell pair{} of that set had no counted hour and so no wage: {} in n_workers and n_workers_without_wage, not in the wage figures.",
            if *count == 1 { "" } else { "s" },
            if *count == 1 { "it is" } else { "they are" }
        ));
    }
    note
}

/// The note of a report that left out worker-cells for an implausible wage.
pub(crate) fn implausible_note(excluded_implausible: u64, max_hourly_usd: f64) -> String {
    format!(
        "{excluded_implausible} worker-cell pair{} with an effective hourly wage above {} an hour, which no microtask pays, {} left out of the statistics as implausible.",
        if excluded_implausible == 1 { "" } else { "s" },
        max_hourly_usd,
        if excluded_implausible == 1 { "was" } else { "were" }
    )
}

/// Wilson's 95% interval of a share, to 4 decimals like the share, rounded outward (the low end
/// down, the high end up) so that the published interval still covers at least 95%.
fn share_interval(successes: u64, trials: u64) -> Option<[f64; 2]> {
    let (low, high) = wilson_interval(successes, trials, 0.95)?;
    Some([(low * 1e4).floor() / 1e4, ((high * 1e4).ceil() / 1e4).min(1.0)])
}

pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}
