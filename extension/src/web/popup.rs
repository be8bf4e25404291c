//! The popup and dashboard page: reads only the daily totals (never the records) to draw the
//! figures, fills the settings and the manual timer, and turns clicks into messages to the
//! background. Opened in a tab with `?full` it is the full dashboard.

use super::error::WebError;

use analysis::json::Value;
use analysis::minimum_wage::{self, Jurisdiction};
use analysis::{CountryCode, Timestamp};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::api::{self, translate};
use super::storage::{self, DAYS, META, Meta, PROBLEMS, Problem, SETTINGS, SYNC, TRACKER, parse_stored};
use crate::adapters::{ADAPTERS, Adapter};
use crate::dashboard::{FigureFormat, WorkerMinimum, dashboard, fixed, render, render_minimum};
use crate::json::{JsonError, ObjectBuilder};
use crate::settings::{CONSENT_VERSION, Onboarding, Region, Settings};
use crate::store::DailyTotals;
use crate::stretches::render_waiting;
use crate::tracker::Tracker;
use crate::upload::SyncState;
use crate::view::{Node, element};

fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("the popup has a document")
}

pub(super) fn by_id(id: &str) -> Option<Element> {
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
    /// What in the stored settings could not be read (the rest is in `settings`).
    settings_problem: Option<JsonError>,
    days: DailyTotals,
    meta: Option<Meta>,
    tracker: Option<Tracker>,
    problems: Vec<Problem>,
    sync: SyncState,
}

async fn load() -> Result<Loaded, WebError> {
    let keys = [SETTINGS, DAYS, META, TRACKER, PROBLEMS, SYNC];
    let object = api::get(&keys).await?;
    let (settings, settings_problem) = storage::stored_settings(&object);
    Ok(Loaded {
        settings,
        settings_problem,
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

fn now() -> Timestamp {
    Timestamp::nearest_to_unix_seconds(api::now_millis() / 1000)
}

/// One of the name lists the build adds to the messages (`extension/locale_names.py`): lines of
/// tab-separated fields, the code first and the name last, in the order to offer them.
fn names(list: &str) -> String {
    translate(list, &[])
}

/// What follows `code` on its line of a name list: the name, after a currency for a country.
fn listed(list: &str, code: &str) -> Option<String> {
    names(list).lines().find_map(|line| Some(line.strip_prefix(code)?.strip_prefix('\t')?.to_owned()))
}

/// The name of `code` in a list in the popup's language; the code itself if the list lacks it.
fn name_of(list: &str, code: &str) -> String {
    listed(list, code).map_or_else(|| code.to_owned(), |rest| last_field(&rest).to_owned())
}

/// The name after a country's currency, or a region's or currency's only field (names hold no
/// tab).
fn last_field(fields: &str) -> &str {
    fields.split_once('\t').map_or(fields, |(_, name)| name)
}

/// The names of a jurisdiction's country and region (empty when none).
fn place_names(jurisdiction: Option<Jurisdiction>) -> (String, String) {
    jurisdiction.map_or_else(Default::default, |place| {
        (
            name_of("countryNames", place.country.as_str()),
            place.region.map_or_else(String::new, |r| name_of("regionNames", r)),
        )
    })
}

fn draw(loaded: &Loaded) {
    let now = now();
    let jurisdiction = loaded.settings.jurisdiction();
    let view = dashboard(&loaded.days, today_local(), jurisdiction, now);
    let (country_name, region_name) = place_names(jurisdiction);
    let decimal_separator = translate("decimalSeparator", &[]);
    let display = FigureFormat {
        currency: loaded.settings.display_currency,
        at: now,
        country_name: &country_name,
        decimal_separator: &decimal_separator,
        region_name: &region_name,
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
    fill_place("", settings);
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

/// Fills the select `id` with an option per line of a name list (those `offered`), after a first
/// option `first` (value empty), and selects `selected`. Written as options, not a widget of
/// our own, so keyboards and screen readers work as on any list.
fn fill_options(id: &str, first: Option<String>, list: &str, offered: &dyn Fn(&str) -> bool, selected: &str) {
    let mut options = Vec::new();
    if let Some(first) = first {
        options.push(element("option").attribute("value", "").text(first).into());
    }
    for line in names(list).lines() {
        let Some((code, rest)) = line.split_once('\t') else { continue };
        if offered(code) {
            // Currencies by code and name; places by name.
            let name = last_field(rest);
            let text = if list == "currencyNames" { format!("{code} — {name}") } else { name.to_owned() };
            options.push(element("option").attribute("value", code).text(text).into());
        }
    }
    show(id, &options);
    set_value(id, selected);
}

/// Fills the country, region and currency of the settings (`prefix` "") or of the first-run
/// introduction (`prefix` "onboarding-") with `settings`.
fn fill_place(prefix: &str, settings: &Settings) {
    let country = settings.country.as_ref().map_or("", CountryCode::as_str);
    fill_options(
        &format!("{prefix}country"),
        Some(translate("countryNone", &[])),
        "countryNames",
        &|_| true,
        country,
    );
    let currency = settings.display_currency.as_str();
    fill_options(&format!("{prefix}display-currency"), None, "currencyNames", &|_| true, currency);
    fill_regions(prefix, settings.region.map_or("", Region::as_str));
}

/// Offers the whole country and the regions with a minimum wage of their own of the country
/// chosen, keeping `selected` when that country has it; then shows that place's minimum.
fn fill_regions(prefix: &str, selected: &str) {
    let country = CountryCode::parse(&input_value(&format!("{prefix}country"))).ok();
    let regions = country.map(minimum_wage::regions).unwrap_or_default();
    let whole = Some(translate("regionWhole", &[]));
    fill_options(&format!("{prefix}region"), whole, "regionNames", &|code| regions.contains(&code), selected);
    show_minimum(prefix);
}

/// A country chosen: its currency becomes the display currency (the worker can change it), its
/// regions are offered.
fn country_chosen(prefix: &str) {
    let country = input_value(&format!("{prefix}country"));
    // A country's line: its currency (or nothing), then its name.
    let listed = listed("countryNames", &country).unwrap_or_default();
    if let Some((currency, _)) = listed.split_once('\t')
        && !currency.is_empty()
    {
        set_value(&format!("{prefix}display-currency"), currency);
    }
    fill_regions(prefix, "");
}

/// The minimum wage in force today where the form says the worker works, with its date and
/// source, as the dashboard will show it; nothing before a country is chosen.
fn show_minimum(prefix: &str) {
    let id = format!("{prefix}minimum");
    let Ok(country) = CountryCode::parse(&input_value(&format!("{prefix}country"))) else {
        show(&id, &[]);
        return;
    };
    let region = Region::parse(Some(country), &input_value(&format!("{prefix}region"))).ok();
    let jurisdiction = Jurisdiction { country, region: region.map(Region::as_str) };
    let (country_name, region_name) = place_names(Some(jurisdiction));
    let now = now();
    let decimal_separator = translate("decimalSeparator", &[]);
    let display = FigureFormat {
        currency: analysis::Currency::USD,
        at: now,
        country_name: &country_name,
        decimal_separator: &decimal_separator,
        region_name: &region_name,
    };
    show(&id, &[render_minimum(&WorkerMinimum::in_force(jurisdiction, now), display, &translate).into()]);
}

fn set_hidden(id: &str, hidden: bool) {
    if let Some(element) = by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        element.set_hidden(hidden);
    }
}

/// Shows the first-run introduction with the saved settings, its heading focused so that a
/// screen reader starts there.
fn show_onboarding(settings: &Settings) {
    fill_place("onboarding-", settings);
    set_hidden("onboarding", false);
    if let Some(heading) = by_id("onboarding-title").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = heading.focus();
    }
}

/// A settings field's label in the popup's language, for errors that name it.
fn field_label(field: &str) -> String {
    let key = match field {
        "display_currency" => "displayCurrency",
        "idle_cutoff_seconds" => "idleCutoff",
        "collector_url" => "collectorUrl",
        "sharing" => "sharingAgree",
        other => other,
    };
    translate(key, &[])
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
    if loaded.settings.onboarding == Onboarding::Pending {
        show_onboarding(&loaded.settings);
    }
    // Stored settings that could not all be read: the worker is told which field, and the
    // rest stays as it was until they save.
    if let Some(problem) = &loaded.settings_problem {
        let field = problem.path().first().map_or("", String::as_str);
        status(&translate("settingsUnreadable", &[&field_label(field), &problem.problem.to_string()]));
    }
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
    // One listener for a chosen country or region (its regions, currency and minimum follow),
    // the search field and a chosen file (an import).
    let on_change = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let id = target.id();
        let prefix = if id.starts_with("onboarding-") { "onboarding-" } else { "" };
        match (event.type_().as_str(), &id[prefix.len()..]) {
            ("change", "country") => country_chosen(prefix),
            ("change", "region") => show_minimum(prefix),
            ("input", "history-search") => super::history::search(input_value(&id)),
            ("change", "import-file") => {
                let Some(file) =
                    target.dyn_into::<HtmlInputElement>().ok().and_then(|i| i.files()).and_then(|f| f.get(0))
                else {
                    return;
                };
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
    if let Some(field) = by_id("history-search") {
        field.add_event_listener_with_callback("input", on_change.as_ref().unchecked_ref())?;
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
    set_hidden("site-access", api::has_permissions(&api::site_access().0).await);
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

/// The background's answer to a form (the settings, the introduction, or typed pay): once
/// saved, says `saved` (when not empty). A refusal names its field (the settings'
/// `SettingsError`, or `stretches::priced`): the first of `forms` (a selector and the id of the
/// message under it) holding an input with that `data-field` has it marked `aria-invalid`,
/// described by that message, which says in the worker's language what the field takes
/// (`invalid_<field>`, with what was typed), and focused; the previous marks and these
/// messages are cleared first. True when saved.
fn answer_form(reply: &JsValue, forms: &[(&str, &str)], saved: &str) -> Result<bool, WebError> {
    let reply = api::from_js(reply).unwrap_or(Value::Null);
    if let Ok(marked) = document().query_selector_all("[aria-invalid]") {
        for node in (0..marked.length()).filter_map(|i| marked.get(i)) {
            if let Some(marked) = node.dyn_ref::<Element>() {
                let _ = marked.remove_attribute("aria-invalid");
                let _ = marked.remove_attribute("aria-describedby");
            }
        }
    }
    let message_of = |id: &str| by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok());
    for (_, message_id) in forms {
        if let Some(message) = message_of(message_id) {
            message.set_hidden(true);
        }
    }
    let field = reply.get("field").and_then(Value::as_str);
    let marked = field.and_then(|field| {
        forms.iter().find_map(|(scope, message_id)| {
            let input = document().query_selector(&format!("{scope} [data-field={field}]")).ok()??;
            Some((field, input, *message_id, message_of(message_id)?))
        })
    });
    if let Some((field, input, message_id, message)) = marked {
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
    if !saved.is_empty() {
        status(&translate(saved, &[]));
    }
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
            if !save_settings("").await? {
                return Ok(());
            }
        }
        // The introduction's place and currency with the other settings as they are.
        "onboarding-done" | "onboarding-skip" => {
            let saved = if action == "onboarding-done" {
                save_settings("onboarding-").await?
            } else {
                save_settings_as("", "skipped").await?
            };
            if !saved {
                return Ok(());
            }
            set_hidden("onboarding", true);
            fill_settings(&load().await?.settings);
        }
        "onboarding-show" => show_onboarding(&load().await?.settings),
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
            if !answer_form(
                &api::message(&message).await?,
                &[("#waiting fieldset", "pay-error")],
                "waitingSaved",
            )? {
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
            let scope = format!("[data-stretch=\"{id}\"]");
            if !answer_form(&api::message(&message).await?, &[(&scope, "pay-error")], "waitingSaved")? {
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

/// Sends the settings form with the country, region and currency of the settings (`place` "")
/// or of the introduction ("onboarding-", which it then marks done). False when the background
/// refused a field, which is then marked where the worker typed it.
async fn save_settings(place: &str) -> Result<bool, WebError> {
    save_settings_as(place, if place.is_empty() { "" } else { "done" }).await
}

/// `save_settings`, saying what becomes of the introduction (`onboarding`).
async fn save_settings_as(place: &str, onboarding: &str) -> Result<bool, WebError> {
    let field = |name: &str| input_value(&format!("{place}{name}"));
    let form = ObjectBuilder::new()
        .field("country", field("country"))
        .field("region", field("region"))
        .field("display_currency", field("display-currency"))
        .field("idle_cutoff_seconds", input_value("idle-cutoff"))
        .field("collector_url", input_value("collector-url"))
        .field("sharing", checked("sharing"))
        .field("onboarding", onboarding)
        .build();
    let reply = api::message(&kind("save_settings").field("form", form).build()).await?;
    // The introduction's other fields are the settings': a refused one is marked there.
    let (forms, saved): (&[(&str, &str)], _) = if place.is_empty() {
        (&[("#view-settings", "settings-error")], "settingsSaved")
    } else {
        (&[("#onboarding", "onboarding-error"), ("#view-settings", "settings-error")], "")
    };
    answer_form(&reply, forms, saved)
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
    download(&text, name, mime)?;
    let skipped = errors.len();
    status(&translate("exported", &[&plain.len().to_string(), &skipped.to_string()]));
    Ok(())
}

/// Offers `text` as a file named `name`: a Blob and a clicked anchor, which both browsers save
/// as a download from an extension page.
pub(super) fn download(text: &str, name: &str, mime: &str) -> Result<(), WebError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
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
    Ok(())
}
