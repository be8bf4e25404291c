//! Record files into a report builder: opens each file for the library's reader
//! (`analysis::report_reader`, over all cores when the file is large), moves the progress bar,
//! and writes every bad line as `FILE:LINE: problem`.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

use analysis::ReportBuilder;
use analysis::report_reader::{self, BadLine, Input, ReadError, ReadSettings, ReadSummary};
use anyhow::{Context, Result, anyhow};
use indicatif::ProgressBar;

/// Reads one file of records into `builder`, writing each bad line to `errors`.
pub(crate) fn read_file(
    path: &Path,
    builder: &mut ReportBuilder,
    settings: ReadSettings,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<ReadSummary> {
    let file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let metadata = file.metadata().with_context(|| format!("cannot read {}", path.display()))?;
    let write_bad_line = |bad: BadLine| {
        // One write per line, so that the line reaches the terminal whole.
        let text = format!("{}:{}: {}\n", path.display(), bad.line, bad.problem);
        errors.write_all(text.as_bytes()).context("cannot write to stderr")
    };
    let read = if metadata.is_file() {
        let input = FileInput { path, size: metadata.len(), progress, start: progress.position() };
        report_reader::read(&input, builder, settings, write_bad_line)
    } else {
        // A pipe or a device can only be read once, from the start, by one reader.
        report_reader::read_stream(progress.wrap_read(file), builder, settings.strict, write_bad_line)
    };
    read.map_err(|error| match error {
        ReadError::Io(error) => anyhow::Error::new(error).context(format!("cannot read {}", path.display())),
        ReadError::NotRecords(bad) => anyhow!(
            "{}:{}: {}. Requester exports must be converted first: see `piecerate import --help`",
            path.display(),
            bad.line,
            bad.problem
        ),
        ReadError::StoppedAtBadLine { line } => {
            anyhow!("stopped at the first bad line, {}:{line} (--strict)", path.display())
        }
        ReadError::Handler(error) => error,
    })
}

/// A regular file, opened once per range, whose reading moves the progress bar.
struct FileInput<'a> {
    path: &'a Path,
    size: u64,
    progress: &'a ProgressBar,
    /// Where the bar stood before this file.
    start: u64,
}

impl Input for FileInput<'_> {
    type Reader<'b>
        = std::io::Take<File>
    where
        Self: 'b;

    fn size(&self) -> u64 {
        self.size
    }

    fn open(&self, range: Range<u64>) -> std::io::Result<std::io::Take<File>> {
        let mut file = File::open(self.path)?;
        file.seek(SeekFrom::Start(range.start))?;
        Ok(std::io::Read::take(file, range.end - range.start))
    }

    fn progress(&self, bytes: u64) {
        self.progress.inc(bytes);
    }

    fn restart(&self) {
        self.progress.set_position(self.start);
    }
}
