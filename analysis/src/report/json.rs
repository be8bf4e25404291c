//! The `piecerate.report/1` JSON document of a [`Report`] (`docs/report-format.md`): the wire
//! form, kept apart from the typed report. Dimension keys not grouped by are absent; a country
//! or category of `null` gathers the records without one; a suppressed cell carries
//! `n_workers_fewer_than` and no statistic.

use serde::Serialize;

use super::{
    Cell, CellMinimumWage, CellStatistics, DisclosureRules, REPORT_SCHEMA, Report, SIDE_BY_SIDE_REPORT_SCHEMA,
};

/// A report as its JSON document, borrowing from it. Serialize it (with serde_json, or axum's
/// `Json`) to get the document's text.
#[derive(Debug, Serialize)]
pub struct ReportDocument<'a> {
    schema: &'static str,
    method: String,
    /// The methods side by side, in a `piecerate.report/2` document only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    methods: Vec<String>,
    by: String,
    currency_basis: &'static str,
    min_workers: u32,
    min_hours: f64,
    max_hourly_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    disclosure_control: Option<&'a DisclosureRules>,
    cells: Vec<CellDocument<'a>>,
    excluded_workers: u64,
    excluded_implausible: u64,
    notes: &'a [String],
}

#[derive(Debug, Serialize)]
struct CellDocument<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_workers_fewer_than: Option<u32>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    statistics: Option<&'a CellStatistics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum_wage: Option<&'a CellMinimumWage>,
    suppressed: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    complementary_suppression: bool,
    contains_simulated: bool,
    contains_requester_data: bool,
}

impl Report {
    /// The schema of this report's documents: `piecerate.report/2` for several methods side by
    /// side, `piecerate.report/1` otherwise.
    pub fn schema(&self) -> &'static str {
        if self.methods.is_empty() { REPORT_SCHEMA } else { SIDE_BY_SIDE_REPORT_SCHEMA }
    }

    /// The `piecerate.report/1` (or `/2`) document of this report.
    pub fn document(&self) -> ReportDocument<'_> {
        ReportDocument {
            schema: self.schema(),
            method: self.method.to_string(),
            methods: self.methods.iter().map(ToString::to_string).collect(),
            by: self.grouping.to_string(),
            currency_basis: self.currency_basis.as_str(),
            min_workers: self.min_workers,
            min_hours: self.min_hours,
            max_hourly_usd: self.max_hourly_usd,
            disclosure_control: self.disclosure.as_ref(),
            cells: self.cells.iter().map(CellDocument::of).collect(),
            excluded_workers: self.excluded_workers,
            excluded_implausible: self.excluded_implausible,
            notes: &self.notes,
        }
    }
}

impl<'a> CellDocument<'a> {
    fn of(cell: &'a Cell) -> CellDocument<'a> {
        let key = &cell.key;
        CellDocument {
            platform: key.platform.map(|platform| platform.as_str()),
            country: key.country.as_ref().map(|country| country.as_ref().map(|code| code.as_str())),
            month: key.month.map(|(year, month)| format!("{year:04}-{month:02}")),
            category: key.category.map(|category| category.map(|category| category.as_str())),
            method: cell.method.map(|method| method.to_string()),
            n_workers_fewer_than: cell.n_workers_fewer_than,
            statistics: cell.statistics.as_ref(),
            minimum_wage: cell.minimum_wage.as_ref(),
            suppressed: cell.suppressed(),
            complementary_suppression: cell.complementary_suppression,
            contains_simulated: cell.contains_simulated,
            contains_requester_data: cell.contains_requester_data,
        }
    }
}
