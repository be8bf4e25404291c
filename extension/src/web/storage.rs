//! The local store in `storage.local` (with `unlimitedStorage`): each value a JSON or text
//! string under a fixed key; records in chunks of [`CHUNK_RECORDS`] lines.

use analysis::InstallId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::api;
use crate::records::LocalRecord;
use crate::store::{CHUNK_RECORDS, DailyTotals, StoredLineError, decode_chunk, encode_line};

pub const SETTINGS: &str = "settings";
pub const TRACKER: &str = "tracker";
pub const DAYS: &str = "days";
pub const META: &str = "meta";
pub const OUTBOX: &str = "outbox";
pub const SYNC: &str = "sync";
pub const PROBLEMS: &str = "problems";
/// The most recent problems kept for the popup.
const MAX_PROBLEMS: usize = 20;

pub fn chunk_key(index: usize) -> String {
    format!("records/{index}")
}

/// How many records there are and where they are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// The local id written into records; the collector replaces it with the token's install.
    pub install_id: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Problem {
    pub at: i64,
    pub text: String,
}

/// Reads one JSON value stored as a string; absent or unreadable gives `None`.
pub async fn read<T: DeserializeOwned>(key: &str) -> Result<Option<T>, String> {
    let object = api::get(&[key]).await?;
    let value = js_sys::Reflect::get(&object, &JsValue::from_str(key)).map_err(|e| api::describe(&e))?;
    let Some(text) = value.as_string() else { return Ok(None) };
    match serde_json::from_str(&text) {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            api::console_warn(&format!("piecerate: stored {key} is unreadable ({error}); starting afresh"));
            Ok(None)
        }
    }
}

/// Writes several values in one storage call, so they change together.
pub async fn write(pairs: &[(&str, String)]) -> Result<(), String> {
    let object = js_sys::Object::new();
    for (key, text) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(text))
            .map_err(|e| api::describe(&e))?;
    }
    api::set(&object).await
}

pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serializing plain data")
}

pub async fn meta() -> Result<Meta, String> {
    if let Some(meta) = read::<Meta>(META).await? {
        return Ok(meta);
    }
    let id = uuid::Builder::from_random_bytes(api::random_bytes()).into_uuid();
    let meta = Meta { install_id: format!("local-{}", id.hyphenated()), count: 0 };
    write(&[(META, json(&meta))]).await?;
    Ok(meta)
}

pub fn install_id(meta: &Meta) -> InstallId {
    InstallId::parse(&meta.install_id).unwrap_or_else(|_| InstallId::parse("local").expect("valid id"))
}

/// Appends records: the last chunk is rewritten, new chunks are added as needed, and the
/// count and daily totals change in the same storage call.
pub async fn append(records: &[LocalRecord], utc_offset_minutes: i64) -> Result<(), String> {
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

async fn read_chunk(index: usize) -> Result<String, String> {
    let key = chunk_key(index);
    let object = api::get(&[&key]).await?;
    let value = js_sys::Reflect::get(&object, &JsValue::from_str(&key)).map_err(|e| api::describe(&e))?;
    Ok(value.as_string().unwrap_or_default())
}

/// Every stored record, and the lines that could not be read.
pub async fn all_records() -> Result<(Vec<LocalRecord>, Vec<StoredLineError>), String> {
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

/// Deletes every record, the totals and the outbox; settings and sharing state stay.
pub async fn delete_local() -> Result<(), String> {
    let meta = meta().await?;
    let mut keys: Vec<String> = (0..meta.count.div_ceil(CHUNK_RECORDS)).map(chunk_key).collect();
    keys.extend([DAYS, OUTBOX, PROBLEMS].map(str::to_owned));
    api::remove(&keys).await?;
    write(&[(META, json(&Meta { count: 0, ..meta }))]).await
}

pub async fn add_problem(text: String, now: i64) -> Result<(), String> {
    api::console_warn(&format!("piecerate: {text}"));
    let mut problems: Vec<Problem> = read(PROBLEMS).await?.unwrap_or_default();
    problems.push(Problem { at: now, text });
    let excess = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.drain(..excess);
    write(&[(PROBLEMS, json(&problems))]).await
}
