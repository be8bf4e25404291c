//! Opening an input named on the command line: a file, or standard input for `-`, plain or
//! gzip-compressed (recognised by its first two bytes, whatever its name).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use flate2::bufread::MultiGzDecoder;
use sha2::{Digest, Sha256};

/// The first two bytes of every gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How an input can be read.
pub(crate) enum Opened {
    /// A plain regular file: it can be read from any offset, by several threads.
    File(File),
    /// Standard input, a pipe, a device, or decompressed bytes: read once, from the start. The
    /// bytes as they came (compressed ones, for gzip) pass through the hash.
    Stream(Box<dyn Read + Send>, InputHash),
}

/// The SHA-256 and length of an input's bytes as they are read, for its provenance.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputHash(Arc<Mutex<(Sha256, u64)>>);

impl InputHash {
    fn update(&self, bytes: &[u8]) {
        let mut state = self.0.lock().expect("no reader panicked");
        state.0.update(bytes);
        state.1 += bytes.len() as u64;
    }

    /// The hex SHA-256 of the bytes read so far, and their count.
    pub(crate) fn finish(&self) -> (String, u64) {
        let state = self.0.lock().expect("no reader panicked");
        (hex(&state.0.clone().finalize()), state.1)
    }
}

/// Passes the bytes it reads through an [`InputHash`].
struct Hashing<R> {
    inner: R,
    hash: InputHash,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.hash.update(&buffer[..count]);
        Ok(count)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The SHA-256 of a whole file (in hex) and its length, read apart from the records (a report
/// hashes its inputs as its readers read them: `read_input.rs`).
pub(crate) fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut length = 0;
    loop {
        let count = file.read(&mut buffer)?;
        if count == 0 {
            return Ok((hex(&hash.finalize()), length));
        }
        hash.update(&buffer[..count]);
        length += count as u64;
    }
}

/// Whether `path` names standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How messages name an input.
pub(crate) fn name(path: &Path) -> String {
    if is_stdin(path) { "(standard input)".to_owned() } else { path.display().to_string() }
}

/// Checks that every input exists and is not a directory, before any is read (so that a typo
/// fails at once, not after an hour of reading), and that standard input is named at most once.
/// Gives the total size of the files, for the progress bar.
pub(crate) fn check_all(paths: &[impl AsRef<Path>]) -> Result<u64> {
    let mut total = 0;
    let mut stdin = 0;
    for path in paths {
        let path = path.as_ref();
        if is_stdin(path) {
            stdin += 1;
            continue;
        }
        let metadata =
            std::fs::metadata(path).with_context(|| format!("cannot open input file {}", path.display()))?;
        if metadata.is_dir() {
            bail!("input {} is a directory, not a file", path.display());
        }
        total += metadata.len();
    }
    if stdin > 1 {
        bail!("standard input (-) is named {stdin} times; it can be read only once");
    }
    Ok(total)
}

/// Opens an input, decompressing it when it is gzip.
pub(crate) fn open(path: &Path) -> Result<Opened> {
    let hash = InputHash::default();
    if is_stdin(path) {
        let raw = Hashing { inner: std::io::stdin(), hash: hash.clone() };
        let mut reader = BufReader::with_capacity(1 << 20, raw);
        let head = reader.fill_buf().context("cannot read standard input")?;
        return Ok(Opened::Stream(
            if head.starts_with(&GZIP_MAGIC) {
                Box::new(MultiGzDecoder::new(reader))
            } else {
                Box::new(reader)
            },
            hash,
        ));
    }
    let mut file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let metadata = file.metadata().with_context(|| format!("cannot read {}", path.display()))?;
    if !metadata.is_file() {
        let raw = Hashing { inner: file, hash: hash.clone() };
        return Ok(Opened::Stream(Box::new(BufReader::with_capacity(1 << 20, raw)), hash));
    }
    let mut head = [0u8; 2];
    let read = file.read(&mut head).with_context(|| format!("cannot read {}", path.display()))?;
    file.seek(SeekFrom::Start(0)).with_context(|| format!("cannot read {}", path.display()))?;
    if read == 2 && head == GZIP_MAGIC {
        let raw = Hashing { inner: file, hash: hash.clone() };
        return Ok(Opened::Stream(
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 20, raw))),
            hash,
        ));
    }
    Ok(Opened::File(file))
}

/// Whether the first line of a file looks separated by semicolons rather than commas, as a
/// spreadsheet set to a language that writes decimal commas saves "CSV". Standard input cannot
/// be read again, so it is not looked at.
pub(crate) fn looks_semicolon_separated(path: &Path) -> bool {
    if is_stdin(path) {
        return false;
    }
    let reader: Box<dyn Read> = match open(path) {
        Ok(Opened::File(file)) => Box::new(file),
        Ok(Opened::Stream(stream, _)) => stream,
        Err(_) => return false,
    };
    let mut head = Vec::new();
    if reader.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let line = head.split(|&byte| byte == b'\n').next().unwrap_or_default();
    let count = |wanted: u8| line.iter().filter(|&&byte| byte == wanted).count();
    count(b';') > count(b',')
}

/// The message for a file separated by semicolons.
pub(crate) fn semicolon_message(path: &Path, expected: &str) -> String {
    format!(
        "{}: the columns are separated by semicolons, as a spreadsheet set to a language that writes decimal commas saves CSV; {expected} separates them with commas: save the file again as CSV with ',' as the field separator (in LibreOffice: Save As, Edit filter settings; in Excel: CSV UTF-8 with a comma list separator)",
        name(path)
    )
}
