//! The evidence log (`piecerate.evidence/1`): every task event the extension records, in a hash
//! chain, so that a worker disputing a rejection can show when a task was accepted, worked on
//! and submitted, and anyone can check that the log was not edited afterwards.
//!
//! The extension appends entries with [`Entry::append`] and writes exports with [`export`];
//! `piecerate verify-evidence` reads them back with [`verify`]. Both use this one definition:
//!
//! - an event's **digest** is the SHA-256 of its canonical bytes: the format's name, then each
//!   field in a fixed order as a one-byte presence flag, an 8-byte big-endian length and its
//!   UTF-8 bytes (integers as decimal text), so that no two events share an encoding;
//! - an entry's **hash** is the SHA-256 of the format's name, its index (8 bytes, big-endian),
//!   the previous entry's hash (32 zero bytes before the first entry) and its event's digest.
//!
//! An export lists a run of consecutive entries: those the worker chose in full, the others
//! *withheld* (index, digest and hash only, no requester or title), so the chain stays whole
//! while the file shows only what the worker hands over. It starts with `before`, the hash of
//! the entry before the run, so a cut at either end is visible to anyone who holds a later or
//! earlier head. Its bytes are exactly those [`export`] writes (compact JSON): any other byte,
//! even insignificant whitespace, is an edit and fails.
//!
//! What it proves, and what not, is in `docs/extension.md` ("Evidence log").

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::json::{self, Map, Value};
use crate::time::Timestamp;

/// The format's name, the first bytes of every digest and hash and the export's `format`.
pub const FORMAT: &str = "piecerate.evidence/1";
/// The largest export [`verify`] reads: 64 MiB, about 200,000 entries.
pub const MAX_EXPORT_BYTES: usize = 64 << 20;
/// The hash before the first entry of a log.
pub const GENESIS: Hash = Hash([0; 32]);

/// A SHA-256 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    pub fn hex(&self) -> String {
        let mut text = String::with_capacity(64);
        for byte in self.0 {
            let _ = write!(text, "{byte:02x}");
        }
        text
    }

    /// 64 lower-case hex digits.
    pub fn parse(text: &str) -> Result<Hash, &'static str> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err("is not 64 hex digits");
        }
        let digit = |byte: u8| match byte {
            b'0'..=b'9' => Ok(byte - b'0'),
            b'a'..=b'f' => Ok(byte - b'a' + 10),
            _ => Err("is not 64 lower-case hex digits"),
        };
        let mut out = [0; 32];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            out[index] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Ok(Hash(out))
    }
}

/// What happened to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The task was accepted (MTurk) or started (Prolific, the manual timer).
    Accepted,
    /// The active time the task earned, measured since its acceptance (`active_seconds`).
    Worked,
    Submitted,
    Returned,
    ScreenedOut,
    /// The task's time ran out, or its page was left without a submission.
    Abandoned,
    Pending,
    Approved,
    Rejected,
    Paid,
}

const KINDS: [(Kind, &str); 10] = [
    (Kind::Accepted, "accepted"),
    (Kind::Worked, "worked"),
    (Kind::Submitted, "submitted"),
    (Kind::Returned, "returned"),
    (Kind::ScreenedOut, "screened_out"),
    (Kind::Abandoned, "abandoned"),
    (Kind::Pending, "pending"),
    (Kind::Approved, "approved"),
    (Kind::Rejected, "rejected"),
    (Kind::Paid, "paid"),
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        KINDS.iter().find(|(kind, _)| *kind == self).map_or("", |(_, name)| name)
    }

    pub fn parse(text: &str) -> Option<Kind> {
        KINDS.iter().find(|(_, name)| *name == text).map(|(kind, _)| *kind)
    }
}

/// One task event, as the extension saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened, by the browser's clock: milliseconds since 1970-01-01T00:00:00Z.
    pub at: i64,
    pub kind: Kind,
    /// `mturk`, `prolific` or the manual timer's platform.
    pub platform: String,
    /// The platform's id of the task (MTurk's assignment id, Prolific's submission id), or
    /// `manual`.
    pub task: String,
    pub title: Option<String>,
    pub requester: Option<String>,
    /// The task's reward as the page showed it (`0.50 USD`).
    pub reward: Option<String>,
    /// Active seconds (for `worked`).
    pub active_seconds: Option<u64>,
    /// The worker's offset from UTC when the event was recorded, in minutes (east positive).
    pub utc_offset_minutes: Option<i64>,
}

impl Event {
    /// The SHA-256 of the event's canonical bytes (see the module's documentation).
    pub fn digest(&self) -> Hash {
        let mut hash = Sha256::new();
        hash.update(FORMAT.as_bytes());
        let mut field = |value: Option<&str>| match value {
            None => hash.update([0]),
            Some(text) => {
                hash.update([1]);
                hash.update((text.len() as u64).to_be_bytes());
                hash.update(text.as_bytes());
            }
        };
        field(Some(&self.at.to_string()));
        field(Some(self.kind.as_str()));
        field(Some(&self.platform));
        field(Some(&self.task));
        field(self.title.as_deref());
        field(self.requester.as_deref());
        field(self.reward.as_deref());
        field(self.active_seconds.map(|s| s.to_string()).as_deref());
        field(self.utc_offset_minutes.map(|m| m.to_string()).as_deref());
        Hash(hash.finalize().into())
    }

    fn to_json(&self) -> Map {
        let mut map = Map::new();
        map.insert("at".to_owned(), self.at.into());
        map.insert("kind".to_owned(), self.kind.as_str().into());
        map.insert("platform".to_owned(), self.platform.as_str().into());
        map.insert("task".to_owned(), self.task.as_str().into());
        let optional = |map: &mut Map, name: &str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(name.to_owned(), value);
            }
        };
        optional(&mut map, "title", self.title.clone().map(Value::from));
        optional(&mut map, "requester", self.requester.clone().map(Value::from));
        optional(&mut map, "reward", self.reward.clone().map(Value::from));
        optional(&mut map, "active_seconds", self.active_seconds.map(Value::from));
        optional(&mut map, "utc_offset_minutes", self.utc_offset_minutes.map(Value::from));
        map
    }
}

/// The hash of the entry at `index` after `previous`, for an event of digest `digest`.
pub fn chain(index: u64, previous: &Hash, digest: &Hash) -> Hash {
    let mut hash = Sha256::new();
    hash.update(FORMAT.as_bytes());
    hash.update(index.to_be_bytes());
    hash.update(previous.0);
    hash.update(digest.0);
    Hash(hash.finalize().into())
}

/// One entry of the log: its position, its event and the hash that commits to both and to
/// every entry before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: u64,
    pub event: Event,
    pub hash: Hash,
}

impl Entry {
    /// The entry after `previous` (`None`: the first of the log).
    pub fn append(previous: Option<&Entry>, event: Event) -> Entry {
        let (index, before) = previous.map_or((0, GENESIS), |entry| (entry.index + 1, entry.hash));
        let hash = chain(index, &before, &event.digest());
        Entry { index, event, hash }
    }

    /// The entry as stored and exported in full: the event's fields, `index` and `hash`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("index".to_owned(), self.index.into());
        for (name, value) in self.event.to_json().iter() {
            map.insert(name.clone(), value.clone());
        }
        map.insert("hash".to_owned(), self.hash.hex().into());
        Value::Object(map)
    }

    /// Reads an entry in full; `path` names it in errors (`entries[3]`). The hash is read,
    /// not checked: [`verify`] checks it in its chain.
    pub fn from_json(value: &Value, path: &str) -> Result<Entry, EvidenceError> {
        let fields = Fields::of(value, path, FULL_FIELDS)?;
        Ok(Entry { index: fields.u64("index")?, event: fields.event()?, hash: fields.hash("hash")? })
    }
}

/// What an export holds of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    Full(Entry),
    /// An entry the worker did not select: its chain, not its content.
    Withheld {
        index: u64,
        digest: Hash,
        hash: Hash,
    },
}

impl Exported {
    pub fn index(&self) -> u64 {
        match self {
            Exported::Full(entry) => entry.index,
            Exported::Withheld { index, .. } => *index,
        }
    }
}

/// Writes the export of a run of consecutive entries of one log, `before` being the hash of
/// the entry before the first (the log's genesis for its first entry). `select` picks the
/// entries written in full; the others are withheld. The text ends with a line break.
pub fn export(before: &Hash, entries: &[Entry], select: impl Fn(&Entry) -> bool) -> String {
    let entries: Vec<Exported> = entries
        .iter()
        .map(|entry| {
            if select(entry) {
                Exported::Full(entry.clone())
            } else {
                Exported::Withheld { index: entry.index, digest: entry.event.digest(), hash: entry.hash }
            }
        })
        .collect();
    export_of(before, &entries)
}

/// A verified export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub before: Hash,
    pub head: Hash,
    pub entries: Vec<Exported>,
}

/// Why an export does not verify: the entry (its position in the file and its index) when one
/// is at fault, the field and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("the file is {size} bytes, more than the {max} an evidence export may have")]
    TooLarge { size: usize, max: usize },
    #[error("the file is not JSON: {0}")]
    Json(json::JsonError),
    #[error(
        "the file is not byte for byte as piecerate wrote it (it differs from byte {offset}): it was edited or reformatted"
    )]
    NotAsWritten { offset: usize },
    #[error("{path}: {problem}")]
    Field { path: String, problem: String },
    #[error("{path} (entry index {index}): {problem}")]
    Entry { path: String, index: u64, problem: String },
}

fn field_error(path: &str, problem: impl Into<String>) -> EvidenceError {
    EvidenceError::Field { path: path.to_owned(), problem: problem.into() }
}

const FULL_FIELDS: &[&str] = &[
    "index",
    "at",
    "kind",
    "platform",
    "task",
    "title",
    "requester",
    "reward",
    "active_seconds",
    "utc_offset_minutes",
    "hash",
];
const WITHHELD_FIELDS: &[&str] = &["index", "withheld", "digest", "hash"];
const DOCUMENT_FIELDS: &[&str] = &["format", "before", "entries", "head"];
/// The longest text field: titles and requester names are cut far below this when recorded.
const MAX_TEXT: usize = 4096;

/// An object's fields, read with the path of each in errors; unknown fields are refused.
struct Fields<'a> {
    map: &'a Map,
    path: &'a str,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, path: &'a str, known: &[&str]) -> Result<Fields<'a>, EvidenceError> {
        let map = value
            .as_object()
            .ok_or_else(|| field_error(path, format!("is {}, not an object", value.kind())))?;
        if let Some(unknown) = map.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(field_error(&format!("{path}.{unknown}"), "is not a field of an evidence entry"));
        }
        Ok(Fields { map, path })
    }

    fn path(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_owned() } else { format!("{}.{name}", self.path) }
    }

    fn required(&self, name: &str) -> Result<&'a Value, EvidenceError> {
        self.map.get(name).ok_or_else(|| field_error(&self.path(name), "is missing"))
    }

    fn text(&self, name: &str) -> Result<Option<&'a str>, EvidenceError> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(text)) if text.len() <= MAX_TEXT => Ok(Some(text)),
            Some(Value::String(_)) => {
                Err(field_error(&self.path(name), format!("is longer than {MAX_TEXT} bytes")))
            }
            Some(other) => Err(field_error(&self.path(name), format!("is {}, not a string", other.kind()))),
        }
    }

    fn required_text(&self, name: &str) -> Result<&'a str, EvidenceError> {
        self.required(name)?;
        Ok(self.text(name)?.unwrap_or_default())
    }

    fn u64(&self, name: &str) -> Result<u64, EvidenceError> {
        self.required(name)?
            .as_u64()
            .ok_or_else(|| field_error(&self.path(name), "is not a whole number of at least 0"))
    }

    fn i64(&self, name: &str) -> Result<Option<i64>, EvidenceError> {
        self.map
            .get(name)
            .map(|value| value.as_i64().ok_or_else(|| field_error(&self.path(name), "is not a whole number")))
            .transpose()
    }

    fn hash(&self, name: &str) -> Result<Hash, EvidenceError> {
        Hash::parse(self.required_text(name)?).map_err(|problem| field_error(&self.path(name), problem))
    }

    fn event(&self) -> Result<Event, EvidenceError> {
        let kind = self.required_text("kind")?;
        let utc_offset_minutes = self.i64("utc_offset_minutes")?;
        if utc_offset_minutes.is_some_and(|minutes| minutes.abs() > 18 * 60) {
            return Err(field_error(&self.path("utc_offset_minutes"), "is more than 18 hours from UTC"));
        }
        let at = self.i64("at")?.ok_or_else(|| field_error(&self.path("at"), "is missing"))?;
        Timestamp::from_unix_seconds(at.div_euclid(1000))
            .map_err(|problem| field_error(&self.path("at"), problem.to_string()))?;
        Ok(Event {
            at,
            kind: Kind::parse(kind).ok_or_else(|| {
                field_error(&self.path("kind"), format!("'{}' is not a kind of evidence event", short(kind)))
            })?,
            platform: self.required_text("platform")?.to_owned(),
            task: self.required_text("task")?.to_owned(),
            title: self.text("title")?.map(str::to_owned),
            requester: self.text("requester")?.map(str::to_owned),
            reward: self.text("reward")?.map(str::to_owned),
            active_seconds: self.map.get("active_seconds").map(|_| self.u64("active_seconds")).transpose()?,
            utc_offset_minutes,
        })
    }
}

fn short(text: &str) -> String {
    text.chars().take(32).collect()
}

/// Checks an export: its bytes are those [`export`] writes, its entries' indexes follow one
/// another, each entry's hash is the chain's from `before` over its content, and `head` is the
/// last one's. The first fault found is the error, naming the entry and what does not match.
pub fn verify(text: &str) -> Result<Verified, EvidenceError> {
    if text.len() > MAX_EXPORT_BYTES {
        return Err(EvidenceError::TooLarge { size: text.len(), max: MAX_EXPORT_BYTES });
    }
    let document = json::parse(text).map_err(EvidenceError::Json)?;
    let fields = Fields::of(&document, "", DOCUMENT_FIELDS)?;
    let format = fields.required_text("format")?;
    if format != FORMAT {
        return Err(field_error("format", format!("'{}' is not {FORMAT}", short(format))));
    }
    let before = fields.hash("before")?;
    let Value::Array(items) = fields.required("entries")? else {
        return Err(field_error("entries", "is not an array"));
    };
    let head = fields.hash("head")?;
    let mut entries = Vec::with_capacity(items.len());
    let mut previous = before;
    let mut next_index = None;
    for (position, item) in items.iter().enumerate() {
        let path = format!("entries[{position}]");
        let withheld = item.as_object().is_some_and(|map| map.get("withheld").is_some());
        let (exported, digest) = if withheld {
            let entry = Fields::of(item, &path, WITHHELD_FIELDS)?;
            if entry.required("withheld")?.as_bool() != Some(true) {
                return Err(field_error(&entry.path("withheld"), "is not true"));
            }
            let digest = entry.hash("digest")?;
            let exported =
                Exported::Withheld { index: entry.u64("index")?, digest, hash: entry.hash("hash")? };
            (exported, digest)
        } else {
            let entry = Entry::from_json(item, &path)?;
            let digest = entry.event.digest();
            (Exported::Full(entry), digest)
        };
        let (index, stored) = match &exported {
            Exported::Full(entry) => (entry.index, entry.hash),
            Exported::Withheld { index, hash, .. } => (*index, *hash),
        };
        let at_fault = |problem: String| EvidenceError::Entry { path: path.clone(), index, problem };
        if next_index.is_some_and(|expected| expected != index) {
            return Err(at_fault(format!(
                "index: expected {} after the previous entry: an entry is missing, repeated or moved here",
                next_index.unwrap_or_default()
            )));
        }
        if index == 0 && before != GENESIS {
            return Err(at_fault(
                "the log's first entry, but 'before' is not the log's start (64 zeros)".into(),
            ));
        }
        let computed = chain(index, &previous, &digest);
        if computed != stored {
            let what = if withheld { "its digest or its index" } else { "its content" };
            return Err(at_fault(format!(
                "hash: {} is not the hash of {what} after the previous entry ({}): this entry, or the one before it, was edited",
                short(&stored.hex()),
                short(&computed.hex())
            )));
        }
        previous = computed;
        next_index = Some(index + 1);
        entries.push(exported);
    }
    if head != previous {
        return Err(field_error(
            "head",
            format!("{} is not the last entry's hash {}", short(&head.hex()), short(&previous.hex())),
        ));
    }
    let written = export_of(&before, &entries);
    if let Some(offset) = text
        .bytes()
        .zip(written.bytes())
        .position(|(a, b)| a != b)
        .or_else(|| (text.len() != written.len()).then_some(text.len().min(written.len())))
    {
        return Err(EvidenceError::NotAsWritten { offset });
    }
    Ok(Verified { before, head, entries })
}

/// The export of verified entries, written again, to compare with the file's bytes.
fn export_of(before: &Hash, entries: &[Exported]) -> String {
    let items: Vec<Value> = entries
        .iter()
        .map(|exported| match exported {
            Exported::Full(entry) => entry.to_json(),
            Exported::Withheld { index, digest, hash } => {
                let mut map = Map::new();
                map.insert("index".to_owned(), (*index).into());
                map.insert("withheld".to_owned(), true.into());
                map.insert("digest".to_owned(), digest.hex().into());
                map.insert("hash".to_owned(), hash.hex().into());
                Value::Object(map)
            }
        })
        .collect();
    let head = match entries.last() {
        Some(Exported::Full(entry)) => entry.hash,
        Some(Exported::Withheld { hash, .. }) => *hash,
        None => *before,
    };
    let mut map = Map::new();
    map.insert("format".to_owned(), FORMAT.into());
    map.insert("before".to_owned(), before.hex().into());
    map.insert("entries".to_owned(), Value::Array(items));
    map.insert("head".to_owned(), head.hex().into());
    format!("{}\n", Value::Object(map))
}

/// An event's time as `2026-03-02T14:05:09.250Z`, and in the worker's zone when recorded
/// (`2026-03-02T15:05:09.250+01:00`).
pub fn format_time(at: i64, utc_offset_minutes: Option<i64>) -> (String, Option<String>) {
    let render = |ms: i64, zone: &str| {
        let seconds = ms.div_euclid(1000);
        let text = Timestamp::nearest_to_unix_seconds(seconds).to_string();
        format!("{}.{:03}{zone}", text.trim_end_matches('Z'), ms.rem_euclid(1000))
    };
    let local = utc_offset_minutes.map(|minutes| {
        let sign = if minutes < 0 { '-' } else { '+' };
        let zone = format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60);
        render(at + minutes * 60_000, &zone)
    });
    (render(at, "Z"), local)
}

#[cfg(test)]
mod tests;
