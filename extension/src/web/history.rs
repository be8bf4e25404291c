//! The popup's requester history view (`crate::requesters`): read from the stored records and
//! pay states when the worker opens it, kept in memory while the popup is open, redrawn on each
//! search keystroke and sort click. Its own module, beside the dashboard's.

use std::cell::RefCell;

use super::api::{self, translate};
use super::error::WebError;
use super::popup::show;
use super::storage::{self, PAY, SETTINGS, parse_stored};
use crate::dashboard::{FigureFormat, WorkerMinimum};
use crate::pay::PayBook;
use crate::requesters::view::render;
use crate::requesters::{History, Query, SortKey};
use crate::settings::Settings;
use crate::view::element;

struct Shown {
    history: History,
    query: Query,
    settings: Settings,
}

thread_local! {
    static SHOWN: RefCell<Option<Shown>> = const { RefCell::new(None) };
}

/// Reads every record and the pay states, builds the rows and draws them.
pub(crate) async fn open() -> Result<(), WebError> {
    show(
        "history",
        &[element("p").attribute("class", "muted").text(translate("historyLoading", &[])).into()],
    );
    let object = api::get(&[SETTINGS, PAY]).await?;
    let settings: Settings = parse_stored(SETTINGS, &object).unwrap_or_default();
    let book: PayBook = parse_stored(PAY, &object).unwrap_or_default();
    let (records, _) = storage::all_records().await?;
    let history = History::build(&records, &book, api::now_millis());
    let query = SHOWN.with_borrow(|shown| shown.as_ref().map(|s| s.query.clone())).unwrap_or_default();
    SHOWN.set(Some(Shown { history, query, settings }));
    draw();
    Ok(())
}

fn draw() {
    SHOWN.with_borrow(|shown| {
        let Some(Shown { history, query, settings }) = shown else { return };
        let now = analysis::Timestamp::nearest_to_unix_seconds(api::now_millis() / 1000);
        let minimum_usd = settings
            .jurisdiction()
            .and_then(|jurisdiction| WorkerMinimum::in_force(jurisdiction, now).hourly_usd);
        let decimal_separator = translate("decimalSeparator", &[]);
        let display = FigureFormat {
            currency: settings.display_currency,
            at: now,
            country_name: "",
            decimal_separator: &decimal_separator,
            region_name: "",
        };
        show("history", &render(history, query, minimum_usd, display, &translate));
    });
}

/// A click on a column's header: by that column, the other way round when it already was.
pub(crate) fn sort(key: &str) {
    let Some(key) = SortKey::parse(key) else { return };
    SHOWN.with_borrow_mut(|shown| {
        if let Some(Shown { query, .. }) = shown {
            query.descending = if query.sort == key { !query.descending } else { key != SortKey::Requester };
            query.sort = key;
        }
    });
    draw();
}

pub(crate) fn search(text: String) {
    SHOWN.with_borrow_mut(|shown| {
        if let Some(Shown { query, .. }) = shown {
            query.search = text;
        }
    });
    draw();
}
