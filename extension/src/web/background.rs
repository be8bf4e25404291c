//! The background (service worker in Chromium, event page in Firefox): every message and
//! browser event becomes a tracker event; finished tasks become records in the local store
//! and, with sharing on, in the outbox that [`sync`] uploads.

use super::error::WebError;
use analysis::{Currency, Money, Outcome, Platform, RecordError};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::api::{self, now_millis};
use super::storage::{self, OUTBOX, PAY, SETTINGS, SYNC, TRACKER, json, parse_stored, read, write};
use crate::adapters::{TaskDetails, label, observe_api_response, observe_page, plan_for};
use crate::json::{FromJson, ObjectBuilder, ToJson};
use crate::messages::Message;
use crate::pay::PayBook;
use crate::records::{LocalRecord, to_record};
use crate::settings::{CONSENT_VERSION, Settings};
use crate::stretches;
use crate::tracker::{Event, FinishedWhat, Outcomes, PricedStretches, Tracker, TrackerSettings};
use crate::upload::{
    BatchReply, Outgoing, SyncState, batch_body, classify_upload, enrollment_body, outgoing, parse_challenge,
    parse_enrollment, retry_after_ms, solve_challenge,
};

fn fail(error: impl std::fmt::Display) -> JsValue {
    api::to_js(&ObjectBuilder::new().field("error", error.to_string()).build())
}

fn ok() -> JsValue {
    api::to_js(&ObjectBuilder::new().field("ok", true).build())
}

/// What the background does for one message or browser event, decided without touching
/// storage; [`perform`] then does it.
enum Action {
    /// Tracker events, handled in order with one read and one write of the tracker.
    Events(Vec<Event>),
    /// Events first, then an upload if one is due (the periodic alarm).
    EventsThenSync(Vec<Event>),
    Problem(String),
    SaveSettings(Settings),
    SyncNow,
    EraseShared,
    DeleteLocal,
    Import(String),
    /// Answered at once.
    Reply(JsValue),
}

/// Reads a message: `tab` is the sender's tab (-1 for the popup), `frame` its frame.
fn decide(message: &JsValue, tab: i32, frame: i32, now: i64) -> Result<Action, JsValue> {
    let message = api::from_js(message)
        .and_then(|value| Ok(Message::from_json(&value)?))
        .map_err(|e| fail(format!("message: {e}")))?;
    let tab = i64::from(tab);
    let top = frame == 0;
    let event = |event: Event| Ok(Action::Events(vec![event]));
    match message {
        Message::Plan { url } => {
            let plan = if top { plan_for(&url) } else { Default::default() };
            Ok(Action::Reply(api::to_js(&plan.to_json())))
        }
        Message::Page { url, focused, visible, values } if top => {
            event(Event::Page { tab, now, focused, visible, observation: observe_page(&url, &values) })
        }
        Message::Page { .. } => Ok(Action::Events(Vec::new())),
        // Only the top document speaks for the tab: its focus covers its frames'.
        Message::Activity { focused, visible, input, in_frame } if top => {
            event(Event::Activity { tab, now, focused, visible, input, in_frame })
        }
        Message::Activity { .. } => Ok(Action::Events(Vec::new())),
        Message::Watch { name } => event(Event::Watched { tab, now, name }),
        Message::Api { url, body } => match observe_api_response(&url, &body) {
            Ok(observations) => Ok(Action::Events(
                observations
                    .into_iter()
                    .flatten()
                    .map(|observation| Event::Submission { now, observation })
                    .collect(),
            )),
            Err(error) => Ok(Action::Problem(error.to_string())),
        },
        Message::ManualStart { platform } => match Platform::parse(&platform) {
            Ok(platform) => event(Event::ManualStart { now, platform }),
            Err(problem) => Err(fail(format!("platform: {problem}"))),
        },
        Message::ManualStop { outcome, reward, bonus, currency, title } => {
            event(manual_stop(now, &outcome, &reward, &bonus, &currency, &title).map_err(fail)?)
        }
        Message::SaveSettings { form } => match Settings::from_form(&form) {
            Ok(settings) => Ok(Action::SaveSettings(settings)),
            Err(error) => Err(api::to_js(
                &ObjectBuilder::new().field("error", error.to_string()).field("field", error.field).build(),
            )),
        },
        Message::SyncNow => Ok(Action::SyncNow),
        Message::EraseShared => Ok(Action::EraseShared),
        Message::DeleteLocal => Ok(Action::DeleteLocal),
        Message::Import { text } => Ok(Action::Import(text)),
        Message::PriceStretch { platform, started, reward, currency } => {
            let which = PricedStretches::Started(started);
            event(
                stretches::priced(now, &platform, which, ("reward", &reward), &currency)
                    .map_err(field_error)?,
            )
        }
        Message::PriceDay { platform, day, amount, currency } => {
            let day = stretches::typed_day("day", &day).map_err(field_error)?;
            let which = PricedStretches::LocalDay { day, utc_offset_minutes: api::utc_offset_minutes() };
            event(
                stretches::priced(now, &platform, which, ("amount", &amount), &currency)
                    .map_err(field_error)?,
            )
        }
    }
}

/// A refusal the popup shows, naming the field.
fn field_error(error: RecordError) -> JsValue {
    api::to_js(&ObjectBuilder::new().field("error", error.to_string()).field("field", error.field).build())
}

/// Does what was decided; every entry point goes through this one future, so the module
/// holds one state machine for them all.
async fn perform(action: Action, now: i64) -> Result<JsValue, JsValue> {
    let done = match action {
        Action::Reply(reply) => return Ok(reply),
        Action::Events(events) => apply(events).await,
        Action::EventsThenSync(events) => match apply(events).await {
            Ok(()) => sync(now, false).await,
            Err(error) => Err(error),
        },
        Action::Problem(problem) => storage::add_problems(vec![problem], now).await,
        Action::SaveSettings(settings) => save_settings(settings, now).await,
        Action::SyncNow => {
            let result = sync(now, true).await;
            let state: SyncState = read(SYNC).await.ok().flatten().unwrap_or_default();
            return result.map(|()| api::to_js(&state.to_json())).map_err(fail);
        }
        Action::EraseShared => erase_shared(now).await,
        Action::DeleteLocal => match storage::delete_local().await {
            // The stretches of work waiting for their pay are measured data too.
            Ok(()) => match read::<Tracker>(TRACKER).await {
                Ok(Some(mut tracker)) => {
                    tracker.forget_waiting();
                    write(&[(TRACKER, json(&tracker))]).await
                }
                other => other.map(drop),
            },
            error => error,
        },

        Action::Import(text) => {
            let (imported, refused) = import(text, now).await.map_err(fail)?;
            return Ok(api::to_js(
                &ObjectBuilder::new().field("imported", imported).field("refused", refused).build(),
            ));
        }
    };
    done.map(|()| ok()).map_err(fail)
}

fn run(action: Result<Action, JsValue>, now: i64) -> Promise {
    future_to_promise(async move { perform(action?, now).await })
}

/// Handles one message. `tab` is the sender's tab (-1 for the popup), `frame` its frame.
#[wasm_bindgen]
pub fn on_message(message: JsValue, tab: i32, frame: i32) -> Promise {
    let now = now_millis();
    run(decide(&message, tab, frame, now), now)
}

#[wasm_bindgen]
pub fn on_tab_closed(tab: i32) -> Promise {
    let now = now_millis();
    run(Ok(Action::Events(vec![Event::TabClosed { tab: i64::from(tab), now }])), now)
}

/// The periodic alarm: tasks past their time limit, stale search stretches, uploads.
#[wasm_bindgen]
pub fn on_alarm() -> Promise {
    let now = now_millis();
    run(Ok(Action::EventsThenSync(vec![Event::Tick { now }])), now)
}

#[wasm_bindgen]
pub fn on_browser_started() -> Promise {
    let now = now_millis();
    run(Ok(Action::Events(vec![Event::BrowserStarted { now }])), now)
}

fn manual_stop(
    now: i64,
    outcome: &str,
    reward: &str,
    bonus: &str,
    currency: &str,
    title: &str,
) -> Result<Event, WebError> {
    let outcome = Outcome::parse(outcome).map_err(|p| RecordError::new("outcome", p))?;
    let reward = Money::parse(reward.trim()).map_err(|e| RecordError::new("reward", e))?;
    let bonus = Money::parse(bonus.trim()).map_err(|e| RecordError::new("bonus", e))?;
    let currency = Currency::parse(currency.trim()).map_err(|e| RecordError::new("currency", e))?;
    let title = (!title.trim().is_empty()).then(|| label(title));
    Ok(Event::ManualStop { now, outcome, details: TaskDetails::plain(reward, currency, title, None), bonus })
}

/// The stored settings; a field that cannot be read keeps its default, the others their value.
async fn settings() -> Settings {
    api::get(&[SETTINGS]).await.map(|object| storage::stored_settings(&object).0).unwrap_or_default()
}

/// Runs events through the tracker, saves the new state, stores what finished: the settings
/// and the tracker read in one storage call, the tracker written in one.
async fn apply(events: Vec<Event>) -> Result<(), WebError> {
    if events.is_empty() {
        return Ok(());
    }
    let object = api::get(&[SETTINGS, TRACKER]).await?;
    let settings = storage::stored_settings(&object).0;
    let tracker_settings = TrackerSettings { idle_cutoff_ms: i64::from(settings.idle_cutoff_seconds) * 1000 };
    let mut tracker: Tracker =
        parse_stored(TRACKER, &object).unwrap_or_else(|| Tracker::new(tracker_settings));
    tracker.settings = tracker_settings;
    let open_before = tracker.open_tasks().to_vec();
    let mut out = Outcomes::default();
    for event in events {
        let Outcomes { finished, problems, pay } = tracker.handle(event);
        out.finished.extend(finished);
        out.problems.extend(problems);
        out.pay.extend(pay);
    }
    let now = now_millis();
    write(&[(TRACKER, json(&tracker))]).await?;
    let changed = store_pay(&out).await?;
    let changed: Vec<&crate::pay::PayReport> = changed.iter().map(|&index| &out.pay[index]).collect();
    let events = crate::evidence::events(
        &open_before,
        tracker.open_tasks(),
        &out.finished,
        &changed,
        api::utc_offset_minutes(),
    );
    storage::append_evidence(events).await?;
    store_finished(out, &settings, now).await
}

async fn store_finished(mut out: Outcomes, settings: &Settings, now: i64) -> Result<(), WebError> {
    let mut records: Vec<LocalRecord> = Vec::new();
    if !out.finished.is_empty() {
        let meta = storage::meta().await?;
        let install = storage::install_id(&meta);
        for finished in &out.finished {
            match to_record(finished, api::random_bytes(), &install, settings.country) {
                Ok(record) => records.push(record),
                Err(error) => out.problems.push(format!("a finished task could not be recorded: {error}")),
            }
        }
    }
    storage::add_problems(out.problems, now).await?;
    if records.is_empty() {
        return Ok(());
    }
    storage::append(&records, api::utc_offset_minutes()).await?;
    if settings.sharing {
        queue(&records).await?;
    }
    Ok(())
}

/// Submitted tasks become pending; what the platforms reported changes their state. Returns
/// the positions of the reports that changed a state, for the evidence log.
async fn store_pay(out: &Outcomes) -> Result<Vec<usize>, WebError> {
    let submitted = out.finished.iter().any(|f| matches!(f.what, FinishedWhat::Task { .. }));
    if out.pay.is_empty() && !submitted {
        return Ok(Vec::new());
    }
    let mut book: PayBook = read(PAY).await?.unwrap_or_default();
    for finished in &out.finished {
        book.record_finished(finished);
    }
    let mut changed = Vec::new();
    for (index, report) in out.pay.iter().enumerate() {
        if book.get(report.platform, &report.key).is_none_or(|entry| entry.state != report.state) {
            changed.push(index);
        }
        book.apply(report);
    }
    write(&[(PAY, json(&book))]).await?;
    Ok(changed)
}

async fn queue(records: &[LocalRecord]) -> Result<(), WebError> {
    let mut outbox: Vec<Outgoing> = read(OUTBOX).await?.unwrap_or_default();
    outbox.extend(records.iter().map(outgoing));
    write(&[(OUTBOX, json(&outbox))]).await
}

async fn save_settings(settings: Settings, now: i64) -> Result<(), WebError> {
    let before = self::settings().await;
    write(&[(SETTINGS, json(&settings))]).await?;
    if settings.sharing && !before.sharing {
        // Turning sharing on shares the history already in this browser too, as the consent
        // text says; then every new record.
        let (records, _) = storage::all_records().await?;
        queue(&records).await?;
        sync(now, true).await?;
    } else if !settings.sharing && before.sharing {
        write(&[(OUTBOX, json(&Vec::<Outgoing>::new()))]).await?;
    }
    Ok(())
}

async fn erase_shared(now: i64) -> Result<(), WebError> {
    let mut sync_state: SyncState = read(SYNC).await?.unwrap_or_default();
    let mut settings = settings().await;
    settings.sharing = false;
    sync_state.erase_pending = sync_state.token.is_some();
    sync_state.next_attempt = 0;
    write(&[(SETTINGS, json(&settings)), (SYNC, json(&sync_state)), (OUTBOX, json(&Vec::<Outgoing>::new()))])
        .await?;
    sync(now, true).await
}

/// Uploads what waits in the outbox, or finishes an erase; on failure, backs off.
async fn sync(now: i64, force: bool) -> Result<(), WebError> {
    let settings = settings().await;
    let mut state: SyncState = read(SYNC).await?.unwrap_or_default();
    let Some(base) = settings.collector_url.clone() else { return Ok(()) };
    if !force && !state.due(now) {
        return Ok(());
    }
    if state.erase_pending {
        let reply =
            api::http("DELETE", &format!("{base}/v1/installs/me"), state.token.as_deref(), None).await;
        match reply {
            // Gone already (401/404) is as good as erased.
            Ok(reply) if (200..300).contains(&reply.status) || reply.status == 401 || reply.status == 404 => {
                state = SyncState { last_status: Some("erased".to_owned()), ..SyncState::default() };
            }
            Ok(reply) => state.failed(
                now,
                retry_after_ms(reply.retry_after.as_deref()),
                format!("erase: HTTP {}", reply.status),
            ),
            Err(error) => state.failed(now, None, format!("erase: collector unreachable: {error}")),
        }
        return write(&[(SYNC, json(&state))]).await;
    }
    if !settings.sharing {
        return Ok(());
    }
    // The worker withdrew Firefox's data-collection permissions for sharing (the add-on's
    // settings): nothing leaves the browser until they are granted again.
    if let Some(permissions) = api::sharing_data_collection() {
        const PAUSED: &str = "paused: Firefox's data-collection permission is withdrawn";
        if !api::has_permissions(&permissions).await {
            state.last_status = Some(PAUSED.to_owned());
            return write(&[(SYNC, json(&state))]).await;
        }
        if state.last_status.as_deref() == Some(PAUSED) {
            state.last_status = Some("resumed".to_owned());
            write(&[(SYNC, json(&state))]).await?;
        }
    }
    if state.token.is_none() {
        match enroll(&base).await {
            Ok(Enrolled { install_id, token, status }) => {
                state.token = Some(token);
                state.install_id = Some(install_id);
                state.consent_version = Some(CONSENT_VERSION.to_owned());
                state.succeeded(status);
            }
            Err((retry_after, status)) => state.failed(now, retry_after, status),
        }
        write(&[(SYNC, json(&state))]).await?;
        if state.token.is_none() {
            return Ok(());
        }
    }
    // A bounded number of batches per run; the next alarm carries on.
    for _ in 0..50 {
        let mut outbox: Vec<Outgoing> = read(OUTBOX).await?.unwrap_or_default();
        if outbox.is_empty() {
            break;
        }
        let size = state.batch.clamp(1, 1000).min(outbox.len());
        let body = batch_body(&outbox[..size]);
        let reply =
            match api::http("POST", &format!("{base}/v1/records"), state.token.as_deref(), Some(&body)).await
            {
                Ok(reply) => classify_upload(reply.status, reply.retry_after.as_deref(), &reply.body),
                Err(error) => {
                    BatchReply::Later { retry_after: None, status: format!("collector unreachable: {error}") }
                }
            };
        let stop = match reply {
            BatchReply::Stored { accepted, duplicates } => {
                outbox.drain(..size);
                state.sent += accepted;
                state.succeeded(format!("sent {accepted} new, {duplicates} already there"));
                false
            }
            BatchReply::Refused { indexes, message } => {
                for &index in indexes.iter().rev().filter(|&&i| i < size) {
                    outbox.remove(index);
                }
                let problem = format!("the collector refused {} record(s): {message}", indexes.len());
                storage::add_problems(vec![problem], now).await?;
                false
            }
            BatchReply::TooLarge => {
                state.batch = (size / 2).max(1);
                false
            }
            BatchReply::Unauthorized => {
                state.token = None;
                state.failed(
                    now,
                    None,
                    "the collector no longer knows this install; enrolling again".to_owned(),
                );
                true
            }
            BatchReply::Later { retry_after, status } => {
                state.failed(now, retry_after, status);
                true
            }
        };
        write(&[(OUTBOX, json(&outbox)), (SYNC, json(&state))]).await?;
        if stop {
            break;
        }
    }
    Ok(())
}

/// A new install at the collector.
struct Enrolled {
    install_id: String,
    token: String,
    /// What the worker sees: enrolled, and how much work the proof took.
    status: String,
}

/// Enrolls: asks the collector for a challenge, solves its proof of work (about a second at
/// the collector's default difficulty, once per browser), and sends the solution with the
/// consent version. A failure says what to wait for and why.
async fn enroll(base: &str) -> Result<Enrolled, (Option<i64>, String)> {
    let unreachable = |error: WebError| (None, format!("collector unreachable: {error}"));
    let reply =
        api::http("GET", &format!("{base}/v1/installs/challenge"), None, None).await.map_err(unreachable)?;
    if !(200..300).contains(&reply.status) {
        return Err((
            retry_after_ms(reply.retry_after.as_deref()),
            format!("enrollment challenge: HTTP {}", reply.status),
        ));
    }
    let challenge = parse_challenge(&reply.body).map_err(|problem| (None, problem.to_string()))?;
    let started = js_sys::Date::now();
    let (nonce, tried) = solve_challenge(&challenge);
    // Whole milliseconds: formatting a float would pull float printing into the module.
    let elapsed = (js_sys::Date::now() - started).max(0.0) as u64;
    let body = enrollment_body(CONSENT_VERSION, &challenge, &nonce);
    let reply =
        api::http("POST", &format!("{base}/v1/installs"), None, Some(&body)).await.map_err(unreachable)?;
    if !(200..300).contains(&reply.status) {
        return Err((
            retry_after_ms(reply.retry_after.as_deref()),
            format!("enrollment: HTTP {}", reply.status),
        ));
    }
    let (install_id, token) = parse_enrollment(&reply.body).map_err(|problem| (None, problem.to_string()))?;
    let status =
        format!("enrolled; proof of work of {} bits: {tried} hashes in {elapsed} ms", challenge.difficulty);
    Ok(Enrolled { install_id, token, status })
}

/// Adds the records of an export to the local store, in batches; bad lines are counted and the
/// first few logged, and never stop the good ones.
async fn import(text: String, now: i64) -> Result<(usize, usize), WebError> {
    let lines = analysis::read_records(std::io::Cursor::new(text.into_bytes()))
        .map_err(|e| WebError::Import(e.to_string()))?;
    let (mut imported, mut refused) = (0, 0);
    let mut problems = Vec::new();
    let mut batch: Vec<LocalRecord> = Vec::new();
    for line in lines {
        match line {
            Ok(record) => batch.push(LocalRecord::bare(record)),
            Err(error) => {
                refused += 1;
                if refused <= 5 {
                    problems.push(format!("import: {error}"));
                }
            }
        }
        if batch.len() == 10_000 {
            imported += batch.len();
            storage::append(&std::mem::take(&mut batch), api::utc_offset_minutes()).await?;
        }
    }
    imported += batch.len();
    storage::append(&batch, api::utc_offset_minutes()).await?;
    storage::add_problems(problems, now).await?;
    Ok((imported, refused))
}
