//! Two periods compared (`piecerate compare`, `piecerate.compare/1` in
//! `docs/report-format.md`): per cell, the change of the median effective wage and of the share
//! of workers below the local minimum, each with a 95% percentile bootstrap interval.
//!
//! The two periods are two reports of the same inputs and parameters, read with a filter each
//! ([`crate::record_filter`]). The bootstrap resamples workers, with replacement, independently
//! within each period (the two-sample bootstrap of Efron and Tibshirani, *An Introduction to the
//! Bootstrap*, 1993, ch. 8), as many times as asked. Its randomness is a ChaCha20 stream seeded
//! from the caller's seed and the cell's key alone, so a cell's interval is the same on every
//! machine, whatever other cells the comparison holds; draws are made as 64-bit integers so that
//! 32-bit targets draw the same numbers.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

use rand::Rng;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use crate::report::{CellKey, Dimension, Grouping, Report, WorkerSample, round};
use crate::stats::percentile;
use crate::time::Date;

pub const COMPARE_SCHEMA: &str = "piecerate.compare/1";
/// The seed when none is given: fixed, so that a comparison made twice gives the same intervals.
/// 1993 is the year of Efron and Tibshirani's book.
pub const DEFAULT_SEED: u64 = 1993;
/// Replicates when none are asked for: Efron and Tibshirani (1993) advise about 1,000 for
/// percentile intervals; 2,000 makes the ends move less with the seed, for a fraction of a
/// second per cell.
pub const DEFAULT_REPLICATES: u32 = 2000;
/// Fewer replicates than this give interval ends that move with the seed more than with the data.
pub const MIN_REPLICATES: u32 = 100;

/// A period of UTC days, both ends included, written `2025-01-01..2025-03-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// Why a period or a pair of periods was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("'{0}' is not a period: expected FROM..TO, two days like 2025-01-01..2025-03-31, both included")]
    Syntax(String),
    #[error("'{text}' has no {end} day: expected FROM..TO, two days like 2025-01-01..2025-03-31")]
    OpenEnd { text: String, end: &'static str },
    #[error("in '{text}': {problem}")]
    Day { text: String, problem: String },
    #[error("{from}..{to} starts after it ends: write the earlier day first")]
    Reversed { from: Date, to: Date },
    #[error(
        "the periods overlap from {from} to {to}: a record would count in both; give periods that share no day"
    )]
    Overlap { from: Date, to: Date },
    #[error(
        "the period after ({after}) starts before the period before ({before}): give the earlier period as --before"
    )]
    AfterFirst { before: Period, after: Period },
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let shown: String = text.chars().take(40).collect();
        let Some((from, to)) = text.trim().split_once("..") else {
            return Err(PeriodError::Syntax(shown));
        };
        let day = |part: &str, end: &'static str| {
            if part.trim().is_empty() {
                return Err(PeriodError::OpenEnd { text: shown.clone(), end });
            }
            Date::parse(part.trim())
                .map_err(|error| PeriodError::Day { text: shown.clone(), problem: error.to_string() })
        };
        let (from, to) = (day(from, "first")?, day(to, "last")?);
        if from > to {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period { from, to })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// Checks that `after` follows `before` without a shared day: a record counts in one period at
/// most, and the change reads as later minus earlier.
pub fn check_periods(before: Period, after: Period) -> Result<(), PeriodError> {
    let (start, end) = (before.from.max(after.from), before.to.min(after.to));
    if start <= end {
        return Err(PeriodError::Overlap { from: start, to: end });
    }
    if after.from < before.from {
        return Err(PeriodError::AfterFirst { before, after });
    }
    Ok(())
}

/// How the intervals are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    pub replicates: u32,
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Bootstrap {
        Bootstrap { replicates: DEFAULT_REPLICATES, seed: DEFAULT_SEED }
    }
}

/// One period's report, with the workers of each of its cells, in the order of its cells
/// ([`crate::ReportBuilder::finish_with_samples`]).
pub type PeriodReport = (Report, Vec<Vec<WorkerSample>>);

/// The comparison of two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub before: Period,
    pub after: Period,
    pub bootstrap: Bootstrap,
    /// The report of the period before, without its cells' workers: its parameters and notes.
    pub before_report: Report,
    pub after_report: Report,
    pub cells: Vec<ComparedCell>,
    pub notes: Vec<String>,
}

/// One cell in both periods.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedCell {
    pub key: CellKey,
    pub before: PeriodFigures,
    pub after: PeriodFigures,
    /// Both periods published: how many workers are in both, the change of the median and of
    /// the share below the local minimum (`None` when a period has no worker whose minimum is
    /// known).
    pub changes: Option<Changes>,
    pub contains_simulated: bool,
    pub contains_requester_data: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    pub n_workers_in_both: u64,
    pub median_hourly_usd: Change,
    pub share_below_local_minimum: Option<Change>,
}

/// A cell in one period.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodFigures {
    Published {
        n_workers: u64,
        median_hourly_usd: f64,
        share_below_local_minimum: Option<f64>,
        n_workers_with_known_minimum: u64,
    },
    /// Fewer workers than this in the period (none at all included): no figure.
    Suppressed { n_workers_fewer_than: u32 },
}

/// After minus before, and its 95% percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub estimate: f64,
    pub ci95: [f64; 2],
}

impl ComparedCell {
    pub fn suppressed(&self) -> bool {
        self.changes.is_none()
    }
}

/// Compares two periods' reports of the same parameters, cell by cell.
pub fn compare(
    before: Period,
    after: Period,
    before_report: PeriodReport,
    after_report: PeriodReport,
    bootstrap: Bootstrap,
) -> Comparison {
    let (before_report, before_samples) = before_report;
    let (after_report, after_samples) = after_report;
    let min_workers = before_report.min_workers;
    let mut keys: BTreeMap<CellKey, [Option<usize>; 2]> = BTreeMap::new();
    for (index, cell) in before_report.cells.iter().enumerate() {
        keys.entry(cell.key).or_default()[0] = Some(index);
    }
    for (index, cell) in after_report.cells.iter().enumerate() {
        keys.entry(cell.key).or_default()[1] = Some(index);
    }
    let mut cells = Vec::with_capacity(keys.len());
    for (key, [in_before, in_after]) in keys {
        let before_workers = published(&before_report, &before_samples, in_before);
        let after_workers = published(&after_report, &after_samples, in_after);
        let figures = |workers: Option<&[WorkerSample]>| match workers {
            Some(workers) => figures_of(workers),
            None => PeriodFigures::Suppressed { n_workers_fewer_than: min_workers },
        };
        let flag = |read: fn(&crate::report::Cell) -> bool| {
            in_before.is_some_and(|index| read(&before_report.cells[index]))
                || in_after.is_some_and(|index| read(&after_report.cells[index]))
        };
        let changes = match (before_workers, after_workers) {
            (Some(earlier), Some(later)) => Some(changes(&key, earlier, later, bootstrap)),
            _ => None,
        };
        cells.push(ComparedCell {
            key,
            before: figures(before_workers),
            after: figures(after_workers),
            changes,
            contains_simulated: flag(|cell| cell.contains_simulated),
            contains_requester_data: flag(|cell| cell.contains_requester_data),
        });
    }
    let notes = merged_notes(&before_report.notes, &after_report.notes, before, after);
    Comparison { before, after, bootstrap, before_report, after_report, cells, notes }
}

/// The workers of a report's cell at `index`, when the cell is published.
fn published<'a>(
    report: &Report,
    samples: &'a [Vec<WorkerSample>],
    index: Option<usize>,
) -> Option<&'a [WorkerSample]> {
    let index = index?;
    report.cells[index].statistics.as_ref()?;
    Some(samples[index].as_slice())
}

/// The notes of both periods: once when both say the same, else each marked with its period.
fn merged_notes(
    before_notes: &[String],
    after_notes: &[String],
    before: Period,
    after: Period,
) -> Vec<String> {
    let mut notes: Vec<String> = before_notes
        .iter()
        .map(
            |note| {
                if after_notes.contains(note) { note.clone() } else { format!("Before ({before}): {note}") }
            },
        )
        .collect();
    notes.extend(
        after_notes
            .iter()
            .filter(|note| !before_notes.contains(note))
            .map(|note| format!("After ({after}): {note}")),
    );
    notes
}

fn median(wages: &mut [f64]) -> f64 {
    // The type 7 median of `stats::percentile`, by selection rather than a sort of each
    // replicate: a replicate of n wages costs O(n), not O(n log n).
    let n = wages.len();
    let (below, middle, _) = wages.select_nth_unstable_by(n / 2, f64::total_cmp);
    let middle = *middle;
    if n % 2 == 1 {
        return middle;
    }
    let lower = below.iter().copied().max_by(f64::total_cmp).expect("n is even and above 0");
    lower + 0.5 * (middle - lower)
}

fn share_below(flags: &[bool]) -> f64 {
    flags.iter().filter(|below| **below).count() as f64 / flags.len() as f64
}

fn known_flags(workers: &[WorkerSample]) -> Vec<bool> {
    workers.iter().filter_map(|worker| worker.below_local_minimum).collect()
}

fn figures_of(workers: &[WorkerSample]) -> PeriodFigures {
    let mut wages: Vec<f64> = workers.iter().map(|worker| worker.wage).collect();
    let flags = known_flags(workers);
    PeriodFigures::Published {
        n_workers: workers.len() as u64,
        median_hourly_usd: round(median(&mut wages), 4),
        share_below_local_minimum: (!flags.is_empty()).then(|| round(share_below(&flags), 4)),
        n_workers_with_known_minimum: flags.len() as u64,
    }
}

/// The random stream of one cell: from the seed and the cell's key only.
fn cell_rng(key: &CellKey, seed: u64) -> ChaCha20Rng {
    let mut hash = Sha256::new();
    hash.update(COMPARE_SCHEMA.as_bytes());
    hash.update(seed.to_le_bytes());
    for dimension in [Dimension::Platform, Dimension::Country, Dimension::Month, Dimension::Category] {
        hash.update([0]);
        hash.update(dimension.as_str().as_bytes());
        hash.update([b'=']);
        hash.update(key.value(dimension).unwrap_or_default().as_bytes());
    }
    ChaCha20Rng::from_seed(hash.finalize().into())
}

/// `values.len()` draws with replacement from `values` into `into`.
fn resample<T: Copy>(values: &[T], into: &mut Vec<T>, rng: &mut ChaCha20Rng) {
    into.clear();
    let n = values.len() as u64;
    into.extend((0..n).map(|_| values[rng.gen_range(0..n) as usize]));
}

/// The 2.5th and 97.5th percentiles of the replicates' differences.
fn percentile_interval(mut differences: Vec<f64>) -> [f64; 2] {
    differences.sort_unstable_by(f64::total_cmp);
    let end = |p| round(percentile(&differences, p).expect("at least one replicate"), 4);
    [end(0.025), end(0.975)]
}

fn changes(key: &CellKey, before: &[WorkerSample], after: &[WorkerSample], bootstrap: Bootstrap) -> Changes {
    let mut rng = cell_rng(key, bootstrap.seed);
    let replicates = bootstrap.replicates.max(1) as usize;
    let wages = |workers: &[WorkerSample]| workers.iter().map(|worker| worker.wage).collect::<Vec<f64>>();
    let (before_wages, after_wages) = (wages(before), wages(after));
    let estimate = median(&mut after_wages.clone()) - median(&mut before_wages.clone());
    let mut drawn = Vec::with_capacity(before_wages.len().max(after_wages.len()));
    let mut differences = Vec::with_capacity(replicates);
    for _ in 0..replicates {
        resample(&before_wages, &mut drawn, &mut rng);
        let earlier = median(&mut drawn);
        resample(&after_wages, &mut drawn, &mut rng);
        differences.push(median(&mut drawn) - earlier);
    }
    let median_change = Change { estimate: round(estimate, 4), ci95: percentile_interval(differences) };
    // The share is of the workers whose minimum is known, so those are what is resampled.
    let (before_flags, after_flags) = (known_flags(before), known_flags(after));
    let share_change = (!before_flags.is_empty() && !after_flags.is_empty()).then(|| {
        let estimate = share_below(&after_flags) - share_below(&before_flags);
        let mut drawn = Vec::with_capacity(before_flags.len().max(after_flags.len()));
        let mut differences = Vec::with_capacity(replicates);
        for _ in 0..replicates {
            resample(&before_flags, &mut drawn, &mut rng);
            let earlier = share_below(&drawn);
            resample(&after_flags, &mut drawn, &mut rng);
            differences.push(share_below(&drawn) - earlier);
        }
        Change { estimate: round(estimate, 4), ci95: percentile_interval(differences) }
    });
    let earlier: HashSet<_> = before.iter().map(|worker| &worker.install).collect();
    let n_workers_in_both = after.iter().filter(|worker| earlier.contains(&worker.install)).count() as u64;
    Changes { n_workers_in_both, median_hourly_usd: median_change, share_below_local_minimum: share_change }
}

/// The grouping a comparison's cells are keyed by (both periods share it).
impl Comparison {
    pub fn grouping(&self) -> &Grouping {
        &self.before_report.grouping
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::InstallId;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn periods_are_read_and_hostile_ones_refused() {
        let period: Period = "2025-01-01..2025-03-31".parse().unwrap();
        assert_eq!((period.from, period.to), (day("2025-01-01"), day("2025-03-31")));
        assert_eq!(period.to_string(), "2025-01-01..2025-03-31");
        let refused = |text: &str| text.parse::<Period>().unwrap_err().to_string();
        assert!(refused("2025-01-01..").contains("has no last day"));
        assert!(refused("..2025-01-01").contains("has no first day"));
        assert!(refused("2025-01-01").contains("expected FROM..TO"));
        assert!(refused("2025-02-30..2025-03-01").contains("'2025-02-30' is not a date"));
        assert_eq!(
            refused("2025-03-01..2025-01-01"),
            "2025-03-01..2025-01-01 starts after it ends: write the earlier day first"
        );
        let (q1, q2): (Period, Period) =
            ("2025-01-01..2025-03-31".parse().unwrap(), "2025-04-01..2025-06-30".parse().unwrap());
        assert_eq!(check_periods(q1, q2), Ok(()));
        assert!(matches!(check_periods(q2, q1), Err(PeriodError::AfterFirst { .. })));
        let overlapping: Period = "2025-03-15..2025-04-30".parse().unwrap();
        assert_eq!(
            check_periods(q1, overlapping).unwrap_err().to_string(),
            "the periods overlap from 2025-03-15 to 2025-03-31: a record would count in both; give periods that share no day"
        );
        assert!(check_periods(q1, q1).is_err());
    }

    #[test]
    fn the_median_by_selection_is_the_reports_median() {
        for n in 1..40usize {
            let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % 23) as f64 / 3.0).collect();
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            assert_eq!(median(&mut values.clone()), percentile(&sorted, 0.5).unwrap(), "{n} values");
        }
    }

    fn workers(prefix: &str, wages: &[f64]) -> Vec<WorkerSample> {
        wages
            .iter()
            .enumerate()
            .map(|(index, wage)| WorkerSample {
                install: InstallId::parse(&format!("{prefix}-{index}")).unwrap(),
                wage: *wage,
                below_local_minimum: Some(*wage < 7.25),
            })
            .collect()
    }

    #[test]
    fn a_shift_is_outside_its_interval_of_no_change_and_the_seed_decides_the_draws() {
        let key = CellKey { platform: None, country: None, month: None, category: None };
        let earlier: Vec<f64> = (0..60).map(|i| 3.0 + f64::from(i % 12) * 0.5).collect();
        let later: Vec<f64> = earlier.iter().map(|wage| wage + 4.0).collect();
        let shifted = changes(&key, &workers("a", &earlier), &workers("b", &later), Bootstrap::default());
        assert_eq!(shifted.median_hourly_usd.estimate, 4.0);
        assert!(shifted.median_hourly_usd.ci95[0] > 0.0, "{shifted:?}");
        let share = shifted.share_below_local_minimum.unwrap();
        assert!(share.estimate < 0.0 && share.ci95[1] < 0.0, "{share:?}");
        assert_eq!(shifted.n_workers_in_both, 0);
        let same = changes(&key, &workers("a", &earlier), &workers("a", &earlier), Bootstrap::default());
        assert_eq!(same.median_hourly_usd.estimate, 0.0);
        let [low, high] = same.median_hourly_usd.ci95;
        assert!(low < 0.0 && high > 0.0, "{low} {high}");
        assert_eq!(same.n_workers_in_both, 60);
        let again = changes(&key, &workers("a", &earlier), &workers("a", &earlier), Bootstrap::default());
        assert_eq!(again, same);
        let other_seed = Bootstrap { seed: 7, ..Bootstrap::default() };
        let reseeded = changes(&key, &workers("a", &earlier), &workers("b", &later), other_seed);
        assert_ne!(reseeded, shifted, "another seed draws other replicates");
    }
}
