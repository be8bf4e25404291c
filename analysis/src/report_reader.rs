//! Reading one input of records into a report builder, over several threads when the input is
//! large and can be read from any offset, with exactly the report, and the bad lines in the
//! same order and with the same line numbers, that one reader from the start gives.
//!
//! The input is cut into one byte range per thread at line starts; each range goes into its own
//! [`ReportBuilder`], and the builders are merged in input order. CSV ranges are split into
//! lines here and each line is read by [`record_from_plain_csv_line`]; that is only equivalent
//! to the general CSV reader for lines without quotes or stray carriage returns, which no valid
//! record contains, so an input with either is read again, whole, by the general reader. JSON
//! Lines ranges go through the JSON Lines reader: a JSON string cannot hold a raw line break, so
//! a range boundary never falls inside a record.
//!
//! A record whose `record_id` was read before, in this input or an earlier one, must count
//! once. [`RecordIds`] does it in two passes, the second only when needed: the first pass
//! counts every record and keeps a 64-bit key of each id (8 bytes a record, sorted per range in
//! its thread); if two keys are equal, the caller reads every input again, by one reader, with
//! [`RecordIds::second_pass`], which checks the ids of those keys exactly and keeps the first
//! copy in input order ([`ReadSummary::repeated`] counts the others; `strict` stops at the
//! first). Inputs without repeats, the usual case, are read once and at full speed.
//!
//! No IO of its own: the caller's [`Input`] opens readers over byte ranges (of a file, say), and
//! [`read_stream`] takes a stream that can only be read once. Threads are started only for a
//! large input and when more than one is asked for.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::Mutex;

use uuid::Uuid;

use crate::format::{
    CsvRecords, Encoding, JsonLinesRecords, LineError, record_from_plain_csv_line,
    record_from_plain_csv_text, sniff_encoding,
};
use crate::import::SaltFingerprint;
use crate::record_filter::RecordFilter;
use crate::time::Timestamp;
use crate::{Record, ReportBuilder};

/// Below this size an input is read by one thread: starting threads would cost more than it saves.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;
/// How much a reader of a range reads at a time.
const BLOCK_BYTES: usize = 1 << 20;
/// How much of the start of an input decides between CSV and JSON Lines.
const HEAD_BYTES: u64 = 64 << 10;

/// Bytes that can be read from any offset: a file, a buffer.
pub trait Input: Sync {
    type Reader<'a>: Read
    where
        Self: 'a;

    /// The length of the input, in bytes.
    fn size(&self) -> u64;

    /// A reader of the bytes in `range`, which lies within `0..self.size()`.
    fn open(&self, range: Range<u64>) -> io::Result<Self::Reader<'_>>;

    /// `bytes` more bytes of records were read, from any thread: for a progress display.
    fn progress(&self, _bytes: u64) {}

    /// Reading starts again from the first byte, because the fast path did not apply: the
    /// progress made so far is made again.
    fn restart(&self) {}
}

impl Input for [u8] {
    type Reader<'a> = &'a [u8];

    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn open(&self, range: Range<u64>) -> io::Result<&[u8]> {
        let to_index = |offset: u64| usize::try_from(offset).expect("an offset within a slice");
        Ok(&self[to_index(range.start)..to_index(range.end)])
    }
}

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadSettings<'a> {
    /// Stop at the first bad line ([`ReadError::StoppedAtBadLine`]) instead of skipping it.
    pub strict: bool,
    /// The records the report counts. It is applied to a record after its `record_id` was
    /// checked against those read before, so a repeat stays a repeat whatever the filter keeps.
    pub filter: &'a RecordFilter,
    /// At most this many threads read an input of 8 MiB or more (smaller ones are read by one);
    /// 1 reads it in the calling thread, the only choice on wasm32-unknown-unknown, which has
    /// no threads.
    pub threads: usize,
}

/// What reading an input gave.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    /// Records added to the report (repeats not included).
    pub records: u64,
    pub bad_lines: u64,
    /// Valid records left out because a record with their `record_id` was read before.
    pub repeated: u64,
    /// Valid records, not repeated, that the filter left out.
    pub filtered_out: u64,
    /// The earliest and latest `started_at` of the records added.
    pub first_started_at: Option<Timestamp>,
    pub last_started_at: Option<Timestamp>,
    /// The salt fingerprints of the requester-export installs among the records added
    /// (`import::salt_fingerprint`); `None` stands for installs imported before fingerprints
    /// were recorded.
    pub import_salts: BTreeSet<Option<SaltFingerprint>>,
}

impl ReadSummary {
    fn count(&mut self, record: &Record) {
        self.records += 1;
        let started = record.started_at();
        self.first_started_at = Some(self.first_started_at.map_or(started, |first| first.min(started)));
        self.last_started_at = Some(self.last_started_at.map_or(started, |last| last.max(started)));
        if record.install_id().is_from_requester_export() {
            let salt = crate::import::salt_fingerprint(record.install_id());
            // Records of one install come together: most of them find their salt already there.
            if !self.import_salts.contains(&salt) {
                self.import_salts.insert(salt);
            }
        }
    }

    /// Adds what a later part of the same input gave.
    fn absorb(&mut self, later: ReadSummary) {
        self.records += later.records;
        self.bad_lines += later.bad_lines;
        self.repeated += later.repeated;
        self.filtered_out += later.filtered_out;
        self.first_started_at = self.first_started_at.min(later.first_started_at).or(later.first_started_at);
        self.last_started_at = self.last_started_at.max(later.last_started_at);
        self.import_salts.extend(later.import_salts);
    }
}

/// The `record_id`s of the inputs read so far, so that a record read twice counts once (see the
/// module's documentation for the two passes).
#[derive(Debug, Default)]
pub struct RecordIds {
    /// Second pass only: the repeated keys, and for each id with such a key the input it was
    /// first read from.
    exact: Option<Exact>,
    /// First pass: the keys of the ids read, one sorted run per range or input.
    keys: Mutex<Vec<Vec<u64>>>,
    /// How many inputs were read.
    inputs: usize,
}

#[derive(Debug)]
struct Exact {
    candidates: HashSet<u64>,
    first_input: HashMap<u128, usize>,
}

/// The key the first pass keeps of an id: its two halves folded. Equal ids have equal keys;
/// two random version-4 UUIDs (58 random bits left after folding: the version and variant bits
/// are fixed) share one with a chance of 1 in 2^58 per pair, about 2 in 10,000 among 10 million
/// ids, and then only cost the second pass, which compares whole ids.
fn key(id: Uuid) -> u64 {
    let id = id.as_u128();
    (id >> 64) as u64 ^ id as u64
}

impl RecordIds {
    /// For the first pass.
    pub fn new() -> RecordIds {
        RecordIds::default()
    }

    /// After the first pass: `None` when no two ids read were alike, so every record counted
    /// once; otherwise the `RecordIds` of a second pass over the same inputs in the same order.
    pub fn second_pass(&self) -> Option<RecordIds> {
        let runs = self.keys.lock().expect("no reader panicked");
        let candidates = repeated_keys(&runs);
        (!candidates.is_empty()).then(|| RecordIds {
            exact: Some(Exact { candidates, first_input: HashMap::new() }),
            keys: Mutex::default(),
            inputs: 0,
        })
    }

    fn keep(&self, mut run: Vec<u64>) {
        run.sort_unstable();
        self.keys.lock().expect("no reader panicked").push(run);
    }
}

/// The keys that occur more than once in the sorted runs, by a merge of the runs. There is one
/// run per reading thread or input, so few: the next key is found by looking at the head of
/// each run, which costs less than a heap's upkeep (the heap had taken 3% of the
/// 10-million-record report, read by two threads).
fn repeated_keys(runs: &[Vec<u64>]) -> HashSet<u64> {
    let mut heads: Vec<&[u64]> = runs.iter().map(Vec::as_slice).filter(|run| !run.is_empty()).collect();
    let mut repeated = HashSet::new();
    let mut previous = None;
    while !heads.is_empty() {
        let mut smallest = 0;
        for (index, head) in heads.iter().enumerate().skip(1) {
            if head[0] < heads[smallest][0] {
                smallest = index;
            }
        }
        let value = heads[smallest][0];
        if previous == Some(value) {
            repeated.insert(value);
        }
        previous = Some(value);
        heads[smallest] = &heads[smallest][1..];
        if heads[smallest].is_empty() {
            heads.swap_remove(smallest);
        }
    }
    repeated
}

/// A line that holds no valid record: its number in the whole input, from 1, and its problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct BadLine {
    pub line: u64,
    pub problem: String,
}

/// Why reading an input stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    #[error("reading input: {0}")]
    Io(#[from] io::Error),
    /// The input is not record format v1 at all: its first line is not the CSV v1 header.
    #[error("{0}")]
    NotRecords(BadLine),
    /// Under `strict`, the first bad line, once handed to the bad-line handler.
    #[error("stopped at the first bad line, line {line}")]
    StoppedAtBadLine { line: u64 },
    /// The bad-line handler failed.
    #[error("handling a bad line: {0}")]
    Handler(E),
    /// Under `strict`, the first record whose `record_id` was read before, in the input
    /// `first_input` (counted from 0; the current one when it repeats within an input).
    #[error("line {line}: record_id {record_id} was already read (input {first_input})")]
    Repeated { line: u64, record_id: Uuid, first_input: usize },
}

/// Reads `input` into `builder`, handing each bad line to `on_bad_line` in input order,
/// whatever the number of threads.
pub fn read<I: Input + ?Sized, E>(
    input: &I,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    settings: ReadSettings,
    on_bad_line: impl FnMut(BadLine) -> Result<(), E>,
) -> Result<ReadSummary, ReadError<E>> {
    let threads = if input.size() >= PARALLEL_MIN_BYTES { settings.threads.max(1) } else { 1 };
    read_in_threads(input, threads, builder, ids, settings.strict, settings.filter, on_bad_line)
}

/// Reads a stream that can only be read once, from the start (a pipe), into `builder`, in the
/// calling thread, handing each bad line to `on_bad_line` as it comes.
pub fn read_stream<E>(
    input: impl Read,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    strict: bool,
    filter: &RecordFilter,
    mut on_bad_line: impl FnMut(BadLine) -> Result<(), E>,
) -> Result<ReadSummary, ReadError<E>> {
    let mut input = BufReader::with_capacity(BLOCK_BYTES, input);
    let this_input = ids.inputs;
    ids.inputs += 1;
    let mut keys = Vec::new();
    let read = match sniff_encoding(&mut input)? {
        Encoding::Csv => add_records(
            &mut CsvRecords::new(input),
            builder,
            ids,
            &mut keys,
            this_input,
            strict,
            filter,
            &mut on_bad_line,
        ),
        Encoding::JsonLines => add_records(
            &mut JsonLinesRecords::new(input),
            builder,
            ids,
            &mut keys,
            this_input,
            strict,
            filter,
            &mut on_bad_line,
        ),
    };
    ids.keep(keys);
    read
}

/// [`read`] with the number of threads decided.
fn read_in_threads<I: Input + ?Sized, E>(
    input: &I,
    threads: usize,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    strict: bool,
    filter: &RecordFilter,
    mut on_bad_line: impl FnMut(BadLine) -> Result<(), E>,
) -> Result<ReadSummary, ReadError<E>> {
    let size = input.size();
    // The second pass decides in input order, so one general reader reads it.
    let encoding = match ids.exact {
        Some(_) => Encoding::JsonLines,
        None => sniff_encoding(&mut BufReader::new(input.open(0..size.min(HEAD_BYTES))?))?,
    };
    match encoding {
        Encoding::Csv => {
            if let Some(summary) =
                read_plain_csv(input, threads, builder, ids, strict, filter, &mut on_bad_line)?
            {
                return Ok(summary);
            }
            input.restart();
        }
        Encoding::JsonLines if threads > 1 && ids.exact.is_none() => {
            let ranges = line_ranges(input, 0, threads)?;
            let parts = read_parts(input, ranges, builder, ids, filter, |input, range, part| {
                read_json_lines_range(input, range, part, strict).map(Part::done)
            })?;
            let merged = merge_parts(parts, 0, builder, strict, &mut on_bad_line);
            ids.inputs += 1;
            return merged;
        }
        Encoding::JsonLines => {}
    }
    let whole = CountingReader { inner: input.open(0..size)?, input, newlines: 0 };
    read_stream(whole, builder, ids, strict, filter, on_bad_line)
}

/// Adds the records of a general reader, handing each bad line on as it comes.
#[expect(clippy::too_many_arguments, reason = "the state of one reading of one input, each part used")]
fn add_records<E>(
    records: &mut impl RecordLines,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    keys: &mut Vec<u64>,
    this_input: usize,
    strict: bool,
    filter: &RecordFilter,
    on_bad_line: &mut impl FnMut(BadLine) -> Result<(), E>,
) -> Result<ReadSummary, ReadError<E>> {
    let mut summary = ReadSummary::default();
    let mut index = 0;
    while let Some(item) = records.next() {
        index += 1;
        match item {
            Ok(record) => match first_read_in(ids, keys, this_input, &record) {
                None if !filter.keeps(&record) => summary.filtered_out += 1,
                None => {
                    builder.add(&record);
                    summary.count(&record);
                }
                Some(first_input) if strict => {
                    return Err(ReadError::Repeated {
                        line: records.last_line(),
                        record_id: record.record_id(),
                        first_input,
                    });
                }
                Some(_) => summary.repeated += 1,
            },
            Err(error) => {
                let bad = bad_line(error)?;
                // The CSV reader's first item is the header's verdict: an input whose first
                // line is not the header is not records at all, and every line would be bad.
                if index == 1 && bad.problem.starts_with("the header is not") {
                    return Err(ReadError::NotRecords(bad));
                }
                summary.bad_lines += 1;
                hand_on(bad, strict, on_bad_line)?;
            }
        }
    }
    Ok(summary)
}

/// A general reader of records that says where the last one started.
trait RecordLines: Iterator<Item = Result<Record, LineError>> {
    fn last_line(&self) -> u64;
}

impl<R: BufRead> RecordLines for CsvRecords<R> {
    fn last_line(&self) -> u64 {
        CsvRecords::last_line(self)
    }
}

impl<R: BufRead> RecordLines for JsonLinesRecords<R> {
    fn last_line(&self) -> u64 {
        JsonLinesRecords::last_line(self)
    }
}

/// In the second pass, the input where `record`'s id was first read when that was before;
/// `None` when the record counts (in the first pass, always, after keeping its key).
fn first_read_in(
    ids: &mut RecordIds,
    keys: &mut Vec<u64>,
    this_input: usize,
    record: &Record,
) -> Option<usize> {
    let Some(exact) = &mut ids.exact else {
        keys.push(key(record.record_id()));
        return None;
    };
    if !exact.candidates.contains(&key(record.record_id())) {
        return None;
    }
    match exact.first_input.entry(record.record_id().as_u128()) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(entry) => {
            entry.insert(this_input);
            None
        }
    }
}

/// Hands a bad line to the handler; under `strict`, reading stops there.
fn hand_on<E>(
    bad: BadLine,
    strict: bool,
    on_bad_line: &mut impl FnMut(BadLine) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let line = bad.line;
    on_bad_line(bad).map_err(ReadError::Handler)?;
    if strict {
        return Err(ReadError::StoppedAtBadLine { line });
    }
    Ok(())
}

/// A reader's error as a bad line, or as the failure of the whole input when the stream broke.
fn bad_line(error: LineError) -> io::Result<BadLine> {
    match error {
        LineError::Io(error) => Err(error),
        LineError::Syntax { line, problem } => Ok(BadLine { line, problem }),
        LineError::Record { line, error } => Ok(BadLine { line, problem: error.to_string() }),
    }
}

/// What one thread made of its byte range. Line numbers of bad lines count from the range.
#[derive(Debug)]
struct Part<'a> {
    builder: ReportBuilder,
    bad_lines: Vec<BadLine>,
    summary: ReadSummary,
    newlines: u64,
    /// The range holds a quote or a stray carriage return: the plain CSV path does not apply.
    needs_general_reader: bool,
    /// Where the keys of this range's ids go when it is read (first pass only).
    ids: &'a RecordIds,
    keys: Vec<u64>,
    filter: &'a RecordFilter,
}

impl<'a> Part<'a> {
    fn new(builder: ReportBuilder, ids: &'a RecordIds, filter: &'a RecordFilter) -> Part<'a> {
        Part {
            builder,
            bad_lines: Vec::new(),
            summary: ReadSummary::default(),
            newlines: 0,
            needs_general_reader: false,
            ids,
            keys: Vec::new(),
            filter,
        }
    }

    /// Adds one record, or notes one bad line; false when reading the range must stop.
    fn add(&mut self, item: Result<Record, LineError>, strict: bool) -> io::Result<bool> {
        match item {
            Ok(record) => {
                self.keys.push(key(record.record_id()));
                if self.filter.keeps(&record) {
                    self.builder.add(&record);
                    self.summary.count(&record);
                } else {
                    self.summary.filtered_out += 1;
                }
                Ok(true)
            }
            Err(error) => {
                self.bad_lines.push(bad_line(error)?);
                Ok(!strict)
            }
        }
    }

    /// The range is read: its keys are sorted (in its own thread) and kept.
    fn done(mut self) -> Part<'a> {
        self.ids.keep(std::mem::take(&mut self.keys));
        self
    }
}

/// Reads each range into a part of its own, one thread per range when there are several, and
/// gives the parts in input order.
fn read_parts<'a, I: Input + ?Sized>(
    input: &I,
    ranges: Vec<Range<u64>>,
    builder: &ReportBuilder,
    earlier: &'a RecordIds,
    filter: &'a RecordFilter,
    read_range: impl Fn(&I, Range<u64>, Part<'a>) -> io::Result<Part<'a>> + Sync,
) -> io::Result<Vec<Part<'a>>> {
    let jobs: Vec<_> =
        ranges.into_iter().map(|range| (range, Part::new(builder.new_part(), earlier, filter))).collect();
    if jobs.len() == 1 {
        return jobs.into_iter().map(|(range, part)| read_range(input, range, part)).collect();
    }
    let read_range = &read_range;
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|(range, part)| scope.spawn(move || read_range(input, range, part)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Hands the parts' bad lines on in input order (shifting each part's line numbers by the
/// lines before it) and merges their builders into `builder`.
fn merge_parts<E>(
    parts: Vec<Part<'_>>,
    lines_before_first: u64,
    builder: &mut ReportBuilder,
    strict: bool,
    on_bad_line: &mut impl FnMut(BadLine) -> Result<(), E>,
) -> Result<ReadSummary, ReadError<E>> {
    let mut summary = ReadSummary::default();
    let mut lines_before = lines_before_first;
    for part in parts {
        for bad in part.bad_lines {
            summary.bad_lines += 1;
            hand_on(BadLine { line: bad.line + lines_before, problem: bad.problem }, strict, on_bad_line)?;
        }
        summary.absorb(part.summary);
        lines_before += part.newlines;
        builder.merge(part.builder);
    }
    Ok(summary)
}

/// Cuts `from..input.size()` into up to `parts` ranges that start at line starts.
fn line_ranges<I: Input + ?Sized>(input: &I, from: u64, parts: usize) -> io::Result<Vec<Range<u64>>> {
    let size = input.size();
    let mut bounds = vec![from];
    for part in 1..parts as u64 {
        let target = from + (size - from) * part / parts as u64;
        match next_line_start(input, target)? {
            Some(boundary) if boundary > *bounds.last().expect("not empty") && boundary < size => {
                bounds.push(boundary)
            }
            _ => {}
        }
    }
    bounds.push(size);
    Ok(bounds.windows(2).map(|pair| pair[0]..pair[1]).collect())
}

/// The offset of the first byte after the first line break at or after `from`, if any.
fn next_line_start<I: Input + ?Sized>(input: &I, from: u64) -> io::Result<Option<u64>> {
    let mut reader = BufReader::with_capacity(64 << 10, input.open(from..input.size())?);
    let mut position = from;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(None);
        }
        if let Some(at) = memchr::memchr(b'\n', buffer) {
            return Ok(Some(position + at as u64 + 1));
        }
        let length = buffer.len();
        position += length as u64;
        reader.consume(length);
    }
}

/// The fast path for CSV. `None`: the input needs the general reader; nothing was handed on.
fn read_plain_csv<I: Input + ?Sized, E>(
    input: &I,
    threads: usize,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    strict: bool,
    filter: &RecordFilter,
    on_bad_line: &mut impl FnMut(BadLine) -> Result<(), E>,
) -> Result<Option<ReadSummary>, ReadError<E>> {
    // The header is the first line that is not blank; the CSV reader checks it.
    let mut reader = BufReader::new(input.open(0..input.size())?);
    let (mut offset, mut newlines, mut header) = (0u64, 0u64, Vec::new());
    loop {
        header.clear();
        let length = reader.read_until(b'\n', &mut header)?;
        if length == 0 {
            ids.inputs += 1;
            return Ok(Some(ReadSummary::default()));
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
    input.progress(offset);
    if let Some(Err(error)) = CsvRecords::new(header.as_slice()).next() {
        let problem = bad_line(error)?.problem;
        return Err(ReadError::NotRecords(BadLine { line: newlines + 1, problem }));
    }
    newlines += u64::from(header.ends_with(b"\n"));
    let ranges = line_ranges(input, offset, threads)?;
    let runs_before = ids.keys.lock().expect("no reader panicked").len();
    let parts = read_parts(input, ranges, builder, ids, filter, |input, range, part| {
        read_plain_range(input, range, part, strict).map(Part::done)
    })?;
    if parts.iter().any(|part| part.needs_general_reader) {
        // The general reader reads the input again and keeps its keys: these are dropped.
        ids.keys.lock().expect("no reader panicked").truncate(runs_before);
        return Ok(None);
    }
    let merged = merge_parts(parts, newlines, builder, strict, on_bad_line).map(Some);
    ids.inputs += 1;
    merged
}

/// Reads the plain CSV lines of `range`, which starts at a line start.
///
/// The checks that do not depend on the line (a quote, a carriage return, UTF-8) are made once
/// per block of whole lines rather than once per line: on the 10-million-record benchmark the
/// per-line calls had cost about 5% of the report's time. A block that fails one of them is read
/// line by line as before, so the result is the same.
fn read_plain_range<'a, I: Input + ?Sized>(
    input: &I,
    range: Range<u64>,
    mut part: Part<'a>,
    strict: bool,
) -> io::Result<Part<'a>> {
    let mut reader = input.open(range)?;
    // Allocated and zeroed once; the unfinished line at a block's end moves to its front.
    let mut buffer = vec![0u8; 2 * BLOCK_BYTES];
    let mut kept = 0;
    loop {
        if buffer.len() < kept + BLOCK_BYTES {
            buffer.resize(kept + BLOCK_BYTES, 0);
        }
        let count = reader.read(&mut buffer[kept..kept + BLOCK_BYTES])?;
        let filled = kept + count;
        input.progress(count as u64);
        if memchr::memchr(b'"', &buffer[kept..filled]).is_some() {
            part.needs_general_reader = true;
            return Ok(part);
        }
        // The whole lines of the block, and where the next block's first line starts.
        let (lines_end, next_start) = if count == 0 {
            (filled, filled)
        } else {
            match memchr::memrchr(b'\n', &buffer[..filled]) {
                Some(newline) => (newline + 1, newline + 1),
                None => (0, 0),
            }
        };
        if !read_plain_lines(&buffer[..lines_end], count == 0, &mut part, strict)? {
            return Ok(part);
        }
        if count == 0 {
            return Ok(part);
        }
        buffer.copy_within(next_start..filled, 0);
        kept = filled - next_start;
    }
}

/// Reads whole lines, each ending with `\n` (the last one may not, at the end of the input);
/// false when reading the range must stop (a bad line under `strict`, or a line only the general
/// reader reads right).
fn read_plain_lines(block: &[u8], at_end: bool, part: &mut Part<'_>, strict: bool) -> io::Result<bool> {
    let has_carriage_return = memchr::memchr(b'\r', block).is_some();
    let text = if has_carriage_return { None } else { std::str::from_utf8(block).ok() };
    let mut line_start = 0;
    let read_line = |line_start: usize, end: usize, part: &mut Part<'_>| -> io::Result<bool> {
        let line_number = part.newlines + 1;
        if let Some(text) = text {
            // The block is UTF-8 and has no carriage return; a line break is one byte, so both
            // ends of a line are character boundaries.
            let line = &text[line_start..end];
            if line.is_empty() {
                return Ok(true);
            }
            return part.add(record_from_plain_csv_text(line, line_number), strict);
        }
        let line = &block[line_start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if memchr::memchr(b'\r', line).is_some() {
            part.needs_general_reader = true;
            return Ok(false);
        }
        if line.is_empty() {
            return Ok(true);
        }
        part.add(record_from_plain_csv_line(line, line_number), strict)
    };
    for newline in memchr::memchr_iter(b'\n', block) {
        let go_on = read_line(line_start, newline, part)?;
        part.newlines += 1;
        line_start = newline + 1;
        if !go_on {
            return Ok(false);
        }
    }
    if at_end && line_start < block.len() {
        return read_line(line_start, block.len(), part);
    }
    Ok(true)
}

/// Reads the JSON Lines of `range`, which starts at a line start. Its line numbers start at 1.
fn read_json_lines_range<'a, I: Input + ?Sized>(
    input: &I,
    range: Range<u64>,
    mut part: Part<'a>,
    strict: bool,
) -> io::Result<Part<'a>> {
    let counting = CountingReader { inner: input.open(range)?, input, newlines: 0 };
    let mut reader = BufReader::with_capacity(BLOCK_BYTES, counting);
    for item in JsonLinesRecords::new(&mut reader) {
        if !part.add(item, strict)? {
            break;
        }
    }
    part.newlines = reader.get_ref().newlines;
    Ok(part)
}

/// Counts the line breaks that pass through, and tells the input of the progress.
struct CountingReader<'a, R, I: ?Sized> {
    inner: R,
    input: &'a I,
    newlines: u64,
}

impl<R: Read, I: Input + ?Sized> Read for CountingReader<'_, R, I> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.newlines += memchr::memchr_iter(b'\n', &buffer[..count]).count() as u64;
        self.input.progress(count as u64);
        Ok(count)
    }
}

#[cfg(test)]
mod tests;
