//! Opening an input named on the command line: a file, or standard input for `-`, plain or
//! gzip-compressed (recognised by its first two bytes, whatever its name).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::{Context, Result, bail};
use flate2::bufread::MultiGzDecoder;

/// The first two bytes of every gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How an input can be read.
pub(crate) enum Opened {
    /// A plain regular file: it can be read from any offset, by several threads.
    File(File),
    /// Standard input, a pipe, a device, or decompressed bytes: read once, from the start.
    Stream(Box<dyn Read + Send>),
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
    if is_stdin(path) {
        let mut reader = BufReader::with_capacity(1 << 20, std::io::stdin());
        let head = reader.fill_buf().context("cannot read standard input")?;
        return Ok(Opened::Stream(if head.starts_with(&GZIP_MAGIC) {
            Box::new(MultiGzDecoder::new(reader))
        } else {
            Box::new(reader)
        }));
    }
    let mut file = File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let metadata = file.metadata().with_context(|| format!("cannot read {}", path.display()))?;
    if !metadata.is_file() {
        return Ok(Opened::Stream(Box::new(BufReader::with_capacity(1 << 20, file))));
    }
    let mut head = [0u8; 2];
    let read = file.read(&mut head).with_context(|| format!("cannot read {}", path.display()))?;
    file.seek(SeekFrom::Start(0)).with_context(|| format!("cannot read {}", path.display()))?;
    if read == 2 && head == GZIP_MAGIC {
        return Ok(Opened::Stream(Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 20, file)))));
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
        Ok(Opened::Stream(stream)) => stream,
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
