//! The renderings of a report: JSON (`piecerate.report/1`, the library's own shape), CSV (the
//! library's rendering), and three for people, an aligned terminal table, a GitHub Markdown
//! table (with a methods paragraph, `methods_paragraph.rs`) and a LaTeX table for papers
//! (`render_latex.rs`), each followed by the notes a reader needs to interpret the figures.

use analysis::report::{
    Cell, CellMinimumWage, CellStatistics, CurrencyBasis, Dimension, Report, ReportDocument,
};
use anyhow::Result;
use clap::ValueEnum;
use serde::Serialize;

use crate::provenance::Provenance;

/// The renderings, as `piecerate report --format` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// An aligned table for the terminal.
    Table,
    /// The `piecerate.report/1` document.
    Json,
    /// One row per cell.
    Csv,
    /// A GitHub table for a published report, with a methods paragraph.
    Markdown,
    /// A LaTeX table (booktabs) for a paper.
    Latex,
    /// The cells as an Apache Parquet table, the CSV's columns typed (binary: needs --out or a
    /// redirection).
    Parquet,
}

/// What went into the report, for the human renderings' footer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputSummary {
    pub files: usize,
    pub records: u64,
    pub bad_lines: u64,
}

/// The `piecerate.report/1` document with the object `provenance` after its other keys.
#[derive(Serialize)]
struct WithProvenance<'a> {
    #[serde(flatten)]
    document: ReportDocument<'a>,
    provenance: &'a Provenance,
}

pub(crate) fn render(
    report: &Report,
    format: Format,
    input: &InputSummary,
    provenance: &Provenance,
) -> Result<String> {
    Ok(match format {
        Format::Json => {
            serde_json::to_string_pretty(&WithProvenance { document: report.document(), provenance })? + "\n"
        }
        Format::Csv => {
            // The rows first, for any CSV reader; then the provenance as comment lines, which
            // pandas (`comment="#"`), R and DuckDB can be told to skip.
            let mut csv = report.to_csv();
            for line in report.notes.iter().chain(&provenance.lines()) {
                csv.push_str(&format!("# {line}\n"));
            }
            csv
        }
        Format::Table => human(report, input, provenance, Style::Terminal),
        Format::Markdown => human(report, input, provenance, Style::Markdown),
        Format::Latex => {
            crate::render_latex::render(report, &title(report), &footer_notes(report, input), provenance)
        }
        Format::Parquet => anyhow::bail!("a Parquet report is a table, not text (report_command writes it)"),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Terminal,
    Markdown,
}

/// The columns of the human renderings: title and how to read it from a cell's statistics.
type Column = (&'static str, fn(&CellStatistics) -> String);

const COLUMNS: [Column; 14] = [
    ("workers", |s| s.n_workers.to_string()),
    ("tasks", |s| s.n_tasks.to_string()),
    ("paid h", |s| format!("{:.1}", s.hours_paid)),
    ("unpaid h", |s| format!("{:.1}", s.hours_unpaid)),
    ("median $/h", |s| format!("{:.2}", s.median_hourly_usd)),
    ("95% CI of median", |s| {
        s.median_ci95_usd.map_or("n/a".to_owned(), |[lo, hi]| format!("{lo:.2}–{hi:.2}"))
    }),
    ("mean $/h", |s| format!("{:.2}", s.mean_hourly_usd)),
    ("95% CI of mean", |s| {
        // Outward to the cent, like the library's ends to 4 decimals.
        s.mean_ci95_usd.map_or("n/a".to_owned(), |[lo, hi]| {
            format!("{:.2}–{:.2}", (lo * 100.0 + 1e-6).floor() / 100.0, (hi * 100.0 - 1e-6).ceil() / 100.0)
        })
    }),
    ("p10", |s| format!("{:.2}", s.p10_hourly_usd)),
    ("p25", |s| format!("{:.2}", s.p25_hourly_usd)),
    ("p75", |s| format!("{:.2}", s.p75_hourly_usd)),
    ("p90", |s| format!("{:.2}", s.p90_hourly_usd)),
    ("below $7.25 (95% CI)", |s| {
        share_with_interval(s.share_below_usd_7_25, Some(s.share_below_usd_7_25_ci95))
    }),
    ("below local minimum (95% CI)", |s| {
        s.share_below_local_minimum
            .map_or("n/a".to_owned(), |share| share_with_interval(share, s.share_below_local_minimum_ci95))
    }),
];

/// A share and its Wilson interval, `92.3% (85.1–96.2)`: the interval's ends are rounded
/// outward, like the library's, so that the printed interval still covers what it computed (the
/// nudge keeps an end already on a tenth of a percent, 0.6 = 600.0000000000001 ‰, where it is).
fn share_with_interval(share: f64, interval: Option<[f64; 2]>) -> String {
    match interval {
        Some([low, high]) => format!(
            "{} ({:.1}–{:.1})",
            percent(share),
            (low * 1000.0 + 1e-6).floor() / 10.0,
            (high * 1000.0 - 1e-6).ceil() / 10.0
        ),
        None => percent(share),
    }
}

/// What the report's money is.
pub(crate) fn money(report: &Report) -> &'static str {
    if report.currency_basis == CurrencyBasis::Ppp {
        "international dollars at purchasing-power parity"
    } else {
        "US dollars"
    }
}

/// A cell's minimum wage for the table: `11.44 GBP/h since 2024-04-01`, or why there is none.
fn threshold(minimum: &CellMinimumWage) -> String {
    match (minimum.hourly_local, &minimum.currency, &minimum.in_force_from) {
        (Some(hourly), Some(currency), Some(since)) => {
            let lowest = if minimum.basis == Some("lowest_regional") { " (lowest regional)" } else { "" };
            format!("{hourly:.2} {currency}/h since {since}{lowest}")
        }
        _ if minimum.status == "none" => "no statutory minimum".to_owned(),
        _ => "not known".to_owned(),
    }
}

/// One note per distinct minimum wage the report's cells used, with its source, and one per
/// reason a cell had none.
fn thresholds_used(report: &Report) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for cell in &report.cells {
        let (Some(minimum), Some(Some(country))) = (&cell.minimum_wage, cell.key.country) else { continue };
        let line = match (&minimum.reason, minimum.source) {
            (Some(reason), _) => format!("Local minimum of {country}: not compared: {reason}."),
            (None, Some(source)) => format!(
                "Local minimum of {country}: {} (latest in force in the cell; source: {source}; worth {:.2} {} per hour on average over the cell's hours).",
                threshold(minimum),
                minimum.hourly_usd.unwrap_or_default(),
                if report.currency_basis == CurrencyBasis::Ppp {
                    "international dollars"
                } else {
                    "US dollars"
                }
            ),
            (None, None) => continue,
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn group_value(cell: &Cell, dimension: Dimension) -> String {
    cell.key.value(dimension).unwrap_or_else(|| "unknown".to_owned())
}

fn human(report: &Report, input: &InputSummary, provenance: &Provenance, style: Style) -> String {
    let groups: Vec<Dimension> = report.grouping.dimensions().to_vec();
    let mut header: Vec<String> = groups.iter().map(|g| g.as_str().to_owned()).collect();
    if groups.is_empty() {
        header.push("group".to_owned());
    }
    // Several methods side by side: a row per cell and method, and how many of the cell's
    // workers the method gives no wage.
    let side_by_side = !report.methods.is_empty();
    if side_by_side {
        header.push("method".to_owned());
    }
    header.extend(COLUMNS.iter().map(|(title, _)| title.to_string()));
    if side_by_side {
        header.insert(header.len() - COLUMNS.len() + 1, "no wage".to_owned());
    }
    let text_columns = groups.len().max(1) + usize::from(side_by_side);
    let by_country = groups.contains(&Dimension::Country);
    if by_country {
        header.push("local minimum used".to_owned());
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for cell in &report.cells {
        let mut row: Vec<String> = groups.iter().map(|g| group_value(cell, *g)).collect();
        if groups.is_empty() {
            row.push("all workers".to_owned());
        }
        if side_by_side {
            row.push(cell.method.map(|method| method.to_string()).unwrap_or_default());
        }
        match &cell.statistics {
            Some(statistics) => {
                row.extend(COLUMNS.iter().map(|(_, value)| value(statistics)));
                if side_by_side {
                    let without = statistics.n_workers_without_wage.unwrap_or(0).to_string();
                    row.insert(text_columns + 1, without);
                }
                if by_country {
                    row.push(cell.minimum_wage.as_ref().map_or_else(String::new, threshold));
                }
            }
            None => {
                let k = cell.n_workers_fewer_than.unwrap_or(report.min_workers);
                row.push(format!("suppressed: fewer than {k} workers"));
                row.extend(
                    (1..COLUMNS.len() + usize::from(by_country) + usize::from(side_by_side))
                        .map(|_| String::new()),
                );
            }
        }
        rows.push(row);
    }
    let mut out = String::new();
    let title = title(report);
    match style {
        Style::Terminal => {
            out.push_str(&title);
            out.push_str("\n\n");
            out.push_str(&aligned(&header, &rows, text_columns));
        }
        Style::Markdown => {
            out.push_str(&format!("**{title}.**\n\n"));
            out.push_str(&markdown(&header, &rows, text_columns));
        }
    }
    if report.cells.is_empty() {
        out.push_str("(no records: the report has no cells)\n");
    }
    out.push('\n');
    out.push_str(&footer(report, input, style));
    if style == Style::Markdown {
        out.push_str(&format!(
            "\nMethods: {}\n",
            crate::methods_paragraph::paragraph(report, provenance).replace('|', "\\|")
        ));
    }
    out.push_str(if style == Style::Markdown { "\nProvenance:\n\n" } else { "\nProvenance:\n" });
    for line in provenance.lines() {
        out.push_str(&format!("- {line}\n"));
    }
    out
}

/// What the table shows, in one sentence without its full stop.
fn title(report: &Report) -> String {
    let groups = report.grouping.dimensions();
    let method = if report.methods.is_empty() {
        format!("method {}", report.method)
    } else {
        let names: Vec<String> = report.methods.iter().map(ToString::to_string).collect();
        format!("methods {} side by side on the workers counted under {}", names.join(", "), report.method)
    };
    format!(
        "Effective hourly wages in {}, {method}, {}; cells of {}, each with at least {} counted hours",
        money(report),
        grouping_phrase(groups),
        at_least_workers(report.min_workers),
        report.min_hours
    )
}

/// How a table's rows are grouped, for its title: `by platform, country`.
pub(crate) fn grouping_phrase(groups: &[Dimension]) -> String {
    if groups.is_empty() {
        "all workers together".to_owned()
    } else {
        format!("by {}", groups.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", "))
    }
}

/// A cell's smallest number of workers, for a table's title: `at least 10 workers`.
pub(crate) fn at_least_workers(min_workers: u32) -> String {
    format!("at least {min_workers} worker{}", if min_workers == 1 { "" } else { "s" })
}

pub(crate) fn aligned(header: &[String], rows: &[Vec<String>], text_columns: usize) -> String {
    let width = |column: usize| {
        rows.iter()
            // A suppressed cell's note runs on past its column rather than widening it.
            .filter(|row| !row[column].starts_with("suppressed"))
            .map(|row| row[column].chars().count())
            .chain([header[column].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (column, value) in row.iter().enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            let padding = widths[column].saturating_sub(value.chars().count());
            // Labels read left to right; numbers line up on the right.
            if column < text_columns || value.starts_with("suppressed") {
                line.push_str(value);
                line.push_str(&" ".repeat(padding));
            } else {
                line.push_str(&" ".repeat(padding));
                line.push_str(value);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(crate) fn markdown(header: &[String], rows: &[Vec<String>], text_columns: usize) -> String {
    let escape = |text: &str| text.replace('|', "\\|");
    let mut out = format!("| {} |\n|", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "));
    for column in 0..header.len() {
        out.push_str(if column < text_columns { " --- |" } else { " ---: |" });
    }
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |\n", row.iter().map(|v| escape(v)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

fn footer(report: &Report, input: &InputSummary, style: Style) -> String {
    let mut out = String::from(if style == Style::Markdown { "Notes:\n\n" } else { "Notes:\n" });
    for note in footer_notes(report, input) {
        out.push_str(&format!("- {note}\n"));
    }
    out
}

/// The notes a reader needs under the table: the report's own, what was left out and read, how
/// wages are made, and each minimum wage used with its source.
fn footer_notes(report: &Report, input: &InputSummary) -> Vec<String> {
    let mut notes: Vec<String> = report.notes.clone();
    // A worker-cell pair with no counted time at all (under `paid`, a worker whose tasks in the
    // cell all paid nothing) is left out whatever --min-hours says, so the note says so.
    let why = if report.min_hours > 0.0 {
        format!("with fewer than {} counted hours (or none under method {})", report.min_hours, report.method)
    } else {
        format!("with no counted hours under method {}", report.method)
    };
    notes.push(format!(
        "{} worker-cell pair{} {why} {} left out of the statistics.",
        report.excluded_workers,
        if report.excluded_workers == 1 { "" } else { "s" },
        if report.excluded_workers == 1 { "was" } else { "were" },
    ));
    notes.push(format!(
        "Read {} record{} from {} file{}{}.",
        input.records,
        if input.records == 1 { "" } else { "s" },
        input.files,
        if input.files == 1 { "" } else { "s" },
        match input.bad_lines {
            0 => String::new(),
            1 => "; 1 bad line was skipped".to_owned(),
            n => format!("; {n} bad lines were skipped"),
        }
    ));
    notes.push(format!(
        "Wages are earnings converted to {} at the month's exchange rate, divided by the hours counted under method {}; see docs/methodology.md.",
        money(report),
        report.method
    ));
    notes.extend(thresholds_used(report));
    notes
}
