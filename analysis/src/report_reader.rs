//! Reading one input of records into a report builder, over several threads when the input is
//! large and can be read from any offset, with exactly the report, and the bad lines in the
//! same order and with the same line numbers, that one reader from the start gives.
//!
//! The input is read once, from the start, in blocks of whole lines that are handed in order to
//! whichever thread asks next; each block goes into its own [`ReportBuilder`], and the blocks'
//! builders are merged in input order as they are done. Each byte passes once, in order, through
//! [`Input::in_order`], from which the caller feeds the input's SHA-256 (so the file is not read
//! a second time for it, and the hashing of one block overlaps with the parsing of others).
//! CSV blocks are split into lines here and each line is read by
//! [`record_from_plain_csv_line`]; that is only equivalent to the general CSV reader for lines
//! without quotes or stray carriage returns, which no valid record contains, so an input with
//! either is read again, whole, by the general reader. JSON Lines blocks go through the JSON
//! Lines reader: a JSON string cannot hold a raw line break, so a block boundary never falls
//! inside a record.
//!
//! A record whose `record_id` was read before, in this input or an earlier one, must count
//! once. [`RecordIds`] does it in two passes, the second only when needed: the first pass
//! counts every record and keeps a 64-bit key of each id (8 bytes a record, one run per reading
//! thread, sorted in that thread); if two keys are equal, the caller reads every input again, by one reader, with
//! [`RecordIds::second_pass`], which checks the ids of those keys exactly and keeps the first
//! copy in input order ([`ReadSummary::repeated`] counts the others; `strict` stops at the
//! first). Inputs without repeats, the usual case, are read once and at full speed.
//!
//! No IO of its own: the caller's [`Input`] opens readers over byte ranges (of a file, say), and
//! [`read_stream`] takes a stream that can only be read once. Threads are started only for a
//! large input and when more than one is asked for.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, PoisonError};

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
/// How much a reader reads at a time: the lines of one block go into one builder. Small in
/// tests, so that their inputs are read in many blocks.
const BLOCK_BYTES: usize = if cfg!(test) { 300 } else { 1 << 20 };
/// How much of the start of an input decides between CSV and JSON Lines.
const HEAD_BYTES: u64 = 64 << 10;

/// Bytes that can be read from any offset: a file, a buffer.
pub trait Input: Sync {
    /// Sent to the thread that reads the next block.
    type Reader<'a>: Read + Send
    where
        Self: 'a;

    /// The length of the input, in bytes.
    fn size(&self) -> u64;

    /// A reader of the bytes in `range`, which lies within `0..self.size()`.
    fn open(&self, range: Range<u64>) -> io::Result<Self::Reader<'_>>;

    /// `bytes` more bytes of records were read, from any thread: for a progress display.
    fn progress(&self, _bytes: u64) {}

    /// Reading starts again from the first byte, because the fast path did not apply: the
    /// progress made so far is made again, and the bytes pass through [`Input::in_order`]
    /// again from the first.
    fn restart(&self) {}

    /// Every byte of the input, from the first, passes here once and in order during a read
    /// that ends without error (after a [`Input::restart`], from the first byte again), from
    /// whichever thread reads it: a checksum of the input fed from here costs no read of its
    /// own.
    fn in_order(&self, _bytes: &[u8]) {}
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
        // `Option::min` would take a part without records (`None`) for the earliest.
        self.first_started_at = match (self.first_started_at, later.first_started_at) {
            (Some(first), Some(later)) => Some(first.min(later)),
            (first, later) => first.or(later),
        };
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
    let mut records: Box<dyn RecordLines + '_> = match sniff_encoding(&mut input)? {
        Encoding::Csv => Box::new(CsvRecords::new(input)),
        Encoding::JsonLines => Box::new(JsonLinesRecords::new(input)),
    };
    let read =
        add_records(&mut *records, builder, ids, &mut keys, this_input, strict, filter, &mut on_bad_line);
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
        Encoding::JsonLines if ids.exact.is_none() => {
            let read = read_in_blocks(
                input,
                0,
                0,
                threads,
                builder,
                ids,
                strict,
                filter,
                &mut on_bad_line,
                |block, _, part| {
                    // Its line numbers count from the block's first line.
                    for item in JsonLinesRecords::new(block) {
                        if !part.add(item, strict)? {
                            return Ok(false);
                        }
                    }
                    part.newlines = memchr::memchr_iter(b'\n', block).count() as u64;
                    Ok(true)
                },
            )?;
            return Ok(read.expect("only CSV blocks ask for the general reader"));
        }
        Encoding::JsonLines => {}
    }
    let whole = WholeInput { inner: input.open(0..size)?, input };
    read_stream(whole, builder, ids, strict, filter, on_bad_line)
}

/// Adds the records of a general reader, handing each bad line on as it comes.
#[expect(clippy::too_many_arguments, reason = "the state of one reading of one input, each part used")]
fn add_records<E>(
    records: &mut (impl RecordLines + ?Sized),
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

/// What one block of whole lines gave. Line numbers of bad lines count from the block.
#[derive(Debug)]
struct Part<'a> {
    builder: ReportBuilder,
    bad_lines: Vec<BadLine>,
    summary: ReadSummary,
    newlines: u64,
    /// The block holds a quote or a stray carriage return: the plain CSV path does not apply.
    needs_general_reader: bool,
    /// The keys of the ids read by this block's thread so far, this block's included.
    keys: Vec<u64>,
    filter: &'a RecordFilter,
}

impl<'a> Part<'a> {
    fn new(builder: ReportBuilder, keys: Vec<u64>, filter: &'a RecordFilter) -> Part<'a> {
        Part {
            builder,
            bad_lines: Vec::new(),
            summary: ReadSummary::default(),
            newlines: 0,
            needs_general_reader: false,
            keys,
            filter,
        }
    }

    /// Adds one record, or notes one bad line; false when reading the block must stop.
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
}

/// One block handed out by [`Blocks`]: the first `length` bytes of the taker's buffer.
struct Block {
    /// Its place among the input's blocks, from 0.
    index: usize,
    length: usize,
    /// The input ends with this block (whose last line may then lack its line break).
    at_end: bool,
}

/// The input's bytes after the header, handed out in order as blocks of whole lines to
/// whichever thread asks next. Each byte passes through [`Input::in_order`] once, in order: the
/// provenance's SHA-256 is fed from the readers' own reads, so the input is read once. With
/// several threads, the blocks' new bytes go to a thread of its own that feeds it, so that no
/// reader waits for the hash of another's block (hashing while holding the lock had made the
/// readers wait on each other on a loaded machine).
struct Blocks<'i, I: ?Sized, R> {
    input: &'i I,
    reader: R,
    /// The unfinished line at the end of the last block handed out, which starts the next one.
    carry: Vec<u8>,
    next_index: usize,
    /// No block is left, or a block asked the reading to stop.
    over: bool,
    /// Where the new bytes of each block go, in order, when a thread of its own feeds
    /// [`Input::in_order`]; `None`: they are passed to it here.
    hasher: Option<SyncSender<NewBytes>>,
}

/// A block's buffer, shared with the thread that feeds [`Input::in_order`], and where in it
/// the bytes read for that block (not carried over from the one before) are.
type NewBytes = (Arc<Vec<u8>>, Range<usize>);

/// How many blocks the hasher thread may be behind the readers before they wait for it.
const HASHER_QUEUE_BLOCKS: usize = 8;
/// How many buffers of its last blocks a reader keeps, to use again once the hasher is done
/// with them instead of allocating new ones.
const SPARE_BUFFERS: usize = 3;

impl<I: Input + ?Sized, R: Read> Blocks<'_, I, R> {
    /// Reads the next block into `buffer`, or gives `None` when there is none.
    fn next(&mut self, mut buffer: Vec<u8>) -> io::Result<Option<(Arc<Vec<u8>>, Block)>> {
        if self.over {
            return Ok(None);
        }
        let carried = self.carry.len();
        if buffer.len() < carried + BLOCK_BYTES {
            buffer.resize(carried + BLOCK_BYTES, 0);
        }
        buffer[..carried].copy_from_slice(&self.carry);
        self.carry.clear();
        let index = self.next_index;
        self.next_index += 1;
        let mut filled = carried;
        loop {
            let count = self.reader.read(&mut buffer[filled..filled + BLOCK_BYTES])?;
            self.input.progress(count as u64);
            if count == 0 {
                self.over = true;
                let block = Block { index, length: filled, at_end: true };
                return Ok(Some(self.pass_on(buffer, carried..filled, block)));
            }
            let new = filled..filled + count;
            filled = new.end;
            // The carry holds no line break, so the block's last one is among the new bytes.
            if let Some(newline) = memchr::memrchr(b'\n', &buffer[new.clone()]) {
                let length = new.start + newline + 1;
                self.carry.extend_from_slice(&buffer[length..filled]);
                let block = Block { index, length, at_end: false };
                return Ok(Some(self.pass_on(buffer, carried..filled, block)));
            }
            // A line longer than a block: read on.
            if buffer.len() < filled + BLOCK_BYTES {
                buffer.resize(filled + BLOCK_BYTES, 0);
            }
        }
    }

    /// Passes a block's new bytes on to [`Input::in_order`], here or through the hasher
    /// thread, while the caller holds the lock, so in input order.
    fn pass_on(&self, buffer: Vec<u8>, new: Range<usize>, block: Block) -> (Arc<Vec<u8>>, Block) {
        let buffer = Arc::new(buffer);
        match &self.hasher {
            // A send fails only when the hasher panicked; its join says so.
            Some(hasher) => hasher.send((Arc::clone(&buffer), new)).unwrap_or(()),
            None => self.input.in_order(&buffer[new]),
        }
        (buffer, block)
    }
}

/// The blocks' parts, merged in input order as they come, whichever thread read them.
struct InOrder<'a> {
    /// The whole input's builder: merged into the caller's only when the read went through.
    builder: ReportBuilder,
    summary: ReadSummary,
    /// Every bad line, numbered from the input's first line.
    bad_lines: Vec<BadLine>,
    lines_before: u64,
    next_index: usize,
    /// Parts read before an earlier block was done.
    waiting: BTreeMap<usize, Part<'a>>,
    needs_general_reader: bool,
}

impl<'a> InOrder<'a> {
    fn take(&mut self, index: usize, part: Part<'a>) {
        self.waiting.insert(index, part);
        while let Some(part) = self.waiting.remove(&self.next_index) {
            self.next_index += 1;
            let lines_before = self.lines_before;
            self.bad_lines.extend(
                part.bad_lines.into_iter().map(|bad| BadLine { line: bad.line + lines_before, ..bad }),
            );
            self.summary.absorb(part.summary);
            self.lines_before += part.newlines;
            self.needs_general_reader |= part.needs_general_reader;
            self.builder.merge(part.builder);
        }
    }
}

/// Reads `input` from `start` (a line start, after `lines_before` line breaks) in blocks of
/// whole lines over `threads` threads, each block into a builder of its own that is merged in
/// input order: the same report, bad lines and line numbers as one reader from the start.
/// `read_block` reads one block into its part; false stops the reading (a bad line under
/// `strict`). `None`: a block needs the general reader; nothing was handed on.
#[expect(clippy::too_many_arguments, reason = "the state of one reading of one input, each part used")]
fn read_in_blocks<I: Input + ?Sized, E>(
    input: &I,
    start: u64,
    lines_before: u64,
    threads: usize,
    builder: &mut ReportBuilder,
    ids: &mut RecordIds,
    strict: bool,
    filter: &RecordFilter,
    on_bad_line: &mut impl FnMut(BadLine) -> Result<(), E>,
    read_block: impl Fn(&[u8], bool, &mut Part<'_>) -> io::Result<bool> + Sync,
) -> Result<Option<ReadSummary>, ReadError<E>> {
    let (hasher, for_hasher) = match threads {
        0 | 1 => (None, None),
        _ => {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<NewBytes>(HASHER_QUEUE_BLOCKS);
            (Some(sender), Some(receiver))
        }
    };
    let blocks = Mutex::new(Blocks {
        input,
        reader: input.open(start..input.size())?,
        carry: Vec::new(),
        next_index: 0,
        over: false,
        hasher,
    });
    let in_order = Mutex::new(InOrder {
        builder: builder.new_part(),
        summary: ReadSummary::default(),
        bad_lines: Vec::new(),
        lines_before,
        next_index: 0,
        waiting: BTreeMap::new(),
        needs_general_reader: false,
    });
    let template = &*builder;
    let ids_read = &*ids;
    let read_blocks = || -> io::Result<()> {
        // The buffers of the last blocks: one the hasher is done with is used again.
        let mut spares: Vec<Arc<Vec<u8>>> = Vec::new();
        let mut keys = Vec::new();
        loop {
            let done_with = spares.iter().position(|spare| Arc::strong_count(spare) == 1);
            let buffer = done_with
                .and_then(|at| Arc::try_unwrap(spares.swap_remove(at)).ok())
                .unwrap_or_else(|| vec![0u8; 2 * BLOCK_BYTES]);
            let block = blocks.lock().expect("no reader panicked").next(buffer);
            let (buffer, block) = match block {
                Ok(Some(block)) => block,
                Ok(None) => break,
                Err(error) => {
                    blocks.lock().expect("no reader panicked").over = true;
                    return Err(error);
                }
            };
            let mut part = Part::new(template.new_part(), std::mem::take(&mut keys), filter);
            let go_on = read_block(&buffer[..block.length], block.at_end, &mut part);
            keys = std::mem::take(&mut part.keys);
            if !matches!(go_on, Ok(true)) || part.needs_general_reader {
                blocks.lock().expect("no reader panicked").over = true;
            }
            go_on?;
            in_order.lock().expect("no reader panicked").take(block.index, part);
            if spares.len() == SPARE_BUFFERS {
                spares.remove(0);
            }
            spares.push(buffer);
        }
        // Sorted in this thread, beside the others.
        ids_read.keep(keys);
        Ok(())
    };
    let runs_before = ids.keys.lock().expect("no reader panicked").len();
    if threads <= 1 {
        read_blocks()?;
    } else {
        std::thread::scope(|scope| {
            let hashing = for_hasher.map(|receiver| {
                scope.spawn(move || {
                    for (bytes, new) in receiver {
                        input.in_order(&bytes[new]);
                    }
                })
            });
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(read_blocks)).collect();
            let joined: Vec<_> = handles.into_iter().map(|handle| handle.join()).collect();
            // Every reader is done: the hasher ends after the last block it was sent (also when
            // a reader panicked, or the scope would wait for the hasher forever).
            blocks.lock().unwrap_or_else(PoisonError::into_inner).hasher = None;
            if let Some(hashing) = hashing {
                hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
            joined
                .into_iter()
                .try_for_each(|read| read.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })?;
    }
    let in_order = in_order.into_inner().expect("no reader panicked");
    if in_order.needs_general_reader {
        // The general reader reads the input again and keeps its keys: these are dropped.
        ids.keys.lock().expect("no reader panicked").truncate(runs_before);
        return Ok(None);
    }
    let mut summary = in_order.summary;
    summary.bad_lines = 0;
    for bad in in_order.bad_lines {
        summary.bad_lines += 1;
        hand_on(bad, strict, on_bad_line)?;
    }
    builder.merge(in_order.builder);
    ids.inputs += 1;
    Ok(Some(summary))
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
        input.in_order(&header);
        if length == 0 {
            input.progress(offset);
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
    read_in_blocks(
        input,
        offset,
        newlines,
        threads,
        builder,
        ids,
        strict,
        filter,
        on_bad_line,
        |block, at_end, part| {
            // One pass for both: a quote is rare and a carriage return rarer still.
            let has_carriage_return = match memchr::memchr2(b'"', b'\r', block) {
                None => false,
                Some(_) if memchr::memchr(b'"', block).is_some() => {
                    part.needs_general_reader = true;
                    return Ok(false);
                }
                Some(_) => true,
            };
            read_plain_lines(block, at_end, has_carriage_return, part, strict)
        },
    )
}

/// Reads whole lines, each ending with `\n` (the last one may not, at the end of the input);
/// false when reading must stop (a bad line under `strict`, or a line only the general reader
/// reads right). `has_carriage_return`: the block holds a `\r`.
///
/// The checks that do not depend on the line (a carriage return, UTF-8) are made once per block
/// rather than once per line: on the 10-million-record benchmark the per-line calls had cost
/// about 5% of the report's time. A block that fails one of them is read line by line, so the
/// result is the same.
fn read_plain_lines(
    block: &[u8],
    at_end: bool,
    has_carriage_return: bool,
    part: &mut Part<'_>,
    strict: bool,
) -> io::Result<bool> {
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

/// The whole input from its first byte, for the general reader: tells the input of the
/// progress and passes the bytes through [`Input::in_order`].
struct WholeInput<'a, R, I: ?Sized> {
    inner: R,
    input: &'a I,
}

impl<R: Read, I: Input + ?Sized> Read for WholeInput<'_, R, I> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.input.progress(count as u64);
        self.input.in_order(&buffer[..count]);
        Ok(count)
    }
}

#[cfg(test)]
mod tests;
