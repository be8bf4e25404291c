//! Reading record files into a report builder, streaming, over all cores when the file is
//! large, with every bad line reported as `FILE:LINE: field: problem`.
//!
//! A file is cut into one byte range per thread at line boundaries; each range goes into its
//! own `ReportBuilder`, and the builders are merged in file order, which gives exactly the
//! report one reader would. CSV ranges are split into lines here and each line handed to the
//! library (`record_from_plain_csv_line`); that is only equivalent to the general CSV reader
//! for lines without quotes or stray carriage returns, which no valid record contains, so a
//! file with either is read again, whole, by the library's general reader. JSON Lines ranges
//! go through the library's general reader directly.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::rc::Rc;

use analysis::format::{LineError, record_from_plain_csv_line};
use analysis::{ReportBuilder, ReportOptions, read_records};
use anyhow::{Context, Result, anyhow, bail};
use indicatif::ProgressBar;

/// Below this size a file is read by one thread: starting threads would cost more than it saves.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;
const BLOCK_BYTES: usize = 1 << 20;

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

/// One bad line, with its line number.
#[derive(Debug)]
struct BadLine {
    line: u64,
    message: String,
}

/// What one thread made of its byte range. Line numbers of bad lines count from the range.
struct Part {
    builder: ReportBuilder,
    bad_lines: Vec<BadLine>,
    records: u64,
    newlines: u64,
    /// The range holds a quote or a stray carriage return: the fast path does not apply.
    needs_general_reader: bool,
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
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let metadata = file.metadata().with_context(context)?;
    let size = metadata.len();
    if !metadata.is_file() {
        // A pipe or a device can only be read once, from the start, by one reader.
        return read_general(path, file, builder, settings.strict, progress, errors);
    }
    let threads = if size >= PARALLEL_MIN_BYTES { settings.threads.max(1) } else { 1 };
    let mut head = Vec::new();
    (&mut file).take(64 << 10).read_to_end(&mut head).with_context(context)?;
    let first = head.iter().position(|b| !b.is_ascii_whitespace());
    let is_json_lines = first.is_some_and(|at| head[at] == b'{');
    let start = progress.position();
    if !is_json_lines {
        if let Some(summary) =
            read_plain_csv(path, size, builder, options, settings, threads, progress, errors)?
        {
            return Ok(summary);
        }
        progress.set_position(start);
    } else if threads > 1 {
        if let Some(summary) =
            read_json_lines_parallel(path, size, builder, options, settings, progress, errors)?
        {
            return Ok(summary);
        }
        progress.set_position(start);
    }
    let file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    read_general(path, file, builder, settings.strict, progress, errors)
}

/// The library's general reader over the whole file, in one thread.
fn read_general(
    path: &Path,
    file: File,
    builder: &mut ReportBuilder,
    strict: bool,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<FileSummary> {
    let input = CountingReader { inner: file, newlines: Rc::default(), progress: progress.clone() };
    let records = read_records(BufReader::with_capacity(BLOCK_BYTES, input))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut summary = FileSummary::default();
    for (index, item) in records.enumerate() {
        match item {
            Ok(record) => {
                builder.add(&record);
                summary.records += 1;
            }
            Err(error) => {
                let bad = bad_line(path, error, index == 0)?;
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

/// Turns a reader error into a bad line, or into a failure of the whole file when the stream
/// broke or the file is not records at all.
fn bad_line(path: &Path, error: LineError, first_item: bool) -> Result<BadLine> {
    match error {
        LineError::Io(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        LineError::Syntax { line, problem } if first_item && problem.starts_with("the header is not") => {
            Err(anyhow!(
                "{}:{line}: {problem}. Requester exports must be converted first: see `piecerate import --help`",
                path.display()
            ))
        }
        LineError::Syntax { line, problem } => Ok(BadLine { line, message: problem }),
        LineError::Record { line, error } => Ok(BadLine { line, message: error.to_string() }),
    }
}

fn write_bad_line(errors: &mut impl Write, path: &Path, bad: &BadLine) -> Result<()> {
    // One write per line, so that the line reaches the terminal whole.
    let text = format!("{}:{}: {}\n", path.display(), bad.line, bad.message);
    errors.write_all(text.as_bytes()).context("cannot write to stderr")
}

/// Reports the parts' bad lines in file order (shifting each part's line numbers by the lines
/// before it) and merges their builders into `builder`.
fn merge_parts(
    path: &Path,
    parts: Vec<Part>,
    lines_before_first: u64,
    builder: &mut ReportBuilder,
    strict: bool,
    errors: &mut impl Write,
) -> Result<FileSummary> {
    let mut summary = FileSummary::default();
    let mut lines_before = lines_before_first;
    for part in parts {
        for bad in &part.bad_lines {
            let bad = BadLine { line: bad.line + lines_before, message: bad.message.clone() };
            summary.bad_lines += 1;
            write_bad_line(errors, path, &bad)?;
            if strict {
                bail!("stopped at the first bad line, {}:{} (--strict)", path.display(), bad.line);
            }
        }
        summary.records += part.records;
        lines_before += part.newlines;
        builder.merge(part.builder);
    }
    Ok(summary)
}

/// Cuts `[from, size)` into up to `threads` ranges that start at line starts.
fn ranges(file: &mut File, from: u64, size: u64, threads: usize) -> std::io::Result<Vec<(u64, u64)>> {
    let mut bounds = vec![from];
    for part in 1..threads as u64 {
        let target = from + (size - from) * part / threads as u64;
        match next_line_start(file, target, size)? {
            Some(boundary) if boundary > *bounds.last().expect("not empty") && boundary < size => {
                bounds.push(boundary)
            }
            _ => {}
        }
    }
    bounds.push(size);
    Ok(bounds.windows(2).map(|pair| (pair[0], pair[1])).collect())
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
        if let Some(at) = memchr::memchr(b'\n', buffer) {
            return Ok(Some(position + at as u64 + 1));
        }
        position += buffer.len() as u64;
        let length = buffer.len();
        reader.consume(length);
    }
    Ok(None)
}

/// The fast path for CSV. `None`: the file needs the general reader; nothing was reported.
#[expect(clippy::too_many_arguments, reason = "the plain parts of one read, passed down unchanged")]
fn read_plain_csv(
    path: &Path,
    size: u64,
    builder: &mut ReportBuilder,
    options: &ReportOptions,
    settings: ReadSettings,
    threads: usize,
    progress: &ProgressBar,
    errors: &mut impl Write,
) -> Result<Option<FileSummary>> {
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(context)?;
    // The header is the first line that is not blank; the library checks it.
    let mut reader = BufReader::new(&mut file);
    let (mut offset, mut newlines, mut header) = (0u64, 0u64, Vec::new());
    loop {
        header.clear();
        let length = reader.read_until(b'\n', &mut header).with_context(context)?;
        if length == 0 {
            return Ok(Some(FileSummary::default()));
        }
        offset += length as u64;
        let content = header.strip_suffix(b"\n").unwrap_or(&header);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.contains(&b'"') || content.contains(&b'\r') {
            return Ok(None);
        }
        if !content.is_empty() {
            break;
        }
        newlines += u64::from(header.ends_with(b"\n"));
    }
    progress.inc(offset);
    let header_line = newlines + 1;
    if let Some(Err(error)) = read_records(std::io::Cursor::new(header.clone())).with_context(context)?.next()
    {
        let error = match error {
            LineError::Syntax { problem, .. } => LineError::Syntax { line: header_line, problem },
            other => other,
        };
        bad_line(path, error, true)?;
    }
    newlines += u64::from(header.ends_with(b"\n"));
    let ranges = ranges(&mut file, offset, size, threads).with_context(context)?;
    let parts: Vec<Result<Part>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| {
                let options = options.clone();
                scope.spawn(move || read_plain_range(path, start, end, options, settings.strict, progress))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a reader thread panicked")).collect()
    });
    let parts = parts.into_iter().collect::<Result<Vec<Part>>>()?;
    if parts.iter().any(|part| part.needs_general_reader) {
        return Ok(None);
    }
    merge_parts(path, parts, newlines, builder, settings.strict, errors).map(Some)
}

/// Reads the lines of `[start, end)`, which starts at a line start.
fn read_plain_range(
    path: &Path,
    start: u64,
    end: u64,
    options: ReportOptions,
    strict: bool,
    progress: &ProgressBar,
) -> Result<Part> {
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(context)?;
    file.seek(SeekFrom::Start(start)).with_context(context)?;
    let mut input = file.take(end - start);
    let mut part = Part {
        builder: ReportBuilder::new(options),
        bad_lines: Vec::new(),
        records: 0,
        newlines: 0,
        needs_general_reader: false,
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(2 * BLOCK_BYTES);
    loop {
        let kept = buffer.len();
        buffer.resize(kept + BLOCK_BYTES, 0);
        let count = input.read(&mut buffer[kept..]).with_context(context)?;
        buffer.truncate(kept + count);
        progress.inc(count as u64);
        if memchr::memchr(b'"', &buffer[kept..]).is_some() {
            part.needs_general_reader = true;
            return Ok(part);
        }
        let at_end = count == 0;
        let mut line_start = 0;
        let next_line = |line: &[u8], part: &mut Part| -> Result<bool> {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if memchr::memchr(b'\r', line).is_some() {
                part.needs_general_reader = true;
                return Ok(false);
            }
            if line.is_empty() {
                return Ok(true);
            }
            match record_from_plain_csv_line(line, part.newlines + 1) {
                Ok(record) => {
                    part.builder.add(&record);
                    part.records += 1;
                }
                Err(error) => {
                    part.bad_lines.push(bad_line(path, error, false)?);
                    if strict {
                        return Ok(false);
                    }
                }
            }
            Ok(true)
        };
        for newline in memchr::memchr_iter(b'\n', &buffer) {
            let go_on = next_line(&buffer[line_start..newline], &mut part)?;
            part.newlines += 1;
            line_start = newline + 1;
            if !go_on {
                return Ok(part);
            }
        }
        if at_end {
            if line_start < buffer.len() {
                next_line(&buffer[line_start..], &mut part)?;
            }
            return Ok(part);
        }
        buffer.drain(..line_start);
    }
}

/// JSON Lines in parallel ranges through the library's reader (JSON strings cannot hold a
/// raw line break, so a range boundary never falls inside a record).
fn read_json_lines_parallel(
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
    let ranges = ranges(&mut file, 0, size, settings.threads).with_context(context)?;
    let parts: Vec<Result<Part>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| {
                let options = options.clone();
                scope.spawn(move || {
                    read_json_lines_range(path, start, end, options, settings.strict, progress)
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a reader thread panicked")).collect()
    });
    let parts = parts.into_iter().collect::<Result<Vec<Part>>>()?;
    merge_parts(path, parts, 0, builder, settings.strict, errors).map(Some)
}

fn read_json_lines_range(
    path: &Path,
    start: u64,
    end: u64,
    options: ReportOptions,
    strict: bool,
    progress: &ProgressBar,
) -> Result<Part> {
    let context = || format!("cannot read {}", path.display());
    let mut file = File::open(path).with_context(context)?;
    file.seek(SeekFrom::Start(start)).with_context(context)?;
    let newlines = Rc::new(Cell::new(0));
    let range = CountingReader {
        inner: file.take(end - start),
        newlines: Rc::clone(&newlines),
        progress: progress.clone(),
    };
    let records = read_records(BufReader::with_capacity(BLOCK_BYTES, range)).with_context(context)?;
    let mut builder = ReportBuilder::new(options);
    let (mut bad_lines, mut count) = (Vec::new(), 0);
    for item in records {
        match item {
            Ok(record) => {
                builder.add(&record);
                count += 1;
            }
            Err(error) => {
                // Line numbers of the library's reader start at 1 in the range.
                let bad = bad_line(path, error, false)?;
                bad_lines.push(BadLine { line: bad.line, message: bad.message });
                if strict {
                    break;
                }
            }
        }
    }
    Ok(Part { builder, bad_lines, records: count, newlines: newlines.get(), needs_general_reader: false })
}

/// Counts the line breaks that pass through, and moves the progress bar.
struct CountingReader<R> {
    inner: R,
    newlines: Rc<Cell<u64>>,
    progress: ProgressBar,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.newlines.set(self.newlines.get() + memchr::memchr_iter(b'\n', &buffer[..count]).count() as u64);
        self.progress.inc(count as u64);
        Ok(count)
    }
}
