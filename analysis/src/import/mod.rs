//! Importers of requester-side exports (MTurk batch results, Prolific submission exports) into
//! record format v1, without keeping any platform identifier.
//!
//! Requester files know when a worker accepted and submitted a task, not how long they were
//! at it: the work time they give is wall time, queue time included. Every imported install id
//! starts with `req-`, so reports can say that such wages are lower bounds.
//!
//! Pure parsing from `impl Read`: the CLI does the file handling and draws the random salt.

mod mturk;
mod prolific;
mod requester_time;
mod table;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::codes::{CountryCode, Currency};
use crate::money::Money;
use crate::record::{Activity, InstallId, Outcome, Platform, Record, RecordError, RecordParts, TaskCategory};
use crate::time::{Seconds, Timestamp};

pub use mturk::{MturkBatch, MturkBatchOptions, read_mturk_batch};
pub use prolific::{ProlificExport, ProlificExportOptions, read_prolific_export};
pub use requester_time::{parse_requester_time, parse_zone};

/// What went wrong while importing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be read at all.
    #[error("reading input: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not an export of the expected kind; nothing in it can be imported.
    #[error("{0}")]
    Header(String),
    /// One row could not be converted; the rows after it still can.
    #[error("line {line}: {column}: {problem}")]
    Row { line: u64, column: String, problem: String },
}

/// One row of an export, converted or deliberately left out.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    /// A converted row. `repaired` says the row was malformed in a known, reversible way
    /// (Prolific rows wrapped in quotes by a spreadsheet) and was read after undoing that.
    Record { line: u64, record: Record, repaired: bool },
    /// A well-formed row that records no working time (a submission returned before it was
    /// completed, say), with the reason; it is not an error, but the caller should say so.
    Skipped { line: u64, reason: String },
}

/// Turns platform identifiers into opaque ones with a keyed hash. With the same salt the same
/// worker and the same assignment always get the same ids, so importing a file twice stores
/// nothing new; without the salt the ids cannot be traced back to the platform's.
#[derive(Clone)]
pub struct Pseudonymizer {
    salt: Vec<u8>,
    fingerprint: SaltFingerprint,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The salt is the key to the pseudonyms; it is never printed.
        f.write_str("Pseudonymizer { salt: <hidden> }")
    }
}

/// The prefix of every install id made from a requester export.
pub const REQUESTER_INSTALL_PREFIX: &str = "req-";

/// Four bytes that tell one import salt from another without revealing it: the start of a
/// SHA-256 hash of the salt under a label of its own. Every install id an import makes carries
/// it, so a report can see that its inputs were pseudonymised with different salts, in which
/// case one worker may appear as several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SaltFingerprint([u8; 4]);

impl std::fmt::Display for SaltFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// The salt fingerprint an install id of a requester import carries (`req-`, 8 hex digits, `-`,
/// 32 hex digits); `None` for the older `req-` and 32 hex digits, made before fingerprints were
/// recorded, and for any other id.
pub fn salt_fingerprint(install: &InstallId) -> Option<SaltFingerprint> {
    let rest = install.as_str().strip_prefix(REQUESTER_INSTALL_PREFIX)?;
    let (fingerprint, pseudonym) = rest.split_once('-')?;
    if fingerprint.len() != 8 || pseudonym.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 4];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(fingerprint.get(2 * index..2 * index + 2)?, 16).ok()?;
    }
    Some(SaltFingerprint(bytes))
}

impl Pseudonymizer {
    pub fn new(salt: &[u8]) -> Pseudonymizer {
        let mut hash = Sha256::new();
        hash.update(b"piecerate salt fingerprint v1\0");
        hash.update((salt.len() as u64).to_le_bytes());
        hash.update(salt);
        let digest: [u8; 32] = hash.finalize().into();
        let fingerprint = SaltFingerprint(digest[..4].try_into().expect("4 of 32 bytes"));
        Pseudonymizer { salt: salt.to_vec(), fingerprint }
    }

    /// The fingerprint of the salt, which every install id made with it carries.
    pub fn fingerprint(&self) -> SaltFingerprint {
        self.fingerprint
    }

    fn digest(&self, domain: &str, identifier: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"piecerate import v1\0");
        hash.update((self.salt.len() as u64).to_le_bytes());
        hash.update(&self.salt);
        hash.update(domain.as_bytes());
        hash.update(b"\0");
        hash.update(identifier.as_bytes());
        hash.finalize().into()
    }

    /// `req-`, the salt's fingerprint (8 hex digits), `-` and 32 hex digits: the first 16 bytes
    /// of the salted hash of a worker id.
    pub fn install_id(&self, domain: &str, worker: &str) -> InstallId {
        let digest = self.digest(domain, worker);
        let mut id = String::with_capacity(REQUESTER_INSTALL_PREFIX.len() + 8 + 1 + 32);
        id.push_str(REQUESTER_INSTALL_PREFIX);
        id.push_str(&self.fingerprint.to_string());
        id.push('-');
        for byte in &digest[..16] {
            id.push_str(&format!("{byte:02x}"));
        }
        InstallId::parse(&id).expect("req- and hex digits are an install id")
    }

    /// A UUID (version 8, RFC 9562 variant) from the salted hash of an assignment id.
    pub fn record_id(&self, domain: &str, assignment: &str) -> Uuid {
        let digest = self.digest(domain, assignment);
        let mut bytes: [u8; 16] = digest[..16].try_into().expect("32 bytes");
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Uuid::from_bytes(bytes)
    }
}

/// Builds a record, naming the export's column rather than the record field in an error.
/// One task as a requester export knows it, in typed parts; every importer builds its records
/// through [`RequesterTask::into_record`], so the mapping to format v1 is written once.
pub(crate) struct RequesterTask {
    pub record_id: Uuid,
    pub install_id: InstallId,
    pub platform: Platform,
    pub country: Option<CountryCode>,
    pub category: Option<TaskCategory>,
    pub outcome: Outcome,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub active: Seconds,
    /// Zero when the export says nothing the worker was paid.
    pub reward: Money,
    pub currency: Currency,
}

impl RequesterTask {
    /// Builds the record through [`Record::new`]; a problem is reported against the export's
    /// own column, which `column_of` names for each record field.
    pub(crate) fn into_record(
        self,
        line: u64,
        column_of: impl Fn(&'static str) -> &'static str,
    ) -> Result<Record, ImportError> {
        let parts = RecordParts {
            record_id: self.record_id,
            install_id: self.install_id,
            platform: self.platform,
            country: self.country,
            activity: Activity::Task {
                category: self.category,
                outcome: self.outcome,
                reward: self.reward,
                bonus: Money::ZERO,
                currency: self.currency,
            },
            started_at: self.started_at,
            ended_at: self.ended_at,
            active: self.active,
        };
        Record::new(parts).map_err(|RecordError { field, problem }| ImportError::Row {
            line,
            column: column_of(field).to_owned(),
            problem,
        })
    }
}

pub(crate) fn row_error(line: u64, column: &str, problem: impl Into<String>) -> ImportError {
    ImportError::Row { line, column: column.to_owned(), problem: problem.into() }
}

/// Finds required columns, or says which ones the file lacks.
pub(crate) fn require_columns<const N: usize>(
    header: &[String],
    names: [&str; N],
    what: &str,
) -> Result<[usize; N], ImportError> {
    let found = names.map(|name| header.iter().position(|column| column == name));
    let missing: Vec<&str> =
        names.iter().zip(&found).filter(|(_, index)| index.is_none()).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        return Err(ImportError::Header(format!(
            "not {what}: the header lacks the column{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    Ok(found.map(|index| index.expect("checked above")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_per_salt_and_unlinkable_across_salts() {
        let a = Pseudonymizer::new(b"salt-a");
        let b = Pseudonymizer::new(b"salt-b");
        let id = a.install_id("mturk-worker", "A39VVWV1GHLMFD");
        assert_eq!(id, a.install_id("mturk-worker", "A39VVWV1GHLMFD"));
        assert_ne!(id, b.install_id("mturk-worker", "A39VVWV1GHLMFD"));
        assert_ne!(id, a.install_id("prolific-participant", "A39VVWV1GHLMFD"));
        assert_eq!(salt_fingerprint(&id), Some(a.fingerprint()));
        assert_ne!(a.fingerprint(), b.fingerprint());
        let id = id.as_str();
        assert!(id.starts_with("req-") && id.len() == 45 && !id.contains("A39V"), "{id}");
        let legacy = InstallId::parse("req-0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(salt_fingerprint(&legacy), None);
        let record_id = a.record_id("mturk-assignment", "34PGFRQONOBFXMC0YDM99S3OZY5WJO");
        assert_eq!(record_id.get_version_num(), 8);
        assert_eq!(record_id.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(record_id, a.record_id("mturk-assignment", "34PGFRQONOBFXMC0YDM99S3OZY5WJO"));
        assert!(!format!("{a:?}").contains("salt-a"));
    }

    #[test]
    fn missing_columns_are_named() {
        let header: Vec<String> = ["WorkerId", "Reward"].map(String::from).to_vec();
        let error = require_columns(&header, ["WorkerId", "AcceptTime", "SubmitTime"], "an MTurk batch file")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "not an MTurk batch file: the header lacks the columns AcceptTime, SubmitTime"
        );
    }
}
