//! The popup and dashboard page: reads only the daily totals (never the records) to draw the
//! figures, fills the settings and the manual timer, and turns clicks into messages to the
//! background. Opened in a tab with `?full` it is the full dashboard.

use super::error::WebError;

use analysis::json::Value;
use analysis::minimum_wage;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::api::{self, translate};
use super::storage::{self, DAYS, META, Meta, PROBLEMS, Problem, SETTINGS, SYNC, TRACKER, parse_stored};
use crate::adapters::{ADAPTERS, Adapter};
use crate::dashboard::{Display, dashboard, fixed, render};
use crate::json::ObjectBuilder;
use crate::settings::{CONSENT_VERSION, Settings};
use crate::store::DailyTotals;
use crate::stretches::render_waiting;
use crate::tracker::Tracker;
use crate::upload::SyncState;
use crate::view::{Node, element};

fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("the popup has a document")
}

fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// Replaces the children of the element `id` with `nodes`, created one by one: the popup never
/// has the browser parse HTML (see `crate::view`).
pub(super) fn show(id: &str, nodes: &[Node]) {
    let Some(target) = by_id(id) else { return };
    target.set_text_content(None);
    let document = document();
    for node in nodes {
        // Only a wrong tag or attribute name fails, and the view's names are constants.
        let _ = append(&document, &target, node, false);
    }
}

/// Appends `node` to `parent`; the chart's elements are SVG ones, which need their namespace.
fn append(document: &Document, parent: &Element, node: &Node, in_svg: bool) -> Result<(), JsValue> {
    match node {
        Node::Text(text) => parent.append_with_str_1(text),
        Node::Element(element) => {
            let in_svg = in_svg || element.tag() == "svg";
            let created = if in_svg {
                document.create_element_ns(Some("http://www.w3.org/2000/svg"), element.tag())?
            } else {
                document.create_element(element.tag())?
            };
            for (name, value) in element.attributes() {
                created.set_attribute(name, value)?;
            }
            for child in element.children() {
                append(document, &created, child, in_svg)?;
            }
            parent.append_with_node_1(&created)
        }
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
    }
}

fn input_value(id: &str) -> String {
    by_id(id)
        .and_then(|e| {
            e.clone()
                .dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .ok()
                .or_else(|| e.dyn_into::<HtmlSelectElement>().map(|s| s.value()).ok())
        })
        .unwrap_or_default()
}

fn set_value(id: &str, value: &str) {
    if let Some(element) = by_id(id) {
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            input.set_value(value);
        } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
            select.set_value(value);
        }
    }
}

fn checked(id: &str) -> bool {
    by_id(id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

fn status(text: &str) {
    set_text("status", text);
}

/// Everything the popup reads at opening, in one storage call.
struct Loaded {
    settings: Settings,
    days: DailyTotals,
    meta: Option<Meta>,
    tracker: Option<Tracker>,
    problems: Vec<Problem>,
    sync: SyncState,
}

async fn load() -> Result<Loaded, WebError> {
    let keys = [SETTINGS, DAYS, META, TRACKER, PROBLEMS, SYNC];
    let object = api::get(&keys).await?;
    Ok(Loaded {
        settings: parse_stored(SETTINGS, &object).unwrap_or_default(),
        days: parse_stored(DAYS, &object).unwrap_or_default(),
        meta: parse_stored(META, &object),
        tracker: parse_stored(TRACKER, &object),
        problems: parse_stored(PROBLEMS, &object).unwrap_or_default(),
        sync: parse_stored(SYNC, &object).unwrap_or_default(),
    })
}

fn today_local() -> i64 {
    let seconds = api::now_millis().div_euclid(1000) + api::utc_offset_minutes() * 60;
    seconds.div_euclid(86_400)
}

fn draw(loaded: &Loaded) {
    let now = analysis::Timestamp::nearest_to_unix_seconds(api::now_millis() / 1000);
    let view = dashboard(&loaded.days, today_local(), loaded.settings.jurisdiction(), now);
    let country_name = loaded.settings.country.map(|country| api::country_name(country.as_str()));
    let decimal_separator = translate("decimalSeparator", &[]);
    let display = Display {
        currency: loaded.settings.display_currency,
        at: now,
        country_name: country_name.as_deref().unwrap_or_default(),
        decimal_separator: &decimal_separator,
    };
    show("dashboard", &render(&view, display, &translate));
    let waiting = render_waiting(
        loaded.tracker.as_ref().map_or(&[][..], Tracker::waiting),
        api::utc_offset_minutes(),
        loaded.settings.display_currency,
        &translate,
    );
    show("waiting", &waiting);
    let count = loaded.meta.as_ref().map_or(0, |m| m.count);
    set_text("record-count", &translate("recordCount", &[&count.to_string()]));
    let mut problems = element("ul");
    for problem in loaded.problems.iter().rev().take(5) {
        problems.push(element("li").text(translate("pageUnreadable", &[&problem.text])));
    }
    show("problems", &if problems.children().is_empty() { Vec::new() } else { vec![problems.into()] });
    let manual = loaded.tracker.as_ref().and_then(Tracker::manual_started);
    set_text(
        "timer-state",
        &(match manual {
            Some(started) => {
                translate("timerRunningSince", &[&format!("{}", (api::now_millis() - started) / 1000)])
            }
            None => translate("timerStopped", &[]),
        }),
    );
    if let Some(element) = by_id("timer-state") {
        let _ = element.set_attribute("data-running", if manual.is_some() { "true" } else { "false" });
    }
    let sync = &loaded.sync;
    let sync_text = match (&sync.install_id, &sync.last_status) {
        (_, _) if !loaded.settings.sharing && !sync.erase_pending => translate("sharingOff", &[]),
        (Some(id), status) => {
            translate("sharingOn", &[id, status.as_deref().unwrap_or(""), &sync.sent.to_string()])
        }
        (None, status) => translate("sharingPending", &[status.as_deref().unwrap_or("")]),
    };
    set_text("sync-state", &sync_text);
}

fn fill_settings(settings: &Settings) {
    set_value("country", settings.country.map(|c| c.as_str().to_owned()).unwrap_or_default().as_str());
    fill_regions(settings.region.map_or("", |region| region.as_str()));
    set_value("display-currency", settings.display_currency.as_str());
    set_value("idle-cutoff", &settings.idle_cutoff_seconds.to_string());
    set_value("collector-url", settings.collector_url.as_deref().unwrap_or(""));
    if let Some(input) = by_id("sharing").and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
        input.set_checked(settings.sharing);
    }
    set_text("consent-version", CONSENT_VERSION);
    fill_platforms();
}

/// The platforms a worker may turn on: the adapters whose every host the manifest lists as an
/// optional host permission (MTurk's and Prolific's are granted at install).
fn optional_adapters() -> Vec<(usize, &'static Adapter, Vec<String>)> {
    let optional = api::optional_origins();
    ADAPTERS
        .iter()
        .enumerate()
        .filter_map(|(index, adapter)| {
            let origins: Vec<String> =
                adapter.hosts().iter().map(|host| format!("https://{host}/*")).collect();
            origins.iter().all(|origin| optional.contains(origin)).then_some((index, *adapter, origins))
        })
        .collect()
}

/// One tick box per optional platform, ticked when the browser holds its host permission: the
/// permission is the setting, so withdrawing it in the browser's own settings shows here too.
fn fill_platforms() {
    let mut list = element("ul");
    for (index, adapter, _) in optional_adapters() {
        let id = format!("platform-{index}");
        let hosts = adapter.hosts().join(", ");
        list.push(
            element("li").child(
                element("label")
                    .child(
                        element("input")
                            .attribute("type", "checkbox")
                            .attribute("id", id)
                            .attribute("data-platform-toggle", index.to_string())
                            .attribute("data-platform", adapter.platform.as_str()),
                    )
                    .text(format!(" {}: {hosts}", adapter.platform)),
            ),
        );
    }
    show("platforms", &[list.into()]);
    wasm_bindgen_futures::spawn_local(async {
        for (index, _, origins) in optional_adapters() {
            let held = api::has_permissions(&api::origins(&origins)).await;
            if let Some(input) =
                by_id(&format!("platform-{index}")).and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            {
                input.set_checked(held);
            }
        }
    });
}

/// A platform's tick box was clicked: turning it on asks for its sites now, while the click is
/// handled (as browsers require); turning it off gives them back. The background registers the
/// content script for what is granted (`background.js`).
fn toggle_platform(input: &HtmlInputElement) {
    let Some(index) = input.get_attribute("data-platform-toggle").and_then(|i| i.parse::<usize>().ok())
    else {
        return;
    };
    let Some((_, adapter, origins)) = optional_adapters().into_iter().find(|(i, ..)| *i == index) else {
        return;
    };
    let permissions = api::origins(&origins);
    let platform = adapter.platform.as_str();
    if input.checked() {
        let asked = api::ask_permissions(&permissions);
        let input = input.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let granted = asked.await && api::has_permissions(&permissions).await;
            input.set_checked(granted);
            status(&translate(if granted { "platformOn" } else { "platformRefused" }, &[platform]));
        });
    } else {
        wasm_bindgen_futures::spawn_local(async move {
            api::remove_permissions(&permissions).await;
            status(&translate("platformOff", &[platform]));
        });
    }
}

/// Offers the whole country and the regions with a minimum wage of their own of the country in
/// the form, keeping `selected` when that country has it.
fn fill_regions(selected: &str) {
    let country = analysis::CountryCode::parse(input_value("country").trim()).ok();
    let regions = country.map(minimum_wage::regions).unwrap_or_default();
    let mut options =
        vec![element("option").attribute("value", "").text(translate("regionWhole", &[])).into()];
    for code in &regions {
        options.push(element("option").attribute("value", *code).text(*code).into());
    }
    show("region", &options);
    set_value("region", if regions.contains(&selected) { selected } else { "" });
}

async fn refresh() -> Result<(), WebError> {
    let loaded = load().await?;
    draw(&loaded);
    Ok(())
}

/// Opens the popup: figures first (timed into `data-opened-ms` for the budget check).
#[wasm_bindgen]
#[expect(
    unreachable_pub,
    reason = "wasm-bindgen exports only `pub` functions, and the popup's loader calls it"
)]
pub async fn popup_main() -> Result<(), JsValue> {
    let started = js_sys::Date::now();
    let loaded = load().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
    draw(&loaded);
    fill_settings(&loaded.settings);
    let body = document().body().expect("the popup has a body");
    let _ = body.set_attribute("data-opened-ms", &fixed(js_sys::Date::now() - started, 1));
    // Since the page started loading, wasm compilation included: what the worker waits.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = body.set_attribute("data-ready-at-ms", &fixed(performance.now(), 1));
    }
    set_text("site-access-text", &translate("siteAccessMissing", &[&api::site_access().1]));
    spawn_action("site-access".to_owned());
    let on_permissions = Closure::<dyn Fn()>::new(|| spawn_action("site-access".to_owned()));
    api::on_permissions_changed(on_permissions.as_ref().unchecked_ref());
    on_permissions.forget();
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if let Some(toggle) =
            target.dyn_ref::<HtmlInputElement>().filter(|i| i.has_attribute("data-platform-toggle"))
        {
            toggle_platform(toggle);
            return;
        }
        let Ok(Some(button)) = target.closest("[data-action],[data-view],[data-sort]") else { return };
        if let Some(key) = button.get_attribute("data-sort") {
            super::history::sort(&key);
            return;
        }
        if let Some(view) = button.get_attribute("data-view") {
            show_view(&view);
            return;
        }
        let action = button.get_attribute("data-action").unwrap_or_default();
        if action == "save-settings" && checked("sharing") {
            // Turning sharing on in Firefox also asks for the data-collection permissions the
            // manifest declares, now, while the click is handled; refused, sharing stays off.
            if let Some(permissions) = api::sharing_data_collection() {
                let asked = api::ask_permissions(&permissions);
                wasm_bindgen_futures::spawn_local(async move {
                    let granted = asked.await;
                    if !granted
                        && let Some(sharing) =
                            by_id("sharing").and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                    {
                        sharing.set_checked(false);
                    }
                    match act("save-settings").await {
                        Err(error) => status(&error.to_string()),
                        Ok(()) if !granted => status(&translate("sharingDataRefused", &[])),
                        Ok(()) => {}
                    }
                });
                return;
            }
        }
        if action == "grant-site-access" {
            // Asked now, while the click is handled, as the browser requires; the notice goes
            // when the browser reports the permissions added.
            api::request_permissions(&api::site_access().0);
            return;
        }
        spawn_action(action);
    });
    document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    // One listener for typing a country (its regions follow) and for a chosen file (an
    // import); typing in other fields does not call it.
    let on_change = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        match (event.type_().as_str(), input.id().as_str()) {
            ("input", "country") => fill_regions(&input_value("region")),
            ("input", "history-search") => super::history::search(input.value()),
            ("change", "import-file") => {
                let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(error) = import_file(file).await {
                        status(&error.to_string());
                    }
                });
            }
            _ => {}
        }
    });
    document().add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())?;
    for id in ["country", "history-search"] {
        if let Some(field) = by_id(id) {
            field.add_event_listener_with_callback("input", on_change.as_ref().unchecked_ref())?;
        }
    }
    on_change.forget();
    // The popup lives as long as its page; the listener with it.
    on_click.forget();
    Ok(())
}

/// Runs a popup action; its error, if any, shows in the status line. Every action goes through
/// this one future, so the module holds one copy of the task that runs it.
fn spawn_action(action: String) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = act(&action).await {
            status(&error.to_string());
        }
    });
}

/// Without access to the platforms' sites (withheld at install, or taken back later in the
/// browser's add-on settings, which both browsers allow) no content script runs there and
/// nothing is timed: the popup says so, with a button that asks for it.
async fn show_site_access() {
    let held = api::has_permissions(&api::site_access().0).await;
    if let Some(notice) = by_id("site-access").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        notice.set_hidden(held);
    }
}

/// Shows one view and marks its button as the current one (`aria-current`, which the
/// stylesheet also draws), so that both sight and a screen reader tell which view is open.
fn show_view(view: &str) {
    for name in ["dashboard", "requesters", "timer", "settings"] {
        if let Some(section) = by_id(&format!("view-{name}")).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            section.set_hidden(name != view);
        }
        if let Some(button) = by_id(&format!("tab-{name}")) {
            let _ = button.set_attribute("aria-current", if name == view { "page" } else { "false" });
        }
    }
    if view == "requesters" {
        // Read when asked for: the popup's opening reads only the daily totals.
        wasm_bindgen_futures::spawn_local(async {
            if let Err(error) = super::history::open().await {
                status(&error.to_string());
            }
        });
    }
}

/// The background's answer to a form (the settings, or typed pay): once saved, says `saved`.
/// A refusal names its field (the settings' `SettingsError`, or `stretches::priced`): the input
/// with that `data-field` inside `scope` is marked `aria-invalid`, described by the element
/// `message_id` under the form, which says in the worker's language what the field takes
/// (`invalid_<field>`, with what was typed), and focused; the previous mark is cleared first.
/// True when saved.
fn answer_form(reply: &JsValue, message_id: &str, scope: &str, saved: &str) -> Result<bool, WebError> {
    let reply = api::from_js(reply).unwrap_or(Value::Null);
    let message = by_id(message_id).and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Ok(Some(marked)) = document().query_selector("[aria-invalid]") {
        let _ = marked.remove_attribute("aria-invalid");
        let _ = marked.remove_attribute("aria-describedby");
    }
    if let Some(message) = &message {
        message.set_hidden(true);
    }
    let field = reply.get("field").and_then(Value::as_str);
    let input = field
        .and_then(|field| document().query_selector(&format!("{scope} [data-field={field}]")).ok().flatten());
    if let (Some(field), Some(input), Some(message)) = (field, input, message) {
        let _ = input.set_attribute("aria-invalid", "true");
        let _ = input.set_attribute("aria-describedby", message_id);
        message.set_text_content(Some(&translate(&format!("invalid_{field}"), &[&input_value(&input.id())])));
        message.set_hidden(false);
        if let Some(input) = input.dyn_ref::<HtmlElement>() {
            let _ = input.focus();
        }
        status("");
        return Ok(false);
    }
    // A refusal without its form on the page still says what the background said.
    if let Some(error) = reply.get("error").and_then(Value::as_str) {
        return Err(WebError::Background(error.to_owned()));
    }
    status(&translate(saved, &[]));
    Ok(true)
}

async fn send(message: Value) -> Result<Value, WebError> {
    let reply = api::message(&message).await?;
    let reply = api::from_js(&reply).unwrap_or(Value::Null);
    if let Some(error) = reply.get("error").and_then(|e| e.as_str()) {
        return Err(WebError::Background(error.to_owned()));
    }
    Ok(reply)
}

/// A message to the background, of this kind.
fn kind(kind: &str) -> ObjectBuilder {
    ObjectBuilder::new().field("kind", kind)
}

async fn act(action: &str) -> Result<(), WebError> {
    match action {
        "site-access" => show_site_access().await,
        "save-settings" => {
            let form = ObjectBuilder::new()
                .field("country", input_value("country"))
                .field("region", input_value("region"))
                .field("display_currency", input_value("display-currency"))
                .field("idle_cutoff_seconds", input_value("idle-cutoff"))
                .field("collector_url", input_value("collector-url"))
                .field("sharing", checked("sharing"))
                .build();
            let message = kind("save_settings").field("form", form).build();
            if !answer_form(
                &api::message(&message).await?,
                "settings-error",
                "#view-settings",
                "settingsSaved",
            )? {
                return Ok(());
            }
        }
        "manual-start" => {
            send(kind("manual_start").field("platform", input_value("manual-platform")).build()).await?;
        }
        "manual-stop" => {
            send(
                kind("manual_stop")
                    .field("outcome", input_value("manual-outcome"))
                    .field("reward", input_value("manual-reward"))
                    .field("bonus", input_value("manual-bonus"))
                    .field("currency", input_value("manual-currency"))
                    .field("title", input_value("manual-title"))
                    .build(),
            )
            .await?;
            status(&translate("timerSaved", &[]));
        }
        "sync-now" => {
            send(kind("sync_now").build()).await?;
        }
        "erase-shared" => {
            send(kind("erase_shared").build()).await?;
            status(&translate("eraseRequested", &[]));
        }
        "delete-local" => {
            if let Some(confirm) = by_id("delete-confirm").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                confirm.set_hidden(false);
            }
            // Straight to the question's button, so that a keyboard or screen reader user is
            // where the next step is, not left on a button that now does nothing new.
            if let Some(button) = by_id("delete-local-confirm").and_then(|e| e.dyn_into::<HtmlElement>().ok())
            {
                let _ = button.focus();
            }
        }
        "delete-local-confirm" => {
            send(kind("delete_local").build()).await?;
            status(&translate("localDeleted", &[]));
        }
        "export-csv" | "export-json" => export(action == "export-csv").await?,
        "price-day" => {
            let choice = input_value("day-choice");
            let (platform, day) = choice.split_once('|').unwrap_or_default();
            let message = kind("price_day")
                .field("platform", platform)
                .field("day", day)
                .field("amount", input_value("day-amount"))
                .field("currency", input_value("day-currency"))
                .build();
            if !answer_form(&api::message(&message).await?, "pay-error", "#waiting fieldset", "waitingSaved")?
            {
                return Ok(());
            }
        }
        other if other.starts_with("price-stretch:") => {
            let mut parts = other.splitn(3, ':').skip(1);
            let (platform, started) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let id = format!("{platform}-{started}");
            let message = kind("price_stretch")
                .field("platform", platform)
                .field("started", started.parse::<i64>().unwrap_or_default())
                .field("reward", input_value(&format!("pay-{id}")))
                .field("currency", input_value(&format!("currency-{id}")))
                .build();
            if !answer_form(
                &api::message(&message).await?,
                "pay-error",
                &format!("[data-stretch=\"{id}\"]"),
                "waitingSaved",
            )? {
                return Ok(());
            }
        }
        "open-full" => {
            let _ = web_sys::window().map(|w| w.open_with_url_and_target("popup.html?full", "_blank"));
        }
        other => return Err(WebError::UnknownAction(other.to_owned())),
    }
    refresh().await
}

async fn import_file(file: web_sys::File) -> Result<(), WebError> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|e| WebError::browser(&e))?;
    let reply = send(kind("import").field("text", text.as_string().unwrap_or_default()).build()).await?;
    let count = |name: &str| reply.get(name).and_then(|v| v.as_u64()).unwrap_or(0).to_string();
    status(&translate("imported", &[&count("imported"), &count("refused")]));
    refresh().await
}

/// Offers every stored record as CSV v1 or JSON Lines v1, written by the library.
async fn export(csv: bool) -> Result<(), WebError> {
    let (records, errors) = storage::all_records().await?;
    let plain: Vec<&analysis::Record> = records.iter().map(|local| &local.record).collect();
    let (text, name, mime) = if csv {
        (analysis::format::records_to_csv(plain.iter().copied()), "piecerate-records.csv", "text/csv")
    } else {
        let mut lines = String::new();
        for record in &plain {
            lines.push_str(&analysis::record_to_json(record).to_string());
            lines.push('\n');
        }
        (lines, "piecerate-records.jsonl", "application/jsonl")
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| WebError::browser(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| WebError::browser(&e))?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|e| WebError::browser(&e))?
        .dyn_into()
        .map_err(|_| WebError::unexpected("no anchor"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let skipped = errors.len();
    status(&translate("exported", &[&plain.len().to_string(), &skipped.to_string()]));
    Ok(())
}
