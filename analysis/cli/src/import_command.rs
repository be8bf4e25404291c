//! `piecerate import`: requester-side exports (MTurk batch results, Prolific submissions) to
//! records CSV v1, through the library's importers. Platform ids never reach the output: they
//! are replaced by salted hashes, with a random salt unless one is given.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use analysis::format::CsvRecordWriter;
use analysis::import::{
    ImportError, Imported, MturkBatchOptions, ProlificExportOptions, Pseudonymizer, parse_zone,
    read_mturk_batch, read_prolific_export,
};
use analysis::time::Seconds;
use analysis::{CountryCode, Currency, Money, TaskCategory};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use rand::RngCore;

use crate::Output;
use crate::open_input::{self, Opened};
use crate::problems::Problems;

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// MTurk batch results as the requester site downloads them (or as written from the API).
    MturkBatch(MturkArgs),
    /// A Prolific study's submissions export; the study's reward is given on the command line.
    ProlificExport(ProlificArgs),
}

/// What both importers take.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// The export files, plain or gzip, read in this order; `-` is standard input.
    #[arg(required = true, num_args = 1.., value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Where to write the records (CSV v1).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Secret key of the pseudonyms, 32 to 128 hex digits. With the same salt, the same worker
    /// and task always get the same ids, so a re-import is idempotent. Default: a new random
    /// salt per run, never printed, so ids cannot be linked across runs.
    #[arg(long, value_parser = parse_salt, value_name = "HEX")]
    salt: Option<SaltBytes>,
    /// The workers' ISO 3166-1 country, if the study recruited in one country only.
    #[arg(long, value_parser = parse_country, value_name = "CC")]
    country: Option<CountryCode>,
    /// The kind of work (survey, labeling, transcription, moderation, writing, data_collection,
    /// testing, other); left empty (unknown) if not given.
    #[arg(long, value_parser = parse_category)]
    category: Option<TaskCategory>,
    /// Stop at the first row that cannot be converted (exit status 1) instead of skipping it.
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Args)]
pub(crate) struct MturkArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The zone of timestamps written without one (files saved from the API by pandas), as
    /// UTC, EST, PDT, ... or an offset like -05:00. Timestamps with a zone ignore it.
    #[arg(long, value_parser = parse_zone, value_name = "ZONE", allow_hyphen_values = true)]
    time_zone: Option<i32>,
}

#[derive(Debug, Args)]
pub(crate) struct ProlificArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The study's reward per submission, e.g. 1.50 (the export does not contain it).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_money, value_name = "AMOUNT")]
    reward: Money,
    /// The currency of the reward, e.g. GBP or USD.
    #[arg(long, value_parser = parse_currency, value_name = "CUR")]
    currency: Currency,
    /// The study's maximum allowed time. Timed-out submissions count at most this long; without
    /// it they are skipped, since their "Time taken" runs until the time-out was processed.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=44_640), value_name = "MINUTES")]
    max_minutes: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct SaltBytes(Vec<u8>);

fn parse_salt(text: &str) -> Result<SaltBytes, String> {
    if !(32..=128).contains(&text.len()) || !text.len().is_multiple_of(2) {
        return Err(
            "expected 32 to 128 hex digits (16 to 64 bytes); a shorter salt could be guessed".to_owned()
        );
    }
    let digit = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect::<Option<Vec<u8>>>()
        .map(SaltBytes)
        .ok_or_else(|| "expected hex digits 0-9 and a-f only".to_owned())
}

pub(crate) fn parse_country(text: &str) -> Result<CountryCode, String> {
    // A name or an alias (UK, United Kingdom, Deutschland) gets the code it stands for.
    CountryCode::parse(text).map_err(|error| match analysis::minimum_wage::Jurisdiction::parse(text) {
        Err(analysis::minimum_wage::JurisdictionError::UnknownCountry { suggestion: Some(code), .. }) => {
            format!("{error}; did you mean {code}?")
        }
        _ => error.to_string(),
    })
}

fn parse_category(text: &str) -> Result<TaskCategory, String> {
    TaskCategory::parse(text)
}

fn parse_money(text: &str) -> Result<Money, String> {
    Money::parse(text).map_err(|error| error.to_string())
}

fn parse_currency(text: &str) -> Result<Currency, String> {
    Currency::parse(text).map_err(|error| error.to_string())
}

pub(crate) fn run(command: ImportCommand) -> Result<()> {
    match command {
        ImportCommand::MturkBatch(args) => {
            let options = MturkBatchOptions {
                country: args.common.country,
                category: args.common.category,
                assumed_zone: args.time_zone,
            };
            import(&args.common, |input, pseudonyms| {
                Ok(Box::new(read_mturk_batch(input, pseudonyms, options)?))
            })
        }
        ImportCommand::ProlificExport(args) => {
            let options = ProlificExportOptions {
                reward: args.reward,
                currency: args.currency,
                country: args.common.country,
                category: args.common.category,
                max_time: args.max_minutes.map(|minutes| Seconds::new(u64::from(minutes) * 60)),
            };
            import(&args.common, |input, pseudonyms| {
                Ok(Box::new(read_prolific_export(input, pseudonyms, options)?))
            })
        }
    }
}

type Rows<'p> = Box<dyn Iterator<Item = Result<Imported, ImportError>> + 'p>;

/// Runs one importer over every file into one output.
fn import(
    args: &CommonArgs,
    open: impl for<'p> Fn(Box<dyn Read + Send>, &'p Pseudonymizer) -> Result<Rows<'p>, ImportError>,
) -> Result<()> {
    open_input::check_all(&args.files)?;
    let salt = match &args.salt {
        Some(SaltBytes(salt)) => salt.clone(),
        None => {
            let mut salt = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            salt
        }
    };
    let pseudonyms = Pseudonymizer::new(&salt);
    let mut output = Output::open(Some(&args.out))?;
    let mut writer = CsvRecordWriter::new(output.writer())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut stderr = std::io::stderr().lock();
    // Where each record id was first seen, so that an assignment listed twice (a results file
    // and a rejections file of the same batch, say) is counted once.
    let mut first_seen: HashMap<_, (usize, u64)> = HashMap::new();
    let mut problems = Problems::default();
    let mut imported = 0;
    for (file_index, path) in args.files.iter().enumerate() {
        let name = open_input::name(path);
        let input: Box<dyn Read + Send> = match open_input::open(path)? {
            Opened::File(file) => Box::new(file),
            Opened::Stream(stream, _) => stream,
        };
        let rows = open(input, &pseudonyms).map_err(|error| file_error(path, error))?;
        let mut tally = Tally::default();
        for row in rows {
            let problem = match row {
                Ok(Imported::Record { line, record, repaired }) => {
                    match first_seen.get(&record.record_id()) {
                        Some(&(first_file, first_line)) => Some((
                            line,
                            format!(
                                "the same assignment as {}:{first_line}; kept the first",
                                open_input::name(&args.files[first_file])
                            ),
                        )),
                        None => {
                            first_seen.insert(record.record_id(), (file_index, line));
                            writer
                                .write(&record)
                                .with_context(|| format!("cannot write {}", args.out.display()))?;
                            tally.records += 1;
                            tally.repaired += u64::from(repaired);
                            None
                        }
                    }
                }
                Ok(Imported::Skipped { line, reason }) => {
                    problems.add(&mut stderr, &name, line, &format!("skipped: {reason}"))?;
                    tally.skipped += 1;
                    None
                }
                Err(ImportError::Row { line, column, problem }) => {
                    Some((line, format!("{column}: {problem}")))
                }
                Err(error) => return Err(file_error(path, error)),
            };
            if let Some((line, problem)) = problem {
                problems.add(&mut stderr, &name, line, &problem)?;
                tally.bad += 1;
                if args.strict {
                    bail!(
                        "stopped at the first row that could not be imported (--strict); nothing was written"
                    );
                }
            }
        }
        problems.end_input(&mut stderr, &name, "row")?;
        writeln!(stderr, "piecerate: {name}: {}", tally.describe())?;
        imported += tally.records;
    }
    if imported == 0 {
        // An empty output would pass for a batch nobody worked on; nothing is written instead.
        let names: Vec<String> = args.files.iter().map(|path| open_input::name(path)).collect();
        bail!(
            "nothing could be imported from {}; nothing was written{}",
            names.join(", "),
            problems.first_reasons()
        );
    }
    writer.finish().with_context(|| format!("cannot write {}", args.out.display()))?;
    output.finish()
}

fn file_error(path: &Path, error: ImportError) -> anyhow::Error {
    match error {
        ImportError::Io(error) => anyhow!(error).context(format!("cannot read {}", open_input::name(path))),
        ImportError::Header(_) if open_input::looks_semicolon_separated(path) => {
            anyhow!(open_input::semicolon_message(path, "the export"))
        }
        other => anyhow!("{}: {other}", open_input::name(path)),
    }
}

#[derive(Debug, Default)]
struct Tally {
    records: u64,
    repaired: u64,
    skipped: u64,
    bad: u64,
}

impl Tally {
    fn describe(&self) -> String {
        let mut parts = vec![format!("imported {} record{}", self.records, plural(self.records))];
        if self.repaired > 0 {
            parts.push(format!(
                "{} of them from row{} a spreadsheet had wrapped whole in quotes",
                self.repaired,
                plural(self.repaired)
            ));
        }
        if self.skipped > 0 {
            parts.push(format!(
                "skipped {} row{} recording no working time",
                self.skipped,
                plural(self.skipped)
            ));
        }
        if self.bad > 0 {
            parts.push(format!(
                "skipped {} row{} that could not be imported (--strict stops at the first)",
                self.bad,
                plural(self.bad)
            ));
        }
        parts.join("; ")
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}
