//! `piecerate workers`: the rows behind a report, one per worker and cell, as a tidy table
//! (CSV or Parquet) for researchers' own statistics on their own files. The rows come from the
//! library's report (`ReportBuilder::finish_with_workers`), made with `report`'s own flags.
//! The collector never publishes them: they are a worker's wage, hours and threshold.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use analysis::report::Report;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use piecerate_tables::{Table, worker_table};

use crate::Output;
use crate::provenance::Provenance;
use crate::report_command::{ReportInputArgs, Sources, make_with};

/// The schema of the per-worker table, recorded in a Parquet file's metadata.
const WORKERS_SCHEMA: &str = "piecerate.workers/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WorkersFormat {
    /// One row per worker and cell, then the notes and provenance as `# ` comment lines.
    Csv,
    /// Apache Parquet, with the notes and provenance in the file's key-value metadata.
    Parquet,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct WorkersArgs {
    #[command(flatten)]
    pub(crate) read: ReportInputArgs,
    #[arg(long, value_enum, default_value_t = WorkersFormat::Csv)]
    pub(crate) format: WorkersFormat,
    /// Write the table here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn run(args: WorkersArgs) -> Result<()> {
    if args.format == WorkersFormat::Parquet {
        refuse_terminal(args.out.as_ref());
    }
    let filter = args.read.filters.filter().unwrap_or_else(|message| crate::usage_error(&message));
    let made = make_with(Sources::of_flags(&args.read, &filter, false)?, true)?;
    let table = worker_table(&made.report, &made.workers);
    let mut output = Output::open(args.out.as_ref())?;
    match args.format {
        WorkersFormat::Csv => {
            table.write_csv(output.writer()).context("cannot write the table")?;
            // As the report's CSV: the rows first, for any CSV reader; then the notes and the
            // provenance as comment lines, which pandas, R and DuckDB can be told to skip.
            for line in made.report.notes.iter().chain(&made.provenance.lines()) {
                writeln!(output.writer(), "# {line}").context("cannot write the table")?;
            }
        }
        WorkersFormat::Parquet => {
            write_parquet(&table, WORKERS_SCHEMA, &made.report, &made.provenance, &mut output)?
        }
    }
    output.finish()
}

/// Parquet is binary: written to a terminal it would only garble it, so the command line is
/// refused (exit status 2, as other usage errors) before anything is read.
pub(crate) fn refuse_terminal(out: Option<&PathBuf>) {
    if out.is_none() && std::io::stdout().is_terminal() {
        clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            "--format parquet writes a binary file, and standard output is a terminal: give --out FILE, or redirect standard output to a file\n",
        )
        .exit();
    }
}

/// Writes `table` as Parquet, with the schema's name, the report's notes and its provenance
/// (as JSON) in the file's key-value metadata: `piecerate.schema`, `piecerate.notes`,
/// `piecerate.provenance`.
pub(crate) fn write_parquet(
    table: &Table,
    schema: &str,
    report: &Report,
    provenance: &Provenance,
    output: &mut Output,
) -> Result<()> {
    let metadata = vec![
        ("piecerate.schema".to_owned(), schema.to_owned()),
        ("piecerate.notes".to_owned(), serde_json::to_string(&report.notes)?),
        ("piecerate.provenance".to_owned(), serde_json::to_string(provenance)?),
    ];
    // Parquet's writer needs an output it can send between threads, which standard output
    // behind `Output` is not; the tables are small (one row per worker or cell), so the file
    // is made in memory first.
    let bytes = piecerate_tables::write_parquet(table, metadata, Vec::new())
        .context("cannot make the Parquet file")?;
    output.writer().write_all(&bytes).context("cannot write the Parquet file")
}
