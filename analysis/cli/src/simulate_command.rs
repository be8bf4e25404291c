//! `piecerate simulate`: synthetic records from the library's simulator, to a file.

use std::path::PathBuf;

use analysis::format::{CsvRecordWriter, record_to_json};
use analysis::simulate::{Simulation, SimulationOptions};
use std::io::Write;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::Output;

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// How many synthetic workers (each makes from one to thousands of records).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    workers: u64,
    /// The same seed always gives the same file, byte for byte.
    #[arg(long)]
    seed: u64,
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[arg(long, value_enum, default_value_t = RecordEncoding::Csv)]
    format: RecordEncoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RecordEncoding {
    /// Record format v1 as CSV.
    Csv,
    /// Record format v1 as JSON Lines.
    Jsonl,
}

pub(crate) fn run(args: SimulateArgs) -> Result<()> {
    let mut output = Output::open(Some(&args.out))?;
    let progress = crate::progress::bar(Some(args.workers), "workers");
    progress.set_message("simulating");
    let simulation = Simulation::new(SimulationOptions { workers: args.workers, seed: args.seed });
    let context = || format!("cannot write {}", args.out.display());
    let mut last_install = None;
    let mut tick = |install: &analysis::InstallId| {
        if last_install.as_ref() != Some(install) {
            progress.inc(1);
            last_install = Some(install.clone());
        }
    };
    match args.format {
        RecordEncoding::Csv => {
            let mut writer = CsvRecordWriter::new(output.writer()).with_context(context)?;
            for record in simulation {
                tick(record.install_id());
                writer.write(&record).with_context(context)?;
            }
            writer.finish().with_context(context)?;
        }
        RecordEncoding::Jsonl => {
            let writer = output.writer();
            for record in simulation {
                tick(record.install_id());
                writeln!(writer, "{}", record_to_json(&record)).with_context(context)?;
            }
        }
    }
    progress.finish_and_clear();
    output.finish()
}
