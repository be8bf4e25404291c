//! A CSV table with a header row, read row by row with exact line numbers: the common ground
//! of the requester-export importers.
//!
//! Exports are read whole into memory (they are megabytes, not gigabytes), which makes the
//! line number of every row exact even across quoted fields that span lines and blank lines.

use std::io::{Cursor, Read};

use super::ImportError;

/// The header and the rows of one CSV export.
#[derive(Debug)]
pub(crate) struct Table {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    header: Vec<String>,
    /// Newlines counted in the input up to `counted_to`.
    counted_to: usize,
    newlines: u64,
}

impl Table {
    /// Reads the whole input and its header; `what` names the kind of file in errors.
    pub(crate) fn read(mut input: impl Read, what: &str) -> Result<Table, ImportError> {
        let mut data = Vec::new();
        input.read_to_end(&mut data)?;
        if data.starts_with(b"\xEF\xBB\xBF") {
            // A byte-order mark is replaced by blanks so that byte offsets stay put.
            data[..3].copy_from_slice(b"   ");
        }
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Cursor::new(data));
        let mut header_row = csv::ByteRecord::new();
        let found = reader
            .read_byte_record(&mut header_row)
            .map_err(|error| ImportError::Header(format!("not valid CSV: {error}")))?;
        if !found {
            return Err(ImportError::Header(format!("the file is empty; expected the header row of {what}")));
        }
        let mut header: Vec<String> =
            header_row.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect();
        if let Some(first) = header.first_mut() {
            *first = first.trim_start().to_owned();
        }
        Ok(Table { reader, header, counted_to: 0, newlines: 0 })
    }

    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of the first column with this exact name.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|column| column == name)
    }

    /// The next non-blank row and the line it starts on, or `None` at the end.
    pub(crate) fn next_row(&mut self, row: &mut csv::ByteRecord) -> Option<Result<u64, ImportError>> {
        loop {
            let read = self.reader.read_byte_record(row);
            let offset = match (&read, row.position()) {
                (Ok(true), Some(position)) => position.byte() as usize,
                _ => self.reader.position().byte() as usize,
            };
            let line = self.line_at(offset);
            match read {
                Ok(false) => return None,
                Ok(true) if row.len() == 1 && row[0].iter().all(u8::is_ascii_whitespace) => continue,
                Ok(true) => return Some(Ok(line)),
                Err(error) => {
                    return Some(Err(ImportError::Row {
                        line,
                        column: "CSV".to_owned(),
                        problem: format!("not valid CSV: {error}"),
                    }));
                }
            }
        }
    }

    /// The 1-based line of the first byte at or after `offset` that is not a line break (the
    /// CSV parser reports a row as starting at the blank lines it skipped before it).
    fn line_at(&mut self, offset: usize) -> u64 {
        let data = self.reader.get_ref().get_ref();
        let mut offset = offset.min(data.len());
        while offset < data.len() && matches!(data[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset >= self.counted_to {
            self.newlines += data[self.counted_to..offset].iter().filter(|&&b| b == b'\n').count() as u64;
            self.counted_to = offset;
        }
        self.newlines + 1
    }
}

/// A field as text: invalid UTF-8 becomes an error naming the column.
pub(crate) fn text<'a>(
    row: &'a csv::ByteRecord,
    index: Option<usize>,
    column: &str,
    line: u64,
) -> Result<&'a str, ImportError> {
    let Some(bytes) = index.and_then(|index| row.get(index)) else {
        return Ok("");
    };
    std::str::from_utf8(bytes).map(str::trim).map_err(|_| ImportError::Row {
        line,
        column: column.to_owned(),
        problem: "is not valid UTF-8 text".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_count_quoted_line_breaks_and_blank_lines() {
        let input = "\u{feff}a,b\r\n1,\"two\nlines\"\r\n\r\n\n3,4\n";
        let mut table = Table::read(input.as_bytes(), "a test table").unwrap();
        assert_eq!(table.header(), ["a", "b"]);
        let mut row = csv::ByteRecord::new();
        assert_eq!(table.next_row(&mut row).unwrap().unwrap(), 2);
        assert_eq!(&row[1], b"two\nlines");
        assert_eq!(table.next_row(&mut row).unwrap().unwrap(), 6);
        assert_eq!(&row[0], b"3");
        assert!(table.next_row(&mut row).is_none());
    }

    #[test]
    fn an_empty_file_has_no_header() {
        let error = Table::read(&b""[..], "an MTurk batch file").unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
    }
}
