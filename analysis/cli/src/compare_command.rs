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
use crate::check_report::Checked;
use crate::filter_args::FilterArgs;
use crate::open_input;
use crate::provenance::{ComparisonParameters, InputFacts, Parameters, Provenance, salt_name};
use crate::report_command::{self as report, InputsRead, Reading, Telling, read_inputs};

#[derive(Debug, Clone, Args)]
pub(crate) struct CompareArgs {
    /// Record files, CSV or JSON Lines (record format v1), plain or gzip, read in this order.
    /// Each is read once per period, so standard input cannot be one.
    #[arg(long, short, required_unless_present = "check", num_args = 1.., value_name = "FILE")]
    pub(crate) input: Vec<PathBuf>,
    /// The earlier period: records started from the first day to the last, both included
    /// (UTC), e.g. 2025-01-01..2025-03-31.
    #[arg(long, value_parser = parse_period, value_name = "FROM..TO", required_unless_present = "check", conflicts_with_all = ["from", "to"])]
    pub(crate) before: Option<Period>,
    /// The later period, which must start after the earlier one ends.
    #[arg(long, value_parser = parse_period, value_name = "FROM..TO", required_unless_present = "check", conflicts_with_all = ["from", "to"])]
    pub(crate) after: Option<Period>,
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
    /// Make the comparison COMPARISON.json again from its provenance (its periods, seed and
    /// parameters, on the inputs it names, or on those given with --input) and say whether every
    /// figure is the same: exit 0 if so, 1 naming the cells that differ. Refuses an input whose
    /// SHA-256 differs.
    #[arg(long, value_name = "COMPARISON.json", conflicts_with_all = ["before", "after", "method", "by", "min_workers", "min_hours", "max_hourly_usd", "currency_basis", "platform", "country", "seed", "replicates", "format", "out"])]
    pub(crate) check: Option<PathBuf>,
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
    if let Some(path) = &args.check {
        return check(path, &args);
    }
    let (Some(before), Some(after)) = (args.before, args.after) else {
        crate::usage_error("--before and --after are both needed");
    };
    if let Err(error) = compare::check_periods(before, after) {
        crate::usage_error(&format!("--before {before} and --after {after}: {error}"));
    }
    let selection = args.filters.filter().unwrap_or_else(|message| crate::usage_error(&message));
    let generated_at = report::generated_at(args.generated_at)?;
    let (comparison, provenance) = make(&args, Periods { before, after }, &selection, generated_at)?;
    let text = crate::compare_render::render(&comparison, args.format, &provenance)?;
    let mut output = Output::open(args.out.as_ref())?;
    output.writer().write_all(text.as_bytes()).context("cannot write the comparison")?;
    output.finish()
}

/// `piecerate compare --check`: the comparison made again with the periods, seed and
/// parameters of its provenance, by `report --check`'s machinery.
fn check(path: &std::path::Path, args: &CompareArgs) -> Result<()> {
    crate::check_report::check(path, &args.input, Checked::Comparison, |provenance, inputs| {
        let parameters = &provenance.parameters;
        let comparison = parameters.comparison.as_ref().expect("checked to be a comparison");
        let period = |name: &str, text: &str| -> Result<Period> {
            parse_period(text).map_err(|error| anyhow::anyhow!("{name}: {error}"))
        };
        let periods = Periods {
            before: period("before", &comparison.before)?,
            after: period("after", &comparison.after)?,
        };
        compare::check_periods(periods.before, periods.after)
            .map_err(|error| anyhow::anyhow!("before and after: {error}"))?;
        let field = |name: &'static str| move |error: String| anyhow::anyhow!("{name}: {error}");
        let again = CompareArgs {
            input: inputs.to_vec(),
            method: parameters.method.parse().map_err(field("method"))?,
            by: parameters.by.parse().map_err(field("by"))?,
            min_workers: parameters.min_workers,
            min_hours: parameters.min_hours,
            max_hourly_usd: parameters.max_hourly_usd,
            currency_basis: parameters.currency_basis.parse().map_err(field("currency_basis"))?,
            seed: comparison.seed,
            replicates: comparison.replicates,
            strict: parameters.strict,
            ..args.clone()
        };
        if !(compare::MIN_REPLICATES..=1_000_000).contains(&again.replicates) {
            bail!("replicates: {} is not from {} to 1,000,000", again.replicates, compare::MIN_REPLICATES);
        }
        let selection = parameters.filters.filter().context("the provenance's filters")?;
        let generated_at = crate::check_report::recorded_time(provenance)?;
        let (comparison, made) = make(&again, periods, &selection, generated_at)?;
        Ok((crate::compare_render::render(&comparison, CompareFormat::Json, &made)?, made))
    })
}

/// The two periods of a comparison, checked.
#[derive(Debug, Clone, Copy)]
struct Periods {
    before: Period,
    after: Period,
}

/// Reads the inputs once per period and compares them, with the flags of `args`: the
/// comparison and its provenance.
fn make(
    args: &CompareArgs,
    periods: Periods,
    selection: &RecordFilter,
    generated_at: Timestamp,
) -> Result<(compare::Comparison, Provenance)> {
    let Periods { before: before_period, after: after_period } = periods;
    if let Some(stdin) = args.input.iter().find(|path| open_input::is_stdin(path)) {
        bail!(
            "{}: compare reads its inputs once for each period, and standard input cannot be read twice; give the records as a file",
            open_input::name(stdin)
        );
    }
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
    let before = read_inputs(&reading, &period_filter(before_period), &args.input, Telling::Everything)?;
    let after = read_inputs(&reading, &period_filter(after_period), &args.input, Telling::Nothing)?;
    let names: Vec<String> = args.input.iter().map(|path| open_input::name(path)).collect();
    let valid = before.total.records + before.total.filtered_out;
    if valid == 0 {
        bail!(
            "no record was read from {}, so there is nothing to compare{}",
            names.join(", "),
            before.first_reasons
        );
    }
    for (flag, period, read) in [("--before", before_period, &before), ("--after", after_period, &after)] {
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
        before_period,
        after_period,
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
    let parameters = Parameters {
        comparison: Some(ComparisonParameters {
            before: before_period.to_string(),
            after: after_period.to_string(),
            seed: args.seed,
            replicates: args.replicates,
        }),
        ..Parameters::of(&reading.options, args.strict, false, selection)
    };
    let salts = salts.keys().map(|salt| salt_name(*salt)).collect();
    let provenance = Provenance::new(generated_at, parameters, facts, repeated, salts);
    Ok((comparison, provenance))
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
