//! The per-worker side of a report: each worker in each cell with the totals, wage and
//! threshold the cell's statistics were computed from, for researchers who make their own
//! figures (`piecerate workers`). They are the same values, not a second computation: the
//! report's statistics of a cell are those of its rows with no [`Exclusion`].

use super::{CellKey, CellMinimumWage, CurrencyBasis, ReportOptions, WorkerCell};
use crate::record::InstallId;
use crate::reference::US_FEDERAL_MINIMUM_HOURLY_USD;
use crate::wage::WorkerTotals;

/// Why a worker's time in a cell is left out of the cell's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// Under `--currency-basis ppp`, some earnings had no PPP factor (no country, or none for it).
    NotValuedAtPpp,
    /// Fewer counted hours than `min_hours`, or none at all.
    TooFewHours,
    /// An effective hourly wage above `max_hourly_usd`.
    ImplausibleWage,
}

impl Exclusion {
    /// As outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::NotValuedAtPpp => "not_valued_at_ppp",
            Exclusion::TooFewHours => "too_few_hours",
            Exclusion::ImplausibleWage => "implausible_wage",
        }
    }

    /// Whether (and why) a worker's cell is left out of its cell's statistics: the one rule the
    /// report applies, in this order.
    pub(super) fn of(cell: &WorkerCell, options: &ReportOptions) -> Option<Exclusion> {
        if options.currency_basis == CurrencyBasis::Ppp && cell.unvalued {
            return Some(Exclusion::NotValuedAtPpp);
        }
        let hours = cell.totals.counted_time(options.method).hours();
        if !(hours > 0.0 && hours >= options.min_hours) {
            return Some(Exclusion::TooFewHours);
        }
        match cell.totals.hourly_wage_usd(options.method) {
            Some(wage) if wage <= options.max_hourly_usd => None,
            _ => Some(Exclusion::ImplausibleWage),
        }
    }
}

/// One worker in one cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerWage {
    pub install_id: InstallId,
    pub key: CellKey,
    /// Earnings (`earnings_usd`: in the report's money, international dollars under PPP), tasks
    /// and the seconds of each kind of time, whether or not the method counts them.
    pub totals: WorkerTotals,
    /// Hours the report's method counts.
    pub counted_hours: f64,
    /// Earnings per counted hour, in the report's money; `None` without counted time.
    pub hourly_wage_usd: Option<f64>,
    /// The local minimum this worker was compared with, as a cell's (`CellMinimumWage`) over this
    /// worker alone: the latest minimum in force during their counted time, and its hourly value
    /// in the report's money over their counted months. `None` when the worker's country is unknown.
    pub local_minimum: Option<CellMinimumWage>,
    /// Whether the worker earned less than the local minimum would have paid for their counted
    /// hours; `None` when that minimum is not known for all of them.
    pub below_local_minimum: Option<bool>,
    /// Whether the wage is below US$7.25 an hour (7.25 international dollars under PPP).
    pub below_usd_7_25: Option<bool>,
    /// Why the worker is not in the cell's statistics; `None` when they are.
    pub exclusion: Option<Exclusion>,
    /// Whether the cell publishes statistics (it has at least `min_workers` included workers).
    pub cell_published: bool,
}

impl WorkerWage {
    pub(super) fn of(
        install_id: &InstallId,
        key: CellKey,
        cell: &(u32, WorkerCell),
        exclusion: Option<Exclusion>,
        options: &ReportOptions,
        cell_published: bool,
    ) -> WorkerWage {
        let (_, worker) = cell;
        let method = options.method;
        let hourly_wage_usd = worker.totals.hourly_wage_usd(method);
        // A worker's threshold is a cell's over this worker alone, so it is the report's rule.
        let local_minimum = worker.country.map(|country| CellMinimumWage::of(country, &[cell], method));
        WorkerWage {
            install_id: install_id.clone(),
            key,
            totals: worker.totals,
            counted_hours: worker.totals.counted_time(method).hours(),
            hourly_wage_usd,
            local_minimum,
            below_local_minimum: worker.minimum.is_below(&worker.totals, method),
            below_usd_7_25: hourly_wage_usd.map(|wage| wage < US_FEDERAL_MINIMUM_HOURLY_USD),
            exclusion,
            cell_published,
        }
    }
}
