//! The evidence page (`evidence.html?…`): reads the whole log, cuts the excerpt its address asks
//! for (`crate::evidence::excerpt`), draws it as the printable timeline and offers its JSON file.
//! The popup's requester table and its period form open it in a tab.

use std::cell::RefCell;

use analysis::evidence::MAX_EXPORT_BYTES;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::api::translate;
use super::popup::{by_id, download, show};
use super::storage;
use crate::evidence::page::render;
use crate::evidence::{ExportError, Selection, excerpt};
use crate::view::element;

thread_local! {
    /// The export's file name and text, for the download button.
    static EXPORT: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// The page's address as a selection: `platform` and `task`; `platform`, `requester` and
/// optionally `title`; or `from` and `to` (YYYY-MM-DD). A bad one names the parameter.
fn selection(search: &str) -> Result<Selection, String> {
    let mut platform = None;
    let mut task = None;
    let mut requester = None;
    let mut title = None;
    let mut from = None;
    let mut to = None;
    for pair in search.trim_start_matches('?').split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // A form sends spaces as `+` (the popup's period form); the links encode them as %20.
        let value = js_sys::decode_uri_component(&value.replace('+', " ")).ok().and_then(|v| v.as_string());
        match name {
            "platform" => platform = value,
            "task" => task = value,
            "requester" => requester = value,
            "title" => title = value,
            "from" => from = value,
            "to" => to = value,
            _ => {}
        }
    }
    let day = |name: &str, value: Option<String>| {
        let value = value.unwrap_or_default();
        analysis::time::Date::parse(&value).map(|date| date.days_since_epoch()).map_err(|_| {
            let shown: String = value.chars().take(32).collect();
            translate("evidenceBadDate", &[&translate(name, &[]), &shown])
        })
    };
    match (platform, task, requester) {
        (Some(platform), Some(task), _) => Ok(Selection::Task { platform, task }),
        (Some(platform), None, Some(requester)) => Ok(Selection::Requester { platform, requester, title }),
        _ if from.is_some() || to.is_some() => {
            let (from, to) = (day("evidenceFrom", from)?, day("evidenceTo", to)?);
            if to < from {
                return Err(translate("evidenceToBeforeFrom", &[]));
            }
            Ok(Selection::Period { from, to })
        }
        _ => Err(translate("evidenceNoSelection", &[])),
    }
}

async fn draw() -> Result<(), String> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let selection = selection(&search)?;
    let log = storage::read_evidence_log().await.map_err(|error| error.to_string())?;
    let (excerpt, text) = excerpt(&log, &selection, MAX_EXPORT_BYTES).map_err(|error| match error {
        ExportError::Nothing => translate("evidenceNothing", &[]),
        ExportError::Damaged(index) => translate("evidenceDamaged", &[&index.to_string()]),
        ExportError::TooLarge(bytes) => translate("evidenceTooLarge", &[&bytes.to_string()]),
    })?;
    show("evidence", &render(&excerpt, &selection, &translate));
    let name = format!("piecerate-evidence-{}.json", &excerpt.head().hex()[..12]);
    EXPORT.set(Some((name, text)));
    if let Some(actions) = by_id("evidence-actions").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        actions.set_hidden(false);
    }
    Ok(())
}

/// Opens the evidence page.
#[wasm_bindgen]
#[expect(
    unreachable_pub,
    reason = "wasm-bindgen exports only `pub` functions, and the page's loader calls it"
)]
pub async fn evidence_main() -> Result<(), JsValue> {
    // The static texts and the page's language are filled by its loader (`i18n.js`).
    let document = web_sys::window().and_then(|w| w.document()).expect("the page has a document");
    if let Err(problem) = draw().await {
        show(
            "evidence",
            &[element("p")
                .attribute("role", "alert")
                .attribute("data-figure", "evidence-error")
                .text(problem)
                .into()],
        );
    }
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        match target.get_attribute("data-action").as_deref() {
            Some("evidence-download") => EXPORT.with_borrow(|export| {
                if let Some((name, text)) = export {
                    let _ = download(text, name, "application/json");
                }
            }),
            Some("print") => {
                let _ = web_sys::window().map(|window| window.print());
            }
            _ => {}
        }
    });
    document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    on_click.forget();
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-opened-ms", "0");
    }
    Ok(())
}
