//! The methods paragraph of a report's Markdown rendering: what was counted, how, from what data,
//! with which parameters and reference tables, in sentences a paper can start from. Every
//! sentence is made from the report and its provenance, so it says what this report did and
//! cannot go stale when a default or a table changes.

use analysis::Method;
use analysis::report::{CurrencyBasis, MEAN_BOOTSTRAP_RESAMPLES, MEAN_BOOTSTRAP_SEED, Report};

use crate::provenance::Provenance;

/// The hours a method divides earnings by, as the end of a sentence.
fn counted_hours(method: Method) -> String {
    match method {
        Method::Paid => "the active time of the tasks that paid something".to_owned(),
        Method::Task => {
            "the active time of all their tasks, including returned, rejected, abandoned and screened-out ones"
                .to_owned()
        }
        Method::All => "the active time of all their tasks plus every record of unpaid time (searching for work, qualification tests, screeners, communication, administration)".to_owned(),
        Method::Session { max_gap_minutes } => format!(
            "the active time of all their tasks and unpaid records plus the gaps of at most {max_gap_minutes} minute{} between consecutive records of a worker on one platform",
            if max_gap_minutes == 1 { "" } else { "s" }
        ),
    }
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The paragraph, one string without line breaks.
pub(crate) fn paragraph(report: &Report, provenance: &Provenance) -> String {
    let mut sentences: Vec<String> = Vec::new();
    let records: u64 = provenance.inputs.iter().map(|input| input.records).sum();
    let first = provenance.inputs.iter().filter_map(|input| input.first_started_at.as_deref()).min();
    let last = provenance.inputs.iter().filter_map(|input| input.last_started_at.as_deref()).max();
    let period = match (first, last) {
        (Some(first), Some(last)) => format!(", started between {} and {}", &first[..10], &last[..10]),
        _ => String::new(),
    };
    let files: Vec<String> = provenance
        .inputs
        .iter()
        .map(|input| format!("{} (SHA-256 {}…)", input.name, &input.sha256[..input.sha256.len().min(12)]))
        .collect();
    sentences.push(format!(
        "Effective hourly wages were computed with piecerate {}{} from {} in record format v1{period}, read from {}: {}.",
        provenance.version,
        provenance.commit.as_deref().map_or_else(String::new, |commit| format!(" (commit {})", &commit[..commit.len().min(12)])),
        plural(records, "record", "records"),
        plural(provenance.inputs.len() as u64, "file", "files"),
        files.join(", ")
    ));
    let filters = &provenance.parameters.filters;
    let mut kept = Vec::new();
    if let Some(from) = &filters.from {
        kept.push(format!("records started on or after {from}"));
    }
    if let Some(to) = &filters.to {
        kept.push(format!("records started on or before {to}"));
    }
    if let Some(platform) = &filters.platform {
        kept.push(format!("platform {platform}"));
    }
    if let Some(country) = &filters.country {
        kept.push(format!("country {country}"));
    }
    if !kept.is_empty() {
        sentences.push(format!("Only {} were kept.", kept.join(", ")));
    }
    if provenance.repeated_records > 0 {
        sentences.push(format!(
            "{} whose record_id had already been read counted once.",
            plural(provenance.repeated_records, "record", "records")
        ));
    }
    let money = match report.currency_basis {
        CurrencyBasis::Usd => "converted to US dollars at the exchange rate of the month each record started",
        CurrencyBasis::Ppp => {
            "converted to international dollars at purchasing-power parity (World Bank PPP conversion factor for GDP) through the worker's country and the month each record started"
        }
    };
    sentences.push(format!(
        "A worker's effective hourly wage is their earnings (rewards and bonuses of submitted, approved and screened-out tasks), {money}, divided by {} (method {}).",
        counted_hours(report.method),
        report.method
    ));
    if !report.methods.is_empty() {
        let others: Vec<String> = report
            .methods
            .iter()
            .filter(|method| **method != report.method)
            .map(|method| format!("method {method}, which divides by {}", counted_hours(*method)))
            .collect();
        sentences.push(format!(
            "The same wage was also computed under {}, on the same workers: in each group, those counted under method {} (the broadest), so that the methods compare the same people; a worker with no hour counted under a method has no wage under it and is reported as such, outside that method's wage statistics.",
            others.join(", and "),
            report.method
        ));
    }
    let grouping = if report.grouping.dimensions().is_empty() {
        "All workers form one group".to_owned()
    } else {
        format!(
            "Workers were grouped by {}",
            report.grouping.dimensions().iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
        )
    };
    let cap = match report.currency_basis {
        CurrencyBasis::Usd => format!("US${}", report.max_hourly_usd),
        CurrencyBasis::Ppp => format!("{} international dollars", report.max_hourly_usd),
    };
    sentences.push(format!(
        "{grouping}; in each group, workers with fewer than {} counted hours ({}) or an effective wage above {cap} an hour ({}, as implausible) were left out, and groups of fewer than {} were suppressed.",
        report.min_hours,
        plural(report.excluded_workers, "worker-group pair", "worker-group pairs"),
        plural(report.excluded_implausible, "pair", "pairs"),
        plural(u64::from(report.min_workers), "worker", "workers")
    ));
    sentences.push(format!(
        "For each group we report the mean wage with a percentile bootstrap 95% interval ({MEAN_BOOTSTRAP_RESAMPLES} resamples, ChaCha8 seed {MEAN_BOOTSTRAP_SEED}; Efron and Tibshirani 1993), the median with a distribution-free 95% interval from binomial order statistics, the 10th, 25th, 75th and 90th percentiles (linear interpolation), and the shares of workers below US$7.25 an hour and below the statutory minimum wage in force in their country in each month of their counted time, each with Wilson's 95% score interval (Wilson 1927; Brown, Cai and DasGupta 2001)."
    ));
    if let Some(rules) = &report.disclosure {
        sentences.push(format!(
            "Figures were rounded for publication: task counts to multiples of {}, hours to multiples of {}, and in groups of fewer than {} workers the wage statistics and their intervals to multiples of US${} (intervals outward).",
            rules.n_tasks_rounding_base, rules.hours_rounding_base, rules.exact_quantiles_min_workers, rules.small_cell_wage_step_usd
        ));
    }
    let tables: Vec<String> = provenance
        .reference_tables
        .iter()
        // The ISO lists have no period; the PPP factors matter only to a report in PPP.
        .filter(|table| table.latest.is_some())
        .filter(|table| report.currency_basis == CurrencyBasis::Ppp || table.file != "ppp_factors.csv")
        .map(|table| {
            format!(
                "{} ({}, {} rows to {}, SHA-256 {})",
                table.name,
                table.file,
                table.rows,
                table.latest.as_deref().unwrap_or_default(),
                table.sha256
            )
        })
        .collect();
    sentences.push(format!(
        "Reference tables shipped with piecerate (sources in analysis/data/SOURCES.md): {}.",
        tables.join("; ")
    ));
    if report.cells.iter().any(|cell| cell.contains_requester_data) {
        sentences.push("Some workers come from requester-side exports, whose times run from accept to submit, so their wages are lower bounds.".to_owned());
    }
    if report.cells.iter().any(|cell| cell.contains_simulated) {
        sentences.push(
            "Some workers are synthetic, made by piecerate simulate; their figures are not observations."
                .to_owned(),
        );
    }
    sentences.join(" ")
}
