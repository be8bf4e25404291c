//! `piecerate report`: record files in, a wage report out, with its provenance; and
//! `piecerate report --check`, which makes a report again from its provenance
//! (`check_report.rs`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use analysis::import::SaltFingerprint;
use analysis::record_filter::RecordFilter;
use analysis::report::{CurrencyBasis, Grouping, Report, WorkerWage};
use analysis::report_reader::{ReadSettings, ReadSummary, RecordIds};
use analysis::{Method, ReportBuilder, ReportOptions, Timestamp};
use anyhow::{Context, Result, bail};
use clap::Args;

use crate::Output;
use crate::filter_args::FilterArgs;
use crate::open_input;
use crate::problems::Problems;
use crate::provenance::{InputFacts, Parameters, Provenance, salt_name};
use crate::read_input::read_file;
use crate::render::{Format, InputSummary, render};

/// What a report is made from and every parameter that shapes its figures: the flags `report`
/// and `workers` share, so that the per-worker rows are those of the same report.
#[derive(Debug, Clone, Args)]
pub(crate) struct ReportInputArgs {
    /// Record files, CSV or JSON Lines (record format v1), plain or gzip, read in this order;
    /// `-` is standard input.
    #[arg(long, short, num_args = 1.., value_name = "FILE")]
    pub(crate) input: Vec<PathBuf>,
    /// Which hours a wage divides by: all, paid, task, or session:M (gaps of up to M minutes
    /// between records count as unpaid time).
    #[arg(long, default_value = "all", value_parser = parse_method)]
    pub(crate) method: Method,
    /// Group workers by any of platform, country, month, category, comma-separated.
    #[arg(long, default_value = "", value_parser = parse_grouping, value_name = "DIMENSIONS")]
    pub(crate) by: Grouping,
    /// Cells with fewer workers publish no statistics. Published reports should keep 10.
    #[arg(long, default_value_t = analysis::report::MIN_PUBLISHED_WORKERS, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..), value_name = "K")]
    pub(crate) min_workers: u32,
    /// Workers with fewer counted hours than this in a cell are left out of its statistics.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MIN_HOURS, allow_negative_numbers = true, value_parser = parse_min_hours, value_name = "H")]
    pub(crate) min_hours: f64,
    /// Workers whose effective hourly wage in a cell is above this are left out of its
    /// statistics as implausible (no microtask pays it) and counted; the same number under
    /// --currency-basis ppp.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MAX_HOURLY_USD, allow_negative_numbers = true, value_parser = parse_max_hourly_usd, value_name = "USD")]
    pub(crate) max_hourly_usd: f64,
    /// Money in US dollars at market rates (usd), or in international dollars at
    /// purchasing-power parity through each worker's country (ppp).
    #[arg(long, default_value = "usd", value_parser = parse_currency_basis, value_name = "BASIS")]
    pub(crate) currency_basis: CurrencyBasis,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
    /// Stop at the first bad line (exit status 1) instead of skipping bad lines.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Threads reading each large file (default: the number of cores).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) threads: Option<u16>,
    /// When the report was made, as it records in its provenance (RFC 3339, e.g.
    /// 2026-01-31T12:00:00Z). Default: the environment's SOURCE_DATE_EPOCH (seconds since
    /// 1970) if set, else now. Fixed, the same inputs give a byte-identical report.
    #[arg(long, value_parser = parse_generated_at, value_name = "TIME")]
    pub(crate) generated_at: Option<Timestamp>,
}

impl ReportInputArgs {
    /// The report options these flags give.
    pub(crate) fn options(&self) -> ReportOptions {
        ReportOptions {
            method: self.method,
            grouping: self.by.clone(),
            min_workers: self.min_workers,
            min_hours: self.min_hours,
            max_hourly_usd: self.max_hourly_usd,
            currency_basis: self.currency_basis,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) read: ReportInputArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Write the report here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
    /// Round as the public observatory does, for a report to publish: task counts to 10,
    /// hours to 1, and the wages of cells of fewer than 20 workers to $0.25 (their interval
    /// outward), so that no small cell's percentiles give individual wages.
    #[arg(long)]
    pub(crate) disclosure_control: bool,
    /// Compute several methods side by side (e.g. paid,task,all) on one set of workers: in each
    /// cell, those the broadest of them counts, so that the rows compare the same workers.
    #[arg(long, value_parser = parse_methods, value_name = "M,M[,M]", conflicts_with = "method")]
    pub(crate) methods: Option<MethodList>,
    /// Make the report REPORT.json again from its provenance (its parameters, on the inputs it
    /// names, or on those given with --input) and say whether every figure is the same: exit 0
    /// if so, 1 naming the cells that differ. Refuses an input whose SHA-256 differs.
    #[arg(long, value_name = "REPORT.json", conflicts_with_all = ["method", "methods", "by", "min_workers", "min_hours", "max_hourly_usd", "currency_basis", "from", "to", "platform", "country", "format", "out"])]
    pub(crate) check: Option<PathBuf>,
}

pub(crate) fn parse_generated_at(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).map_err(|error| error.to_string())
}

/// When the report is made: the flag, else SOURCE_DATE_EPOCH (the reproducible-builds
/// convention), else the clock.
pub(crate) fn generated_at(flag: Option<Timestamp>) -> Result<Timestamp> {
    if let Some(time) = flag {
        return Ok(time);
    }
    if let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH") {
        let text = epoch.to_string_lossy();
        let seconds: i64 = text
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH '{text}' is not a number of seconds since 1970"))?;
        return Timestamp::from_unix_seconds(seconds)
            .map_err(|error| anyhow::anyhow!("SOURCE_DATE_EPOCH: {error}"));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    Timestamp::from_unix_seconds(now.as_secs() as i64)
        .map_err(|error| anyhow::anyhow!("the system clock: {error}"))
}

pub(crate) fn parse_method(text: &str) -> Result<Method, String> {
    text.parse()
}

/// The methods of `--methods`, in the order given (one value, so clap does not take it for a
/// list of values).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MethodList(pub(crate) Vec<Method>);

/// `--methods`: two or more methods, comma-separated, at most one `session:M`.
pub(crate) fn parse_methods(text: &str) -> Result<MethodList, String> {
    let methods = text.split(',').map(|word| word.trim().parse()).collect::<Result<Vec<Method>, String>>()?;
    analysis::report::broadest_method(&methods).map_err(|error| error.to_string())?;
    Ok(MethodList(methods))
}

pub(crate) fn parse_currency_basis(text: &str) -> Result<CurrencyBasis, String> {
    text.parse()
}

pub(crate) fn parse_grouping(text: &str) -> Result<Grouping, String> {
    text.parse()
}

pub(crate) fn parse_min_hours(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(hours) if hours.is_finite() && hours >= 0.0 => Ok(hours),
        _ => Err(format!("'{text}' is not a finite, non-negative number of hours")),
    }
}

pub(crate) fn parse_max_hourly_usd(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd > 0.0 => Ok(usd),
        _ => Err(format!(
            "'{}' is not a finite, positive number of dollars an hour",
            text.chars().take(32).collect::<String>()
        )),
    }
}

pub(crate) fn run(args: ReportArgs) -> Result<()> {
    if let Some(check) = &args.check {
        return crate::check_report::run(check, &args);
    }
    if args.format == Format::Parquet {
        crate::workers_command::refuse_terminal(args.out.as_ref());
    }
    let filter = args.read.filters.filter().unwrap_or_else(|message| crate::usage_error(&message));
    let sources = Sources::of_flags(&args.read, &filter, args.disclosure_control)?;
    let made = make(sources, args.methods.as_ref().map(|list| list.0.as_slice()))?;
    let mut output = Output::open(args.out.as_ref())?;
    if args.format == Format::Parquet {
        crate::workers_command::write_parquet(
            &piecerate_tables::report_table(&made.report),
            made.report.schema(),
            &made.report,
            &made.provenance,
            &mut output,
        )?;
    } else {
        let text = render(&made.report, args.format, &made.input, &made.provenance)?;
        output.writer().write_all(text.as_bytes()).context("cannot write the report")?;
    }
    output.finish()
}

/// A report and what it was made from.
pub(crate) struct Made {
    pub report: Report,
    /// Each worker's row in each cell, when asked for (`piecerate workers`).
    pub workers: Vec<WorkerWage>,
    pub input: InputSummary,
    pub provenance: Provenance,
}

/// What a report is made of: the report's flags, the records `filter` keeps from `inputs`,
/// disclosure control on or off, and the time the report says it was generated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources<'a> {
    pub args: &'a ReportInputArgs,
    pub filter: &'a RecordFilter,
    pub disclosure_control: bool,
    pub inputs: &'a [PathBuf],
    pub generated_at: Timestamp,
}

impl<'a> Sources<'a> {
    /// The sources the command line names: its inputs and `--generated-at` (else now).
    pub(crate) fn of_flags(
        args: &'a ReportInputArgs,
        filter: &'a RecordFilter,
        disclosure_control: bool,
    ) -> Result<Sources<'a>> {
        let generated_at = generated_at(args.generated_at)?;
        Ok(Sources { args, filter, disclosure_control, inputs: &args.input, generated_at })
    }
}

/// Reads `sources` into a report with the parameters of their flags, or of the methods
/// `side_by_side` (the broadest replacing the flags' method), writing bad lines and warnings
/// to stderr.
pub(crate) fn make(sources: Sources<'_>, side_by_side: Option<&[Method]>) -> Result<Made> {
    let Some(methods) = side_by_side else {
        return make_with(sources, false);
    };
    let broadest = analysis::report::broadest_method(methods)?;
    let args = ReportInputArgs { method: broadest, ..sources.args.clone() };
    let sources = Sources { args: &args, ..sources };
    let Read { builder, notes, input, provenance } = read(sources, Some(methods), args.options())?;
    let mut report = builder.finish_side_by_side(methods)?;
    report.notes.extend(notes);
    if sources.disclosure_control {
        report.apply_disclosure_rounding(analysis::report::DisclosureRules::default());
    }
    Ok(Made { report, workers: Vec::new(), input, provenance })
}

/// [`make`], with each worker's row in each cell when `keep_workers`.
pub(crate) fn make_with(sources: Sources<'_>, keep_workers: bool) -> Result<Made> {
    let Read { builder, notes, input, provenance } = read(sources, None, sources.args.options())?;
    let (mut report, workers) =
        if keep_workers { builder.finish_with_workers() } else { (builder.finish(), Vec::new()) };
    report.notes.extend(notes);
    if sources.disclosure_control {
        report.apply_disclosure_rounding(analysis::report::DisclosureRules::default());
    }
    Ok(Made { report, workers, input, provenance })
}

/// Records read into a builder, with the notes the reading adds to any report made of them.
pub(crate) struct Read {
    pub builder: ReportBuilder,
    pub notes: Vec<String>,
    pub input: InputSummary,
    pub provenance: Provenance,
}

/// Reads `sources` into a builder of `options` (and names the methods `side_by_side` in the
/// provenance), writing bad lines and warnings to stderr.
pub(crate) fn read(
    sources: Sources<'_>,
    side_by_side: Option<&[Method]>,
    options: ReportOptions,
) -> Result<Read> {
    let Sources { args, filter, disclosure_control, inputs, generated_at } = sources;
    let reading = Reading { options, strict: args.strict, threads: args.threads };
    let InputsRead { builder, total, facts, salts, mixed_salts, first_reasons } =
        read_inputs(&reading, filter, inputs, Telling::Everything)?;
    if total.records == 0 && total.filtered_out > 0 {
        // Every record was read and none is in the period, platforms and countries asked for.
        bail!(
            "none of the {} records read is kept by the filters ({filter}), so there is no report",
            total.filtered_out
        );
    }
    if total.records == 0 {
        // A report of nothing would look like a finding ("no cell"); it is a failed read.
        let names: Vec<String> = inputs.iter().map(|path| open_input::name(path)).collect();
        bail!("no record was read from {}, so there is no report{first_reasons}", names.join(", "));
    }
    let mut notes = Vec::new();
    if total.repeated > 0 {
        notes.push(format!(
            "{} record{} whose record_id had already been read {} left out, so that no record counts twice.",
            total.repeated,
            if total.repeated == 1 { "" } else { "s" },
            if total.repeated == 1 { "was" } else { "were" },
        ));
    }
    if !filter.is_everything() {
        notes.push(format!(
            "Only the records kept by the filters ({filter}; a record counts on the UTC day it started) are in this report: {} other record{} {} left out.",
            total.filtered_out,
            if total.filtered_out == 1 { "" } else { "s" },
            if total.filtered_out == 1 { "was" } else { "were" },
        ));
    }
    if let Some(warning) = mixed_salts {
        notes.push(format!("Warning: {warning}"));
    }
    let mut parameters = Parameters::of(&args.options(), args.strict, disclosure_control, filter);
    parameters.methods =
        side_by_side.map(|methods| methods.iter().map(Method::to_string).collect::<Vec<_>>().join(","));
    let salts = salts.keys().map(|salt| salt_name(*salt)).collect();
    let provenance = Provenance::new(generated_at, parameters, facts, total.repeated, salts);
    let input = InputSummary { files: inputs.len(), records: total.records, bad_lines: total.bad_lines };
    Ok(Read { builder, notes, input, provenance })
}

/// How records are read into a report builder, whatever the command.
pub(crate) struct Reading {
    pub options: ReportOptions,
    pub strict: bool,
    pub threads: Option<u16>,
}

/// What a reading of every input gave.
pub(crate) struct InputsRead {
    pub builder: ReportBuilder,
    /// Over all inputs.
    pub total: ReadSummary,
    pub facts: Vec<InputFacts>,
    pub salts: BTreeMap<Option<SaltFingerprint>, Vec<String>>,
    /// The warning, when the requester imports among the inputs mix salts.
    pub mixed_salts: Option<String>,
    /// The first problems of the bad lines, for a message when nothing could be read.
    pub first_reasons: String,
}

/// Whether a reading writes bad lines and warnings to stderr and hashes the inputs, or reads
/// inputs that an earlier reading already told of (another period of a comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Telling {
    Everything,
    Nothing,
}

/// Reads the records of `inputs` that `filter` keeps into a report builder, each record once.
pub(crate) fn read_inputs(
    reading: &Reading,
    filter: &RecordFilter,
    inputs: &[PathBuf],
    telling: Telling,
) -> Result<InputsRead> {
    let total_bytes = open_input::check_all(inputs)?;
    let threads = reading
        .threads
        .map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), usize::from);
    let settings = ReadSettings { strict: reading.strict, threads, filter };
    let progress = crate::progress::bar(Some(total_bytes), "bytes");
    let mut stderr: Box<dyn Write> = match telling {
        Telling::Everything => Box::new(crate::progress::MessagesAroundBar { bar: progress.clone() }),
        Telling::Nothing => Box::new(std::io::sink()),
    };
    let mut problems = Problems::default();
    let mut ids = RecordIds::new();
    let pass = Pass { inputs, options: &reading.options, settings, progress: &progress };
    let (mut builder, mut summaries, hashes) =
        pass.read_all(&mut ids, &mut problems, &mut stderr, telling == Telling::Everything)?;
    if let Some(mut exact) = ids.second_pass() {
        // Some record ids were alike: every input is read again, by one reader, keeping the first
        // copy of each record. Its bad lines were told in the first pass.
        if inputs.iter().any(|path| open_input::is_stdin(path)) {
            bail!(
                "some records repeat a record_id, and standard input cannot be read a second time to keep only the first copy of each; give the records as a file"
            );
        }
        progress.set_position(0);
        (builder, summaries, _) =
            pass.read_all(&mut exact, &mut Problems::default(), &mut std::io::sink(), false)?;
    }
    progress.finish_and_clear();
    let mut total = ReadSummary::default();
    let mut salts: BTreeMap<Option<SaltFingerprint>, Vec<String>> = BTreeMap::new();
    let mut facts = Vec::with_capacity(inputs.len());
    for ((path, summary), hash) in inputs.iter().zip(&summaries).zip(hashes) {
        let name = open_input::name(path);
        if summary.repeated > 0 {
            writeln!(
                stderr,
                "piecerate: {name}: {} record{} already read (same record_id) counted once; --strict refuses them",
                summary.repeated,
                if summary.repeated == 1 { "" } else { "s" },
            )?;
        }
        for salt in &summary.import_salts {
            salts.entry(*salt).or_default().push(name.clone());
        }
        total.records += summary.records;
        total.bad_lines += summary.bad_lines;
        total.repeated += summary.repeated;
        total.filtered_out += summary.filtered_out;
        let (sha256, bytes) = hash.unwrap_or_default();
        facts.push(InputFacts {
            name: path.display().to_string(),
            sha256,
            bytes,
            records: summary.records,
            repeated_records: summary.repeated,
            filtered_out_records: summary.filtered_out,
            bad_lines: summary.bad_lines,
            first_started_at: summary.first_started_at.map(|time| time.to_string()),
            last_started_at: summary.last_started_at.map(|time| time.to_string()),
            import_salts: summary.import_salts.iter().map(|salt| salt_name(*salt)).collect(),
        });
    }
    let mixed_salts = (salts.len() > 1).then(|| mixed_salts_warning(&salts));
    if let Some(warning) = &mixed_salts {
        if reading.strict {
            bail!("{warning} (--strict refuses a report that mixes import salts)");
        }
        writeln!(stderr, "piecerate: warning: {warning}")?;
    }
    let first_reasons = problems.first_reasons();
    Ok(InputsRead { builder, total, facts, salts, mixed_salts, first_reasons })
}

/// An input's SHA-256 (hex) and length in bytes.
type InputHash = (String, u64);

/// One reading of every input into a new report builder.
struct Pass<'a> {
    inputs: &'a [PathBuf],
    options: &'a ReportOptions,
    settings: ReadSettings<'a>,
    progress: &'a indicatif::ProgressBar,
}

impl Pass<'_> {
    /// Reads the inputs in order; `tell` writes each input's count of bad lines.
    fn read_all(
        &self,
        ids: &mut RecordIds,
        problems: &mut Problems,
        stderr: &mut impl Write,
        tell: bool,
    ) -> Result<(ReportBuilder, Vec<ReadSummary>, Vec<Option<InputHash>>)> {
        let mut builder = ReportBuilder::new(self.options.clone());
        builder.finish_over_threads(self.settings.threads);
        let mut summaries = Vec::with_capacity(self.inputs.len());
        let mut hashes = Vec::with_capacity(self.inputs.len());
        for (index, path) in self.inputs.iter().enumerate() {
            let name = open_input::name(path);
            self.progress.set_message(name.clone());
            let (summary, hash) = read_file(
                path,
                &mut builder,
                ids,
                &self.inputs[..=index],
                self.settings,
                self.progress,
                problems,
                stderr,
                tell,
            )?;
            problems.end_input(stderr, &name, "line")?;
            if tell && summary.bad_lines > 0 {
                writeln!(
                    stderr,
                    "piecerate: {name}: skipped {} bad line{} ({} records read); --strict stops at the first instead",
                    summary.bad_lines,
                    if summary.bad_lines == 1 { "" } else { "s" },
                    summary.records
                )?;
            }
            summaries.push(summary);
            hashes.push(hash);
        }
        Ok((builder, summaries, hashes))
    }
}

/// What a report says when its requester imports were pseudonymised with different salts.
pub(crate) fn mixed_salts_warning(salts: &BTreeMap<Option<SaltFingerprint>, Vec<String>>) -> String {
    let groups: Vec<String> = salts
        .iter()
        .map(|(salt, names)| {
            let salt = salt.map_or_else(
                || "unrecorded (imported before salts were fingerprinted)".to_owned(),
                |salt| salt.to_string(),
            );
            format!("salt {salt} in {}", names.join(", "))
        })
        .collect();
    format!(
        "the requester imports in this report were pseudonymised with {} different salts ({}): a worker imported in separate runs appears as several workers, which raises the number of workers and moves every per-worker figure. Import the files together in one run, or with one --salt, to keep each worker whole",
        salts.len(),
        groups.join("; ")
    )
}
