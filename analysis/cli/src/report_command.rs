//! `piecerate report`: record files in, a wage report out.

use std::io::Write;
use std::path::PathBuf;

use analysis::report::{CurrencyBasis, Grouping};
use analysis::report_reader::{ReadSettings, ReadSummary};
use analysis::{Method, ReportBuilder, ReportOptions};
use anyhow::{Context, Result, bail};
use clap::Args;

use std::collections::BTreeMap;

use analysis::import::SaltFingerprint;
use analysis::report_reader::RecordIds;

use crate::Output;
use crate::open_input;
use crate::problems::Problems;
use crate::read_input::read_file;
use crate::render::{Format, InputSummary, render};

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Record files, CSV or JSON Lines (record format v1), plain or gzip, read in this order;
    /// `-` is standard input.
    #[arg(long, short, required = true, num_args = 1.., value_name = "FILE")]
    input: Vec<PathBuf>,
    /// Which hours a wage divides by: all, paid, task, or session:M (gaps of up to M minutes
    /// between records count as unpaid time).
    #[arg(long, default_value = "all", value_parser = parse_method)]
    method: Method,
    /// Group workers by any of platform, country, month, category, comma-separated.
    #[arg(long, default_value = "", value_parser = parse_grouping, value_name = "DIMENSIONS")]
    by: Grouping,
    /// Cells with fewer workers publish no statistics. Published reports should keep 10.
    #[arg(long, default_value_t = analysis::report::MIN_PUBLISHED_WORKERS, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..), value_name = "K")]
    min_workers: u32,
    /// Workers with fewer counted hours than this in a cell are left out of its statistics.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MIN_HOURS, allow_negative_numbers = true, value_parser = parse_min_hours, value_name = "H")]
    min_hours: f64,
    /// Workers whose effective hourly wage in a cell is above this are left out of its
    /// statistics as implausible (no microtask pays it) and counted; the same number under
    /// --currency-basis ppp.
    #[arg(long, default_value_t = analysis::report::DEFAULT_MAX_HOURLY_USD, allow_negative_numbers = true, value_parser = parse_max_hourly_usd, value_name = "USD")]
    max_hourly_usd: f64,
    /// Money in US dollars at market rates (usd), or in international dollars at
    /// purchasing-power parity through each worker's country (ppp).
    #[arg(long, default_value = "usd", value_parser = parse_currency_basis, value_name = "BASIS")]
    currency_basis: CurrencyBasis,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Stop at the first bad line (exit status 1) instead of skipping bad lines.
    #[arg(long)]
    strict: bool,
    /// Threads reading each large file (default: the number of cores).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

fn parse_method(text: &str) -> Result<Method, String> {
    text.parse()
}

fn parse_currency_basis(text: &str) -> Result<CurrencyBasis, String> {
    text.parse()
}

fn parse_grouping(text: &str) -> Result<Grouping, String> {
    text.parse()
}

fn parse_min_hours(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(hours) if hours.is_finite() && hours >= 0.0 => Ok(hours),
        _ => Err(format!("'{text}' is not a finite, non-negative number of hours")),
    }
}

fn parse_max_hourly_usd(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd > 0.0 => Ok(usd),
        _ => Err(format!(
            "'{}' is not a finite, positive number of dollars an hour",
            text.chars().take(32).collect::<String>()
        )),
    }
}

pub(crate) fn run(args: ReportArgs) -> Result<()> {
    let total_bytes = open_input::check_all(&args.input)?;
    let options = ReportOptions {
        method: args.method,
        grouping: args.by.clone(),
        min_workers: args.min_workers,
        min_hours: args.min_hours,
        max_hourly_usd: args.max_hourly_usd,
        currency_basis: args.currency_basis,
    };
    let threads =
        args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), usize::from);
    let settings = ReadSettings { strict: args.strict, threads };
    let progress = crate::progress::bar(Some(total_bytes), "bytes");
    let mut stderr = crate::progress::MessagesAroundBar { bar: progress.clone() };
    let mut problems = Problems::default();
    let mut ids = RecordIds::new();
    let pass = Pass { inputs: &args.input, options: &options, settings, progress: &progress };
    let (mut builder, mut summaries) = pass.read_all(&mut ids, &mut problems, &mut stderr, true)?;
    if let Some(mut exact) = ids.second_pass() {
        // Some record ids were alike: every input is read again, by one reader, keeping the first
        // copy of each record. Its bad lines were told in the first pass.
        if args.input.iter().any(|path| open_input::is_stdin(path)) {
            bail!(
                "some records repeat a record_id, and standard input cannot be read a second time to keep only the first copy of each; give the records as a file"
            );
        }
        progress.set_position(0);
        (builder, summaries) =
            pass.read_all(&mut exact, &mut Problems::default(), &mut std::io::sink(), false)?;
    }
    progress.finish_and_clear();
    let mut total = ReadSummary::default();
    let mut salts: BTreeMap<Option<SaltFingerprint>, Vec<String>> = BTreeMap::new();
    for (path, summary) in args.input.iter().zip(&summaries) {
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
    }
    let mixed_salts = (salts.len() > 1).then(|| mixed_salts_warning(&salts));
    if let Some(warning) = &mixed_salts {
        if args.strict {
            bail!("{warning} (--strict refuses a report that mixes import salts)");
        }
        writeln!(stderr, "piecerate: warning: {warning}")?;
    }
    if total.records == 0 {
        // A report of nothing would look like a finding ("no cell"); it is a failed read.
        let names: Vec<String> = args.input.iter().map(|path| open_input::name(path)).collect();
        bail!(
            "no record was read from {}, so there is no report{}",
            names.join(", "),
            problems.first_reasons()
        );
    }
    let mut report = builder.finish();
    if total.repeated > 0 {
        report.notes.push(format!(
            "{} record{} whose record_id had already been read {} left out, so that no record counts twice.",
            total.repeated,
            if total.repeated == 1 { "" } else { "s" },
            if total.repeated == 1 { "was" } else { "were" },
        ));
    }
    if let Some(warning) = mixed_salts {
        report.notes.push(format!("Warning: {warning}"));
    }
    let input = InputSummary { files: args.input.len(), records: total.records, bad_lines: total.bad_lines };
    let text = render(&report, args.format, &input)?;
    let mut output = Output::open(args.out.as_ref())?;
    output.writer().write_all(text.as_bytes()).context("cannot write the report")?;
    output.finish()
}

/// One reading of every input into a new report builder.
struct Pass<'a> {
    inputs: &'a [PathBuf],
    options: &'a ReportOptions,
    settings: ReadSettings,
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
    ) -> Result<(ReportBuilder, Vec<ReadSummary>)> {
        let mut builder = ReportBuilder::new(self.options.clone());
        let mut summaries = Vec::with_capacity(self.inputs.len());
        for (index, path) in self.inputs.iter().enumerate() {
            let name = open_input::name(path);
            self.progress.set_message(name.clone());
            let summary = read_file(
                path,
                &mut builder,
                ids,
                &self.inputs[..=index],
                self.settings,
                self.progress,
                problems,
                stderr,
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
        }
        Ok((builder, summaries))
    }
}

/// What a report says when its requester imports were pseudonymised with different salts.
fn mixed_salts_warning(salts: &BTreeMap<Option<SaltFingerprint>, Vec<String>>) -> String {
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
