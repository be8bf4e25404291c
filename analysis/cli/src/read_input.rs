//! Record files into a report builder: opens each file for the library's reader
//! (`analysis::report_reader`, over all cores when the file is large and plain), moves the
//! progress bar, and writes every bad line as `FILE:LINE: problem` (`problems.rs`).

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;

use analysis::ReportBuilder;
use analysis::report_reader::{self, BadLine, Input, ReadError, ReadSettings, ReadSummary, RecordIds};
use anyhow::{Context, Result, anyhow};
use indicatif::ProgressBar;
use sha2::{Digest, Sha256};

use crate::open_input::{self, Opened};
use crate::problems::Problems;

/// Reads one input of records (a file, `-` for standard input, either possibly gzip) into
/// `builder`, writing each bad line to `errors` through `problems`. With `hash`, also gives the
/// SHA-256 and length of the input's bytes.
#[expect(clippy::too_many_arguments, reason = "the state of one run of reading, each part used")]
pub(crate) fn read_file(
    path: &Path,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    inputs: &[std::path::PathBuf],
    settings: ReadSettings,
    progress: &ProgressBar,
    problems: &mut Problems,
    errors: &mut impl Write,
    hash: bool,
) -> Result<(ReadSummary, Option<(String, u64)>)> {
    let name = open_input::name(path);
    let mut write_bad_line =
        |bad: BadLine| problems.add(errors, &name, bad.line, &bad.problem).context("cannot write to stderr");
    let (read, hashed) = match open_input::open(path)? {
        Opened::File(file) => {
            let metadata = file.metadata().with_context(|| format!("cannot read {name}"))?;
            let input = FileInput {
                path,
                size: metadata.len(),
                progress,
                start: progress.position(),
                hash: hash.then(Mutex::default),
            };
            let read = report_reader::read(&input, builder, ids, settings, &mut write_bad_line);
            let hashed = input.hash.map(|hash| {
                let (hash, length) = hash.into_inner().expect("no reader panicked");
                (open_input::hex(&hash.finalize()), length)
            });
            (read, hashed)
        }
        // A pipe, a device or a compressed file can only be read once, from the start, by one
        // reader. The bar moves with the bytes read (decompressed ones, for gzip).
        Opened::Stream(stream, input_hash) => {
            let read = report_reader::read_stream(
                progress.wrap_read(stream),
                builder,
                ids,
                settings.strict,
                settings.filter,
                &mut write_bad_line,
            );
            (read, hash.then(|| input_hash.finish()))
        }
    };
    read.map(|summary| (summary, hashed)).map_err(|error| match error {
        ReadError::Io(error) => anyhow::Error::new(error).context(format!("cannot read {name}")),
        ReadError::NotRecords(_) if open_input::looks_semicolon_separated(path) => {
            anyhow!(open_input::semicolon_message(path, "record format v1"))
        }
        ReadError::NotRecords(bad) => anyhow!(
            "{name}:{}: {}. Requester exports must be converted first: see `piecerate import --help`",
            bad.line,
            bad.problem
        ),
        ReadError::StoppedAtBadLine { line } => {
            anyhow!("stopped at the first bad line, {name}:{line} (--strict)")
        }
        ReadError::Handler(error) => error,
        ReadError::Repeated { line, record_id, first_input } => {
            let first = inputs.get(first_input).map_or_else(|| name.clone(), |path| open_input::name(path));
            anyhow!(
                "{name}:{line}: record_id {record_id} was already read from {first}; --strict refuses a record read twice (without it, the first copy counts and the repeats are counted in the report)"
            )
        }
    })
}

/// A regular file, opened once per reader, whose reading moves the progress bar and, when
/// asked, feeds the SHA-256 of its bytes.
struct FileInput<'a> {
    path: &'a Path,
    size: u64,
    progress: &'a ProgressBar,
    /// Where the bar stood before this file.
    start: u64,
    /// The SHA-256 and count of the bytes read, in order, from the readers' own reads (a second
    /// read of the file just for the hash had cost 4% of a report's CPU: `docs/benchmarks.md`).
    hash: Option<Mutex<(Sha256, u64)>>,
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
        if let Some(hash) = &self.hash {
            *hash.lock().expect("no reader panicked") = Default::default();
        }
    }

    fn in_order(&self, bytes: &[u8]) {
        if let Some(hash) = &self.hash {
            let mut hash = hash.lock().expect("no reader panicked");
            hash.0.update(bytes);
            hash.1 += bytes.len() as u64;
        }
    }
}
