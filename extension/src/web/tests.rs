//! The browser shell in a real (headless) Chromium page: storage round trips through an
//! in-memory stand-in for `storage.local`, random ids, and the popup drawing into the DOM.

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use super::{api, popup, storage};
use crate::records::LocalRecord;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fake_api() {
  const data = new Map();
  const added = [];
  globalThis.piecerateApi = {
    storage: { local: {
      get: async (keys) => Object.fromEntries(keys.filter((k) => data.has(k)).map((k) => [k, data.get(k)])),
      set: async (items) => { for (const [k, v] of Object.entries(items)) data.set(k, v); },
      remove: async (keys) => { for (const k of keys) data.delete(k); },
    } },
    i18n: { getMessage: (name, subs) => name === 'recordCount' ? `${subs[0]} records in this browser`
      : name === 'pageUnreadable' ? `This page could not be read: ${subs[0]}`
      : name === 'locale' ? globalThis.piecerateTestLocale
      : name === 'countryNames' ? 'CA\tCAD\tCanada\nFR\tEUR\tFrance\nAQ\t\tAntarctica\nUS\tUSD\tUnited States'
      : name === 'regionNames' ? 'US-CA\tCalifornia\nCA-ON\tOntario\nCA-QC\tQuebec\nUS-TX\tTexas'
      : name === 'currencyNames' ? 'CAD\tCanadian Dollar\nEUR\tEuro\nUSD\tUS Dollar'
      : name },
    runtime: {
      sendMessage: async () => ({ ok: true }),
      getManifest: () => ({ host_permissions: ['https://worker.mturk.com/*', 'https://app.prolific.com/*'] }),
    },
    permissions: {
      contains: async () => globalThis.piecerateTestSitesGranted,
      request: async () => {
        globalThis.piecerateTestSitesGranted = true;
        for (const listener of added) listener();
        return true;
      },
      onAdded: { addListener: (listener) => added.push(listener) },
      onRemoved: { addListener() {} },
    },
  };
}
export function set_locale(locale) { globalThis.piecerateTestLocale = locale; }
export function set_sites_granted(granted) { globalThis.piecerateTestSitesGranted = granted; }
export function type_into(id, value) {
  const input = document.getElementById(id);
  input.value = value;
  input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
}
export function build_popup_dom() {
  // The elements of popup.html the popup fills, created as the popup creates its own (no HTML parsed).
  const make = (tag, id, attributes = {}, children = []) => {
    const element = document.createElement(tag);
    element.id = id;
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  };
  document.getElementById('popup-root')?.remove();
  const root = make('div', 'popup-root', {}, [
    make('div', 'dashboard'), make('p', 'record-count'), make('div', 'problems'), make('p', 'timer-state'),
    make('p', 'sync-state'), make('p', 'status'), make('select', 'country'), make('select', 'region'),
    make('div', 'minimum'), make('select', 'display-currency'), make('input', 'idle-cutoff'), make('input', 'collector-url'),
    make('input', 'sharing', { type: 'checkbox' }), make('span', 'consent-version'),
    make('p', 'site-access', { hidden: '' }, [make('span', 'site-access-text'),
      make('button', 'grant-site-access', { 'data-action': 'grant-site-access' })]),
    make('section', 'onboarding', { hidden: '' }, [make('h2', 'onboarding-title', { tabindex: '-1' }),
      make('select', 'onboarding-country'), make('select', 'onboarding-region'),
      make('select', 'onboarding-display-currency'), make('div', 'onboarding-minimum')]),
  ]);
  document.body.append(root);
}
"#)]
extern "C" {
    fn install_fake_api();
    fn set_locale(locale: &str);
    fn set_sites_granted(granted: bool);
    fn type_into(id: &str, value: &str);
    fn build_popup_dom();
}

fn record(index: usize) -> LocalRecord {
    let finished = crate::tracker::Finished {
        platform: analysis::Platform::Mturk,
        started: 1_780_000_000_000 + index as i64 * 60_000,
        ended: 1_780_000_030_000 + index as i64 * 60_000,
        active_ms: 25_000,
        what: crate::tracker::FinishedWhat::Task {
            key: "task".to_owned(),
            outcome: analysis::Outcome::Approved,
            details: crate::adapters::TaskDetails {
                reward: analysis::Money::parse("0.10").unwrap(),
                currency: analysis::Currency::USD,
                title: Some(format!("Task {index}")),
                requester: None,
                advertised: None,
                auto_approval_seconds: None,
            },
            bonus: analysis::Money::ZERO,
        },
    };
    let install = analysis::InstallId::parse("local-test").unwrap();
    crate::records::to_record(&finished, api::random_bytes(), &install, None).unwrap()
}

#[wasm_bindgen_test]
async fn records_survive_a_storage_round_trip_across_chunks() {
    install_fake_api();
    let first: Vec<LocalRecord> = (0..1500).map(record).collect();
    let second: Vec<LocalRecord> = (1500..2100).map(record).collect();
    storage::append(&first, 0).await.unwrap();
    storage::append(&second, 0).await.unwrap();
    let (records, errors) = storage::all_records().await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 2100);
    assert_eq!(records[1999].title.as_deref(), Some("Task 1999"));
    assert_eq!(records[0], first[0]);
    let ids: std::collections::BTreeSet<_> = records.iter().map(|r| r.record.record_id()).collect();
    assert_eq!(ids.len(), 2100, "record ids are random and distinct");
    storage::delete_local().await.unwrap();
    assert!(storage::all_records().await.unwrap().0.is_empty());
}

/// Whether `condition` holds within a second, checked every 10 ms (the popup updates itself
/// after promises settle).
async fn eventually(condition: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if condition() {
            return true;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let window = web_sys::window().unwrap();
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
    }
    condition()
}

#[wasm_bindgen_test]
async fn the_popup_draws_the_stored_totals() {
    install_fake_api();
    build_popup_dom();
    let today = (api::now_millis() / 1000 + api::utc_offset_minutes() * 60).div_euclid(86_400);
    let mut local = record(0);
    // A minute of work that started today, at most an hour ago (never before local midnight,
    // which would file it under yesterday): 0.15 dollars a minute is 9 an hour.
    let today_started_ms = (today * 86_400 - api::utc_offset_minutes() * 60) * 1000;
    let started = (api::now_millis() - 3_600_000).max(today_started_ms);
    let finished = crate::tracker::Finished {
        platform: analysis::Platform::Prolific,
        started,
        ended: started + 60_000,
        active_ms: 60_000,
        what: crate::tracker::FinishedWhat::Task {
            key: "task".to_owned(),
            outcome: analysis::Outcome::Submitted,
            details: crate::adapters::TaskDetails {
                reward: analysis::Money::parse("0.15").unwrap(),
                currency: analysis::Currency::USD,
                title: None,
                requester: None,
                advertised: None,
                auto_approval_seconds: None,
            },
            bonus: analysis::Money::ZERO,
        },
    };
    local =
        crate::records::to_record(&finished, api::random_bytes(), local.record.install_id(), None).unwrap();
    storage::append(&[local], api::utc_offset_minutes()).await.unwrap();
    // A page's text is shown as text, whatever markup it holds.
    let hostile = "<img src=x onerror=\"document.body.dataset.injected=1\"> & <b>bold</b>";
    storage::add_problems(vec![hostile.to_owned()], 0).await.unwrap();
    set_sites_granted(false);
    popup::popup_main().await.unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    // Without access to the platforms' sites, the popup says so and asks for it on a click.
    let notice: web_sys::HtmlElement = document.get_element_by_id("site-access").unwrap().dyn_into().unwrap();
    assert!(eventually(|| !notice.hidden()).await, "the notice shows");
    assert_eq!(
        document.get_element_by_id("site-access-text").unwrap().text_content().as_deref(),
        Some("siteAccessMissing")
    );
    let button: web_sys::HtmlElement =
        document.get_element_by_id("grant-site-access").unwrap().dyn_into().unwrap();
    button.click();
    assert!(eventually(|| notice.hidden()).await, "access granted, the notice goes");
    let wage = document.query_selector("[data-period=\"today\"] [data-figure=\"wage\"]").unwrap().unwrap();
    assert_eq!(wage.get_attribute("data-usd").as_deref(), Some("9.0000"), "today is day {today}");
    assert_eq!(
        document.get_element_by_id("record-count").unwrap().text_content().as_deref(),
        Some("1 records in this browser")
    );
    assert!(document.body().unwrap().get_attribute("data-opened-ms").is_some());
    let problem = document.query_selector("#problems li").unwrap().unwrap();
    assert_eq!(problem.text_content(), Some(format!("This page could not be read: {hostile}")));
    assert_eq!(problem.child_element_count(), 0, "no element made of the page's text");
    assert_eq!(document.body().unwrap().get_attribute("data-injected"), None);
    // The chart's bars are SVG elements, drawn only in the SVG namespace.
    let bars = document.query_selector_all("#dashboard svg rect").unwrap();
    assert_eq!(bars.length(), 28, "14 days, paid and unpaid");
    let bar: web_sys::Element = bars.item(0).unwrap().dyn_into().unwrap();
    assert_eq!(bar.namespace_uri().as_deref(), Some("http://www.w3.org/2000/svg"));
}

#[wasm_bindgen_test]
async fn the_region_list_follows_the_country_and_the_threshold_shows() {
    install_fake_api();
    // The popup names the country in the messages' language.
    set_locale("en");
    build_popup_dom();
    let settings = crate::settings::Settings::from_form(&crate::settings::SettingsForm {
        country: "US".into(),
        region: "US-CA".into(),
        idle_cutoff_seconds: "60".into(),
        ..Default::default()
    })
    .unwrap();
    storage::write(&[(storage::SETTINGS, storage::json(&settings))]).await.unwrap();
    popup::popup_main().await.unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let select = |id: &str| -> web_sys::HtmlSelectElement {
        document.get_element_by_id(id).unwrap().dyn_into().unwrap()
    };
    let (country, region, currency) = (select("country"), select("region"), select("display-currency"));
    assert_eq!(country.value(), "US");
    assert_eq!(region.value(), "US-CA");
    // Countries by name, after "not chosen"; only the regions the table has, by name.
    let texts = |list: &web_sys::HtmlSelectElement| -> Vec<String> {
        (0..list.length()).map(|i| list.item(i).unwrap().text_content().unwrap()).collect()
    };
    assert_eq!(texts(&country), ["countryNone", "Canada", "France", "Antarctica", "United States"]);
    assert_eq!(texts(&region), ["regionWhole", "California", "Texas"]);
    assert_eq!(texts(&currency), ["CAD — Canadian Dollar", "EUR — Euro", "USD — US Dollar"]);
    let threshold =
        document.query_selector("#dashboard [data-figure=\"minimum-threshold\"]").unwrap().unwrap();
    assert_eq!(threshold.get_attribute("data-jurisdiction").as_deref(), Some("US-CA"));
    assert_eq!(threshold.get_attribute("data-status").as_deref(), Some("known"));
    // Saved settings: no introduction.
    assert!(document.get_element_by_id("onboarding").unwrap().has_attribute("hidden"));
    // Choosing another country offers its regions (none for France), the whole country chosen,
    // its currency, and its minimum at once.
    type_into("country", "FR");
    assert_eq!((region.length(), region.value(), currency.value()), (1, String::new(), "EUR".to_owned()));
    let shown = document.query_selector("#minimum [data-figure=\"minimum-threshold\"]").unwrap().unwrap();
    assert_eq!(shown.get_attribute("data-jurisdiction").as_deref(), Some("FR"));
    type_into("country", "CA");
    assert_eq!(
        (texts(&region), currency.value()),
        (vec!["regionWhole".to_owned(), "Ontario".into(), "Quebec".into()], "CAD".to_owned())
    );
    // A country without a currency of its own keeps the one chosen; no country, no minimum.
    type_into("country", "AQ");
    assert_eq!(currency.value(), "CAD");
    type_into("country", "");
    assert!(document.query_selector("#minimum [data-figure]").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_new_install_shows_the_introduction_and_damaged_settings_are_named() {
    install_fake_api();
    set_locale("en");
    build_popup_dom();
    popup::popup_main().await.unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    assert!(!document.get_element_by_id("onboarding").unwrap().has_attribute("hidden"));
    assert_eq!(document.active_element().map(|e| e.id()).as_deref(), Some("onboarding-title"));
    assert!(document.query_selector("[data-figure=\"nothing-measured\"]").unwrap().is_some());
    assert!(document.query_selector("[data-period]").unwrap().is_none());
    type_into("onboarding-country", "US");
    type_into("onboarding-region", "US-CA");
    let shown =
        document.query_selector("#onboarding-minimum [data-figure=\"minimum-threshold\"]").unwrap().unwrap();
    assert_eq!(shown.get_attribute("data-jurisdiction").as_deref(), Some("US-CA"));

    // Settings edited outside the extension: the field is named, the rest is kept.
    install_fake_api();
    build_popup_dom();
    let stored = r#"{"country": "ZZ", "display_currency": "EUR", "idle_cutoff_seconds": 30, "sharing": false, "onboarding": "done"}"#;
    let items = js_sys::Object::new();
    js_sys::Reflect::set(&items, &storage::SETTINGS.into(), &stored.into()).unwrap();
    api::set(&items).await.unwrap();
    popup::popup_main().await.unwrap();
    let status = document.get_element_by_id("status").unwrap().text_content().unwrap();
    assert_eq!(status, "settingsUnreadable", "the fake messages name only the message");
    let idle: web_sys::HtmlInputElement =
        document.get_element_by_id("idle-cutoff").unwrap().dyn_into().unwrap();
    assert_eq!(idle.value(), "30");
    let currency: web_sys::HtmlSelectElement =
        document.get_element_by_id("display-currency").unwrap().dyn_into().unwrap();
    assert_eq!(currency.value(), "EUR");
}

#[wasm_bindgen_test]
fn random_ids_differ() {
    assert_ne!(api::random_bytes(), api::random_bytes());
}

/// A store written before task ids and advertised figures were kept (15-field lines, no pay
/// states) still reads whole, takes new records beside its old ones, and fills the history.
#[wasm_bindgen_test]
async fn an_old_format_store_reads_and_grows() {
    install_fake_api();
    storage::delete_local().await.unwrap();
    let old = [
        "0b0c6d3e-5a7e-4c1b-9d2a-7f1e2a3b4c5d\tlocal-x\tmturk\tFR\ttask\t\tsubmitted\t2026-03-02T10:00:00Z\t2026-03-02T10:05:00Z\t240\t0.5\t0\tUSD\tLabel street images\tStreet Scenes Lab",
        "1b0c6d3e-5a7e-4c1b-9d2a-7f1e2a3b4c5d\tlocal-x\tmturk\tFR\ttask\t\treturned\t2026-03-02T10:10:00Z\t2026-03-02T10:12:00Z\t120\t0.5\t0\tUSD\tLabel street images\tStreet Scenes Lab",
    ];
    let chunk = format!("{}\n{}\n", old[0], old[1]);
    storage::write(&[
        ("records/0", chunk),
        (storage::META, r#"{"install_id":"local-x","count":2}"#.to_owned()),
    ])
    .await
    .unwrap();
    let mut new = record(7);
    new.requester = Some("Street Scenes Lab".to_owned());
    new.title = Some("Label street images".to_owned());
    new.task_key = Some("3KYQYYSHWX3A".to_owned());
    storage::append(std::slice::from_ref(&new), 0).await.unwrap();
    let (records, errors) = storage::all_records().await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 3);
    assert_eq!(
        (records[0].requester.as_deref(), records[0].task_key.as_deref()),
        (Some("Street Scenes Lab"), None)
    );
    assert_eq!(records[2], new);
    let history =
        crate::requesters::History::build(&records, &crate::pay::PayBook::default(), api::now_millis());
    assert_eq!(history.groups.len(), 1);
    assert_eq!((history.groups[0].total.tasks, history.groups[0].total.returned_seconds), (3, 120));
    storage::delete_local().await.unwrap();
}

/// The requester search's folding by the browser's own Unicode tables: the cases the native
/// tests give `requesters::fold` (extension/tests/requesters.rs), with the same answers.
#[wasm_bindgen_test]
fn the_search_folds_by_the_browsers_tables_as_natively() {
    use crate::requesters::fold;
    assert_eq!(fold("Zoë ÉCOLE Ångström"), "zoe ecole angstrom");
    assert_eq!(fold("Nguyễn Văn"), "nguyen van");
    assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguyen");
    assert_eq!(fold("ЛАБОРАТОРИЯ Йогурт"), fold("лаборатория йогурт"));
    assert_ne!(fold("й"), fold("и"));
    assert_eq!(fold("ΕΡΓΑΣΤΉΡΙΟ"), fold("εργαστήριο"));
    assert_eq!(fold("İstanbul"), "istanbul");
}

#[wasm_bindgen_test]
fn a_failed_call_is_described_by_its_message() {
    // A rejected message or storage call gives an `Error`, whose JSON form is `{}`.
    let error: JsValue =
        js_sys::Error::new("Could not establish connection. Receiving end does not exist.").into();
    assert_eq!(api::describe(&error), "Could not establish connection. Receiving end does not exist.");
    assert_eq!(api::describe(&JsValue::from_str("quota exceeded")), "quota exceeded");
    let object = js_sys::JSON::parse(r#"{"code":7}"#).unwrap();
    assert_eq!(api::describe(&object), r#"{"code":7}"#);
}

#[wasm_bindgen(inline_js = r#"
export function refuse_messages(times, text) {
  let left = times;
  globalThis.piecerateSent = 0;
  globalThis.piecerateApi.runtime.sendMessage = async () => {
    globalThis.piecerateSent += 1;
    if (left > 0) { left -= 1; throw new Error(text); }
    return { ok: true };
  };
}
export function messages_sent() { return globalThis.piecerateSent; }
"#)]
extern "C" {
    fn refuse_messages(times: u32, text: &str);
    fn messages_sent() -> u32;
}

#[wasm_bindgen_test]
async fn a_message_no_listener_received_is_sent_again_and_no_other() {
    let not_received = "Could not establish connection. Receiving end does not exist.";
    let message = crate::json::ObjectBuilder::new().field("kind", "state").build();
    install_fake_api();
    // The background suspended or starting: sent again until it answers.
    refuse_messages(3, not_received);
    assert!(api::message(&message).await.is_ok());
    assert_eq!(messages_sent(), 4);
    // An answer that is an error is the background's: never sent twice.
    refuse_messages(1, "quota exceeded");
    assert_eq!(api::message(&message).await.unwrap_err().to_string(), "quota exceeded");
    assert_eq!(messages_sent(), 1);
    // A background that never answers: given up after two seconds of retries, and said so.
    refuse_messages(u32::MAX, not_received);
    assert_eq!(api::message(&message).await.unwrap_err().to_string(), not_received);
    assert_eq!(messages_sent(), 21);
    install_fake_api();
}
