//! Reading and writing records as CSV v1 and JSON Lines v1, from any byte stream.
//!
//! The library does no IO of its own: callers hand it a reader or a writer (a file, a socket
//! body, a string). Readers stream, one record at a time, and report every bad line with its
//! line number, field and problem, so that a caller can skip it and go on, or stop.

use std::borrow::Cow;
use std::io::{BufRead, Read, Write};

use crate::json::{self, Map, Value};

use crate::record::{CSV_HEADER, InstallId, Record, RecordError, RecordFields};

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
        Encoding::JsonLines => Box::new(JsonLinesRecords::new(input)),
    })
}

/// Streams records from CSV v1 (RFC 4180: fields separated by commas, a field in double quotes
/// may hold commas, line breaks and doubled quotes; lines end in `\n` or `\r\n`; blank lines are
/// skipped). The header must be exactly [`CSV_HEADER`] (a byte-order mark before it is
/// tolerated). Each error names the line the record starts on.
///
/// A reader of its own rather than the csv crate's: it counts lines as it goes, and it keeps
/// the browser extension's wasm module smaller by a whole CSV parser.
#[derive(Debug)]
pub struct CsvRecords<R> {
    input: R,
    /// Physical lines read so far.
    lines_read: u64,
    /// The current record as read, line breaks inside quoted fields included.
    raw: Vec<u8>,
    /// Its fields, unquoted, one after the other; `ends[i]` is where field `i` ends.
    fields: Vec<u8>,
    ends: Vec<usize>,
    header_checked: bool,
    /// The line the last record returned starts on.
    last_line: u64,
}

/// The longest record [`CsvRecords`] reads: a valid one is under 500 bytes, so anything near
/// this is a quote left open, which would otherwise swallow the rest of the input.
pub const MAX_CSV_RECORD_BYTES: usize = 64 * 1024;

impl<R: BufRead> CsvRecords<R> {
    pub fn new(input: R) -> CsvRecords<R> {
        CsvRecords {
            input,
            lines_read: 0,
            raw: Vec::new(),
            fields: Vec::new(),
            ends: Vec::new(),
            header_checked: false,
            last_line: 0,
        }
    }

    /// The line the last item returned starts on.
    pub fn last_line(&self) -> u64 {
        self.last_line
    }

    fn field(&self, index: usize) -> &[u8] {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.fields[start..self.ends[index]]
    }

    /// Reads the next non-blank record into `raw`: one line, or more while a quoted field is
    /// open (an odd number of quotes so far). `Ok(None)` at the end of the input; otherwise the
    /// line the record starts on.
    fn read_record(&mut self) -> Result<Option<u64>, LineError> {
        loop {
            self.raw.clear();
            let first_line = self.lines_read + 1;
            let mut quotes = 0;
            loop {
                let from = self.raw.len();
                let limit = (MAX_CSV_RECORD_BYTES + 2 - from) as u64;
                let count = self.input.by_ref().take(limit).read_until(b'\n', &mut self.raw)?;
                if count == 0 {
                    break;
                }
                quotes += self.raw[from..].iter().filter(|&&b| b == b'"').count();
                if self.raw.ends_with(b"\n") {
                    self.lines_read += 1;
                }
                if self.raw.len() > MAX_CSV_RECORD_BYTES {
                    self.skip_line()?;
                    return Err(LineError::Syntax {
                        line: first_line,
                        problem: format!(
                            "not valid CSV: a record longer than {MAX_CSV_RECORD_BYTES} bytes (a quote left open?)"
                        ),
                    });
                }
                if quotes % 2 == 0 || !self.raw.ends_with(b"\n") {
                    break;
                }
            }
            if self.raw.is_empty() {
                return Ok(None);
            }
            let content = self.raw.strip_suffix(b"\n").unwrap_or(&self.raw);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if !content.is_empty() {
                let length = content.len();
                self.raw.truncate(length);
                return Ok(Some(first_line));
            }
        }
    }

    /// Skips to the end of the current line, after an over-long record.
    fn skip_line(&mut self) -> std::io::Result<()> {
        if self.raw.ends_with(b"\n") {
            return Ok(());
        }
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok(());
            }
            match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    self.input.consume(at + 1);
                    self.lines_read += 1;
                    return Ok(());
                }
                None => {
                    let length = buffer.len();
                    self.input.consume(length);
                }
            }
        }
    }

    /// Splits `raw` into unquoted fields.
    fn split_fields(&mut self) -> Result<(), &'static str> {
        self.fields.clear();
        self.ends.clear();
        let raw = &self.raw;
        let mut at = 0;
        loop {
            if raw.get(at) == Some(&b'"') {
                at += 1;
                loop {
                    let Some(quote) = raw[at..].iter().position(|&b| b == b'"') else {
                        return Err("a quoted field is not closed");
                    };
                    self.fields.extend_from_slice(&raw[at..at + quote]);
                    at += quote + 1;
                    if raw.get(at) != Some(&b'"') {
                        break;
                    }
                    self.fields.push(b'"');
                    at += 1;
                }
                if at < raw.len() && raw[at] != b',' {
                    return Err("text after the closing quote of a field");
                }
            } else {
                let end = raw[at..].iter().position(|&b| b == b',').map_or(raw.len(), |comma| at + comma);
                if raw[at..end].contains(&b'"') {
                    return Err("a quote inside a field that does not start with one");
                }
                self.fields.extend_from_slice(&raw[at..end]);
                at = end;
            }
            self.ends.push(self.fields.len());
            if at == raw.len() {
                return Ok(());
            }
            at += 1;
        }
    }

    /// Whether the fields just split are exactly [`CSV_HEADER`].
    fn is_header(&self) -> bool {
        if self.ends.len() != CSV_HEADER.len() {
            return false;
        }
        let first = self.field(0);
        let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first);
        CSV_HEADER
            .iter()
            .enumerate()
            .all(|(index, name)| (if index == 0 { first } else { self.field(index) }) == name.as_bytes())
    }

    fn record(&self, line: u64) -> Result<Record, LineError> {
        if self.ends.len() != CSV_HEADER.len() {
            return Err(LineError::Syntax {
                line,
                problem: format!("has {} fields; record format v1 has {}", self.ends.len(), CSV_HEADER.len()),
            });
        }
        let mut text = [""; 13];
        for (index, slot) in text.iter_mut().enumerate() {
            *slot = std::str::from_utf8(self.field(index)).map_err(|_| LineError::Record {
                line,
                error: RecordError::new(CSV_HEADER[index], "is not valid UTF-8"),
            })?;
        }
        record_from_text(&text, line)
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Result<Record, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            // The first record is the header, whatever it holds: an input whose first line is
            // not even CSV (or is over-long) is not record format v1.
            let line = match self.read_record() {
                Ok(None) => return None,
                Ok(Some(line)) => line,
                Err(LineError::Syntax { line, .. }) if !self.header_checked => {
                    self.header_checked = true;
                    return Some(Err(not_a_header(line)));
                }
                Err(error) => return Some(Err(error)),
            };
            self.last_line = line;
            let split = self.split_fields();
            if !self.header_checked {
                self.header_checked = true;
                if split.is_err() || !self.is_header() {
                    return Some(Err(not_a_header(line)));
                }
                continue;
            }
            if let Err(problem) = split {
                return Some(Err(LineError::Syntax { line, problem: format!("not valid CSV: {problem}") }));
            }
            return Some(self.record(line));
        }
    }
}

fn not_a_header(line: u64) -> LineError {
    LineError::Syntax {
        line,
        problem: format!("the header is not record format v1; expected exactly: {}", CSV_HEADER.join(",")),
    }
}

fn record_from_text(text: &[&str; 13], line: u64) -> Result<Record, LineError> {
    Record::from_fields(&RecordFields::from_row(*text)).map_err(|error| LineError::Record { line, error })
}

/// Reads one data line of CSV v1 that contains no quote, no line break and no carriage return,
/// as every valid record line does, without the general CSV parser: the fast path for large
/// inputs (`piecerate report`). For such a line it gives exactly what [`CsvRecords`] gives.
pub fn record_from_plain_csv_line(bytes: &[u8], line: u64) -> Result<Record, LineError> {
    let mut commas = [0usize; 12];
    let count = find_commas(bytes, &mut commas);
    check_field_count(count, line)?;
    let Ok(whole) = std::str::from_utf8(bytes) else {
        // A comma never falls inside a multi-byte character, so the first bad field is the
        // first field that is bad on its own.
        let index = bytes.split(|&b| b == b',').position(|f| std::str::from_utf8(f).is_err());
        let field = CSV_HEADER[index.expect("one field is not UTF-8")];
        return Err(LineError::Record { line, error: RecordError::new(field, "is not valid UTF-8") });
    };
    record_from_plain_fields(whole, &commas, line)
}

/// [`record_from_plain_csv_line`] for a line already known to be UTF-8: the report's reader
/// checks a whole block of lines at once, which costs less than a check per line.
pub fn record_from_plain_csv_text(text: &str, line: u64) -> Result<Record, LineError> {
    let mut commas = [0usize; 12];
    let count = find_commas(text.as_bytes(), &mut commas);
    check_field_count(count, line)?;
    record_from_plain_fields(text, &commas, line)
}

fn check_field_count(commas: usize, line: u64) -> Result<(), LineError> {
    if commas + 1 != CSV_HEADER.len() {
        return Err(LineError::Syntax {
            line,
            problem: format!("has {} fields; record format v1 has {}", commas + 1, CSV_HEADER.len()),
        });
    }
    Ok(())
}

/// The record of a line with exactly twelve commas, at `commas`.
fn record_from_plain_fields(whole: &str, commas: &[usize; 12], line: u64) -> Result<Record, LineError> {
    let mut text = [""; 13];
    let mut start = 0;
    for (slot, &end) in text.iter_mut().zip(commas.iter().chain([&whole.len()])) {
        *slot = &whole[start..end];
        start = end + 1;
    }
    record_from_text(&text, line)
}

/// Counts the commas of `bytes` and notes where the first twelve are. Eight bytes are tested at
/// once: a profile of the 10-million-record report had put 11% of all its time in a loop over
/// single bytes here (and `memchr`, tuned for long haystacks, was no faster on lines this short).
fn find_commas(bytes: &[u8], commas: &mut [usize; 12]) -> usize {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut count = 0;
    let mut note = |at: usize, count: &mut usize| {
        if let Some(slot) = commas.get_mut(*count) {
            *slot = at;
        }
        *count += 1;
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word =
            u64::from_le_bytes(crate::reference::cannot_fail(chunk.try_into(), "eight bytes")) ^ COMMAS;
        // A byte's top bit ends up set exactly when the byte is zero, that is a comma: adding
        // 0x7f to its low seven bits cannot carry into the next byte, so there are no false hits.
        let mut hits = !(((word & LOW_SEVEN) + LOW_SEVEN) | word | LOW_SEVEN);
        while hits != 0 {
            note(base + hits.trailing_zeros() as usize / 8, &mut count);
            hits &= hits - 1;
        }
        base += 8;
    }
    for (at, _) in chunks.remainder().iter().enumerate().filter(|(_, b)| **b == b',') {
        note(base + at, &mut count);
    }
    count
}

/// Streams records from JSON Lines v1: one JSON object per line, blank lines ignored.
#[derive(Debug)]
pub struct JsonLinesRecords<R> {
    lines: R,
    line: u64,
    buffer: String,
}

impl<R: BufRead> JsonLinesRecords<R> {
    pub fn new(input: R) -> JsonLinesRecords<R> {
        JsonLinesRecords { lines: input, line: 0, buffer: String::new() }
    }

    /// The line of the last item returned.
    pub fn last_line(&self) -> u64 {
        self.line
    }
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
/// `active_seconds` a whole number (written `7200`, `7200.0` or `7.2e3` alike), every other field a string or null. Unknown keys are
/// refused, so that nothing but the thirteen defined fields can ever enter a record, and so is
/// a key given twice, which would leave the record's value to the reader's whim.
pub fn record_from_json(value: &Value) -> Result<Record, RecordError> {
    record_from_json_object(value, None)
}

/// Reads one record from its JSON form, as [`record_from_json`], for a known install: whatever
/// the object says its `install_id` is (the collector takes the install from the uploader's
/// token, never from the body), the record is `install`'s.
pub fn record_of_install_from_json(value: &Value, install: &InstallId) -> Result<Record, RecordError> {
    record_from_json_object(value, Some(install))
}

fn record_from_json_object(value: &Value, install: Option<&InstallId>) -> Result<Record, RecordError> {
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
    let mut text: [Cow<'_, str>; 13] = Default::default();
    for (index, name) in CSV_HEADER.iter().enumerate() {
        text[index] = match (*name, install) {
            ("install_id", Some(install)) => Cow::Borrowed(install.as_str()),
            _ => json_field(object, name)?,
        };
    }
    Record::from_fields(&RecordFields::from_row(text.each_ref().map(|field| field.as_ref())))
}

/// A field's text, borrowed from the JSON value where it is a string (no copy per field of
/// every record of a batch).
fn json_field<'a>(object: &'a Map, name: &'static str) -> Result<Cow<'a, str>, RecordError> {
    match (name, object.get(name)) {
        ("active_seconds", Some(Value::Number(number))) => {
            number.as_whole_u64().map(|seconds| Cow::Owned(seconds.to_string())).ok_or_else(|| {
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
        (_, None | Some(Value::Null)) => Ok(Cow::Borrowed("")),
        (_, Some(Value::String(text))) => Ok(Cow::Borrowed(text)),
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
            ("active_seconds", seconds) => {
                Value::from(crate::reference::cannot_fail(seconds.parse::<u64>(), "validated"))
            }
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
