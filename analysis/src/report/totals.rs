//! Reports from per-worker totals instead of records: the collector keeps one
//! [`WorkerTotals`] per install and [`TotalsCell`] (updated as records arrive), so recomputing
//! its published report reads those totals, not every record it ever stored.
//!
//! The totals are the library's own (`WorkerTotals::add` per record, `WorkerTotals::merge`
//! across cells), so a report built this way equals the one built from the records, for every
//! method and grouping the totals can express: `paid`, `task` and `all`, grouped by any of
//! platform, country and month. `session:M` needs each record's times and `category` needs each
//! task's category, so both are refused here.

use super::minimum::Worth;
use std::collections::HashMap;

use super::{CellKey, CurrencyBasis, Dimension, ReportBuilder};
use crate::codes::CountryCode;
use crate::record::{InstallId, Platform, Record};
use crate::time::Timestamp;
use crate::wage::{Method, TimeKind, WorkerTotals};

/// The finest cell whose totals are kept for a worker: platform, country and calendar month
/// (UTC) of the record's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TotalsCell {
    pub platform: Platform,
    pub country: Option<CountryCode>,
    /// Year and month (1-12).
    pub month: (i64, i64),
}

impl TotalsCell {
    /// The cell a record's totals belong to.
    pub fn of(record: &Record) -> TotalsCell {
        TotalsCell {
            platform: record.platform(),
            country: record.country(),
            month: record.started_at().year_month(),
        }
    }

    /// The month as one number, `YYYYMM` (e.g. 202405), for storage and range queries.
    pub fn month_number(&self) -> i64 {
        self.month.0 * 100 + self.month.1
    }

    /// Reads a month written by [`TotalsCell::month_number`], checking it is one records can have.
    pub fn month_from_number(number: i64) -> Option<(i64, i64)> {
        let (year, month) = (number / 100, number % 100);
        let first_day = Timestamp::parse(&format!("{year:04}-{month:02}-01T00:00:00Z")).ok()?;
        (first_day.year_month() == (year, month)).then_some((year, month))
    }
}

/// Why totals cannot make the report asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    #[error("method {0} needs each record's start and end; per-worker totals cannot express it")]
    SessionMethod(Method),
    #[error("grouping by category needs each task's category; per-worker totals cannot express it")]
    CategoryGrouping,
    #[error("per-worker totals come from a builder grouped by platform, country and month, in US dollars")]
    NotFinest,
}

impl ReportBuilder {
    /// The index of `install` among the builder's workers, given on first sight: builders that
    /// see the same installs in the same order give them the same indices.
    pub(crate) fn worker_index(&mut self, install: &InstallId) -> u32 {
        match self.install_index.get(install) {
            Some(&index) => index,
            None => {
                let index = u32::try_from(self.installs.len()).expect("fewer than 4 billion installs");
                self.installs.push(install.clone());
                self.install_index.insert(install.clone(), index);
                index
            }
        }
    }

    /// The builder's per-worker totals, one per install and [`TotalsCell`]: what a collector
    /// keeps, so that one read of records gives every report and grouping the totals can express
    /// (`piecerate brief` reads its inputs once this way, then builds each report, or a
    /// [`super::Publication`], from them). Only a builder grouped by exactly platform, country
    /// and month, in US dollars at market rates and with a method other than `session:M`, keeps
    /// totals of that shape; any other is refused, naming why.
    pub fn into_totals(self) -> Result<Vec<(InstallId, TotalsCell, WorkerTotals)>, TotalsError> {
        self.accepts_totals()?;
        let finest = [Dimension::Platform, Dimension::Country, Dimension::Month];
        if self.options.grouping.dimensions() != finest || self.options.currency_basis != CurrencyBasis::Usd {
            return Err(TotalsError::NotFinest);
        }
        let installs = self.installs;
        let mut totals: Vec<(InstallId, TotalsCell, WorkerTotals)> = self
            .cells
            .into_iter()
            .map(|((worker, key), cell)| {
                let cell_key = TotalsCell {
                    platform: key.platform.expect("grouped by platform"),
                    country: key.country.expect("grouped by country"),
                    month: key.month.expect("grouped by month"),
                };
                (installs[worker as usize].clone(), cell_key, cell.totals)
            })
            .collect();
        // Workers in the order the builder first saw them, so that builders fed from these
        // totals number them as the record reader did.
        let order: HashMap<&InstallId, usize> =
            installs.iter().enumerate().map(|(index, install)| (install, index)).collect();
        totals.sort_by_key(|(install, cell, _)| (order[install], *cell));
        Ok(totals)
    }

    /// Whether [`ReportBuilder::add_totals`] can serve this builder's options.
    pub fn accepts_totals(&self) -> Result<(), TotalsError> {
        if let Method::Session { .. } = self.options.method {
            return Err(TotalsError::SessionMethod(self.options.method));
        }
        if self.options.grouping.contains(Dimension::Category) {
            return Err(TotalsError::CategoryGrouping);
        }
        Ok(())
    }

    /// Adds one worker's totals for one cell, as if that cell's records had been added one by
    /// one with [`ReportBuilder::add`]: the cell's country and month give its earnings' value and
    /// its minimum wage, as each record's own do.
    pub fn add_totals(
        &mut self,
        install: &InstallId,
        cell: &TotalsCell,
        totals: &WorkerTotals,
    ) -> Result<(), TotalsError> {
        self.accepts_totals()?;
        let worker = self.worker_index(install);
        let grouping = &self.options.grouping;
        let key = CellKey {
            platform: grouping.contains(Dimension::Platform).then_some(cell.platform),
            country: grouping.contains(Dimension::Country).then_some(cell.country),
            month: grouping.contains(Dimension::Month).then_some(cell.month),
            category: None,
        };
        let (year, month) = cell.month;
        let value = self.valuation.of(cell.country, year, month);
        let worker_cell = self.cells.entry((worker, key)).or_default();
        let mut totals = *totals;
        match value.worth {
            Worth::Market => {}
            Worth::Ppp(factor) => totals.earnings_usd *= factor,
            Worth::Unvalued => worker_cell.unvalued = true,
        }
        worker_cell.totals.merge(&totals);
        for kind in TimeKind::ALL {
            worker_cell.minimum.add(kind, totals.time(kind), &value, cell.month);
        }
        worker_cell.country = worker_cell.country.or(cell.country);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::record::RecordFields;
    use crate::report::{ReportOptions, report};

    /// A deterministic spread of workers, platforms, countries, months, outcomes and currencies.
    fn records() -> Vec<Record> {
        let platforms = ["mturk", "prolific", "toloka"];
        let countries = ["US", "IN", "GB", ""];
        let outcomes = ["approved", "submitted", "rejected", "returned", "screened_out"];
        let mut records = Vec::new();
        for index in 0..2400u64 {
            let worker = index % 37;
            let install = format!("w{worker}");
            let record_id = format!("00000000-0000-4000-8000-{index:012}");
            let start = 1_714_564_800 + (index as i64) * 5_400 + (worker as i64) * 97;
            let active = 60 + (index * 7919) % 1800;
            let started_at = Timestamp::from_unix_seconds(start).unwrap().to_string();
            let ended_at = Timestamp::from_unix_seconds(start + active as i64 + 30).unwrap().to_string();
            let active_seconds = active.to_string();
            let reward = format!("{}.{:02}", index % 3, index % 100);
            let unpaid = index % 5 == 0;
            let fields = RecordFields {
                record_id: &record_id,
                install_id: &install,
                platform: platforms[(worker % 3) as usize],
                // Each worker keeps one country, so "the first country seen" cannot differ.
                country: countries[(worker % 4) as usize],
                kind: if unpaid { "unpaid" } else { "task" },
                category: if unpaid { "search" } else { "survey" },
                outcome: if unpaid { "" } else { outcomes[(index % 5) as usize] },
                started_at: &started_at,
                ended_at: &ended_at,
                active_seconds: &active_seconds,
                reward: if unpaid { "" } else { &reward },
                bonus: "",
                currency: if unpaid {
                    ""
                } else if worker % 2 == 0 {
                    "USD"
                } else {
                    "GBP"
                },
            };
            records.push(Record::from_fields(&fields).unwrap());
        }
        records
    }

    #[test]
    fn totals_give_the_report_records_give() {
        let records = records();
        let mut totals: BTreeMap<(InstallId, TotalsCell), WorkerTotals> = BTreeMap::new();
        for record in &records {
            totals.entry((record.install_id().clone(), TotalsCell::of(record))).or_default().add(record);
        }
        for method in Method::STANDARD {
            for by in ["", "platform", "country", "month", "platform,country", "platform,country,month"] {
                let options = ReportOptions {
                    method,
                    grouping: by.parse().unwrap(),
                    min_workers: 2,
                    min_hours: 0.2,
                    ..ReportOptions::default()
                };
                let expected = report(&records, options.clone());
                let mut builder = ReportBuilder::new(options);
                for ((install, cell), worker_totals) in &totals {
                    builder.add_totals(install, cell, worker_totals).unwrap();
                }
                assert_eq!(builder.finish(), expected, "method {method}, by {by}");
            }
        }
    }

    #[test]
    fn a_finest_builder_gives_the_totals_of_its_records() {
        let records = records();
        let mut expected: BTreeMap<(InstallId, TotalsCell), WorkerTotals> = BTreeMap::new();
        for record in &records {
            expected.entry((record.install_id().clone(), TotalsCell::of(record))).or_default().add(record);
        }
        let finest =
            ReportOptions { grouping: "platform,country,month".parse().unwrap(), ..ReportOptions::default() };
        let mut builder = ReportBuilder::new(finest.clone());
        for record in &records {
            builder.add(record);
        }
        let totals = builder.into_totals().unwrap();
        assert_eq!(totals.len(), expected.len());
        // Workers come in the order they were first read.
        assert_eq!(totals[0].0, *records[0].install_id());
        let got: BTreeMap<(InstallId, TotalsCell), WorkerTotals> = totals
            .into_iter()
            .map(|(install, cell, worker_totals)| ((install, cell), worker_totals))
            .collect();
        assert_eq!(got, expected);
        for other in [
            ReportOptions { grouping: "platform,country".parse().unwrap(), ..finest.clone() },
            ReportOptions { currency_basis: CurrencyBasis::Ppp, ..finest.clone() },
        ] {
            assert_eq!(ReportBuilder::new(other).into_totals().unwrap_err(), TotalsError::NotFinest);
        }
        let session = ReportOptions { method: "session:15".parse().unwrap(), ..finest };
        assert!(matches!(ReportBuilder::new(session).into_totals(), Err(TotalsError::SessionMethod(_))));
    }

    #[test]
    fn refuses_what_totals_cannot_express() {
        let session = ReportOptions { method: "session:15".parse().unwrap(), ..ReportOptions::default() };
        assert!(matches!(ReportBuilder::new(session).accepts_totals(), Err(TotalsError::SessionMethod(_))));
        let category = ReportOptions { grouping: "category".parse().unwrap(), ..ReportOptions::default() };
        assert_eq!(ReportBuilder::new(category).accepts_totals(), Err(TotalsError::CategoryGrouping));
    }

    #[test]
    fn month_numbers_round_trip_and_refuse_nonsense() {
        let cell = TotalsCell::of(&records()[0]);
        assert_eq!(cell.month_number(), 202405);
        assert_eq!(TotalsCell::month_from_number(202405), Some((2024, 5)));
        for bad in [202413, 202400, 199912, 0, -202405] {
            assert_eq!(TotalsCell::month_from_number(bad), None, "{bad}");
        }
    }
}
