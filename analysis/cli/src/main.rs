//! `piecerate`, the researchers' command line: wage reports from record files, imports of
//! requester exports, and synthetic records. A thin shell: the wage math, the record format,
//! the importers and the simulator are all in the `analysis` library; `docs/cli.md` is the
//! manual.

mod brief_command;
mod check_report;
mod compare_command;
mod compare_render;
mod filter_args;
mod import_command;
mod methods_paragraph;
mod minimum_wage_command;
mod open_input;
mod problems;
mod progress;
mod provenance;
mod read_input;
mod render;
mod render_latex;
mod report_command;
mod simulate_command;
mod verify_evidence_command;
mod workers_command;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status when the command could not do what was asked (unreadable input, a bad line
/// under --strict, an unwritable output). Usage errors exit with 2 (clap's convention).
const EXIT_FAILURE: u8 = 1;

/// What `--version` says: the workspace's version, the commit (`analysis/cli/build.rs`) and the reference
/// tables compiled in, so that a published figure can be traced to the data it used.
static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    analysis::reference_versions::long_version(
        env!("CARGO_PKG_VERSION"),
        option_env!("PIECERATE_GIT_COMMIT"),
        option_env!("PIECERATE_GIT_COMMIT_DATE"),
    )
});

#[derive(Debug, Parser)]
#[command(
    name = "piecerate",
    version,
    long_version = &**LONG_VERSION,
    about = "Effective hourly wages of microtask work, from records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Per-worker effective hourly wages, summarised per group of workers.
    #[command(mut_arg("input", |input| input.required_unless_present("check")))]
    Report(report_command::ReportArgs),
    /// The advocate's brief: the report's figures as a printable HTML or PDF document of two to
    /// four A4 pages, in English or French.
    #[command(mut_arg("input", |input| input.required_unless_present("check")))]
    Brief(brief_command::BriefArgs),
    /// Per cell, the change of the median wage and of the share below the local minimum
    /// between two periods, with seeded bootstrap intervals.
    Compare(compare_command::CompareArgs),
    /// One row per worker and cell of the report made with the same flags: earnings, hours by
    /// kind, effective wage, the thresholds and whether the worker is below them (CSV or Parquet).
    #[command(mut_arg("input", |input| input.required(true)))]
    Workers(workers_command::WorkersArgs),
    /// Converts a requester-side export into records (format v1 CSV).
    #[command(subcommand)]
    Import(import_command::ImportCommand),
    /// Writes synthetic records (install ids starting with sim-) for demos, tests and benchmarks.
    Simulate(simulate_command::SimulateArgs),
    /// The statutory minimum wage in force in a country or region on a day, with its source.
    MinimumWage(minimum_wage_command::MinimumWageArgs),
    /// Checks an evidence file exported by the browser extension (its hash chain) and prints its
    /// timeline.
    VerifyEvidence(verify_evidence_command::VerifyEvidenceArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report_command::run(args),
        Command::Brief(args) => brief_command::run(args),
        Command::Compare(args) => compare_command::run(args),
        Command::Workers(args) => workers_command::run(args),
        Command::Import(command) => import_command::run(command),
        Command::Simulate(args) => simulate_command::run(args),
        Command::MinimumWage(args) => minimum_wage_command::run(args),
        Command::VerifyEvidence(args) => verify_evidence_command::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of standard output went away (`piecerate report ... | head -1`): it has
        // what it wanted, so the run ends quietly, as other Unix tools do.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            // Nothing more can be done if stderr itself is gone.
            let _ = writeln!(stderr, "piecerate: error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Ends the run as clap does for a command line it refuses (status 2), for the contradictions
/// between flags that clap cannot see, such as a period that ends before it starts.
pub(crate) fn usage_error(message: &str) -> ! {
    clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{message}\n")).exit()
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Where output goes: a file, or standard output when no path is given. A regular file is
/// written under a temporary name and renamed when complete, so a failed run never leaves a
/// half-written file that looks finished. A path that names something else (`/dev/stdout`, a
/// named pipe, a terminal) is written in place: renaming over it would replace the device or
/// pipe with a plain file, which as root turns `/dev/stdout` into one for every program.
struct Output {
    writer: std::io::BufWriter<Box<dyn Write>>,
    file: Option<(PathBuf, PathBuf)>,
}

impl Output {
    fn open(path: Option<&PathBuf>) -> anyhow::Result<Output> {
        use anyhow::Context;
        let (inner, file): (Box<dyn Write>, _) = match path {
            Some(path) if std::fs::metadata(path).is_ok_and(|found| !found.is_file()) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open output {}", path.display()))?;
                (Box::new(file), None)
            }
            Some(path) => {
                let mut partial = path.clone().into_os_string();
                partial.push(".partial");
                let partial = PathBuf::from(partial);
                let file = std::fs::File::create(&partial)
                    .with_context(|| format!("cannot create output file {}", partial.display()))?;
                (Box::new(file), Some((partial, path.clone())))
            }
            None => (Box::new(std::io::stdout()), None),
        };
        Ok(Output { writer: std::io::BufWriter::with_capacity(1 << 20, inner), file })
    }

    fn writer(&mut self) -> &mut impl Write {
        &mut self.writer
    }

    /// Flushes and, for a file, gives it its final name.
    fn finish(mut self) -> anyhow::Result<()> {
        use anyhow::Context;
        let target = self.file.take();
        let name =
            target.as_ref().map_or("standard output".to_owned(), |(_, path)| path.display().to_string());
        self.writer.flush().with_context(|| format!("cannot write {name}"))?;
        if let Some((partial, path)) = target {
            std::fs::rename(&partial, &path)
                .with_context(|| format!("cannot rename {} to {}", partial.display(), path.display()))?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // An output dropped without `finish` belongs to a failed run: remove its partial file.
        if let Some((partial, _)) = &self.file {
            let _ = std::fs::remove_file(partial);
        }
    }
}
