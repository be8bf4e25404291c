//! Reading record files into a report builder, streaming, over all cores when the file is
//! large, with every bad line reported as `FILE:LINE: field: problem`.
//!
//! A large file is cut into one byte range per thread at line boundaries; each range is read
//! by the library's own reader (the header put back in front of CSV ranges) into its own
//! `ReportBuilder`, and the builders are merged in file order, which gives exactly the report a
//! single reader would. A CSV line break can only be inside a field between quotes, and valid
//! records never contain a quote, so a file with any quote in it is read again by one thread,
//! to keep every error exactly where a single reader would put it.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::rc::Rc;

use analysis::format::LineError;
use analysis::{ReportBuilder, ReportOptions, read_records};
use anyhow::{Context, Result, anyhow, bail};
use indicatif::ProgressBar;

/// Below this size a file is read by one thread: starting threads would cost more than it saves.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;
const BUFFER_BYTES: usize = 1 << 20;

/// How inputs are read.
#[derive(Debug, Clone, Copy)]
pub struct ReadSettings {
    pub strict: bool,
    pub threads: usize,
}

/// What reading one file gave.
#[derive(Debug, Default, Clone, Copy)]
pub struct FileSummary {
    pub records: u64,
    pub bad_lines: u64,
}

/// One bad line, with its line number in the whole file.
#[derive(Debug)]
struct BadLine {
    line: u64,
    message: String,
}

/// Reads one file of records into `builder`, writing each bad line to `errors`.
pub fn read_file(
    path: &Path,
    builder: &mut ReportBuilder,
    options: &ReportOptions,
    settings: ReadSettings,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<FileSummary> {
    let file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let size = file.metadata().with_context(|| format!("cannot read {}", path.display()))?.len();
    if settings.threads > 1 && size >= PARALLEL_MIN_BYTES && file.metadata()?.is_file() {
        let start = progress.position();
        if let Some(summary) = read_parallel(path, size, builder, options, settings, progress, errors)? {
            return Ok(summary);
        }
        progress.set_position(start);
    }
    read_sequential(path, file, builder, settings.strict, progress, errors)
}

fn read_sequential(
    path: &Path,
    file: File,
    builder: &mut ReportBuilder,
    strict: bool,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<FileSummary> {
    let counters = Rc::new(Counters::default());
    let input = CountingReader { inner: file, counters: Rc::clone(&counters), progress: progress.clone() };
    let records = read_records(BufReader::with_capacity(BUFFER_BYTES, input))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut summary = FileSummary::default();
    for (index, item) in records.enumerate() {
        match item {
            Ok(record) => {
                builder.add(&record);
                summary.records += 1;
            }
            Err(error) => {
                let bad = bad_line(path, error, index == 0, 0)?;
                summary.bad_lines += 1;
                write_bad_line(errors, path, &bad)?;
                if strict {
                    bail!("stopped at the first bad line, {}:{} (--strict)", path.display(), bad.line);
                }
            }
        }
    }
    Ok(summary)
}

/// Turns a reader error into a bad line (shifting its line number by `line_offset`), or into
/// a failure of the whole file when the stream broke or the file is not records at all.
fn bad_line(path: &Path, error: LineError, first_item: bool, line_offset: i64) -> Result<BadLine> {
    let shift = |line: u64| (line as i64 + line_offset) as u64;
    match error {
        LineError::Io(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        LineError::Syntax { line, problem } if first_item && problem.starts_with("the header is not") => {
            Err(anyhow!(
                "{}:{}: {problem}. Requester exports must be converted first: see `piecerate import --help`",
                path.display(),
                shift(line)
            ))
        }
        LineError::Syntax { line, problem } => Ok(BadLine { line: shift(line), message: problem }),
        LineError::Record { line, error } => Ok(BadLine { line: shift(line), message: error.to_string() }),
    }
}

fn write_bad_line(errors: &mut impl Write, path: &Path, bad: &BadLine) -> Result<()> {
    // One write per line, so the line reaches the terminal whole.
    let text = format!("{}:{}: {}\n", path.display(), bad.line, bad.message);
    errors.write_all(text.as_bytes()).context("cannot write to stderr")
}

/// What one thread made of its byte range.
struct Part {
    builder: ReportBuilder,
    bad_lines: Vec<BadLine>,
    records: u64,
    newlines: u64,
    saw_quote: bool,
}

/// Reads `path` in one byte range per thread. `None` means the file must be read by one
/// thread after all (a CSV file with quotes); nothing has been reported then.
fn read_parallel(
    path: &Path,
    size: u64,
    builder: &mut ReportBuilder,
    options: &ReportOptions,
    settings: ReadSettings,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<Option<FileSummary>> {
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(context)?;
    let mut head = Vec::new();
    (&mut file).take(64 << 10).read_to_end(&mut head).with_context(context)?;
    let first = head.iter().position(|b| !b.is_ascii_whitespace());
    let is_json_lines = first.is_some_and(|at| head[at] == b'{');
    // CSV ranges after the first get the header line put back in front of them.
    let Some(header_end) = head.iter().position(|&b| b == b'\n').map(|at| at as u64 + 1) else {
        return Ok(None);
    };
    let header = if is_json_lines { Vec::new() } else { head[..header_end as usize].to_vec() };
    let mut bounds = vec![0];
    for part in 1..settings.threads as u64 {
        let target = (size * part / settings.threads as u64).max(header_end);
        let Some(boundary) = next_line_start(&mut file, target, size).with_context(context)? else { break };
        if boundary > *bounds.last().expect("not empty") && boundary < size {
            bounds.push(boundary);
        }
    }
    bounds.push(size);
    if bounds.len() < 3 {
        return Ok(None);
    }

    let parts: Vec<Result<Part>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .enumerate()
            .map(|(index, range)| {
                let prefix = if index == 0 { Vec::new() } else { header.clone() };
                let (start, end) = (range[0], range[1]);
                let options = options.clone();
                scope.spawn(move || read_part(path, start, end, prefix, options, settings.strict, progress))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a reader thread panicked")).collect()
    });
    let parts = parts.into_iter().collect::<Result<Vec<Part>>>()?;
    if !is_json_lines && parts.iter().any(|part| part.saw_quote) {
        return Ok(None);
    }

    let mut summary = FileSummary::default();
    let mut newlines_before = 0u64;
    for (index, part) in parts.into_iter().enumerate() {
        // Line numbers inside a range count the header put in front of it, if any.
        let offset = newlines_before as i64 - i64::from(index > 0 && !is_json_lines);
        for bad in &part.bad_lines {
            let bad = BadLine { line: (bad.line as i64 + offset) as u64, message: bad.message.clone() };
            summary.bad_lines += 1;
            write_bad_line(errors, path, &bad)?;
            if settings.strict {
                bail!("stopped at the first bad line, {}:{} (--strict)", path.display(), bad.line);
            }
        }
        summary.records += part.records;
        newlines_before += part.newlines;
        builder.merge(part.builder);
    }
    Ok(Some(summary))
}

/// The offset of the first byte after the first line break at or after `from`, if any.
fn next_line_start(file: &mut File, from: u64, size: u64) -> std::io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(from))?;
    let mut reader = BufReader::with_capacity(64 << 10, &mut *file);
    let mut position = from;
    while position < size {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        if let Some(at) = buffer.iter().position(|&b| b == b'\n') {
            return Ok(Some(position + at as u64 + 1));
        }
        position += buffer.len() as u64;
        let length = buffer.len();
        reader.consume(length);
    }
    Ok(None)
}

fn read_part(
    path: &Path,
    start: u64,
    end: u64,
    prefix: Vec<u8>,
    options: ReportOptions,
    strict: bool,
    progress: &ProgressBar,
) -> Result<Part> {
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(context)?;
    file.seek(SeekFrom::Start(start)).with_context(context)?;
    let counters = Rc::new(Counters::default());
    let range = CountingReader {
        inner: file.take(end - start),
        counters: Rc::clone(&counters),
        progress: progress.clone(),
    };
    let records =
        read_records(BufReader::with_capacity(BUFFER_BYTES, std::io::Cursor::new(prefix).chain(range)))
            .with_context(context)?;
    let mut builder = ReportBuilder::new(options);
    let (mut bad_lines, mut count) = (Vec::new(), 0);
    for (index, item) in records.enumerate() {
        match item {
            Ok(record) => {
                builder.add(&record);
                count += 1;
            }
            Err(error) => {
                bad_lines.push(bad_line(path, error, index == 0, 0)?);
                if strict {
                    break;
                }
            }
        }
    }
    Ok(Part {
        builder,
        bad_lines,
        records: count,
        newlines: counters.newlines.get(),
        saw_quote: counters.quotes.get(),
    })
}

#[derive(Debug, Default)]
struct Counters {
    newlines: Cell<u64>,
    quotes: Cell<bool>,
}

/// Counts the line breaks and looks for quotes in what passes through, and moves the bar.
struct CountingReader<R> {
    inner: R,
    counters: Rc<Counters>,
    progress: ProgressBar,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        let (mut newlines, mut quotes) = (0u64, 0u64);
        for &byte in &buffer[..count] {
            newlines += u64::from(byte == b'\n');
            quotes += u64::from(byte == b'"');
        }
        self.counters.newlines.set(self.counters.newlines.get() + newlines);
        if quotes > 0 {
            self.counters.quotes.set(true);
        }
        self.progress.inc(count as u64);
        Ok(count)
    }
}
