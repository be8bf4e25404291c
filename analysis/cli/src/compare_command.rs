//! `piecerate compare --before FROM..TO --after FROM..TO`: the same inputs read as two reports,
//! one per period, and per cell the change of the median wage and of the share below the local
//! minimum with bootstrap intervals (the library's `compare`), rendered by `compare_render.rs`.

use std::io::Write;
use std::path::PathBuf;

use analysis::compare::{self, Bootstrap, Period};
use analysis::record_filter::RecordFilter;
use analysis::report::{CurrencyBasis, Grouping};
use analysis::{Method, ReportOptions, Timestamp};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use crate::Output;
use crate::filter_args::FilterArgs;
use crate::open_input;
use crate::provenance::{
    ComparisonParameters, FilterParameters, InputFacts, Parameters, Provenance, reference_tables, salt_name,
};
use crate::report_command::{self as report, InputsRead, Reading, Telling, read_inputs};

#[derive(Debug, Clone, Args)]
pub(crate) struct CompareArgs {
    /// Record files, CSV or JSON Lines (record format v1), plain or gzip, read in this order.
    /// Each is read once per period, so standard input cannot be one.
    #[arg(long, short, required = true, num_args = 1.., value_name = "FILE")]
    pub(crate) input: Vec<PathBuf>,
    /// The earlier period: records started from the first day to the last, both included
    /// (UTC), e.g. 2025-01-01..2025-03-31.
    #[arg(long, value_parser = parse_period, value_name = "FROM..TO", conflicts_with_all = ["from", "to"])]
    pub(crate) before: Period,
    /// The later period, which must start after the earlier one ends.
    #[arg(long, value_parser = parse_period, value_name = "FROM..TO", conflicts_with_all = ["from", "to"])]
    pub(crate) after: Period,
    /// Which hours a wage divides by: all, paid, task, or session:M.
    #[arg(long, default_value = "all", value_parser = report::parse_method)]
    pub(crate) method: Method,
    /// Group workers by any of platform, country, month, category, comma-separated.
    #[arg(long, default_value = "", value_parser = report::parse_grouping, value_name = "DIMENSIONS")]
    pub(crate) by: Grouping,
    /// Cells with fewer workers in a period publish no figure for it, and no change.
    #[arg(long, default_value_t = analysis::report::MIN_PUBLISHED_WORKERS, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..), value_name = "K")]
    pub(crate) min_workers: u32,
    /// Workers with fewer counted hours than this in a cell and period are left out of it.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MIN_HOURS, allow_negative_numbers = true, value_parser = report::parse_min_hours, value_name = "H")]
    pub(crate) min_hours: f64,
    /// Workers whose effective hourly wage in a cell is above this are left out as implausible.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MAX_HOURLY_USD, allow_negative_numbers = true, value_parser = report::parse_max_hourly_usd, value_name = "USD")]
    pub(crate) max_hourly_usd: f64,
    /// Money in US dollars at market rates (usd), or international dollars at PPP (ppp).
    #[arg(long, default_value = "usd", value_parser = report::parse_currency_basis, value_name = "BASIS")]
    pub(crate) currency_basis: CurrencyBasis,
    /// --platform and --country choose records as in `report`; the periods replace --from/--to.
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
    /// The seed of the bootstrap's random draws: the same seed, inputs and flags give the same
    /// intervals, byte for byte.
    #[arg(long, default_value_t = compare::DEFAULT_SEED, allow_negative_numbers = true, value_name = "N")]
    pub(crate) seed: u64,
    /// Bootstrap replicates per cell.
    #[arg(long, default_value_t = compare::DEFAULT_REPLICATES, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(i64::from(compare::MIN_REPLICATES)..=1_000_000), value_name = "N")]
    pub(crate) replicates: u32,
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub(crate) format: CompareFormat,
    /// Write the comparison here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
    /// Stop at the first bad line (exit status 1) instead of skipping bad lines.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Threads reading each large file (default: the number of cores).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) threads: Option<u16>,
    /// When the comparison was made, as its provenance records it (RFC 3339); default
    /// SOURCE_DATE_EPOCH, else now.
    #[arg(long, value_parser = report::parse_generated_at, value_name = "TIME")]
    pub(crate) generated_at: Option<Timestamp>,
}

/// The renderings of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompareFormat {
    /// An aligned table for the terminal.
    Table,
    /// The `piecerate.compare/1` document.
    Json,
    /// One row per cell.
    Csv,
    /// A GitHub table for a published report.
    Markdown,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse().map_err(|error: compare::PeriodError| error.to_string())
}

pub(crate) fn run(args: CompareArgs) -> Result<()> {
    if let Err(error) = compare::check_periods(args.before, args.after) {
        crate::usage_error(&format!("--before {} and --after {}: {error}", args.before, args.after));
    }
    let selection = args.filters.filter().unwrap_or_else(|message| crate::usage_error(&message));
    if let Some(stdin) = args.input.iter().find(|path| open_input::is_stdin(path)) {
        bail!(
            "{}: compare reads its inputs once for each period, and standard input cannot be read twice; give the records as a file",
            open_input::name(stdin)
        );
    }
    let generated_at = report::generated_at(args.generated_at)?;
    let reading = Reading {
        options: ReportOptions {
            method: args.method,
            grouping: args.by.clone(),
            min_workers: args.min_workers,
            min_hours: args.min_hours,
            max_hourly_usd: args.max_hourly_usd,
            currency_basis: args.currency_basis,
        },
        strict: args.strict,
        threads: args.threads,
    };
    let period_filter = |period: Period| {
        RecordFilter::new(Some(period.from), Some(period.to), selection.platforms(), selection.countries())
            .expect("a checked period and the checked selection")
    };
    // Bad lines and warnings are told once, by the first reading; the second reads the same
    // bytes and keeps the other period's records.
    let before = read_inputs(&reading, &period_filter(args.before), &args.input, Telling::Everything)?;
    let after = read_inputs(&reading, &period_filter(args.after), &args.input, Telling::Nothing)?;
    let names: Vec<String> = args.input.iter().map(|path| open_input::name(path)).collect();
    let valid = before.total.records + before.total.filtered_out;
    if valid == 0 {
        bail!(
            "no record was read from {}, so there is nothing to compare{}",
            names.join(", "),
            before.first_reasons
        );
    }
    for (flag, period, read) in [("--before", args.before, &before), ("--after", args.after, &after)] {
        if read.total.records == 0 {
            bail!(
                "none of the {valid} records read is in the period {flag} {period}{}, so there is nothing to compare; the records read started from {} to {}",
                if selection.is_everything() { String::new() } else { format!(" and kept by {selection}") },
                first_of(&before.facts, &after.facts).unwrap_or_default(),
                last_of(&before.facts, &after.facts).unwrap_or_default(),
            );
        }
    }
    let facts = combined_facts(&before.facts, &after.facts);
    let InputsRead { builder, total, mut salts, mixed_salts: told, .. } = before;
    // The import salts of the records of both periods.
    for (salt, names) in after.salts {
        let known = salts.entry(salt).or_default();
        known.extend(names.into_iter().filter(|name| !known.contains(name)).collect::<Vec<_>>());
    }
    let mixed_salts = (salts.len() > 1).then(|| report::mixed_salts_warning(&salts));
    if let Some(warning) = &mixed_salts
        && args.strict
    {
        bail!("{warning} (--strict refuses a comparison that mixes import salts)");
    }
    if let Some(warning) = &mixed_salts
        && told.is_none()
    {
        // Only the records of both periods together mix salts: the first reading did not say so.
        writeln!(std::io::stderr(), "piecerate: warning: {warning}")?;
    }
    let repeated = total.repeated;
    let mut comparison = compare::compare(
        args.before,
        args.after,
        builder.finish_with_samples(),
        after.builder.finish_with_samples(),
        Bootstrap { replicates: args.replicates, seed: args.seed },
    );
    if repeated > 0 {
        comparison.notes.push(format!(
            "{repeated} record{} whose record_id had already been read {} left out, so that no record counts twice.",
            if repeated == 1 { "" } else { "s" },
            if repeated == 1 { "was" } else { "were" },
        ));
    }
    if !selection.is_everything() {
        comparison.notes.push(format!("Only the records kept by {selection} are compared."));
    }
    if let Some(warning) = mixed_salts {
        comparison.notes.push(format!("Warning: {warning}"));
    }
    let provenance = Provenance {
        tool: "piecerate".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: option_env!("PIECERATE_GIT_COMMIT").map(str::to_owned),
        generated_at: generated_at.to_string(),
        parameters: Parameters {
            method: args.method.to_string(),
            by: args.by.to_string(),
            min_workers: args.min_workers,
            min_hours: args.min_hours,
            max_hourly_usd: args.max_hourly_usd,
            currency_basis: args.currency_basis.as_str().to_owned(),
            strict: args.strict,
            disclosure_control: false,
            filters: FilterParameters::of(&selection),
            comparison: Some(ComparisonParameters {
                before: args.before.to_string(),
                after: args.after.to_string(),
                seed: args.seed,
                replicates: args.replicates,
            }),
        },
        inputs: facts,
        repeated_records: repeated,
        import_salts: salts.keys().map(|salt| salt_name(*salt)).collect(),
        reference_tables: reference_tables(),
    };
    let text = crate::compare_render::render(&comparison, args.format, &provenance)?;
    let mut output = Output::open(args.out.as_ref())?;
    output.writer().write_all(text.as_bytes()).context("cannot write the comparison")?;
    output.finish()
}

fn first_of(before: &[InputFacts], after: &[InputFacts]) -> Option<String> {
    before.iter().chain(after).filter_map(|input| input.first_started_at.clone()).min()
}

fn last_of(before: &[InputFacts], after: &[InputFacts]) -> Option<String> {
    before.iter().chain(after).filter_map(|input| input.last_started_at.clone()).max()
}

/// Each input as the two readings saw it together: its records in either period (the periods
/// share no day, so none counts twice), and those in neither as filtered out. Hashes, bad
/// lines and repeats are the first reading's (the second reads the same bytes).
fn combined_facts(before: &[InputFacts], after: &[InputFacts]) -> Vec<InputFacts> {
    before
        .iter()
        .zip(after)
        .map(|(earlier, later)| InputFacts {
            records: earlier.records + later.records,
            filtered_out_records: earlier.filtered_out_records - later.records,
            first_started_at: first_of(std::slice::from_ref(earlier), std::slice::from_ref(later)),
            last_started_at: last_of(std::slice::from_ref(earlier), std::slice::from_ref(later)),
            import_salts: {
                let mut salts = earlier.import_salts.clone();
                salts.extend(later.import_salts.iter().cloned());
                salts.sort();
                salts.dedup();
                salts
            },
            ..earlier.clone()
        })
        .collect()
}
