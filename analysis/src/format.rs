//! Reading and writing records as CSV v1 and JSON Lines v1, from any byte stream.
//!
//! The library does no IO of its own: callers hand it a reader or a writer (a file, a socket
//! body, a string). Readers stream, one record at a time, and report every bad line with its
//! line number, field and problem, so that a caller can skip it and go on, or stop.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::rc::Rc;

use crate::json::{self, Map, Value};
use crate::record::{CSV_HEADER, Record, RecordError, RecordFields};

/// What went wrong on one line of an input.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("line {line}: {error}")]
    Record { line: u64, error: RecordError },
    #[error("line {line}: {problem}")]
    Syntax { line: u64, problem: String },
    #[error("reading input: {0}")]
    Io(#[from] std::io::Error),
}

impl LineError {
    /// Whether reading can go on after this error (a bad record), or not (a broken stream).
    pub fn is_recoverable(&self) -> bool {
        !matches!(self, LineError::Io(_))
    }
}

/// The two encodings of record format v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Csv,
    JsonLines,
}

/// Guesses the encoding from the first non-blank byte: `{` starts JSON Lines, anything else CSV.
pub fn sniff_encoding(input: &mut impl BufRead) -> std::io::Result<Encoding> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(Encoding::Csv);
        }
        let blanks = buffer.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if blanks < buffer.len() {
            return Ok(if buffer[blanks] == b'{' { Encoding::JsonLines } else { Encoding::Csv });
        }
        let length = buffer.len();
        input.consume(length);
    }
}

/// Streams records from CSV or JSON Lines, whichever the input holds.
pub fn read_records<R: BufRead + 'static>(
    mut input: R,
) -> std::io::Result<Box<dyn Iterator<Item = Result<Record, LineError>>>> {
    Ok(match sniff_encoding(&mut input)? {
        Encoding::Csv => Box::new(CsvRecords::new(input)),
        Encoding::JsonLines => Box::new(JsonLinesRecords { lines: input, line: 0, buffer: String::new() }),
    })
}

/// Streams records from CSV v1. The header must be exactly [`CSV_HEADER`] (a byte-order mark
/// before it is tolerated).
#[derive(Debug)]
pub struct CsvRecords<R: std::io::Read> {
    reader: csv::Reader<LineTracker<R>>,
    lines: Rc<RefCell<LineIndex>>,
    row: csv::ByteRecord,
    header_checked: bool,
}

impl<R: std::io::Read> CsvRecords<R> {
    pub fn new(input: R) -> CsvRecords<R> {
        let lines = Rc::new(RefCell::new(LineIndex::default()));
        let tracker = LineTracker { inner: input, lines: Rc::clone(&lines) };
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(tracker);
        CsvRecords { reader, lines, row: csv::ByteRecord::new(), header_checked: false }
    }

    fn check_header(&self, line: u64) -> Result<(), LineError> {
        let mut names: Vec<String> =
            self.row.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        if let Some(first) = names.first_mut() {
            *first = first.trim_start_matches('\u{feff}').to_owned();
        }
        if names != CSV_HEADER {
            return Err(LineError::Syntax {
                line,
                problem: format!(
                    "the header is not record format v1; expected exactly: {}",
                    CSV_HEADER.join(",")
                ),
            });
        }
        Ok(())
    }
}

/// Line numbers by byte offset. The csv crate does not count the blank lines it skips, so the
/// reader's own line count would point users at the wrong line; this index counts every `\n`
/// in the chunks the parser has read and not yet moved past.
#[derive(Debug, Default)]
struct LineIndex {
    /// (byte offset of the chunk, newlines before it, the chunk), oldest first.
    chunks: VecDeque<(u64, u64, Vec<u8>)>,
    bytes_read: u64,
    newlines_read: u64,
    /// Where the previous lookup stopped counting: (byte offset, newlines before it). Offsets
    /// only grow, so each byte is counted once instead of once per record of its chunk.
    cursor: (u64, u64),
}

impl LineIndex {
    /// The 1-based line of the first record byte at or after `offset`, forgetting chunks that
    /// end before it. The csv crate reports a record as starting at the blank lines it skipped
    /// before it, so line ends right at `offset` are stepped over.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.chunks.len() > 1 && self.chunks[1].0 <= offset {
            self.chunks.pop_front();
        }
        let Some((start, newlines_before, chunk)) = self.chunks.front() else {
            return self.newlines_read + 1;
        };
        let within = (offset.saturating_sub(*start) as usize).min(chunk.len());
        let (counted_to, counted_newlines) = match self.cursor {
            (at, newlines) if at >= *start && at <= start + within as u64 => {
                ((at - start) as usize, newlines)
            }
            _ => (0, *newlines_before),
        };
        let newlines =
            counted_newlines + chunk[counted_to..within].iter().filter(|&&b| b == b'\n').count() as u64;
        self.cursor = (start + within as u64, newlines);
        let mut line = newlines + 1;
        let following =
            chunk[within..].iter().chain(self.chunks.iter().skip(1).flat_map(|(_, _, c)| c.iter()));
        for &byte in following.take_while(|&&b| b == b'\n' || b == b'\r') {
            line += u64::from(byte == b'\n');
        }
        line
    }
}

#[derive(Debug)]
struct LineTracker<R> {
    inner: R,
    lines: Rc<RefCell<LineIndex>>,
}

impl<R: std::io::Read> std::io::Read for LineTracker<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        if count > 0 {
            let mut lines = self.lines.borrow_mut();
            let chunk = buffer[..count].to_vec();
            let (start, before) = (lines.bytes_read, lines.newlines_read);
            lines.newlines_read += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            lines.bytes_read += count as u64;
            lines.chunks.push_back((start, before, chunk));
        }
        Ok(count)
    }
}

impl<R: std::io::Read> Iterator for CsvRecords<R> {
    type Item = Result<Record, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let read = self.reader.read_byte_record(&mut self.row);
            // The line the record starts on (a quoted field may span several lines).
            let offset = match self.row.position() {
                Some(position) if read.is_ok() => position.byte(),
                _ => self.reader.position().byte(),
            };
            let line = self.lines.borrow_mut().line_at(offset);
            match read {
                Ok(false) => return None,
                Err(error) => {
                    let problem = format!("not valid CSV: {error}");
                    return Some(Err(match error.into_kind() {
                        csv::ErrorKind::Io(io) => LineError::Io(io),
                        _ => LineError::Syntax { line, problem },
                    }));
                }
                Ok(true) => {}
            }
            if !self.header_checked {
                self.header_checked = true;
                if let Err(error) = self.check_header(line) {
                    return Some(Err(error));
                }
                continue;
            }
            if self.row.len() == 1 && self.row[0].is_empty() {
                continue;
            }
            return Some(parse_csv_row(&self.row, line));
        }
    }
}

fn parse_csv_row(row: &csv::ByteRecord, line: u64) -> Result<Record, LineError> {
    if row.len() != CSV_HEADER.len() {
        return Err(LineError::Syntax {
            line,
            problem: format!("has {} fields; record format v1 has {}", row.len(), CSV_HEADER.len()),
        });
    }
    let mut text = [""; 13];
    for (index, field) in row.iter().enumerate() {
        text[index] = std::str::from_utf8(field).map_err(|_| LineError::Record {
            line,
            error: RecordError::new(CSV_HEADER[index], "is not valid UTF-8"),
        })?;
    }
    record_from_text(&text, line)
}

fn record_from_text(text: &[&str; 13], line: u64) -> Result<Record, LineError> {
    let fields = RecordFields {
        record_id: text[0],
        install_id: text[1],
        platform: text[2],
        country: text[3],
        kind: text[4],
        category: text[5],
        outcome: text[6],
        started_at: text[7],
        ended_at: text[8],
        active_seconds: text[9],
        reward: text[10],
        bonus: text[11],
        currency: text[12],
    };
    Record::from_fields(&fields).map_err(|error| LineError::Record { line, error })
}

/// Reads one data line of CSV v1 that contains no quote, no line break and no carriage return,
/// as every valid record line does, without the general CSV parser: the fast path for large
/// inputs (`piecerate report`). For such a line it gives exactly what [`CsvRecords`] gives.
pub fn record_from_plain_csv_line(bytes: &[u8], line: u64) -> Result<Record, LineError> {
    // One pass finds the commas; the fields are the text between them.
    let mut commas = [0usize; 12];
    let mut count = 0;
    for (at, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b',') {
        if count < commas.len() {
            commas[count] = at;
        }
        count += 1;
    }
    if count + 1 != CSV_HEADER.len() {
        return Err(LineError::Syntax {
            line,
            problem: format!("has {} fields; record format v1 has {}", count + 1, CSV_HEADER.len()),
        });
    }
    let Ok(whole) = std::str::from_utf8(bytes) else {
        // A comma never falls inside a multi-byte character, so the first bad field is the
        // first field that is bad on its own.
        let index = bytes.split(|&b| b == b',').position(|f| std::str::from_utf8(f).is_err());
        let field = CSV_HEADER[index.expect("one field is not UTF-8")];
        return Err(LineError::Record { line, error: RecordError::new(field, "is not valid UTF-8") });
    };
    let mut text = [""; 13];
    let mut start = 0;
    for (slot, &end) in text.iter_mut().zip(commas.iter().chain([&bytes.len()])) {
        *slot = &whole[start..end];
        start = end + 1;
    }
    record_from_text(&text, line)
}

/// Streams records from JSON Lines v1: one JSON object per line, blank lines ignored.
#[derive(Debug)]
pub struct JsonLinesRecords<R> {
    lines: R,
    line: u64,
    buffer: String,
}

impl<R: BufRead> Iterator for JsonLinesRecords<R> {
    type Item = Result<Record, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            self.line += 1;
            match self.lines.read_line(&mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
                    return Some(Err(LineError::Syntax {
                        line: self.line,
                        problem: "is not valid UTF-8".to_owned(),
                    }));
                }
                Err(error) => return Some(Err(LineError::Io(error))),
            }
            let text = self.buffer.trim();
            if text.is_empty() {
                continue;
            }
            let line = self.line;
            return Some(match json::parse(text) {
                Ok(value) => record_from_json(&value).map_err(|error| LineError::Record { line, error }),
                Err(error) => Err(LineError::Syntax { line, problem: format!("not valid JSON: {error}") }),
            });
        }
    }
}

/// Reads one record from its JSON form: an object with the CSV v1 column names as keys;
/// `active_seconds` a whole number, every other field a string or null. Unknown keys are
/// refused, so that nothing but the thirteen defined fields can ever enter a record, and so is
/// a key given twice, which would leave the record's value to the reader's whim.
pub fn record_from_json(value: &Value) -> Result<Record, RecordError> {
    let Value::Object(object) = value else {
        return Err(RecordError::new("record", format!("expected a JSON object, got {}", value.kind())));
    };
    let mut seen = [false; CSV_HEADER.len()];
    for key in object.keys() {
        match CSV_HEADER.iter().position(|name| name == key) {
            Some(index) if seen[index] => {
                return Err(RecordError::new(CSV_HEADER[index], "is given twice"));
            }
            Some(index) => seen[index] = true,
            None => {
                let unknown: String = key.chars().take(40).collect();
                return Err(RecordError::new(
                    "record",
                    format!(
                        "unknown field '{unknown}'; record format v1 has only: {}",
                        CSV_HEADER.join(", ")
                    ),
                ));
            }
        }
    }
    let mut text: [String; 13] = Default::default();
    for (index, name) in CSV_HEADER.iter().enumerate() {
        text[index] = json_field(object, name)?;
    }
    Record::from_fields(&RecordFields {
        record_id: &text[0],
        install_id: &text[1],
        platform: &text[2],
        country: &text[3],
        kind: &text[4],
        category: &text[5],
        outcome: &text[6],
        started_at: &text[7],
        ended_at: &text[8],
        active_seconds: &text[9],
        reward: &text[10],
        bonus: &text[11],
        currency: &text[12],
    })
}

fn json_field(object: &Map, name: &'static str) -> Result<String, RecordError> {
    match (name, object.get(name)) {
        ("active_seconds", Some(Value::Number(number))) => {
            number.as_u64().map(|seconds| seconds.to_string()).ok_or_else(|| {
                RecordError::new(name, format!("{number} is not a whole, non-negative number of seconds"))
            })
        }
        ("active_seconds", Some(other)) => {
            Err(RecordError::new(name, format!("expected a whole number of seconds, got {}", other.kind())))
        }
        ("reward" | "bonus", Some(Value::Number(number))) => Err(RecordError::new(
            name,
            format!(
                "expected the amount as a decimal string such as \"{number}\", never a JSON number (floats lose cents)"
            ),
        )),
        (_, None | Some(Value::Null)) => Ok(String::new()),
        (_, Some(Value::String(text))) => Ok(text.clone()),
        (_, Some(other)) => Err(RecordError::new(name, format!("expected a string, got {}", other.kind()))),
    }
}

/// The JSON form of a record (see [`record_from_json`]): the fields in the order of the CSV v1
/// columns, absent ones `null`.
pub fn record_to_json(record: &Record) -> Value {
    let mut object = Map::new();
    let mut names = CSV_HEADER.iter();
    record.write_fields(|text| {
        let name = *names.next().expect("write_fields yields one value per column");
        let value = match (name, text) {
            ("active_seconds", seconds) => Value::from(seconds.parse::<u64>().expect("validated")),
            (_, "") => Value::Null,
            (_, text) => Value::from(text),
        };
        object.insert(name.to_owned(), value);
    });
    Value::Object(object)
}

/// Writes records as CSV v1, header first.
#[derive(Debug)]
pub struct CsvRecordWriter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvRecordWriter<W> {
    pub fn new(output: W) -> csv::Result<CsvRecordWriter<W>> {
        let mut writer = csv::Writer::from_writer(output);
        writer.write_record(CSV_HEADER)?;
        Ok(CsvRecordWriter { writer })
    }

    pub fn write(&mut self, record: &Record) -> csv::Result<()> {
        let mut fields: Vec<String> = Vec::with_capacity(CSV_HEADER.len());
        record.write_fields(|text| fields.push(text.to_owned()));
        self.writer.write_record(&fields)
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|error| error.into_error())
    }
}

/// Writes a whole set of records as one CSV v1 document, exactly as [`CsvRecordWriter`] does.
/// No field of a valid record can hold a comma, a quote or a line break (ids, codes, words,
/// timestamps and decimals only), so no field ever needs quoting and each line is its fields
/// joined by commas. Done without the CSV writer: the browser extension, its user, must keep
/// its wasm module small.
pub fn records_to_csv<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    let mut text = CSV_HEADER.join(",");
    text.push('\n');
    for record in records {
        let mut separator = "";
        record.write_fields(|field| {
            text.push_str(separator);
            text.push_str(field);
            separator = ",";
        });
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests;
