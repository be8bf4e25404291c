//! The local store in `storage.local` (with `unlimitedStorage`): each value a JSON or text
//! string under a fixed key; records in chunks of [`CHUNK_RECORDS`] lines.

use super::error::WebError;
use crate::json::JsonError;
use analysis::InstallId;
use analysis::json::Value;
use wasm_bindgen::JsValue;

use super::api;
use crate::json::{self, Fields, FromJson, ObjectBuilder, ToJson};
use crate::records::LocalRecord;
use crate::settings::Settings;
use crate::store::{CHUNK_RECORDS, DailyTotals, StoredLineError, decode_chunk, encode_line};

pub(crate) const SETTINGS: &str = "settings";
pub(crate) const TRACKER: &str = "tracker";
pub(crate) const DAYS: &str = "days";
pub(crate) const META: &str = "meta";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const SYNC: &str = "sync";
pub(crate) const PROBLEMS: &str = "problems";
/// Pay states by task (`crate::pay::PayBook`).
pub(crate) const PAY: &str = "pay";
/// The evidence log's last entry and length (`EvidenceHead`); its entries in chunks under
/// `evidence/N`.
pub(crate) const EVIDENCE: &str = "evidence";
/// The most recent problems kept for the popup.
const MAX_PROBLEMS: usize = 20;

pub(crate) fn chunk_key(index: usize) -> String {
    format!("records/{index}")
}

/// How many records there are and where they are.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    /// The local id written into records; the collector replaces it with the token's install.
    pub install_id: String,
    pub count: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub at: i64,
    pub text: String,
}

impl ToJson for Meta {
    fn to_json(&self) -> Value {
        ObjectBuilder::new().field("install_id", self.install_id.as_str()).field("count", self.count).build()
    }
}

impl FromJson for Meta {
    fn from_json(value: &Value) -> Result<Meta, JsonError> {
        let fields = Fields::of(value)?;
        let count = fields.u64("count")?;
        Ok(Meta {
            install_id: fields.str("install_id")?.to_owned(),
            count: usize::try_from(count)
                .map_err(|_| JsonError::invalid(format!("{count} is too large")).inside("count"))?,
        })
    }
}

impl ToJson for Problem {
    fn to_json(&self) -> Value {
        ObjectBuilder::new().field("at", self.at).field("text", self.text.as_str()).build()
    }
}

impl FromJson for Problem {
    fn from_json(value: &Value) -> Result<Problem, JsonError> {
        let fields = Fields::of(value)?;
        Ok(Problem { at: fields.i64("at")?, text: fields.str("text")?.to_owned() })
    }
}

/// Reads one JSON value stored as a string; absent or unreadable gives `None`.
pub(crate) async fn read<T: FromJson>(key: &str) -> Result<Option<T>, WebError> {
    let object = api::get(&[key]).await?;
    Ok(parse_stored(key, &object))
}

/// The stored settings, every readable field kept when another is not, and what could not be
/// read ([`Settings::read_stored`]); the defaults of a new install when none are stored.
pub(crate) fn stored_settings(object: &js_sys::Object) -> (Settings, Option<JsonError>) {
    stored_json(SETTINGS, object).map_or_else(|| (Settings::default(), None), Settings::read_stored)
}

/// The value stored under `key` in what a storage read returned; absent or unreadable gives
/// `None` (an unreadable one is logged).
pub(crate) fn parse_stored<T: FromJson>(key: &str, object: &js_sys::Object) -> Option<T> {
    // Only the conversion from JSON depends on `T`: the rest stays out of its copies, one per
    // stored type in the wasm module.
    let value = stored_json(key, object)?;
    T::from_json(&value).map_err(|error| warn_unreadable(key, &error.to_string())).ok()
}

/// The JSON stored under `key`, if present and JSON at all (otherwise logged).
fn stored_json(key: &str, object: &js_sys::Object) -> Option<Value> {
    let text = js_sys::Reflect::get(object, &JsValue::from_str(key)).ok()?.as_string()?;
    analysis::json::parse(&text).map_err(|error| warn_unreadable(key, &format!("not JSON: {error}"))).ok()
}

fn warn_unreadable(key: &str, error: &str) {
    api::console_warn(&format!("piecerate: stored {key} is unreadable ({error}); starting afresh"));
}

/// Writes several values in one storage call, so they change together.
pub(crate) async fn write(pairs: &[(&str, String)]) -> Result<(), WebError> {
    let object = js_sys::Object::new();
    for (key, text) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(text))
            .map_err(|e| WebError::browser(&e))?;
    }
    api::set(&object).await
}

pub(crate) fn json(value: &impl ToJson) -> String {
    json::to_text(value)
}

pub(crate) async fn meta() -> Result<Meta, WebError> {
    if let Some(meta) = read::<Meta>(META).await? {
        return Ok(meta);
    }
    let id = uuid::Builder::from_random_bytes(api::random_bytes()).into_uuid();
    let meta = Meta { install_id: format!("local-{}", id.hyphenated()), count: 0 };
    write(&[(META, json(&meta))]).await?;
    Ok(meta)
}

pub(crate) fn install_id(meta: &Meta) -> InstallId {
    let id = InstallId::parse(&meta.install_id).ok().or_else(|| InstallId::parse("local").ok());
    id.expect("\"local\" is a valid install id")
}

/// Appends records: the last chunk is rewritten, new chunks are added as needed, and the
/// count and daily totals change in the same storage call.
pub(crate) async fn append(records: &[LocalRecord], utc_offset_minutes: i64) -> Result<(), WebError> {
    if records.is_empty() {
        return Ok(());
    }
    let mut meta = meta().await?;
    let mut days: DailyTotals = read(DAYS).await?.unwrap_or_default();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut index = meta.count;
    let mut chunk_text =
        if index % CHUNK_RECORDS == 0 { String::new() } else { read_chunk(index / CHUNK_RECORDS).await? };
    for local in records {
        if index % CHUNK_RECORDS == 0 && !chunk_text.is_empty() {
            pairs.push((chunk_key(index / CHUNK_RECORDS - 1), std::mem::take(&mut chunk_text)));
        }
        chunk_text.push_str(&encode_line(local));
        chunk_text.push('\n');
        days.add(&local.record, utc_offset_minutes);
        index += 1;
    }
    pairs.push((chunk_key((index - 1) / CHUNK_RECORDS), chunk_text));
    meta.count = index;
    pairs.push((META.to_owned(), json(&meta)));
    pairs.push((DAYS.to_owned(), json(&days)));
    let borrowed: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    write(&borrowed).await
}

async fn read_chunk(index: usize) -> Result<String, WebError> {
    let key = chunk_key(index);
    let object = api::get(&[&key]).await?;
    let value = js_sys::Reflect::get(&object, &JsValue::from_str(&key)).map_err(|e| WebError::browser(&e))?;
    Ok(value.as_string().unwrap_or_default())
}

/// Every stored record, and the lines that could not be read.
pub(crate) async fn all_records() -> Result<(Vec<LocalRecord>, Vec<StoredLineError>), WebError> {
    let meta = meta().await?;
    let chunks = meta.count.div_ceil(CHUNK_RECORDS);
    let keys: Vec<String> = (0..chunks).map(chunk_key).collect();
    let borrowed: Vec<&str> = keys.iter().map(String::as_str).collect();
    let object = api::get(&borrowed).await?;
    let mut records = Vec::with_capacity(meta.count);
    let mut errors = Vec::new();
    for (index, key) in keys.iter().enumerate() {
        let text = js_sys::Reflect::get(&object, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let (mut good, mut bad) = decode_chunk(&text, index * CHUNK_RECORDS);
        records.append(&mut good);
        errors.append(&mut bad);
    }
    Ok((records, errors))
}

pub(crate) fn evidence_chunk_key(index: u64) -> String {
    format!("evidence/{index}")
}

/// Appends events to the evidence log: the head and the last chunk read and written in one
/// call each. A store from before the log has no head: its log starts now.
pub(crate) async fn append_evidence(events: Vec<analysis::evidence::Event>) -> Result<(), WebError> {
    use crate::evidence::CHUNK_ENTRIES;
    use analysis::evidence::Entry;
    if events.is_empty() {
        return Ok(());
    }
    let object = api::get(&[EVIDENCE]).await?;
    let mut last: Option<Entry> =
        stored_json(EVIDENCE, &object).and_then(|value| Entry::from_json(&value, EVIDENCE).ok());
    let chunk_of = |index: u64| index / CHUNK_ENTRIES as u64;
    let mut chunk_index = last.as_ref().map_or(0, |entry| chunk_of(entry.index + 1));
    let mut chunk: Vec<Value> = read_evidence_chunk(chunk_index).await?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for event in events {
        let entry = Entry::append(last.as_ref(), event);
        if chunk_of(entry.index) != chunk_index {
            pairs.push((
                evidence_chunk_key(chunk_index),
                Value::Array(std::mem::take(&mut chunk)).to_string(),
            ));
            chunk_index = chunk_of(entry.index);
        }
        chunk.push(entry.to_json());
        last = Some(entry);
    }
    pairs.push((evidence_chunk_key(chunk_index), Value::Array(chunk).to_string()));
    if let Some(last) = last {
        pairs.push((EVIDENCE.to_owned(), last.to_json().to_string()));
    }
    let borrowed: Vec<(&str, String)> =
        pairs.iter().map(|(key, text)| (key.as_str(), text.clone())).collect();
    write(&borrowed).await
}

/// The whole evidence log, in order, in one storage call. An entry that does not read is left
/// out: the export's chain check then names where the log is damaged.
pub(crate) async fn read_evidence_log() -> Result<Vec<analysis::evidence::Entry>, WebError> {
    let Some(last) = read_evidence_head().await? else { return Ok(Vec::new()) };
    let keys: Vec<String> =
        (0..=last / crate::evidence::CHUNK_ENTRIES as u64).map(evidence_chunk_key).collect();
    let borrowed: Vec<&str> = keys.iter().map(String::as_str).collect();
    let object = api::get(&borrowed).await?;
    let mut log = Vec::new();
    for key in &keys {
        if let Some(Value::Array(items)) = stored_json(key, &object) {
            log.extend(items.iter().filter_map(|item| analysis::evidence::Entry::from_json(item, key).ok()));
        }
    }
    Ok(log)
}

async fn read_evidence_chunk(index: u64) -> Result<Vec<Value>, WebError> {
    let key = evidence_chunk_key(index);
    let object = api::get(&[&key]).await?;
    Ok(match stored_json(&key, &object) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    })
}

/// Deletes every record, the totals and the outbox; settings and sharing state stay.
pub(crate) async fn delete_local() -> Result<(), WebError> {
    let meta = meta().await?;
    let mut keys: Vec<String> = (0..meta.count.div_ceil(CHUNK_RECORDS)).map(chunk_key).collect();
    keys.extend([DAYS, OUTBOX, PROBLEMS, PAY].map(str::to_owned));
    if let Some(last) = read_evidence_head().await? {
        keys.extend((0..=last / crate::evidence::CHUNK_ENTRIES as u64).map(evidence_chunk_key));
        keys.push(EVIDENCE.to_owned());
    }
    api::remove(&keys).await?;
    write(&[(META, json(&Meta { count: 0, ..meta }))]).await
}

async fn read_evidence_head() -> Result<Option<u64>, WebError> {
    let object = api::get(&[EVIDENCE]).await?;
    Ok(stored_json(EVIDENCE, &object).and_then(|value| value.get("index")?.as_u64()))
}

/// Logs problems and keeps the most recent for the popup, in one read and one write.
pub(crate) async fn add_problems(texts: Vec<String>, now: i64) -> Result<(), WebError> {
    if texts.is_empty() {
        return Ok(());
    }
    let mut problems: Vec<Problem> = read(PROBLEMS).await?.unwrap_or_default();
    for text in texts {
        api::console_warn(&format!("piecerate: {text}"));
        problems.push(Problem { at: now, text });
    }
    let excess = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.drain(..excess);
    write(&[(PROBLEMS, json(&problems))]).await
}
