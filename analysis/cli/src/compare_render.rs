//! The renderings of a comparison of two periods: the `piecerate.compare/1` JSON document
//! (`docs/report-format.md`), one CSV row per cell, and the terminal and Markdown tables, each
//! with the notes and the provenance.

use analysis::compare::{COMPARE_SCHEMA, Change, ComparedCell, Comparison, PeriodFigures};
use analysis::report::Dimension;
use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use crate::compare_command::CompareFormat;
use crate::provenance::Provenance;
use crate::render::{aligned, at_least_workers, grouping_phrase, markdown, money};

pub(crate) fn render(
    comparison: &Comparison,
    format: CompareFormat,
    provenance: &Provenance,
) -> Result<String> {
    Ok(match format {
        CompareFormat::Json => document(comparison, provenance)?,
        CompareFormat::Csv => csv(comparison, provenance),
        CompareFormat::Table => human(comparison, provenance, false),
        CompareFormat::Markdown => human(comparison, provenance, true),
    })
}

fn dimensions(comparison: &Comparison) -> Vec<Dimension> {
    comparison.grouping().dimensions().to_vec()
}

/// The `piecerate.compare/1` document, its keys in the order `docs/report-format.md` gives.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    method: String,
    by: String,
    currency_basis: &'static str,
    min_workers: u32,
    min_hours: f64,
    max_hourly_usd: f64,
    before: PeriodDocument,
    after: PeriodDocument,
    bootstrap: BootstrapDocument,
    cells: Vec<CellDocument>,
    notes: &'a [String],
    provenance: &'a Provenance,
}

#[derive(Serialize)]
struct PeriodDocument {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct BootstrapDocument {
    replicates: u32,
    seed: u64,
    confidence: f64,
    interval: &'static str,
    resampling: &'static str,
}

/// A cell: its grouping keys (only those grouped by; null for an unknown country or category),
/// then its figures.
#[derive(Serialize)]
struct CellDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<Value>,
    suppressed: bool,
    before: PeriodFiguresDocument,
    after: PeriodFiguresDocument,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_workers_in_both: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    median_change_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    median_change_ci95_usd: Option<[f64; 2]>,
    /// Present (possibly null) on cells published in both periods.
    #[serde(skip_serializing_if = "Option::is_none")]
    share_below_local_minimum_change: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share_below_local_minimum_change_ci95: Option<Option<[f64; 2]>>,
    contains_simulated: bool,
    contains_requester_data: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum PeriodFiguresDocument {
    Published {
        n_workers: u64,
        median_hourly_usd: f64,
        share_below_local_minimum: Option<f64>,
        n_workers_with_known_minimum: u64,
    },
    Suppressed {
        suppressed: bool,
        n_workers_fewer_than: u32,
    },
}

fn period_figures(figures: &PeriodFigures) -> PeriodFiguresDocument {
    match *figures {
        PeriodFigures::Published {
            n_workers,
            median_hourly_usd,
            share_below_local_minimum,
            n_workers_with_known_minimum,
        } => PeriodFiguresDocument::Published {
            n_workers,
            median_hourly_usd,
            share_below_local_minimum,
            n_workers_with_known_minimum,
        },
        PeriodFigures::Suppressed { n_workers_fewer_than } => {
            PeriodFiguresDocument::Suppressed { suppressed: true, n_workers_fewer_than }
        }
    }
}

fn document(comparison: &Comparison, provenance: &Provenance) -> Result<String> {
    let report = &comparison.before_report;
    let grouped = comparison.grouping();
    let key = |cell: &ComparedCell, dimension: Dimension| {
        grouped.contains(dimension).then(|| cell.key.value(dimension).map_or(Value::Null, Value::from))
    };
    let cells = comparison
        .cells
        .iter()
        .map(|cell| {
            let changes = cell.changes.as_ref();
            let share = changes.map(|changes| changes.share_below_local_minimum);
            CellDocument {
                platform: key(cell, Dimension::Platform),
                country: key(cell, Dimension::Country),
                month: key(cell, Dimension::Month),
                category: key(cell, Dimension::Category),
                suppressed: cell.suppressed(),
                before: period_figures(&cell.before),
                after: period_figures(&cell.after),
                n_workers_in_both: changes.map(|changes| changes.n_workers_in_both),
                median_change_usd: changes.map(|changes| changes.median_hourly_usd.estimate),
                median_change_ci95_usd: changes.map(|changes| changes.median_hourly_usd.ci95),
                share_below_local_minimum_change: share.map(|share| share.map(|change| change.estimate)),
                share_below_local_minimum_change_ci95: share.map(|share| share.map(|change| change.ci95)),
                contains_simulated: cell.contains_simulated,
                contains_requester_data: cell.contains_requester_data,
            }
        })
        .collect();
    let period = |period: analysis::compare::Period| PeriodDocument {
        from: period.from.to_string(),
        to: period.to.to_string(),
    };
    let document = Document {
        schema: COMPARE_SCHEMA,
        method: report.method.to_string(),
        by: report.grouping.to_string(),
        currency_basis: report.currency_basis.as_str(),
        min_workers: report.min_workers,
        min_hours: report.min_hours,
        max_hourly_usd: report.max_hourly_usd,
        before: period(comparison.before),
        after: period(comparison.after),
        bootstrap: BootstrapDocument {
            replicates: comparison.bootstrap.replicates,
            seed: comparison.bootstrap.seed,
            confidence: 0.95,
            interval: "percentile",
            resampling: "workers, with replacement, independently within each period",
        },
        cells,
        notes: &comparison.notes,
        provenance,
    };
    Ok(serde_json::to_string_pretty(&document)? + "\n")
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |value| value.to_string())
}

/// A period's columns: n_workers, median, share, workers with a known minimum, fewer_than.
fn period_columns(figures: &PeriodFigures) -> [String; 5] {
    match figures {
        PeriodFigures::Published {
            n_workers,
            median_hourly_usd,
            share_below_local_minimum,
            n_workers_with_known_minimum,
        } => [
            n_workers.to_string(),
            median_hourly_usd.to_string(),
            number(*share_below_local_minimum),
            n_workers_with_known_minimum.to_string(),
            String::new(),
        ],
        PeriodFigures::Suppressed { n_workers_fewer_than } => {
            [String::new(), String::new(), String::new(), String::new(), n_workers_fewer_than.to_string()]
        }
    }
}

fn csv(comparison: &Comparison, provenance: &Provenance) -> String {
    let mut header: Vec<String> = dimensions(comparison).iter().map(|d| d.as_str().to_owned()).collect();
    header.push("suppressed".to_owned());
    for period in ["before", "after"] {
        for column in [
            "n_workers",
            "median_hourly_usd",
            "share_below_local_minimum",
            "n_workers_with_known_minimum",
            "n_workers_fewer_than",
        ] {
            header.push(format!("{period}_{column}"));
        }
    }
    header.extend(
        [
            "n_workers_in_both",
            "median_change_usd",
            "median_change_ci95_low_usd",
            "median_change_ci95_high_usd",
            "share_below_local_minimum_change",
            "share_below_local_minimum_change_ci95_low",
            "share_below_local_minimum_change_ci95_high",
            "contains_simulated",
            "contains_requester_data",
        ]
        .map(str::to_owned),
    );
    let mut out = header.join(",") + "\n";
    for cell in &comparison.cells {
        // Keys are codes and words, numbers have no commas: nothing needs quoting.
        let mut row: Vec<String> =
            dimensions(comparison).iter().map(|d| cell.key.value(*d).unwrap_or_default()).collect();
        row.push(cell.suppressed().to_string());
        row.extend(period_columns(&cell.before));
        row.extend(period_columns(&cell.after));
        let change = |change: Option<Change>| match change {
            Some(Change { estimate, ci95: [low, high] }) => {
                [estimate.to_string(), low.to_string(), high.to_string()]
            }
            None => [String::new(), String::new(), String::new()],
        };
        match &cell.changes {
            Some(changes) => {
                row.push(changes.n_workers_in_both.to_string());
                row.extend(change(Some(changes.median_hourly_usd)));
                row.extend(change(changes.share_below_local_minimum));
            }
            None => row.extend(std::iter::repeat_n(String::new(), 7)),
        }
        row.push(cell.contains_simulated.to_string());
        row.push(cell.contains_requester_data.to_string());
        out.push_str(&(row.join(",") + "\n"));
    }
    for line in notes(comparison).iter().chain(&provenance.lines()) {
        out.push_str(&format!("# {line}\n"));
    }
    out
}

/// The comparison's notes, with how to read its intervals first.
fn notes(comparison: &Comparison) -> Vec<String> {
    let mut notes = vec![format!(
        "Changes are after minus before. Each interval is the 95% percentile interval of {} bootstrap replicates (seed {}) that resample each period's workers with replacement, independently (Efron and Tibshirani 1993); an interval that excludes 0 indicates a change beyond sampling noise. See docs/methodology.md.",
        comparison.bootstrap.replicates, comparison.bootstrap.seed
    )];
    notes.extend(comparison.notes.iter().cloned());
    notes
}

fn signed(value: f64, decimals: usize) -> String {
    if value > 0.0 { format!("+{value:.decimals$}") } else { format!("{value:.decimals$}") }
}

fn points(share: f64) -> String {
    signed(share * 100.0, 1)
}

fn human(comparison: &Comparison, provenance: &Provenance, markdown_style: bool) -> String {
    let groups = dimensions(comparison);
    let mut header: Vec<String> = groups.iter().map(|g| g.as_str().to_owned()).collect();
    if groups.is_empty() {
        header.push("group".to_owned());
    }
    header.extend(
        [
            "workers before",
            "workers after",
            "median before $/h",
            "median after $/h",
            "change $/h",
            "95% CI",
            "below local min. before",
            "after",
            "change (points)",
            "95% CI ",
        ]
        .map(str::to_owned),
    );
    let mut rows = Vec::new();
    for cell in &comparison.cells {
        let mut row: Vec<String> =
            groups.iter().map(|g| cell.key.value(*g).unwrap_or_else(|| "unknown".to_owned())).collect();
        if groups.is_empty() {
            row.push("all workers".to_owned());
        }
        match (&cell.before, &cell.after, &cell.changes) {
            (
                PeriodFigures::Published {
                    n_workers: n_before,
                    median_hourly_usd: median_before,
                    share_below_local_minimum: share_before,
                    ..
                },
                PeriodFigures::Published {
                    n_workers: n_after,
                    median_hourly_usd: median_after,
                    share_below_local_minimum: share_after,
                    ..
                },
                Some(changes),
            ) => {
                let share =
                    |share: &Option<f64>| share.map_or("n/a".to_owned(), |s| format!("{:.1}%", s * 100.0));
                let [low, high] = changes.median_hourly_usd.ci95;
                row.extend([
                    n_before.to_string(),
                    n_after.to_string(),
                    format!("{median_before:.2}"),
                    format!("{median_after:.2}"),
                    signed(changes.median_hourly_usd.estimate, 2),
                    format!("{} to {}", signed(low, 2), signed(high, 2)),
                    share(share_before),
                    share(share_after),
                ]);
                match changes.share_below_local_minimum {
                    Some(Change { estimate, ci95: [low, high] }) => {
                        row.extend([points(estimate), format!("{} to {}", points(low), points(high))])
                    }
                    None => row.extend(["n/a".to_owned(), "n/a".to_owned()]),
                }
            }
            (before, after, _) => {
                let which = match (before, after) {
                    (
                        PeriodFigures::Suppressed { n_workers_fewer_than: k },
                        PeriodFigures::Suppressed { .. },
                    ) => {
                        format!("suppressed in both periods: fewer than {k} workers")
                    }
                    (PeriodFigures::Suppressed { n_workers_fewer_than: k }, _) => {
                        format!("suppressed before: fewer than {k} workers")
                    }
                    (_, PeriodFigures::Suppressed { n_workers_fewer_than: k }) => {
                        format!("suppressed after: fewer than {k} workers")
                    }
                    _ => "suppressed".to_owned(),
                };
                row.push(which);
                let missing = header.len() - row.len();
                row.extend(std::iter::repeat_n(String::new(), missing));
            }
        }
        rows.push(row);
    }
    let report = &comparison.before_report;
    let title = format!(
        "Change of effective hourly wages in {} from {} (before) to {} (after), method {}, {}; cells of {} in each period, each with at least {} counted hours",
        money(report),
        comparison.before,
        comparison.after,
        report.method,
        grouping_phrase(&groups),
        at_least_workers(report.min_workers),
        report.min_hours,
    );
    let text_columns = groups.len().max(1);
    let mut out = if markdown_style {
        format!("**{title}.**\n\n{}", markdown(&header, &rows, text_columns))
    } else {
        format!("{title}\n\n{}", aligned(&header, &rows, text_columns))
    };
    out.push_str(if markdown_style { "\nNotes:\n\n" } else { "\nNotes:\n" });
    for note in notes(comparison) {
        out.push_str(&format!("- {note}\n"));
    }
    out.push_str(if markdown_style { "\nProvenance:\n\n" } else { "\nProvenance:\n" });
    for line in provenance.lines() {
        out.push_str(&format!("- {line}\n"));
    }
    out
}
