//! The opt-in upload protocol, without the network: enrollment, batches, what each collector
//! answer means, and exponential backoff honouring `Retry-After`. Records wait in an outbox
//! (store and forward) and leave it only when the collector confirmed it holds them; their
//! random record ids make a resent batch harmless (the collector counts them as duplicates).

use analysis::json::Value;

use crate::json::{Fields, FromJson, JsonError, JsonProblem, ObjectBuilder, ToJson};
use crate::records::LocalRecord;
use crate::tracker::Millis;

/// Records per request; the collector accepts up to 1000.
pub const DEFAULT_BATCH: usize = 500;
const FIRST_BACKOFF_MS: Millis = 30_000;
const MAX_BACKOFF_MS: Millis = 6 * 3600 * 1000;

/// What the extension remembers about sharing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    /// The bearer token from enrollment; the collector knows the install by it.
    pub token: Option<String>,
    /// The collector's id of this install, shown to the worker.
    pub install_id: Option<String>,
    pub consent_version: Option<String>,
    pub failures: u32,
    pub next_attempt: Millis,
    pub batch: usize,
    /// "Delete my shared data" was asked and not yet confirmed by the collector.
    pub erase_pending: bool,
    pub sent: u64,
    pub last_status: Option<String>,
}

impl Default for SyncState {
    fn default() -> SyncState {
        SyncState {
            token: None,
            install_id: None,
            consent_version: None,
            failures: 0,
            next_attempt: 0,
            batch: DEFAULT_BATCH,
            erase_pending: false,
            sent: 0,
            last_status: None,
        }
    }
}

impl SyncState {
    /// After a failure: wait twice as long as the last time (30 s, 1 min, ... up to 6 h), and
    /// never less than the collector's `Retry-After`.
    pub fn failed(&mut self, now: Millis, retry_after: Option<Millis>, status: String) {
        self.failures = self.failures.saturating_add(1);
        let doubling = FIRST_BACKOFF_MS.saturating_mul(1 << self.failures.saturating_sub(1).min(20));
        let wait = doubling.min(MAX_BACKOFF_MS).max(retry_after.unwrap_or(0).min(MAX_BACKOFF_MS));
        self.next_attempt = now + wait;
        self.last_status = Some(status);
    }

    pub fn succeeded(&mut self, status: String) {
        self.failures = 0;
        self.next_attempt = 0;
        self.last_status = Some(status);
    }

    pub fn due(&self, now: Millis) -> bool {
        now >= self.next_attempt
    }
}

/// `Retry-After` as a delay: whole seconds (the form rate limiters send); dates are ignored
/// and the normal backoff applies.
pub fn retry_after_ms(header: Option<&str>) -> Option<Millis> {
    let seconds: u32 = header?.trim().parse().ok()?;
    Some(Millis::from(seconds) * 1000)
}

/// The most leading zero bits the extension works for: 2^26 hashes are about a minute in a
/// browser. A collector asking for more is refused rather than left to hang the background.
pub const MAX_DIFFICULTY_BITS: u32 = 26;

/// A proof-of-work challenge from `GET /v1/installs/challenge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub text: String,
    /// Leading zero bits SHA-256(challenge ‖ nonce) must have.
    pub difficulty: u32,
}

/// Reads `{challenge, difficulty}` from the collector's answer.
pub fn parse_challenge(body: &str) -> Result<Challenge, JsonError> {
    let inside = |error: JsonError| error.inside("enrollment challenge");
    let value: Value = analysis::json::parse(body)
        .map_err(|e| inside(JsonError::new(JsonProblem::NotJson(e.to_string()))))?;
    let text = value
        .get("challenge")
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty() && text.len() <= 256)
        .ok_or_else(|| inside(JsonError::new(JsonProblem::Missing).inside("challenge")))?;
    let difficulty = value
        .get("difficulty")
        .and_then(Value::as_u64)
        .ok_or_else(|| inside(JsonError::new(JsonProblem::Missing).inside("difficulty")))?;
    if difficulty > u64::from(MAX_DIFFICULTY_BITS) {
        return Err(inside(
            JsonError::invalid(format!(
                "the collector asks for {difficulty} bits of work; the extension does at most {MAX_DIFFICULTY_BITS}"
            ))
            .inside("difficulty"),
        ));
    }
    Ok(Challenge { text: text.to_owned(), difficulty: difficulty as u32 })
}

/// The first nonce (decimal digits) such that SHA-256(challenge ‖ nonce) begins with
/// `difficulty` zero bits, and how many nonces were tried. The hash of the challenge's first
/// whole 64-byte blocks is computed once and copied for each nonce, which halves the work for
/// the collector's 80-byte challenges; the digits are written in place, without allocating.
pub fn solve_challenge(challenge: &Challenge) -> (String, u64) {
    use sha2::{Digest, Sha256};
    let bytes = challenge.text.as_bytes();
    let whole = bytes.len() - bytes.len() % 64;
    let mut prefix = Sha256::new();
    prefix.update(&bytes[..whole]);
    let rest = &bytes[whole..];
    let mut digits = [0u8; 20];
    for nonce in 0u64.. {
        let mut start = digits.len();
        let mut n = nonce;
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut hasher = prefix.clone();
        hasher.update(rest);
        hasher.update(&digits[start..]);
        if leading_zero_bits(&hasher.finalize()) >= challenge.difficulty {
            return (nonce.to_string(), nonce + 1);
        }
    }
    unreachable!("a 64-bit counter finds any difficulty up to 64 bits")
}

/// Zero bits at the start of `digest`, from its first byte's highest bit.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        bits += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    bits
}

/// The enrollment request: the solved challenge and the version of the consent text the worker
/// agreed to, nothing else.
pub fn enrollment_body(consent_version: &str, challenge: &Challenge, nonce: &str) -> String {
    ObjectBuilder::new()
        .field("challenge", challenge.text.as_str())
        .field("nonce", nonce)
        .field("consent_version", consent_version)
        .build()
        .to_string()
}

/// Reads `{install_id, token}` from the collector's enrollment answer.
pub fn parse_enrollment(body: &str) -> Result<(String, String), JsonError> {
    let value: Value = analysis::json::parse(body)
        .map_err(|e| JsonError::new(JsonProblem::NotJson(e.to_string())).inside("enrollment answer"))?;
    let field = |name: &'static str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty() && text.len() <= 512)
            .map(str::to_owned)
            .ok_or_else(|| JsonError::new(JsonProblem::Missing).inside(name).inside("enrollment answer"))
    };
    Ok((field("install_id")?, field("token")?))
}

/// A record as it is sent, and as it waits in the outbox: its JSON object, coarsened to the
/// hour, without the local install id (the collector takes the install from the token). Title
/// and requester are never part of it, nor anything of the settings but the country the record
/// was made with.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing(Value);

impl Outgoing {
    /// The object as the collector receives it.
    pub fn text(&self) -> String {
        self.0.to_string()
    }
}

pub fn outgoing(local: &LocalRecord) -> Outgoing {
    let mut value = analysis::record_to_json(&local.record.coarsened());
    if let Some(object) = value.as_object_mut() {
        object.remove("install_id");
    }
    Outgoing(value)
}

impl ToJson for Outgoing {
    fn to_json(&self) -> Value {
        self.0.clone()
    }
}

impl FromJson for Outgoing {
    /// The object; or, as outboxes were stored before, a string holding the object's JSON text,
    /// so that what waited in an outbox of that layout is still sent.
    fn from_json(value: &Value) -> Result<Outgoing, JsonError> {
        let object = match value {
            Value::String(text) => analysis::json::parse(text)
                .map_err(|error| JsonError::new(JsonProblem::NotJson(error.to_string())))?,
            other => other.clone(),
        };
        if object.as_object().is_none() {
            return Err(JsonError::new(JsonProblem::Expected { expected: "an object", got: object.kind() }));
        }
        Ok(Outgoing(object))
    }
}

/// One upload request body: `{"records": [...]}`.
pub fn batch_body(records: &[Outgoing]) -> String {
    let texts: Vec<String> = records.iter().map(Outgoing::text).collect();
    format!("{{\"records\":[{}]}}", texts.join(","))
}

/// What an answer to an upload means for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchReply {
    /// The collector holds every record of the batch (new or already there).
    Stored { accepted: u64, duplicates: u64 },
    /// These records of the batch can never be accepted; the rest can be sent again.
    Refused { indexes: Vec<usize>, message: String },
    /// The batch is too large: send fewer at a time.
    TooLarge,
    /// The token is no longer valid (the install was erased): enroll again before sending.
    Unauthorized,
    /// Try the same batch later.
    Later { retry_after: Option<Millis>, status: String },
}

pub fn classify_upload(status: u16, retry_after: Option<&str>, body: &str) -> BatchReply {
    let json: Option<Value> = analysis::json::parse(body).ok();
    match status {
        200..=299 => {
            let count =
                |name: &str| json.as_ref().and_then(|v| v.get(name)).and_then(Value::as_u64).unwrap_or(0);
            BatchReply::Stored { accepted: count("accepted"), duplicates: count("duplicates") }
        }
        401 | 403 => BatchReply::Unauthorized,
        413 => BatchReply::TooLarge,
        422 => {
            let mut indexes = Vec::new();
            collect_indexes(json.as_ref(), &mut indexes);
            let message = body.chars().take(500).collect();
            if indexes.is_empty() {
                BatchReply::Later { retry_after: None, status: format!("422: {message}") }
            } else {
                BatchReply::Refused { indexes, message }
            }
        }
        _ => BatchReply::Later {
            retry_after: retry_after_ms(retry_after),
            status: format!("HTTP {status}: {}", body.chars().take(200).collect::<String>()),
        },
    }
}

/// Every `"index": n` in the collector's list of problems.
fn collect_indexes(value: Option<&Value>, indexes: &mut Vec<usize>) {
    match value {
        Some(Value::Object(object)) => {
            // Kept sorted and distinct by inserting in place: few indexes, and no sort code.
            if let Some(index) = object.get("index").and_then(Value::as_u64)
                && let Err(position) = indexes.binary_search(&(index as usize))
            {
                indexes.insert(position, index as usize);
            }
            for child in object.values() {
                collect_indexes(Some(child), indexes);
            }
        }
        Some(Value::Array(items)) => items.iter().for_each(|item| collect_indexes(Some(item), indexes)),
        _ => {}
    }
}

impl ToJson for SyncState {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .optional("token", self.token.clone())
            .optional("install_id", self.install_id.clone())
            .optional("consent_version", self.consent_version.clone())
            .field("failures", self.failures)
            .field("next_attempt", self.next_attempt)
            .field("batch", self.batch)
            .field("erase_pending", self.erase_pending)
            .field("sent", self.sent)
            .optional("last_status", self.last_status.clone())
            .build()
    }
}

impl FromJson for SyncState {
    fn from_json(value: &Value) -> Result<SyncState, JsonError> {
        let fields = Fields::of(value)?;
        let whole = |name: &str| fields.u64(name);
        Ok(SyncState {
            token: fields.optional_string("token")?,
            install_id: fields.optional_string("install_id")?,
            consent_version: fields.optional_string("consent_version")?,
            failures: u32::try_from(whole("failures")?).unwrap_or(u32::MAX),
            next_attempt: fields.i64("next_attempt")?,
            batch: usize::try_from(whole("batch")?).unwrap_or(DEFAULT_BATCH),
            erase_pending: fields.bool("erase_pending")?,
            sent: whole("sent")?,
            last_status: fields.optional_string("last_status")?,
        })
    }
}
